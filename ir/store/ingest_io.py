"""The ingest stage's reads and writes: batches, source records in bulk, quarantine rows.

Speed matters (issue 11: 55,852 records took 46.6 s to store and 5.6 s to parse), so:

- a file whose bytes the same readers read before is found by its digest and not read again
  (:func:`find_batch`);
- records stored already with the same content hash are found in one indexed query per 500 ids
  (:func:`stored_versions`) and not written at all;
- the rest arrive as JSON text made once by orjson (the text that is hashed is the text stored), never
  through SQLAlchemy's JSON type: new rows by COPY on PostgreSQL and by one prepared INSERT run for
  every row on SQLite; changed rows by an upsert that still touches a row only when its content hash
  differs and never lets a thinner format replace a fuller one (``fidelity``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from ir.store.tables.ingest import ingest_batches, quarantine, source_records

# a source record row, in this order: what ir.ingest hands over
COLUMNS = ("source", "source_id", "batch_id", "record_no", "format", "fidelity", "content_hash", "data",
           "first_seen", "updated_at")
_UPDATED = ("batch_id", "record_no", "format", "fidelity", "content_hash", "data", "updated_at")
CHUNK = 500  # ids per lookup query (SQLite allows 32,766 variables; PostgreSQL's planner likes short lists)


def find_batch(conn: sa.Connection, sha256: str) -> sa.Row | None:
    return conn.execute(sa.select(ingest_batches).where(ingest_batches.c.sha256 == sha256)).first()


def save_batch(conn: sa.Connection, values: dict, existing: sa.Row | None) -> int:
    """Insert a batch row, or update the one of the same bytes where anything but its time changed."""
    if existing is None:
        return conn.execute(ingest_batches.insert().values(**values)).inserted_primary_key[0]
    changed = {k: v for k, v in values.items() if k not in ("ingested_at", "path") and getattr(existing, k) != v}
    if changed:
        conn.execute(ingest_batches.update().where(ingest_batches.c.id == existing.id).values(**changed))
    return existing.id


def stored_versions(conn: sa.Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, int]]:
    """(source, source_id) -> (content hash, fidelity) of the given records that are stored."""
    by_source: dict[str, list[str]] = {}
    for source, source_id in keys:
        by_source.setdefault(source, []).append(source_id)
    out: dict[tuple[str, str], tuple[str, int]] = {}
    c = source_records.c
    for source, ids in by_source.items():
        for start in range(0, len(ids), CHUNK):
            q = sa.select(c.source_id, c.content_hash, c.fidelity).where(
                c.source == source, c.source_id.in_(ids[start:start + CHUNK]))
            out.update(((source, sid), (h, f)) for sid, h, f in conn.execute(q))
    return out


def _upsert_sql(dialect: str) -> str:
    mark = "?" if dialect == "sqlite" else "%s"
    values = ", ".join(f"{mark}::jsonb" if c == "data" and dialect == "postgresql" else mark for c in COLUMNS)
    distinct = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return (f"INSERT INTO source_records ({', '.join(COLUMNS)}) VALUES ({values}) "
            f"ON CONFLICT (source, source_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _UPDATED)} "
            f"WHERE source_records.content_hash {distinct} excluded.content_hash "
            f"AND excluded.fidelity >= source_records.fidelity")


def _times(conn: sa.Connection, now: dt.datetime):
    """``now`` as the driver takes it for the timestamp columns (SQLAlchemy's own format on SQLite)."""
    typ = source_records.c.updated_at.type
    process = typ.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process(now) if process else now


def write_records(conn: sa.Connection, rows: Sequence[tuple], now: dt.datetime, *, new: bool) -> None:
    """Write source record rows (:data:`COLUMNS` but the two timestamps, which are ``now``).

    ``new``: none of them was stored when looked up, so PostgreSQL copies them straight into the table;
    should another ingest have stored one since, the copy is undone and they are upserted instead.
    """
    if not rows:
        return
    stamp = _times(conn, now)
    full = [(*r, stamp, stamp) for r in rows]
    if new and conn.dialect.name == "postgresql":
        import psycopg

        try:
            with conn.begin_nested():
                with conn.connection.dbapi_connection.cursor() as cur:
                    with cur.copy(f"COPY source_records ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                        for row in full:
                            copy.write_row(row)
            return
        except psycopg.errors.UniqueViolation:
            pass
    conn.exec_driver_sql(_upsert_sql(conn.dialect.name), full)


def replace_quarantine(conn: sa.Connection, batch_id: int, rows: list[dict]) -> None:
    """Make the batch's quarantine rows these (keyed by record number), touching only rows that differ."""
    q = quarantine.c
    compared = ("path", "line", "field", "reason", "raw")
    old = {r.record_no: r for r in conn.execute(sa.select(quarantine).where(q.batch_id == batch_id))}
    new = {r["record_no"]: r for r in rows}
    gone = [n for n, r in old.items() if n not in new or any(getattr(r, k) != new[n][k] for k in compared)]
    for start in range(0, len(gone), CHUNK):
        conn.execute(quarantine.delete().where(q.batch_id == batch_id, q.record_no.in_(gone[start:start + CHUNK])))
    redo = set(gone)
    fresh = [dict(r, batch_id=batch_id) for n, r in new.items() if n not in old or n in redo]
    if fresh:
        conn.execute(quarantine.insert(), fresh)
