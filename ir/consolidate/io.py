"""Bulk reads and writes of consolidation: what :mod:`ir.consolidate.storage` needs, and only that.

Speed matters here (issue 3: 100,000 records through the store in under a minute), so:

- the state of a run (which records exist, where each was placed, with which content hash; the works'
  status; librarians' decisions) is read without decoding a single JSON document;
- source records are decoded only when a run has something to do, in batches, with the fields no stage
  of consolidation reads (:data:`UNREAD_FIELDS`, above all ``raw``, every field verbatim) removed by the
  database, and parsed with orjson;
- of existing works only the founder is read, and only for the works a run changes;
- writes are multi-row upserts, and a work whose document hash equals the stored one is not written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ir.model import Record
from ir.store import upsert
from ir.store.tables.ingest import source_records
from ir.store.tables.works import record_links, work_decisions, work_members, works

# Record fields that neither the matcher (ir.consolidate.features) nor the work document
# (ir.consolidate.merge) reads: left in the database. tests/test_consolidate.py checks that a record
# read this way gives the same features and work document as the whole record.
UNREAD_FIELDS = ("raw", "affiliations", "funding", "funding_text", "corresponding_addresses", "corporate_authors")
BATCH = 5000
SQLITE_CACHE_KB = 256 * 1024


def key_of(source: str, source_id: str) -> str:
    return f"{source}:{source_id}"


@dataclass
class WorkState:
    status: str
    created_at: dt.datetime | None
    content_hash: str | None


@dataclass
class State:
    """Everything a run decides from, without the documents: one row per source record, in key order."""

    keys: list[str] = field(default_factory=list)  # "source:source_id", ordered by (source, source_id)
    hashes: list[str] = field(default_factory=list)  # the source records' content hashes
    members: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # key -> (work_id, hash when placed)
    works: dict[str, WorkState] = field(default_factory=dict)
    decisions: dict[tuple[str, str], str] = field(default_factory=dict)  # (a, b) with a < b -> the latest kind


def load_state(conn: sa.Connection) -> State:
    st = State()
    for s, i, h in conn.execute(sa.select(source_records.c.source, source_records.c.source_id,
                                          source_records.c.content_hash)
                                .order_by(source_records.c.source, source_records.c.source_id)):
        st.keys.append(key_of(s, i))
        st.hashes.append(h)
    st.members = {key_of(s, i): (w, h) for s, i, w, h in conn.execute(sa.select(
        work_members.c.source, work_members.c.source_id, work_members.c.work_id, work_members.c.content_hash))}
    st.works = {w: WorkState(status, created, h) for w, status, created, h in conn.execute(
        sa.select(works.c.work_id, works.c.status, works.c.created_at, works.c.content_hash))}
    for kind, a_s, a_i, b_s, b_i in conn.execute(sa.select(
            work_decisions.c.kind, work_decisions.c.a_source, work_decisions.c.a_source_id,
            work_decisions.c.b_source, work_decisions.c.b_source_id).order_by(work_decisions.c.id)):
        a, b = key_of(a_s, a_i), key_of(b_s, b_i)
        st.decisions[(min(a, b), max(a, b))] = kind  # the latest decision on a pair wins
    return st


def _data_column(dialect: str):
    """The record document without :data:`UNREAD_FIELDS`, as JSON text (None: decoded by SQLAlchemy)."""
    if dialect == "sqlite":
        return sa.func.json_remove(source_records.c.data, *(f"$.{f}" for f in UNREAD_FIELDS), type_=sa.Text)
    if dialect == "postgresql":
        drop = ",".join(UNREAD_FIELDS)
        return sa.literal_column(f"(source_records.data - '{{{drop}}}'::text[])::text", sa.Text)
    return None


def _decode(value) -> dict:
    if isinstance(value, (str, bytes)):
        return orjson.loads(value)
    data = dict(value)
    for f in UNREAD_FIELDS:
        data.pop(f, None)
    return data


def iter_records(conn: sa.Connection, batch: int = BATCH) -> Iterator[Record]:
    """Every source record, in key order (the order of :func:`load_state`), decoded batch by batch."""
    col = _data_column(conn.dialect.name)
    q = sa.select(col if col is not None else source_records.c.data).select_from(source_records).order_by(
        source_records.c.source, source_records.c.source_id)
    result = conn.execution_options(yield_per=batch).execute(q)
    for part in result.partitions():
        for (value,) in part:
            yield Record.from_dict(_decode(value))


def load_records(conn: sa.Connection, keys: list[str]) -> list[Record]:
    """The records named by ``keys`` (as :func:`load_state` listed them), in that order.

    A record ingested between the two reads waits for the next run; one changed in between is placed
    with the hash the state read, so the next run sees it as changed and places it again.
    """
    wanted = set(keys)
    got = {}
    for r in iter_records(conn):
        k = key_of(r.source, r.source_id)
        if k in wanted:
            got[k] = r
    missing = wanted - got.keys()
    if missing:
        raise RuntimeError(f"{len(missing)} source records disappeared while consolidate read them "
                           f"(e.g. {min(missing)}); run it again")
    return [got[k] for k in keys]


def founders(conn: sa.Connection, work_ids: Iterable[str]) -> dict[str, str | None]:
    """The founding record of each named work (as its document says)."""
    ids = sorted(set(work_ids))
    out: dict[str, str | None] = {}
    col = works.c.data["founder"].as_string()
    for start in range(0, len(ids), 1000):
        out.update(conn.execute(sa.select(works.c.work_id, col).where(
            works.c.work_id.in_(ids[start:start + 1000]))).all())
    return out


class _JSONText(sa.types.TypeDecorator):
    """A JSON column written from text orjson made (SQLAlchemy's JSON type would encode with json.dumps)."""

    impl = sa.Text
    cache_ok = True


class _JSONTextPG(_JSONText):
    cache_ok = True

    def bind_expression(self, bindvalue):
        return sa.cast(bindvalue, JSONB)


def _as_text_json(table: sa.Table, dialect: str) -> sa.Table:
    """``table`` with its JSON columns taking JSON text (a copy: the schema itself is unchanged)."""
    key = (table.name, dialect)
    if key not in _TEXT_TABLES:
        copy = table.to_metadata(sa.MetaData())
        for col in copy.columns:
            if isinstance(col.type, sa.JSON):
                col.type = _JSONTextPG() if dialect == "postgresql" else _JSONText()
        _TEXT_TABLES[key] = copy
    return _TEXT_TABLES[key]


_TEXT_TABLES: dict[tuple[str, str], sa.Table] = {}


def dumps(doc) -> str:
    return orjson.dumps(doc, default=str, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


WORK_UPDATE = ("status", "merged_into", "title", "year", "doi", "doc_type", "data", "content_hash", "updated_at")
MEMBER_UPDATE = ("work_id", "evidence", "content_hash", "added_at")


def write(conn: sa.Connection, work_rows: list[dict], member_rows: list[dict], retired: dict[str, str | None],
          now: dt.datetime) -> None:
    """Works (upserted unless their hash is the stored one), members, and works retired into others.

    ``data`` of a work row and ``evidence`` of a member row are JSON text (:func:`dumps`). Rows are
    written in key order, which keeps SQLite's index pages warm.
    """
    dialect = conn.dialect.name
    if dialect == "sqlite":  # room for the indexes' pages while writing many rows (reset afterwards)
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size={-SQLITE_CACHE_KB}")
    work_rows = sorted(work_rows, key=lambda r: r["work_id"])
    member_rows = sorted(member_rows, key=lambda r: (r["source"], r["source_id"]))
    upsert(conn, _as_text_json(works, dialect), work_rows, key=("work_id",), update=WORK_UPDATE,
           where_changed="content_hash")
    ids = [w["work_id"] for w in work_rows]
    # a re-activated work whose content happens to be unchanged: active again, and changed now (a harvester
    # asking OAI-PMH for what changed since it was deleted must see it come back)
    for start in range(0, len(ids), 1000):
        conn.execute(works.update().where(works.c.work_id.in_(ids[start:start + 1000]), works.c.status != "active")
                     .values(status="active", merged_into=None, updated_at=now))
    upsert(conn, _as_text_json(work_members, dialect), member_rows, key=("source", "source_id"), update=MEMBER_UPDATE)
    by_target: dict[str | None, list[str]] = {}
    for wid, target in retired.items():
        by_target.setdefault(target, []).append(wid)
    for target, wids in by_target.items():
        for start in range(0, len(wids), 1000):
            conn.execute(works.update().where(works.c.work_id.in_(wids[start:start + 1000])).values(
                status="merged" if target else "split", merged_into=target, updated_at=now))
    if dialect == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")


def active_works(conn: sa.Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(works).where(works.c.status == "active")).scalar()


def write_links(conn: sa.Connection, rows: list[dict], active_keys: list[str], everything: bool) -> None:
    """The relations and likely duplicates of a run: those touching a record the run placed again are replaced
    by what it found (``everything``: every record was placed again, so all are); the others stay."""
    if everything:
        conn.execute(record_links.delete())
    else:
        for start in range(0, len(active_keys), 500):
            pairs = [tuple(k.split(":", 1)) for k in active_keys[start:start + 500]]
            conn.execute(record_links.delete().where(sa.or_(
                sa.tuple_(record_links.c.a_source, record_links.c.a_source_id).in_(pairs),
                sa.tuple_(record_links.c.b_source, record_links.c.b_source_id).in_(pairs))))
    rows = sorted(rows, key=lambda r: (r["a_source"], r["a_source_id"], r["b_source"], r["b_source_id"], r["relation"]))
    upsert(conn, _as_text_json(record_links, conn.dialect.name), rows,
           key=("a_source", "a_source_id", "b_source", "b_source_id", "relation"), update=("score", "evidence", "found_at"))
