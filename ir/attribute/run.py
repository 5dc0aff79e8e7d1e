"""The attribute stage: dictionaries in, one decided row per authorship of every active work out.

Plan, decide in batches, apply (:mod:`ir.attribute.batches`). The first pass aligns each work's bylines, matches addresses and scores the
candidates on the author's own evidence. The links it makes ``auto`` (with the locked claims) form a
co-authorship network; the later passes add co-author and supervisor evidence for the authors still in
doubt. A person is linked to at most one authorship per work. Rows are written only when their decision
changed, so a re-run on unchanged works and dictionaries changes nothing, and locked rows (claims,
rejections, librarians' decisions) are never touched. A suggestion with people tied for it goes to each of
them (``authorship_candidates``); the row's person is the best of them.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from ir.attribute.batches import BatchResult, Passes, Plan, decide_batch, digest, load_batch, plan
from ir.attribute.settings import AttributeSettings
from ir.dictionaries import Dictionaries, DictionaryProblem
from ir.runtime import can_fork
from ir.store import Store, upsert
from ir.store.engine import utcnow
from ir.store.tables.attribution import authorship_candidates, authorships, dict_organizations, dict_people

STATUSES = ("auto", "suggested", "claimed", "rejected", "unmatched")  # exported; "external" exports as null


@dataclass
class AttributeReport:
    works: int = 0
    authorships: int = 0
    ours: int = 0
    auto: int = 0
    suggested: int = 0
    unmatched: int = 0
    external: int = 0
    claimed_kept: int = 0
    rejected_kept: int = 0
    written: int = 0  # rows inserted or changed by this run
    removed: int = 0  # rows of positions or works that are gone
    people: int = 0
    organizations: int = 0
    problems: list[DictionaryProblem] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step: plan, decide, apply

    @property
    def review_share(self) -> float:
        """Share of our authorships left to a person: suggested and unmatched."""
        return (self.suggested + self.unmatched) / self.ours if self.ours else 0.0

    def as_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("works", "authorships", "ours", "auto", "suggested", "unmatched",
                                             "external", "claimed_kept", "rejected_kept", "written", "removed",
                                             "people", "organizations", "seconds")}
        out["review_share"] = round(self.review_share, 4)
        out["dictionary_problems"] = [p.as_json() for p in self.problems]
        return out

    def as_table(self):
        from rich.table import Table

        t = Table(title="attribute")
        t.add_column("")
        t.add_column("count", justify="right")
        for label, value in (
            ("works", self.works), ("authorships", self.authorships), ("ours", self.ours),
            ("  auto", self.auto), ("  suggested", self.suggested), ("  unmatched", self.unmatched),
            ("  claimed (kept)", self.claimed_kept), ("  rejected (kept)", self.rejected_kept),
            ("external", self.external), ("rows written", self.written), ("rows removed", self.removed),
            ("people / organisations", f"{self.people} / {self.organizations}"),
            ("dictionary problems", len(self.problems)), ("left to review", f"{self.review_share:.1%}"),
            ("seconds", f"{self.seconds:.1f}"),
        ):
            t.add_row(label, str(value))
        return t


_hash = digest


# ------------------------------------------------------------------------------------------ snapshot


def write_snapshot(store: Store, d: Dictionaries) -> None:
    """Mirror the dictionaries into dict_organizations / dict_people (only changed rows are written)."""
    now = utcnow()
    org_rows = []
    for o in d.organizations.values():
        row = {"org_id": o.org_id, "parent_id": o.parent_id, "name_zh": o.name_zh, "name_en": o.name_en,
               "variants": o.variants, "extra": o.extra or None}
        row["row_hash"] = _hash(row)
        row["loaded_at"] = now
        org_rows.append(row)
    people_rows = []
    counter: Counter = Counter()
    for a in d.appointments:
        counter[a.person_id] += 1
        row = {"person_id": a.person_id, "appointment": counter[a.person_id], "name_zh": a.name_zh,
               "name_en": a.name_en, "variants": a.variants, "org_id": a.org_id, "email": a.email,
               "orcid": a.orcid, "researcher_id": a.researcher_id, "role": a.role, "start_year": a.start_year,
               "end_year": a.end_year, "supervisor_id": a.supervisor_id, "extra": a.extra or None}
        row["row_hash"] = _hash(row)
        row["loaded_at"] = now
        people_rows.append(row)
    with store.begin() as conn:
        have_o = dict(conn.execute(sa.select(dict_organizations.c.org_id, dict_organizations.c.row_hash)).all())
        have_p = {(r[0], r[1]): r[2] for r in conn.execute(
            sa.select(dict_people.c.person_id, dict_people.c.appointment, dict_people.c.row_hash))}
        upsert(conn, dict_organizations, [r for r in org_rows if have_o.get(r["org_id"]) != r["row_hash"]],
               key=["org_id"])
        upsert(conn, dict_people, [r for r in people_rows
                                   if have_p.get((r["person_id"], r["appointment"])) != r["row_hash"]],
               key=["person_id", "appointment"])
        gone_o = set(have_o) - {r["org_id"] for r in org_rows}
        gone_p = set(have_p) - {(r["person_id"], r["appointment"]) for r in people_rows}
        for oid in gone_o:
            conn.execute(dict_organizations.delete().where(dict_organizations.c.org_id == oid))
        for pid, n in gone_p:
            conn.execute(dict_people.delete().where(
                (dict_people.c.person_id == pid) & (dict_people.c.appointment == n)))


# ------------------------------------------------------------------------------------------ the run


def attribute(store: Store, dictionaries_dir: Path, settings: AttributeSettings | None = None,
              *, progress=None, workers: int | None = None, batch_size: int = 5000) -> AttributeReport:
    """Attribute every authorship of every active work: plan, decide every batch (pass 1, then the
    passes adding co-author evidence), apply. ``workers``: processes deciding batches (default: 2 for
    large runs on a file or server database, else 1, in process); the rows are the same either way."""
    t0 = time.perf_counter()
    gc_was = gc.isenabled()
    gc.disable()  # millions of long-lived objects (indexes, rows): the cyclic collector only slows this down
    try:
        p = plan(store, dictionaries_dir, settings, batch_size=batch_size)
        t_plan = time.perf_counter()
        total = sum(len(b) for b in p.batches)
        if workers is None:
            workers = 2 if total >= 20_000 and (os.cpu_count() or 1) >= 2 and ":memory:" not in store.url else 1
        if workers > 1 and len(p.batches) > 1 and can_fork():
            gc.freeze()  # forked workers share the indexes without copying them
            rep, t_decide = _run_workers(store, p, workers, progress)  # decides and writes at once
        else:
            results = _run_here(store, p, progress)
            t_decide = time.perf_counter()
            rep = apply(store, p, results)
        rep.timings = {"plan": round(t_plan - t0, 2), "decide": round(t_decide - t_plan, 2),
                       "apply": round(time.perf_counter() - t_decide, 2)}
    finally:
        gc.unfreeze()
        if gc_was:
            gc.enable()
    rep.seconds = round(time.perf_counter() - t0, 2)
    return rep


def _run_here(store: Store, p: Plan, progress=None) -> list[BatchResult]:
    first = (decide_batch(p.context, load_batch(store, p, i)) for i in range(len(p.batches)))
    return run_passes(p, first, lambda batches: [decide_batch(p.context, b) for b in batches], progress)


def run_passes(p: Plan, first, later, progress=None) -> list[BatchResult]:
    """Every pass of a run: ``first`` yields the pass-1 results (any order), ``later(batches)`` decides the
    batches of a later pass (anywhere) and returns their results."""
    passes = Passes(p)
    done = 0
    for r in first:
        passes.add([r])
        done += r.works
        if progress:
            progress(done)
    for _ in range(p.context.settings.passes):
        batches = passes.refine_batches()
        if not batches:
            break
        passes.add(later(batches))
    return passes.final()


_POOL: dict = {}  # what forked workers inherit: the plan and the database URL


def _worker(conn) -> None:
    """A forked worker: decides the batches it is sent. The works still in doubt after a pass stay here
    (only their ids and candidates go back), so the later passes of a batch run where its first did."""
    import traceback

    from ir.store import open_store

    p = _POOL["plan"]
    store = None
    kept: dict[int, dict] = {}  # batch index -> the states of its works in doubt
    try:
        while True:
            kind, arg = conn.recv()
            if kind == "stop":
                return
            if kind == "first":
                if store is None:
                    store = open_store(_POOL["url"], upgrade=False)
                r = decide_batch(p.context, load_batch(store, p, arg))
            else:
                arg.pending = {w: kept[arg.index][w] for w in arg.pending}
                r = decide_batch(p.context, arg)
            kept[r.index] = r.pending
            r.pending = dict.fromkeys(r.pending)  # ids only: the states stay in this process
            conn.send(("ok", r))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        conn.send(("error", traceback.format_exc()))
    finally:
        if store is not None:
            store.dispose()


def _run_workers(store: Store, p: Plan, workers: int, progress=None) -> tuple[AttributeReport, float]:
    """Batches on forked processes (they inherit the plan and the indexes built for it), rows written as
    they come, in one transaction (the workers only read). A batch's later passes go to the process
    that holds its works in doubt. Returns the report and when the last batch was decided."""
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")
    _POOL.clear()
    _POOL.update(plan=p, url=store.url)
    procs, conns = [], []
    try:
        for _ in range(workers):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(theirs,), daemon=True)
            proc.start()
            theirs.close()
            procs.append(proc)
            conns.append(mine)
        with store.begin() as db:
            writer = Writer(db, p)
            passes = Passes(p)
            owner: dict[int, int] = {}
            done = 0

            def run(tasks_for, n: int, later: bool) -> None:
                """``n`` tasks, at most one in flight per worker (so neither side blocks on a full pipe);
                ``tasks_for(k)``: the next task for worker k, or None."""
                nonlocal done
                busy: set[int] = set()

                def feed(k: int) -> None:
                    task = tasks_for(k)
                    if task is not None:
                        conns[k].send(task)
                        busy.add(k)

                for k in range(len(conns)):
                    feed(k)
                left = n
                while left:
                    for c in wait([conns[k] for k in busy]):
                        k = conns.index(c)
                        status, r = c.recv()
                        if status != "ok":
                            raise RuntimeError(f"an attribute worker failed:\n{r}")
                        busy.discard(k)
                        feed(k)  # before writing: the worker goes on meanwhile
                        left -= 1
                        if not later:
                            owner[r.index] = k
                        writer.add(r)
                        r.rows = {}  # written
                        passes.add([r])
                        if not later:
                            done += r.works
                            if progress:
                                progress(done)

            todo = list(range(len(p.batches)))[::-1]
            run(lambda k: ("first", todo.pop()) if todo else None, len(todo), False)
            for _ in range(p.context.settings.passes):
                batches = passes.refine_batches()
                if not batches:
                    break
                queues = {k: [b for b in batches if owner[b.index] == k] for k in range(len(conns))}
                run(lambda k: ("later", queues[k].pop()) if queues[k] else None, len(batches), True)
            t_decide = time.perf_counter()
            return writer.finish(), t_decide
    finally:
        for c in conns:
            try:
                c.send(("stop", None))
            except OSError:
                pass
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
        _POOL.clear()


def apply(store: Store, p: Plan, results: list[BatchResult]) -> AttributeReport:
    """Write the decided rows that changed (bulk), the people each suggestion goes to, and remove the
    rows of positions and works that are gone. Locked rows are never touched."""
    with store.begin() as conn:
        w = Writer(conn, p)
        for r in results:
            w.add(r)
        return w.finish()


class Writer:
    """Applies batch results as they come, in one transaction (``conn``): rows whose decision changed are
    written (bulk), with the people each suggestion goes to; :meth:`finish` removes the rows of positions
    and works that are gone and returns the report. Each row must be added once (a batch result's rows
    are final: a work's rows come when no pass follows or nothing about it is in doubt)."""

    def __init__(self, conn, p: Plan):
        self.conn, self.p = conn, p
        self.rep = AttributeReport(people=p.people, organizations=p.organizations, problems=p.problems)
        self.now = utcnow()
        self.seen: set[tuple[str, int]] = set()
        self.works: set[int] = set()

    def add(self, r: BatchResult, count_works: bool = True) -> None:
        rep, p, now = self.rep, self.p, self.now
        if count_works and r.index not in self.works:  # a batch's works count once (pass 1)
            self.works.add(r.index)
            rep.works += r.works
        new_rows: list[dict] = []
        changed_rows: list[dict] = []
        cand_rows: list[dict] = []
        touched: list[tuple[str, int]] = []
        for key, status in r.locked.items():
            if key in self.seen:
                continue
            self.seen.add(key)
            rep.authorships += 1
            rep.ours += 1
            if status == "claimed":
                rep.claimed_kept += 1
            elif status == "rejected":
                rep.rejected_kept += 1
        for key, row in r.rows.items():
            self.seen.add(key)
            status = row["status"]
            rep.authorships += 1
            if row["is_ours"]:
                rep.ours += 1
            setattr(rep, status, getattr(rep, status) + 1)
            prev = p.prior.get(key[0], {}).get(key[1])
            if prev is not None and prev.decision_hash == row["decision_hash"]:
                continue
            row = dict(row)
            shared = row.pop("candidates")
            row["rejected_ids"] = list(prev.rejected_ids) if prev is not None and prev.rejected_ids else None
            row.update(decided_by="pipeline", decided_at=now, locked=False)
            (new_rows if prev is None else changed_rows).append(row)
            if prev is not None:
                touched.append(key)
            for rank, (pid, score, org_id, points) in enumerate(shared, 1):
                cand_rows.append({"work_id": key[0], "position": key[1], "person_id": pid, "rank": rank,
                                  "score": score, "org_id": org_id, "evidence": {"points": points}})
        conn = self.conn
        for w, pos in touched:  # rare beyond a changed dictionary: one statement per row is fine
            conn.execute(authorship_candidates.delete().where(
                (authorship_candidates.c.work_id == w) & (authorship_candidates.c.position == pos)))
        for start in range(0, len(new_rows), 5000):
            conn.execute(authorships.insert(), new_rows[start:start + 5000])
        upsert(conn, authorships, changed_rows, key=["work_id", "position"])
        for start in range(0, len(cand_rows), 5000):
            conn.execute(authorship_candidates.insert(), cand_rows[start:start + 5000])
        rep.written += len(new_rows) + len(changed_rows)

    def finish(self) -> AttributeReport:
        stale = [(w, pos) for w, rows in self.p.prior.items() for pos, prev in rows.items()
                 if (w, pos) not in self.seen and not prev.locked]
        for wid, pos in stale:
            self.conn.execute(authorship_candidates.delete().where(
                (authorship_candidates.c.work_id == wid) & (authorship_candidates.c.position == pos)))
            self.conn.execute(authorships.delete().where((authorships.c.work_id == wid) & (authorships.c.position == pos)))
        self.rep.removed = len(stale)
        return self.rep


# ------------------------------------------------------------------------------------------ export


def export_fields(conn: sa.Connection, work_ids) -> dict[str, dict]:
    """``{work_id: {"authors": [{position, name, person_id, org_id, corresponding, status}]}}``;
    ``status`` is one of auto, suggested, claimed, rejected, unmatched, or None for an external author."""
    work_ids = list(work_ids)
    out: dict[str, dict] = {w: {"authors": []} for w in work_ids}
    cols = [authorships.c.work_id, authorships.c.position, authorships.c.name, authorships.c.person_id,
            authorships.c.org_id, authorships.c.is_corresponding, authorships.c.status]
    for start in range(0, len(work_ids), 500):
        chunk = work_ids[start:start + 500]
        q = sa.select(*cols).where(authorships.c.work_id.in_(chunk)).order_by(authorships.c.work_id, authorships.c.position)
        for wid, pos, name, pid, oid, corr, status in conn.execute(q):
            external = status not in STATUSES
            out[wid]["authors"].append({
                "position": pos, "name": name, "person_id": None if external else pid,
                "org_id": None if external else oid, "corresponding": bool(corr),
                "status": None if external else status,
            })
    return out
