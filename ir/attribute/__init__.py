"""Attribution: which authorships are the institution's, to which unit and person, with the evidence.

Entry points: :func:`attribute` (the stage), :func:`export_fields` (for exports); people's decisions
:func:`claim`, :func:`reject`, :func:`confirm`, :func:`reassign`; review queries
:func:`suggestions_for_person`, :func:`review_queue`, :func:`unmatched_authors`.
"""

from ir.attribute.actions import (  # noqa: F401
    AttributionError, claim, confirm, reassign, reject, review_queue, suggestions_for_person, unmatched_authors,
)
from ir.attribute.run import AttributeReport, attribute, export_fields, write_snapshot  # noqa: F401
from ir.attribute.settings import AttributeSettings  # noqa: F401
