"""Search: what the index holds, so that ``ir index`` sends only the works whose document changed.

One row per (index target, work): the target names the concrete index (an Elasticsearch index behind
its alias, or a generation of the embedded index), so a rebuilt or lost index is never mistaken for
an up-to-date one.
"""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.tables import UTCDateTime, metadata

search_state = sa.Table(
    "search_state",
    metadata,
    sa.Column("target", sa.String(200), primary_key=True),  # "es:<alias>/<index>" | "embedded/<generation>"
    sa.Column("work_id", sa.String(32), primary_key=True),
    sa.Column("doc_hash", sa.String(64), nullable=False),  # sha256 of the search document as sent
    sa.Column("indexed_at", UTCDateTime, nullable=False),
)
