"""Store I/O for consolidation: reads source records, works, members and decisions; writes works and members.

This is the only module of :mod:`ir.consolidate` that touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass

import numpy as np
import sqlalchemy as sa

from ir.consolidate.engine import resolve
from ir.consolidate.merge import build_work, doc_hash, member_key, work_id_for
from ir.consolidate.settings import ConsolidateSettings
from ir.model import Record
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
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    def as_table(self) -> str:
        rows = [f"| {k.replace('_', ' ')} | {v} |" for k, v in self.as_dict().items()]
        return "\n".join(["| consolidate | count |", "|---|---:|", *rows])


class WorkError(ValueError):
    """A split or merge that cannot be done as asked (unknown work, records not in it, ...)."""


def _split_key(key: str) -> tuple[str, str]:
    source, source_id = key.split(":", 1)
    return source, source_id


def _load(conn: sa.Connection):
    rows = conn.execute(sa.select(source_records.c.source, source_records.c.source_id, source_records.c.content_hash,
                                  source_records.c.data).order_by(source_records.c.source, source_records.c.source_id)).all()
    members = {f"{s}:{i}": (w, h) for s, i, w, h in conn.execute(
        sa.select(work_members.c.source, work_members.c.source_id, work_members.c.work_id, work_members.c.content_hash))}
    known = {w: (st, created, data) for w, st, created, data in conn.execute(
        sa.select(works.c.work_id, works.c.status, works.c.created_at, works.c.data))}
    decisions = {}
    for kind, a_s, a_i, b_s, b_i in conn.execute(sa.select(
            work_decisions.c.kind, work_decisions.c.a_source, work_decisions.c.a_source_id,
            work_decisions.c.b_source, work_decisions.c.b_source_id).order_by(work_decisions.c.id)):
        a, b = f"{a_s}:{a_i}", f"{b_s}:{b_i}"
        decisions[(min(a, b), max(a, b))] = kind  # the latest decision on a pair wins
    return rows, members, known, decisions


def _created(known: dict, wid: str):
    created = known.get(wid, (None, None, None))[1]
    if isinstance(created, dt.datetime) and created.tzinfo is None:
        created = created.replace(tzinfo=dt.timezone.utc)
    return created or utcnow()


def consolidate(store: Store, settings: ConsolidateSettings | None = None) -> ConsolidateReport:
    """Place every new or changed source record in a work; obey librarians' decisions. Idempotent."""
    import time

    t0 = time.perf_counter()
    s = settings or ConsolidateSettings()
    report = ConsolidateReport()
    with store.connect() as conn:
        rows, members, known, decisions = _load(conn)
    records = [Record.from_dict(r.data) for r in rows]
    keys = [f"{r.source}:{r.source_id}" for r in rows]
    index = {k: i for i, k in enumerate(keys)}
    hashes = [r.content_hash for r in rows]
    prior: list[str | None] = []
    for k, h in zip(keys, hashes):
        m = members.get(k)
        prior.append(m[0] if m and m[1] == h else None)
    must = [(index[a], index[b]) for (a, b), kind in decisions.items() if kind == "must_link" and a in index and b in index]
    cannot = {(index[a], index[b]) for (a, b), kind in decisions.items() if kind == "cannot_link" and a in index and b in index}
    # a cannot-link inside an existing work (a decision made elsewhere): the later record leaves and is re-matched
    split_works = set()
    for a, b in sorted(cannot):
        if prior[a] is not None and prior[a] == prior[b]:
            split_works.add(prior[b])
            prior[b] = None
    active = np.asarray([p is None for p in prior], dtype=bool)
    report.records_considered = int(active.sum())
    if not active.any() and not must:
        with store.connect() as conn:
            report.works_total = conn.execute(sa.select(sa.func.count()).select_from(works).where(works.c.status == "active")).scalar()
        report.seconds = round(time.perf_counter() - t0, 2)
        return report

    res = resolve(records, s, prior=prior, active=active, must=must, cannot=cannot)
    clusters = res.clusters()

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
                state = known.get(wid)
                if wid not in claimed and (state is None or (state[0] == "active" and wid not in prior_ids)):
                    break
                salt += 1
        claimed[wid] = c
        assigned[c] = wid

    # which works changed: those with an active record, or whose membership changed
    old_members: dict[str, set] = defaultdict(set)
    for k, (w, _h) in members.items():
        old_members[w].add(k)
    now = utcnow()
    work_rows, member_rows = [], []
    for c, members_c in enumerate(clusters):
        wid = assigned[c]
        new_set = {keys[i] for i in members_c}
        changed = bool(active[members_c].any()) or new_set != old_members.get(wid, set())
        if not changed:
            continue
        recs = [records[i] for i in members_c]
        old_doc = (known.get(wid) or (None, None, None))[2] or {}
        founder = old_doc.get("founder") if old_doc.get("founder") in new_set else min(new_set)
        doc = build_work(wid, recs, s, founder=founder)
        h = doc_hash(doc)
        if wid in known:
            if known[wid][2] is None or doc_hash(known[wid][2]) != h or known[wid][0] != "active":
                report.works_updated += 1
        else:
            report.works_created += 1
        work_rows.append({"work_id": wid, "status": "active", "merged_into": None, "title": doc["title"],
                          "year": doc["year"], "doi": doc["doi"], "doc_type": doc["doc_type"], "data": doc,
                          "content_hash": h, "created_at": _created(known, wid), "updated_at": now})
        for i in members_c:
            k = keys[i]
            old = members.get(k)
            if old and old[0] == wid and old[1] == hashes[i] and not active[i]:
                continue
            if active[i] and any(prior[x] for x in members_c):
                report.records_joined += 1
            ev = dict(res.joined_by.get(i) or {"rule": "founder" if k == founder else "joined with its work"})
            if "matched" in ev:
                ev["matched"] = keys[ev["matched"]]
            member_rows.append({"source": records[i].source, "source_id": records[i].source_id, "work_id": wid,
                                "evidence": ev, "content_hash": hashes[i], "added_at": now})
    # works left without members: merged into where their founder went, or split apart
    live = set(assigned.values())
    retired = {}
    for wid, old in old_members.items():
        if wid in live or wid in merged_away:
            continue
        state = known.get(wid)
        if state and state[0] == "active":
            founder = (state[2] or {}).get("founder")
            target = assigned[_cluster_of(res.labels, clusters, index[founder])] if founder in index else None
            retired[wid] = target
    report.works_merged = len(merged_away)
    report.works_split = len(split_works)
    with store.begin() as conn:
        upsert(conn, works, work_rows, key=("work_id",),
               update=("status", "merged_into", "title", "year", "doi", "doc_type", "data", "content_hash", "updated_at"),
               where_changed="content_hash")
        if work_rows:  # a re-activated work whose content happens to be unchanged
            conn.execute(works.update().where(works.c.work_id.in_([w["work_id"] for w in work_rows]),
                                              works.c.status != "active").values(status="active", merged_into=None))
        upsert(conn, work_members, member_rows, key=("source", "source_id"),
               update=("work_id", "evidence", "content_hash", "added_at"))
        for wid, target in {**merged_away, **retired}.items():
            conn.execute(works.update().where(works.c.work_id == wid).values(
                status="merged" if target else "split", merged_into=target, updated_at=now))
        report.works_total = conn.execute(sa.select(sa.func.count()).select_from(works).where(works.c.status == "active")).scalar()
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


def _cluster_of(labels: list[int], clusters: list[list[int]], i: int) -> int:
    lab = labels[i]
    for c, m in enumerate(clusters):
        if labels[m[0]] == lab:
            return c
    raise KeyError(i)


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
        target = min(ids, key=lambda w: (_created({w: (None, created[w], None)}, w), w))
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
