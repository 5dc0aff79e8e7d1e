"""Report: the research office's extract snapshots (see :mod:`ir.report.snapshots`).

A snapshot keeps everything an extract was made of — its date, the counting rules as written, the data
version, and the counted rows as canonical JSON — so that the same workbook can be written again, byte
for byte, years later, and two extracts can be compared.
"""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.tables import JSONDoc, UTCDateTime, metadata

report_snapshots = sa.Table(
    "report_snapshots",
    metadata,
    sa.Column("snapshot_id", sa.Integer, primary_key=True),
    sa.Column("created_at", UTCDateTime, nullable=False),  # the extract's date, printed on its cover
    sa.Column("year_from", sa.Integer, nullable=False),
    sa.Column("year_to", sa.Integer, nullable=False),
    sa.Column("rules_text", sa.Text, nullable=False),  # the TOML counting rules exactly as read
    sa.Column("rules_digest", sa.String(64), nullable=False),
    sa.Column("data_version", sa.String(64), nullable=False),  # digest of the counted rows
    sa.Column("data_stamps", JSONDoc),  # latest change timestamps of works, links, tags, dictionaries
    sa.Column("works", sa.Integer, nullable=False),  # counted works
    sa.Column("links", sa.Integer, nullable=False),  # counted authorships
    sa.Column("payload", sa.Text, nullable=False),  # the extract as canonical JSON (text: byte-stable)
    sa.Column("payload_digest", sa.String(64), nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("note", sa.Text),
    sa.Index("ix_report_snapshots_years", "year_from", "year_to"),
)
