"""The store: migrations match the tables on both databases; the upsert is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ir.store import tables, upsert
from ir.store.engine import utcnow
from ir.store.ingest_io import save_batch, stored_versions, write_records
from ir.store.tables.ingest import ingest_batches, source_records
from tests.conftest import _pg_store


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


def test_source_records_in_bulk_new_changed_thinner_and_a_copy_that_finds_its_rows_stored(store):
    """write_records(new=True) copies rows (COPY on PostgreSQL); should some exist after all (another ingest
    stored them), it upserts instead: changed content replaces, a thinner format's copy and unchanged content
    do not."""
    t0, t1 = utcnow(), utcnow() + dt.timedelta(hours=1)
    with store.begin() as conn:
        batch = save_batch(conn, {"sha256": "c" * 64, "path": "x", "size_bytes": 1, "ingested_at": t0}, None)
        write_records(conn, [("wos", "A", batch, 1, "wos-plain", 100, "ha", '{"t": "a"}'),
                             ("wos", "B", batch, 2, "wos-plain", 100, "hb", '{"t": "b"}'),
                             ("wos", "C", batch, 3, "wos-plain", 100, "hc", '{"t": "c"}')], t0, new=True)
    with store.begin() as conn:
        assert stored_versions(conn, [("wos", "A"), ("wos", "B"), ("wos", "Z"), ("ei", "A")]) == {
            ("wos", "A"): ("ha", 100), ("wos", "B"): ("hb", 100)}
        write_records(conn, [("wos", "A", batch, 1, "wos-plain", 100, "ha", '{"t": "a"}'),  # unchanged
                             ("wos", "B", batch, 2, "ris", 50, "hb2", '{"t": "thin"}'),  # thinner copy
                             ("wos", "C", batch, 3, "wos-plain", 100, "hc2", '{"t": "c2"}'),  # changed
                             ("wos", "D", batch, 4, "wos-plain", 100, "hd", '{"t": "d"}')], t1, new=True)
    with store.connect() as conn:
        got = conn.execute(sa.select(source_records.c.source_id, source_records.c.content_hash,
                                     source_records.c.data, source_records.c.updated_at)
                           .order_by(source_records.c.source_id)).all()
    assert [(r.source_id, r.content_hash, r.data) for r in got] == [
        ("A", "ha", {"t": "a"}), ("B", "hb", {"t": "b"}), ("C", "hc2", {"t": "c2"}), ("D", "hd", {"t": "d"})]
    assert [r.updated_at.replace(tzinfo=None) == t0.replace(tzinfo=None) for r in got] == [True, True, False, False]


@pytest.mark.postgres
def test_source_documents_are_compressed_with_lz4_on_postgresql(pg_url):
    store = next(pg_stores := _pg_store(pg_url))
    with store.connect() as conn:
        lz4 = conn.execute(sa.text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                   "WHERE name = 'default_toast_compression'")).scalar()
        method = conn.execute(sa.text("SELECT attcompression FROM pg_attribute WHERE attrelid = "
                                      "'source_records'::regclass AND attname = 'data'")).scalar()
    assert method == ("l" if lz4 else "")
    pg_stores.close()
