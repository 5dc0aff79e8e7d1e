"""Attribution: which authorships are the institution's, to which unit and person, with the evidence.

Entry points: :func:`attribute` (the stage) = :func:`plan` + :func:`decide_batch` per batch (and per pass,
see :class:`Passes`) + :func:`apply`; :func:`export_fields` (for exports); people's decisions
:func:`claim`, :func:`reject`, :func:`confirm`, :func:`reassign`; review queries
:func:`suggestions_for_person`, :func:`review_queue`, :func:`unmatched_authors`.
"""

from ir.attribute.actions import (  # noqa: F401
    AttributionError, candidates_of, claim, confirm, reassign, reject, review_queue, suggestions_for_person, unmatched_authors,
)
from ir.attribute.batches import (  # noqa: F401
    Batch, BatchResult, Passes, Plan, PlanContext, decide_batch, fill_batch, load_batch, plan,
)
from ir.attribute.run import AttributeReport, apply, attribute, export_fields, run_passes, write_snapshot  # noqa: F401
from ir.attribute.settings import AttributeSettings  # noqa: F401
