"""The store: migrations match the tables on both databases; the upsert is idempotent."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ir.store import tables, upsert
from ir.store.tables.ingest import ingest_batches
from ir.store.engine import utcnow


def test_migrations_create_exactly_the_declared_tables(store):
    with store.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.load())
    assert diff == [], f"migrations and ir/store/tables disagree: {diff}"


def test_upsert_inserts_then_updates_only_changed_rows(store):
    now = utcnow()
    row = {"sha256": "a" * 64, "path": "x.txt", "size_bytes": 1, "ingested_at": now, "format": "wos-plain"}
    with store.begin() as conn:
        upsert(conn, ingest_batches, [row, dict(row, path="dup-in-batch.txt")], key=["sha256"],
               update=["path", "format"], where_changed="format")
    with store.begin() as conn:
        upsert(conn, ingest_batches, [dict(row, path="same-format.txt")], key=["sha256"],
               update=["path", "format"], where_changed="format")
        upsert(conn, ingest_batches, [dict(row, sha256="b" * 64)], key=["sha256"], update=["path"])
    with store.connect() as conn:
        rows = conn.execute(sa.select(ingest_batches.c.sha256, ingest_batches.c.path).order_by("sha256")).all()
    # last row of a batch wins; an unchanged where_changed column leaves the row untouched
    assert rows == [("a" * 64, "dup-in-batch.txt"), ("b" * 64, "x.txt")]
