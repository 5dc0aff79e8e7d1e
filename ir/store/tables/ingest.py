"""Ingest: batches (one per distinct file content), source records, quarantine.

Per batch, ``records_read == stored + quarantined + duplicates``.
"""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.tables import JSONDoc, UTCDateTime, metadata

ingest_batches = sa.Table(
    "ingest_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("path", sa.Text, nullable=False),  # where the file was when last ingested
    sa.Column("format", sa.String(40)),
    sa.Column("encoding", sa.String(40)),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("records_read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("stored", sa.Integer, nullable=False, server_default="0"),
    sa.Column("quarantined", sa.Integer, nullable=False, server_default="0"),
    sa.Column("error", sa.Text),  # why the whole file could not be read, if so
    sa.Column("ingested_at", UTCDateTime, nullable=False),
    # records of the file that repeat an earlier record's native id (and content): not stored twice
    sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
    # {"duplicates": [{record_no, source, source_id, first_record_no}], "warnings": [...]}
    sa.Column("notes", JSONDoc),
    # the readers that read these bytes (ir.ingest.reader_version): the same bytes and readers are not read again
    sa.Column("reader", sa.String(64)),
)

source_records = sa.Table(
    "source_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("source_id", sa.String(255), nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("ingest_batches.id"), nullable=False),
    sa.Column("record_no", sa.Integer, nullable=False),  # position in the batch's file
    sa.Column("format", sa.String(40), nullable=False),
    sa.Column("fidelity", sa.Integer, nullable=False, server_default="100"),  # of the format, see ir.formats
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("data", JSONDoc, nullable=False),  # ir.model.Record.to_dict()
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("source", "source_id"),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("ingest_batches.id"), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("record_no", sa.Integer, nullable=False),  # 0 for a fault of the whole file
    sa.Column("line", sa.Integer),
    sa.Column("field", sa.String(80)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("batch_id", "record_no"),
)
