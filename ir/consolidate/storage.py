"""The consolidate stage over the store: which records to (re)match, work ids, and librarians' split/merge.

With :mod:`ir.consolidate.io` (the bulk reads and writes), the only part of :mod:`ir.consolidate` that
touches the database. Set the ``ir.consolidate`` logger to INFO for the time each step of a run took.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import sqlalchemy as sa

from ir.consolidate import io
from ir.consolidate.partition import PartResult, Plan, make_parts, resolve_partition
from ir.consolidate.merge import build_work, doc_hash, member_key, work_id_for
from ir.consolidate.settings import ConsolidateSettings
from ir.model import Record
from ir.runtime import gc_paused
from ir.store import Store, upsert
from ir.store.engine import utcnow
from ir.store.tables.ingest import source_records
from ir.store.tables.works import work_decisions, work_members, works


@dataclass
class ConsolidateReport:
    records_considered: int = 0  # source records new or changed since the last run
    works_created: int = 0
    works_updated: int = 0
    records_joined: int = 0  # new or changed records that joined a work that already existed
    works_merged: int = 0  # existing works merged into another (they keep a redirect)
    works_split: int = 0
    works_total: int = 0  # active works after the run
    relations: int = 0  # versions, corrections and retractions found between works of the records considered
    possible_duplicates: int = 0  # pairs just short of a match, for a librarian (ir duplicates)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    def as_table(self) -> str:
        rows = [f"| {k.replace('_', ' ')} | {v} |" for k, v in self.as_dict().items()]
        return "\n".join(["| consolidate | count |", "|---|---:|", *rows])

    def attention(self) -> list[str]:
        if self.possible_duplicates:
            return [f"{self.possible_duplicates} pair(s) of records scored just short of a match: "
                    "likely duplicates for a librarian (`ir duplicates list`, web: Likely duplicates)"]
        return []


log = logging.getLogger("ir.consolidate")


class WorkError(ValueError):
    """A split or merge that cannot be done as asked (unknown work, records not in it, ...)."""


def _split_key(key: str) -> tuple[str, str]:
    source, source_id = key.split(":", 1)
    return source, source_id


def _created(known: dict[str, io.WorkState], wid: str):
    state = known.get(wid)
    created = state.created_at if state else None
    if isinstance(created, dt.datetime) and created.tzinfo is None:
        created = created.replace(tzinfo=dt.timezone.utc)
    return created or utcnow()


def _read_connection(store: Store):
    """One snapshot for the whole read (PostgreSQL's default isolation gives each statement its own)."""
    conn = store.connect()
    if store.dialect == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def consolidate(store: Store, settings: ConsolidateSettings | None = None, *, partitions: int = 1,
                map_fn: Callable | None = None) -> ConsolidateReport:
    """Place every new or changed source record in a work; obey librarians' decisions. Idempotent.

    With ``partitions`` > 1 the records are resolved in that many partitions (whole components of the
    candidate graph), through ``map_fn(fn, parts)`` when given (a thread pool's map): the works are the
    same whichever way, and the same as with one partition.
    """
    s = settings or ConsolidateSettings()
    with gc_paused():
        p = plan(store, s, partitions=partitions)
        fn = functools.partial(resolve_partition, settings=s)
        results = list((map_fn or map)(fn, p.parts))
        return apply(store, p, results, s)


def plan(store: Store, settings: ConsolidateSettings | None = None, *, partitions: int = 1) -> Plan:
    """Read what a run decides from and split its records into partitions (none: nothing to do)."""
    t0 = time.perf_counter()
    lap = _Laps()
    s = settings or ConsolidateSettings()
    with _read_connection(store) as conn:
        state = io.load_state(conn)
        keys, hashes, members = state.keys, state.hashes, state.members
        index = {k: i for i, k in enumerate(keys)}
        prior: list[str | None] = []
        for k, h in zip(keys, hashes):
            m = members.get(k)
            prior.append(m[0] if m and m[1] == h else None)
        must = [(index[a], index[b]) for (a, b), kind in state.decisions.items()
                if kind == "must_link" and a in index and b in index]
        cannot = {(index[a], index[b]) for (a, b), kind in state.decisions.items()
                  if kind == "cannot_link" and a in index and b in index}
        # a cannot-link inside an existing work (a decision made elsewhere): the later record leaves and is re-matched
        split_works = set()
        for a, b in sorted(cannot):
            if prior[a] is not None and prior[a] == prior[b]:
                split_works.add(prior[b])
                prior[b] = None
        active = np.asarray([p is None for p in prior], dtype=bool)
        p = Plan(keys, hashes, members, state.works, prior, active, must, cannot, split_works,
                 stats={"started": t0, "laps": lap})
        lap("state")
        if _nothing_to_do(active, must, prior, members, index):
            p.nothing_to_do = True
            p.stats["works_total"] = io.active_works(conn)
            return p
        p.records = io.load_records(conn, keys)
    lap("read records")
    p.parts, stats = make_parts(p.records, prior, active, must, cannot, partitions)
    p.stats.update(stats)
    lap("partition")
    return p


def apply(store: Store, p: Plan, results: list[PartResult], settings: ConsolidateSettings | None = None
          ) -> ConsolidateReport:
    """Stable work ids for the partitions' clusters, and the writes (works, members, retired works)."""
    s = settings or ConsolidateSettings()
    t0 = p.stats.get("started", time.perf_counter())
    lap = p.stats.get("laps") or _Laps()
    report = ConsolidateReport(records_considered=int(p.active.sum()))
    if p.nothing_to_do:
        report.works_total = p.stats.get("works_total", 0)
        report.seconds = round(time.perf_counter() - t0, 2)
        log.info("consolidate: nothing new or changed (%s)", lap.summary())
        return report
    keys, hashes, members, known, prior, active = p.keys, p.hashes, p.members, p.known, p.prior, p.active
    records = p.records
    index = p.index
    got = sorted(r.index for r in results)
    if got != sorted(part.index for part in p.parts):
        raise ValueError(f"results of partitions {got} do not match the plan's {[x.index for x in p.parts]}")
    clusters = sorted((c for r in results for c in r.clusters), key=lambda m: min(m))
    joined_by: dict[int, dict] = {}
    for r in results:
        joined_by.update(r.joined_by)
    cluster_of = np.full(len(keys), -1, dtype=np.int64)
    for c, members_c in enumerate(clusters):
        cluster_of[members_c] = c
    if (cluster_of < 0).any():
        raise ValueError(f"{int((cluster_of < 0).sum())} records in no partition's result")
    lap("resolve")

    # ids: a cluster keeps the oldest existing work among its members; a new cluster gets its founder's id
    order = sorted(range(len(clusters)), key=lambda c: (not any(prior[i] for i in clusters[c]), min(clusters[c])))
    prior_ids = {p for p in prior if p}
    claimed: dict[str, int] = {}
    assigned: dict[int, str] = {}
    merged_away: dict[str, str] = {}
    for c in order:
        members_c = clusters[c]
        existing = sorted({prior[i] for i in members_c if prior[i]}, key=lambda w: (_created(known, w), w))
        existing = [w for w in existing if w not in claimed]
        if existing:
            wid = existing[0]
            for other in existing[1:]:
                merged_away[other] = wid
        else:
            founder = min(keys[i] for i in members_c)
            salt = 0
            while True:
                wid = work_id_for(founder, salt)
                st = known.get(wid)
                if wid not in claimed and (st is None or (st.status == "active" and wid not in prior_ids)):
                    break
                salt += 1
        claimed[wid] = c
        assigned[c] = wid

    # which works changed: those with an active record, or whose membership changed
    old_members: dict[str, set] = defaultdict(set)
    for k, (w, _h) in members.items():
        old_members[w].add(k)
    changed = [c for c, members_c in enumerate(clusters)
               if active[members_c].any() or {keys[i] for i in members_c} != old_members.get(assigned[c], set())]
    # works left without members: merged into where their founder went, or split apart
    live = set(assigned.values())
    leaving = [w for w in old_members if w not in live and w not in merged_away
               and w in known and known[w].status == "active"]
    with store.connect() as conn:
        founder_of = io.founders(conn, [assigned[c] for c in changed if assigned[c] in known] + leaving)
    lap("assign ids")

    now = utcnow()
    work_rows, member_rows = [], []
    for c in changed:
        members_c = clusters[c]
        wid = assigned[c]
        new_set = {keys[i] for i in members_c}
        recs = [records[i] for i in members_c]
        old_founder = founder_of.get(wid)
        founder = old_founder if old_founder in new_set else min(new_set)
        doc = build_work(wid, recs, s, founder=founder)
        h = doc_hash(doc)
        old = known.get(wid)
        if old is None:
            report.works_created += 1
        elif old.content_hash != h or old.status != "active":
            report.works_updated += 1
        if old is None or old.content_hash != h or old.status != "active":  # else: the stored row is this one
            work_rows.append({"work_id": wid, "status": "active", "merged_into": None, "title": doc["title"],
                              "year": doc["year"], "doi": doc["doi"], "doc_type": doc["doc_type"],
                              "data": io.dumps(doc), "content_hash": h, "created_at": _created(known, wid),
                              "updated_at": now})
        joined = any(prior[x] for x in members_c)
        for i in members_c:
            k = keys[i]
            m = members.get(k)
            if m and m[0] == wid and m[1] == hashes[i] and not active[i]:
                continue
            if active[i] and joined:
                report.records_joined += 1
            ev = dict(joined_by.get(i) or {"rule": "founder" if k == founder else "joined with its work"})
            if "matched" in ev:
                ev["matched"] = keys[ev["matched"]]
            member_rows.append({"source": records[i].source, "source_id": records[i].source_id, "work_id": wid,
                                "evidence": io.dumps(ev), "content_hash": hashes[i], "added_at": now})
    retired = dict(merged_away)
    for wid in leaving:
        founder = founder_of.get(wid)
        retired[wid] = assigned[int(cluster_of[index[founder]])] if founder in index else None
    report.works_merged = len(merged_away)
    report.works_split = len(p.split_works)
    link_rows = _link_rows(keys, results, now)
    report.relations = sum(1 for r in link_rows if r["relation"] != "possible_duplicate")
    report.possible_duplicates = len(link_rows) - report.relations
    lap("build works")
    with store.begin() as conn:
        io.write(conn, work_rows, member_rows, retired, now)
        io.write_links(conn, link_rows, [keys[i] for i in np.flatnonzero(active).tolist()], bool(active.all()))
        report.works_total = io.active_works(conn)
    lap("write")
    report.seconds = round(time.perf_counter() - t0, 2)
    log.info("consolidate: %d records, %d considered, %d works written, %d members written (%s; matcher %s)",
             len(keys), report.records_considered, len(work_rows), len(member_rows), lap.summary(),
             _matcher_stats(p, results))
    return report


def _link_rows(keys: list[str], results: list[PartResult], now) -> list[dict]:
    rows = []
    for r in results:
        for ln in r.links:
            (a_s, a_i), (b_s, b_i) = _split_key(keys[ln["a"]]), _split_key(keys[ln["b"]])
            rows.append({"a_source": a_s, "a_source_id": a_i, "b_source": b_s, "b_source_id": b_i,
                         "relation": ln["relation"], "score": ln["score"], "evidence": io.dumps(ln["evidence"]),
                         "found_at": now})
    return rows


def _matcher_stats(p: Plan, results: list[PartResult]) -> dict:
    out: dict = {k: v for k, v in p.stats.items() if k not in ("started", "laps", "works_total")}
    out["partitions"] = len(results)
    for key in ("candidate_pairs", "scored_pairs", "fuzzy_matches", "exact_links", "refused", "relations", "near_misses"):
        out[key] = sum(r.stats.get(key, 0) for r in results)
    out["slowest_partition_s"] = max((r.stats.get("seconds", 0.0) for r in results), default=0.0)
    return out


def _nothing_to_do(active: np.ndarray, must: list[tuple[int, int]], prior: list[str | None],
                   members: dict, index: dict[str, int]) -> bool:
    """No record new or changed, every must-link already inside one work, no member whose record is gone."""
    return (not active.any() and all(prior[a] == prior[b] for a, b in must)
            and all(k in index for k in members))


class _Laps:
    """Wall (and this process's CPU) time per step of a run, for the log."""

    def __init__(self) -> None:
        self.t, self.cpu = time.perf_counter(), time.process_time()
        self.laps: dict[str, tuple[float, float]] = {}

    def __call__(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.laps[name] = (now - self.t, cpu - self.cpu)
        self.t, self.cpu = now, cpu

    def summary(self) -> str:
        return ", ".join(f"{k} {w:.1f} s (cpu {c:.1f})" for k, (w, c) in self.laps.items())


# --------------------------------------------------------------------------- librarians' split and merge

def _work_records(conn: sa.Connection, wid: str) -> tuple[dict, list[Record], list[str]]:
    row = conn.execute(sa.select(works.c.status, works.c.data, works.c.created_at, works.c.merged_into)
                       .where(works.c.work_id == wid)).first()
    if row is None:
        raise WorkError(f"no work {wid}")
    if row.status != "active":
        raise WorkError(f"work {wid} is {row.status}" + (f" (into {row.merged_into})" if row.merged_into else ""))
    q = sa.select(source_records.c.data).join(
        work_members, sa.and_(work_members.c.source == source_records.c.source,
                              work_members.c.source_id == source_records.c.source_id)).where(work_members.c.work_id == wid)
    recs = sorted((Record.from_dict(r.data) for r in conn.execute(q)), key=member_key)
    return dict(row._mapping), recs, [member_key(r) for r in recs]


def _decision_rows(kind: str, pairs: list[tuple[str, str]], actor: str, note: str | None, now) -> list[dict]:
    out = []
    for a, b in pairs:
        (a_s, a_i), (b_s, b_i) = _split_key(a), _split_key(b)
        out.append({"kind": kind, "a_source": a_s, "a_source_id": a_i, "b_source": b_s, "b_source_id": b_i,
                    "actor": actor, "note": note, "created_at": now})
    return out


def _write_work(conn, wid: str, recs: list[Record], settings: ConsolidateSettings, founder: str, created, now,
                evidence: dict) -> None:
    doc = build_work(wid, recs, settings, founder=founder)
    upsert(conn, works, [{"work_id": wid, "status": "active", "merged_into": None, "title": doc["title"],
                          "year": doc["year"], "doi": doc["doi"], "doc_type": doc["doc_type"], "data": doc,
                          "content_hash": doc_hash(doc), "created_at": created, "updated_at": now}],
           key=("work_id",), update=("status", "merged_into", "title", "year", "doi", "doc_type", "data",
                                     "content_hash", "updated_at"))
    hashes = {member_key(r): r.content_hash() for r in recs}
    stored = {f"{s}:{i}": h for s, i, h in conn.execute(sa.select(
        source_records.c.source, source_records.c.source_id, source_records.c.content_hash).where(
        sa.tuple_(source_records.c.source, source_records.c.source_id).in_([(r.source, r.source_id) for r in recs])))}
    upsert(conn, work_members, [{"source": r.source, "source_id": r.source_id, "work_id": wid, "evidence": evidence,
                                 "content_hash": stored.get(member_key(r), hashes[member_key(r)]), "added_at": now}
                                for r in recs], key=("source", "source_id"),
           update=("work_id", "evidence", "content_hash", "added_at"))


def split(store: Store, work_id: str, records: list[tuple[str, str]], actor: str, note: str | None = None,
          settings: ConsolidateSettings | None = None) -> str:
    """Move ``records`` out of ``work_id`` into a work of their own; returns the new work's id.

    The part without the founding record gets a new stable id; cannot-links between the parts and
    must-links within each part are recorded, so later runs keep the split.
    """
    from ir import audit

    s = settings or ConsolidateSettings()
    moved = {f"{src}:{sid}" for src, sid in records}
    now = utcnow()
    with store.begin() as conn:
        row, recs, keys = _work_records(conn, work_id)
        unknown = moved - set(keys)
        if unknown:
            raise WorkError(f"not in {work_id}: {', '.join(sorted(unknown))}")
        if not moved or moved == set(keys):
            raise WorkError("a split must leave at least one record on each side")
        founder = (row["data"] or {}).get("founder") or min(keys)
        keep = [k for k in keys if k not in moved]
        if founder in moved:  # the founding record stays with the old id
            keep, moved = sorted(moved), set(keep)
        part = sorted(moved)
        existing = {w for (w,) in conn.execute(sa.select(works.c.work_id))}
        salt = 0
        while work_id_for(part[0], salt) in existing:
            salt += 1
        new_id = work_id_for(part[0], salt)
        by_key = {member_key(r): r for r in recs}
        ev = {"rule": "librarian split", "actor": actor, "note": note, "from": work_id}
        _write_work(conn, new_id, [by_key[k] for k in part], s, part[0], now, now, ev)
        _write_work(conn, work_id, [by_key[k] for k in keep], s, founder if founder in keep else keep[0],
                    row["created_at"], now, {"rule": "librarian split", "actor": actor, "note": note, "kept": True})
        pairs_cannot = [(a, b) for a in part for b in keep]
        pairs_must = [(part[0], b) for b in part[1:]] + [(keep[0], b) for b in keep[1:]]
        conn.execute(work_decisions.insert(), _decision_rows("cannot_link", pairs_cannot, actor, note, now)
                     + _decision_rows("must_link", pairs_must, actor, note, now))
        audit.record(conn, actor=actor, role="librarian", action="split", object_type="work", object_id=work_id,
                     before={"members": keys}, after={work_id: keep, new_id: part}, note=note)
    return new_id


def merge(store: Store, work_ids: list[str], actor: str, note: str | None = None,
          settings: ConsolidateSettings | None = None) -> str:
    """Merge works into the oldest of them; the others redirect to it. Returns the surviving id."""
    from ir import audit

    s = settings or ConsolidateSettings()
    ids = list(dict.fromkeys(work_ids))
    if len(ids) < 2:
        raise WorkError("name at least two works to merge")
    now = utcnow()
    with store.begin() as conn:
        parts = {w: _work_records(conn, w) for w in ids}
        created = {w: p[0]["created_at"] for w, p in parts.items()}
        target = min(ids, key=lambda w: (_created({w: io.WorkState("active", created[w], None)}, w), w))
        founders = {w: (p[0]["data"] or {}).get("founder") or p[2][0] for w, p in parts.items()}
        recs = [r for p in parts.values() for r in p[1]]
        ev = {"rule": "librarian merge", "actor": actor, "note": note}
        _write_work(conn, target, recs, s, founders[target], parts[target][0]["created_at"], now, ev)
        for w in ids:
            if w != target:
                conn.execute(works.update().where(works.c.work_id == w).values(status="merged", merged_into=target,
                                                                                updated_at=now))
        pairs = [(founders[target], founders[w]) for w in ids if w != target]
        conn.execute(work_decisions.insert(), _decision_rows("must_link", pairs, actor, note, now))
        audit.record(conn, actor=actor, role="librarian", action="merge", object_type="work", object_id=target,
                     before={w: p[2] for w, p in parts.items()}, after={target: sorted(member_key(r) for r in recs)},
                     note=note)
    return target


def get_work(store: Store, work_id: str) -> dict | None:
    """A work's row, following merge redirects, with its members' evidence."""
    with store.connect() as conn:
        seen = set()
        while True:
            row = conn.execute(sa.select(works).where(works.c.work_id == work_id)).first()
            if row is None:
                return None
            if row.status == "merged" and row.merged_into and row.merged_into not in seen:
                seen.add(work_id)
                work_id = row.merged_into
                continue
            break
        out = dict(row._mapping)
        out["members"] = [dict(m._mapping) for m in conn.execute(
            sa.select(work_members.c.source, work_members.c.source_id, work_members.c.evidence)
            .where(work_members.c.work_id == work_id).order_by(work_members.c.source, work_members.c.source_id))]
        return out
