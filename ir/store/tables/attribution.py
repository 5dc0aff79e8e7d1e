"""Attribute: the dictionaries snapshot (organisations, people's appointments) and authorships.

The snapshot is rewritten from the CSV dictionaries on each run, so the web UI and reports read names
and departments from the database. ``authorships`` holds one row per author position of a work: whether
the author is ours, the person and unit they were linked to, with the score and evidence of the decision.
A claim, rejection or librarian decision sets ``locked``: re-runs never overwrite a locked row, and
``rejected_ids`` keeps every person rejected for the row so the pipeline never suggests them again.
``authorship_candidates`` lists everyone a suggestion goes to (people tied for it), best first: each of
them sees it and may claim it; a claim by one settles it for all, a rejection removes only that person.
"""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.tables import JSONDoc, UTCDateTime, metadata

dict_organizations = sa.Table(
    "dict_organizations",
    metadata,
    sa.Column("org_id", sa.String(64), primary_key=True),
    sa.Column("parent_id", sa.String(64)),
    sa.Column("name_zh", sa.Text),
    sa.Column("name_en", sa.Text),
    sa.Column("variants", JSONDoc),  # list of other names
    sa.Column("extra", JSONDoc),  # extra CSV columns
    sa.Column("row_hash", sa.String(40), nullable=False),
    sa.Column("loaded_at", UTCDateTime, nullable=False),
)

dict_people = sa.Table(
    "dict_people",
    metadata,
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("appointment", sa.Integer, primary_key=True),  # 1-based, in file order
    sa.Column("name_zh", sa.Text),
    sa.Column("name_en", sa.Text),
    sa.Column("variants", JSONDoc),
    sa.Column("org_id", sa.String(64), nullable=False, index=True),
    sa.Column("email", sa.String(255)),
    sa.Column("orcid", sa.String(19)),
    sa.Column("researcher_id", sa.String(64)),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("start_year", sa.Integer),
    sa.Column("end_year", sa.Integer),
    sa.Column("supervisor_id", sa.String(64)),
    sa.Column("extra", JSONDoc),
    sa.Column("row_hash", sa.String(40), nullable=False),
    sa.Column("loaded_at", UTCDateTime, nullable=False),
)

authorships = sa.Table(
    "authorships",
    metadata,
    sa.Column("work_id", sa.String(32), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),  # 1-based byline position in the work
    sa.Column("name", sa.Text, nullable=False),  # display form
    sa.Column("name_zh", sa.Text),
    sa.Column("person_id", sa.String(64), index=True),
    sa.Column("org_id", sa.String(64), index=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),  # auto|suggested|claimed|rejected|unmatched|external
    sa.Column("score", sa.Float),
    sa.Column("evidence", JSONDoc),
    sa.Column("is_ours", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_first", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_corresponding", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("decided_by", sa.String(120), nullable=False),  # "pipeline" or an account
    sa.Column("decided_at", UTCDateTime, nullable=False),
    sa.Column("locked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("rejected_ids", JSONDoc),  # person ids rejected for this authorship, never suggested again
    sa.Column("decision_hash", sa.String(40), nullable=False),  # a re-run rewrites only changed decisions
)

authorship_candidates = sa.Table(
    "authorship_candidates",
    metadata,
    sa.Column("work_id", sa.String(32), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("rank", sa.Integer, nullable=False),  # 1 = the row's person
    sa.Column("score", sa.Float),
    sa.Column("org_id", sa.String(64)),
    sa.Column("evidence", JSONDoc),  # the candidate's points
    sa.Index("ix_authorship_candidates_person_id", "person_id"),
)
