"""The store side of harvesting: source records, quarantine, cursors, runs and look-ups.

A page of records is written in one transaction with the query's cursor, so a run that dies between pages
resumes at the first page it had not stored; writing a page twice changes nothing (records are upserted by
(source, source_id) and touched only when their content changed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa

from ir.model import Problem, Record
from ir.store import Store, upsert
from ir.store.engine import utcnow
from ir.store.tables.harvest import harvest_cursors, harvest_lookups, harvest_runs
from ir.store.tables.ingest import ingest_batches, quarantine, source_records


@dataclass
class Cursor:
    """The incremental state of one query."""

    source: str
    query_key: str
    query: dict
    since: str | None = None
    cursor: str | None = None
    pass_since: str | None = None
    pass_started: str | None = None
    pass_fetched: int = 0


@dataclass
class Counts:
    fetched: int = 0  # records (and unreadable items) received
    new: int = 0
    updated: int = 0
    unchanged: int = 0  # received again, identical: nothing written
    skipped: int = 0  # known unchanged without fetching (ORCID's last-modified dates)
    failed: int = 0  # items quarantined, pages or look-ups that failed

    def add(self, other: Counts) -> None:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def as_dict(self) -> dict:
        return dict(vars(self))


@dataclass
class Batch:
    """Where a query's records of one run are accounted: one ingest batch per run and query."""

    id: int
    path: str
    next_no: int = 1
    items: Counts = field(default_factory=Counts)


def start_run(store: Store, kind: str) -> int:
    with store.begin() as conn:
        return conn.execute(harvest_runs.insert().values(kind=kind, status="running", started_at=utcnow())
                            ).inserted_primary_key[0]


def finish_run(store: Store, run_id: int, status: str, totals: Counts, detail: list[dict]) -> None:
    with store.begin() as conn:
        conn.execute(harvest_runs.update().where(harvest_runs.c.id == run_id).values(
            status=status, finished_at=utcnow(), detail=detail,
            **{k: v for k, v in totals.as_dict().items()}))


def runs(store: Store, limit: int = 10) -> list[dict]:
    with store.connect() as conn:
        rows = conn.execute(sa.select(harvest_runs).order_by(harvest_runs.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]


def load_cursor(store: Store, source: str, query_key: str, query: dict) -> Cursor:
    with store.connect() as conn:
        row = conn.execute(sa.select(harvest_cursors).where(harvest_cursors.c.source == source,
                                                            harvest_cursors.c.query_key == query_key)).first()
    if row is None:
        return Cursor(source, query_key, query)
    m = row._mapping
    return Cursor(source, query_key, query, m["since"], m["cursor"], m["pass_since"], m["pass_started"],
                  m["pass_fetched"] or 0)


def cursors(store: Store) -> list[dict]:
    with store.connect() as conn:
        rows = conn.execute(sa.select(harvest_cursors).order_by(harvest_cursors.c.source, harvest_cursors.c.query_key))
        return [dict(r._mapping) for r in rows]


def _save_cursor(conn: sa.Connection, c: Cursor, run_id: int, completed: bool) -> None:
    now = utcnow()
    row = {"source": c.source, "query_key": c.query_key[:255], "query": c.query, "since": c.since,
           "cursor": c.cursor, "pass_since": c.pass_since, "pass_started": c.pass_started,
           "pass_fetched": c.pass_fetched, "run_id": run_id, "updated_at": now}
    if completed:
        row["completed_at"] = now
    upsert(conn, harvest_cursors, [row], key=("source", "query_key"))


def open_batch(store: Store, run_id: int, source: str, query_key: str, fmt: str) -> Batch:
    """The ingest batch of one query in one run (its records point to it: which run brought them)."""
    path = f"{source} {query_key} (harvest run {run_id})"
    digest = hashlib.sha256(f"harvest\x1f{run_id}\x1f{source}\x1f{query_key}".encode()).hexdigest()
    with store.begin() as conn:
        found = conn.execute(sa.select(ingest_batches.c.id).where(ingest_batches.c.sha256 == digest)).scalar()
        if found is None:
            found = conn.execute(ingest_batches.insert().values(
                sha256=digest, path=path, format=fmt, encoding="json", size_bytes=0, ingested_at=utcnow())
            ).inserted_primary_key[0]
    return Batch(found, path)


def write_items(store: Store, batch: Batch, fmt: str, items: list[Record | Problem], *, cursor: Cursor | None = None,
                run_id: int = 0, completed: bool = False, size: int = 0) -> Counts:
    """Store one page: records upserted, problems quarantined, the batch's figures and (given) the query's
    cursor updated, all in one transaction. Returns what happened to the items."""
    now = utcnow()
    counts = Counts(fetched=len(items))
    records = {(r.source, r.source_id[:255]): r for r in items if isinstance(r, Record)}
    with store.begin() as conn:
        known = _known_hashes(conn, list(records))
        rows, qrows = [], []
        for (source, source_id), rec in records.items():
            h = rec.content_hash()
            old = known.get((source, source_id))
            if old == h:
                counts.unchanged += 1
                continue
            counts.new += old is None
            counts.updated += old is not None
            rows.append({"source": source, "source_id": source_id, "batch_id": batch.id, "record_no": batch.next_no,
                         "format": fmt, "fidelity": 100, "content_hash": h, "data": rec.to_dict(),
                         "first_seen": now, "updated_at": now})
            batch.next_no += 1
        for p in items:
            if isinstance(p, Problem):
                counts.failed += 1
                qrows.append({"batch_id": batch.id, "path": batch.path, "record_no": batch.next_no, "line": None,
                              "field": p.field, "reason": p.reason, "raw": p.raw, "created_at": now})
                batch.next_no += 1
        upsert(conn, source_records, rows, key=("source", "source_id"),
               update=("batch_id", "record_no", "format", "fidelity", "content_hash", "data", "updated_at"),
               where_changed="content_hash")
        upsert(conn, quarantine, qrows, key=("batch_id", "record_no"), update=())
        batch.items.add(counts)
        conn.execute(ingest_batches.update().where(ingest_batches.c.id == batch.id).values(
            records_read=ingest_batches.c.records_read + counts.fetched,
            stored=ingest_batches.c.stored + counts.fetched - counts.failed,
            quarantined=ingest_batches.c.quarantined + counts.failed,
            size_bytes=ingest_batches.c.size_bytes + size))
        if cursor is not None:
            _save_cursor(conn, cursor, run_id, completed)
    return counts


def save_cursor(store: Store, cursor: Cursor, run_id: int, completed: bool = False) -> None:
    with store.begin() as conn:
        _save_cursor(conn, cursor, run_id, completed)


def _known_hashes(conn: sa.Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    by_source: dict[str, list[str]] = {}
    for s, i in keys:
        by_source.setdefault(s, []).append(i)
    for s, ids in by_source.items():
        for start in range(0, len(ids), 500):
            q = sa.select(source_records.c.source_id, source_records.c.content_hash).where(
                source_records.c.source == s, source_records.c.source_id.in_(ids[start:start + 500]))
            out.update({(s, sid): h for sid, h in conn.execute(q)})
    return out


# ------------------------------------------------------------------------------ look-ups by DOI

def recent_lookups(store: Store, source: str, dois: list[str], not_found_days: int) -> set[str]:
    """DOIs of ``dois`` that need no look-up now: found before, or not found within ``not_found_days``."""
    cutoff = utcnow() - dt.timedelta(days=not_found_days)
    out: set[str] = set()
    with store.connect() as conn:
        for start in range(0, len(dois), 500):
            q = sa.select(harvest_lookups.c.doi, harvest_lookups.c.status, harvest_lookups.c.checked_at).where(
                harvest_lookups.c.source == source, harvest_lookups.c.doi.in_(dois[start:start + 500]))
            for doi, status, checked in conn.execute(q):
                checked = checked if checked.tzinfo else checked.replace(tzinfo=dt.timezone.utc)
                if status == "found" or (status == "not_found" and checked >= cutoff):
                    out.add(doi)
    return out


def save_lookup(store: Store, source: str, doi: str, status: str, source_id: str | None = None) -> None:
    with store.begin() as conn:
        upsert(conn, harvest_lookups, [{"source": source, "doi": doi[:255], "status": status,
                                        "source_id": source_id, "checked_at": utcnow()}], key=("source", "doi"))
