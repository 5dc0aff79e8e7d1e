"""Harvest: runs against the public scholarly APIs, each query's incremental state, and DOI look-ups.

Records harvested are ordinary source records (``source_records``, sources crossref / openalex / orcid);
these tables hold only what makes harvesting incremental, resumable and accountable.
"""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.tables import JSONDoc, UTCDateTime, metadata

# One row per run of `ir harvest` (or of the harvest flow): what it fetched, stored, skipped and failed.
harvest_runs = sa.Table(
    "harvest_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # harvest | enrich | doi
    sa.Column("status", sa.String(16), nullable=False),  # running | complete | partial | failed
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("fetched", sa.Integer, nullable=False, server_default="0"),
    sa.Column("new", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
    sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
    sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("detail", JSONDoc),  # one row per query: the same figures, the cursor state, the error
)

# The incremental state of one query (a source and what it asks for: an institution, a person, ...).
harvest_cursors = sa.Table(
    "harvest_cursors",
    metadata,
    sa.Column("source", sa.String(16), primary_key=True),
    sa.Column("query_key", sa.String(255), primary_key=True),  # "ror:https://ror.org/...", "orcid:0000-..."
    sa.Column("query", JSONDoc, nullable=False),  # the parameters, for a person to read
    sa.Column("since", sa.String(32)),  # the next pass asks for what changed from here (a date, or ORCID's ms)
    sa.Column("cursor", sa.Text),  # a pass in progress: the API's cursor for the next page
    sa.Column("pass_since", sa.String(32)),  # ... the lower bound that pass asks with
    sa.Column("pass_started", sa.String(32)),  # ... and the day it began: its `since` once it completes
    sa.Column("pass_fetched", sa.Integer, nullable=False, server_default="0"),
    sa.Column("run_id", sa.Integer),  # the run that last moved this query
    sa.Column("completed_at", UTCDateTime),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# Look-ups by identifier (enrichment by DOI): a DOI no API knows is not asked again every run.
harvest_lookups = sa.Table(
    "harvest_lookups",
    metadata,
    sa.Column("source", sa.String(16), primary_key=True),
    sa.Column("doi", sa.String(255), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # found | not_found | failed
    sa.Column("source_id", sa.String(255)),
    sa.Column("checked_at", UTCDateTime, nullable=False),
)
