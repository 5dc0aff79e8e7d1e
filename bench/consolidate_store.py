"""Consolidation through the store: 100,000 source records into works, end to end.

    .venv/bin/python bench/consolidate_store.py                    # ~100,000 records (64,000 works), SQLite
    .venv/bin/python bench/consolidate_store.py --works 6400       # ~10,000 records
    .venv/bin/python bench/consolidate_store.py --postgres         # also on IR_TEST_POSTGRES_URL
    .venv/bin/python bench/consolidate_store.py --reuse --profile var/bench/consolidate.prof

Generates the synthetic institution with ``ir.demo.generate`` once (cached under var/bench/), holds back
one export file, ingests the rest into a fresh store (timed, but not part of the target), then times
``ir.consolidate.consolidate(store)`` end to end: reading the source records, resolving them into
works, writing works and work_members with evidence and provenance. Then:

- pairwise precision / recall / F1 of work_members against truth/records.csv,
- an incremental run: the held-back export file is ingested and consolidate runs again,
- a no-op run: nothing changed, so nothing may be written (checked on the tables, not on the report).

Each timed step runs in a process of its own, so its peak RSS is its own. Target (issue 3): the full
run on 100,000 records under 60 s on the 2-core machine. The load average is printed with the
figures, since other work on the machine slows every step.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import shutil
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

CACHE = ROOT / "var" / "bench"


# --------------------------------------------------------------------------- data

def demo_set(works: int, people: int, seed: int) -> Path:
    """The generated institution, made once and reused (the generator is deterministic)."""
    out = CACHE / f"consolidate_w{works}_p{people}_s{seed}"
    if (out / "truth" / "records.csv").is_file():
        return out
    from ir.demo import generate

    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    t = time.perf_counter()
    generate(tmp, works=works, people=people, seed=seed)
    tmp.rename(out)
    print(f"generated {out} in {time.perf_counter() - t:.0f} s")
    return out


def split_files(data: Path) -> tuple[list[Path], Path]:
    """All export files but one, and the one held back for the incremental run (the last WoS file)."""
    from ir.ingest import expand_paths

    files = sorted(expand_paths([data / "exports"]))
    held = [p for p in files if p.parent.name == "wos"][-1]
    return [p for p in files if p != held], held


# --------------------------------------------------------------------------- steps (each in a process of its own)

def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ingest(url: str, paths: list[str]) -> dict:
    from ir.ingest import ingest_paths
    from ir.store import open_store

    st = open_store(url)
    t = time.perf_counter()
    results = ingest_paths(st, paths)
    secs = time.perf_counter() - t
    st.dispose()
    return {"seconds": secs, "stored": sum(r.stored for r in results),
            "quarantined": sum(r.quarantined for r in results), "rss_mb": _peak_rss_mb()}


def _cpu() -> float:
    """CPU seconds of this process and of the processes it started and waited for (forked scoring workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _consolidate(url: str, profile: str | None) -> dict:
    import logging

    from ir.consolidate import consolidate
    from ir.store import open_store

    logging.basicConfig(format="    %(message)s")
    logging.getLogger("ir.consolidate").setLevel(logging.INFO)  # the time of each step

    st = open_store(url)
    if profile:
        import cProfile

        prof = cProfile.Profile()
        t, cpu = time.perf_counter(), _cpu()
        report = prof.runcall(consolidate, st)
        secs, cpu = time.perf_counter() - t, _cpu() - cpu
        prof.dump_stats(profile)
    else:
        t, cpu = time.perf_counter(), _cpu()
        report = consolidate(st)
        secs, cpu = time.perf_counter() - t, _cpu() - cpu
    st.dispose()
    return {"seconds": secs, "cpu": cpu, "report": report.as_dict(), "rss_mb": _peak_rss_mb()}


def in_child(fn, *args):
    """``fn(*args)`` in a fresh (spawned) process of its own, as ``ir`` runs from the command line: not a
    pool's daemonic worker, so the step may start processes of its own (consolidate scores on every core)."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run_and_send, args=(child, fn, args))
    proc.start()
    child.close()
    try:
        ok, value = parent.recv()
    finally:
        proc.join()
    if not ok:
        raise RuntimeError(f"{fn.__name__} failed in its process:\n{value}")
    return value


def _run_and_send(conn, fn, args) -> None:
    import traceback

    try:
        conn.send((True, fn(*args)))
    except BaseException:  # noqa: BLE001 - reported by the parent
        conn.send((False, traceback.format_exc()))
    finally:
        conn.close()


# --------------------------------------------------------------------------- checks

def table_state(store) -> dict:
    """What a no-op run must leave exactly as it was."""
    from ir.store.tables.works import work_members, works

    with store.connect() as conn:
        w = conn.execute(sa.select(sa.func.count(), sa.func.max(works.c.updated_at),
                                   sa.func.count(sa.distinct(works.c.content_hash)))).one()
        m = conn.execute(sa.select(sa.func.count(), sa.func.max(work_members.c.added_at),
                                   sa.func.count(sa.distinct(work_members.c.work_id)))).one()
        active = conn.execute(sa.select(sa.func.count()).select_from(works).where(works.c.status == "active")).scalar()
    return {"works": w[0], "works_updated_at": str(w[1]), "work_hashes": w[2], "active": active,
            "members": m[0], "members_added_at": str(m[1]), "member_works": m[2]}


def pairwise(store, truth_csv: Path) -> dict:
    """Pairwise precision / recall / F1 over the records that are both placed and in the truth."""
    from ir.store.tables.works import work_members

    truth = {}
    with truth_csv.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            truth[(r["source"], r["source_id"])] = r["work_key"]
    with store.connect() as conn:
        placed = {(s, i): w for s, i, w in conn.execute(
            sa.select(work_members.c.source, work_members.c.source_id, work_members.c.work_id))}
    both = placed.keys() & truth.keys()

    def pairs(counts) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    pred = pairs(Counter(placed[k] for k in both))
    true = pairs(Counter(truth[k] for k in both))
    tp = pairs(Counter((placed[k], truth[k]) for k in both))
    p = tp / pred if pred else 1.0
    r = tp / true if true else 1.0
    return {"records": len(both), "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "unplaced": len(truth.keys() - placed.keys())}


# --------------------------------------------------------------------------- one database

def run(name: str, url: str, data: Path, args, keep: Path | None = None) -> list[tuple]:
    """Ingest all files but the held-back one (timed apart), then the consolidate runs."""
    initial, held = split_files(data)
    ing = in_child(_ingest, url, [str(p) for p in initial])
    print(f"[{name}] ingest: {ing['stored']} records ({ing['quarantined']} quarantined) in {ing['seconds']:.1f} s, "
          f"peak RSS {ing['rss_mb']:.0f} MB", flush=True)
    if keep is not None:  # the ingested SQLite file, for --reuse
        shutil.copyfile(sa.engine.make_url(url).database, keep)
    return run_consolidations(name, url, data, held, ing["stored"], args)


def run_consolidations(name: str, url: str, data: Path, held: Path, n_records: int, args) -> list[tuple]:
    from ir.store import open_store

    rows = []
    load = os.getloadavg()[0]
    full = in_child(_consolidate, url, args.profile)
    rep = full["report"]
    rows.append((name, "full", n_records, rep["works_total"], full["seconds"], full["cpu"], full["rss_mb"], load))
    print(f"[{name}] full: {rep}", flush=True)
    st = open_store(url, upgrade=False)
    acc = pairwise(st, data / "truth" / "records.csv")
    print(f"[{name}] pairwise vs truth: precision {acc['precision']:.4f} recall {acc['recall']:.4f} "
          f"F1 {acc['f1']:.4f} over {acc['records']} records ({acc['unplaced']} of the truth not ingested)", flush=True)

    ing = in_child(_ingest, url, [str(held)])
    load = os.getloadavg()[0]
    inc = in_child(_consolidate, url, None)
    rep = inc["report"]
    rows.append((name, f"incremental (+{ing['stored']})", n_records + ing["stored"], rep["works_total"],
                 inc["seconds"], inc["cpu"], inc["rss_mb"], load))
    print(f"[{name}] incremental: ingest {ing['stored']} in {ing['seconds']:.1f} s; {rep}", flush=True)
    acc2 = pairwise(st, data / "truth" / "records.csv")
    print(f"[{name}] pairwise after it: precision {acc2['precision']:.4f} recall {acc2['recall']:.4f} "
          f"F1 {acc2['f1']:.4f}", flush=True)

    before = table_state(st)
    load = os.getloadavg()[0]
    noop = in_child(_consolidate, url, None)
    after = table_state(st)
    rep = noop["report"]
    same = before == after and rep["records_considered"] == 0 and rep["works_created"] == rep["works_updated"] == 0
    rows.append((name, "no-op re-run" + ("" if same else " CHANGED ROWS"), n_records + ing["stored"],
                 rep["works_total"], noop["seconds"], noop["cpu"], noop["rss_mb"], load))
    if not same:
        print(f"[{name}] no-op run changed something: {before} -> {after}; {rep}", flush=True)
    st.dispose()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--works", type=int, default=64_000, help="works to generate (~1.56 records each)")
    ap.add_argument("--people", type=int, default=None, help="people to generate (default: twice the works)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--postgres", action="store_true", help="also on IR_TEST_POSTGRES_URL (a schema of its own)")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--reuse", action="store_true",
                    help="start from a copy of the SQLite store ingested by an earlier --reuse run (skips ingest)")
    ap.add_argument("--profile", help="write cProfile stats of the full consolidate run to this file")
    args = ap.parse_args()
    data = demo_set(args.works, args.people or 2 * args.works, args.seed)
    rows = []
    if not args.no_sqlite:
        db = CACHE / f"{data.name}.sqlite"
        pristine = CACHE / f"{data.name}.ingested.sqlite"
        for p in CACHE.glob(f"{data.name}.sqlite*"):
            p.unlink()
        url = f"sqlite:///{db}"
        if args.reuse and pristine.is_file():
            shutil.copyfile(pristine, db)
            from ir.store import open_store
            from ir.store.tables.ingest import source_records

            st = open_store(url)
            with st.connect() as conn:
                n = conn.execute(sa.select(sa.func.count()).select_from(source_records)).scalar()
            st.dispose()
            print(f"[sqlite] reusing {pristine.name}: {n} records", flush=True)
            rows += run_consolidations("sqlite", url, data, split_files(data)[1], n, args)
        else:
            rows += run("sqlite", url, data, args, keep=pristine if args.reuse else None)
    if args.postgres:
        pg = os.environ.get("IR_TEST_POSTGRES_URL")
        if not pg:
            print("(IR_TEST_POSTGRES_URL is not set: no PostgreSQL run)")
        else:
            schema = "bench_" + uuid.uuid4().hex[:10]
            admin = sa.create_engine(pg)
            with admin.begin() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            try:
                sep = "&" if "?" in pg else "?"
                rows += run("postgresql", f"{pg}{sep}options=-csearch_path%3D{schema}", data, args)
            finally:
                with admin.begin() as conn:
                    conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()

    print()
    print(f"{'database':10} {'run':28} {'records':>8} {'works':>7} {'seconds':>8} {'cpu s':>7} {'records/s':>9} "
          f"{'peak RSS':>9} {'load':>5}")
    for db_name, what, n, w, secs, cpu, rss, load in rows:
        print(f"{db_name:10} {what:28} {n:>8} {w:>7} {secs:>8.1f} {cpu:>7.1f} {n / secs:>9.0f} {rss:>6.0f} MB "
              f"{load:>5.2f}")
    print(f"target: full run on ~100,000 records < 60 s wall; load average now {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores (load: the 1-minute average when the run started; cpu s: the run's own "
          f"CPU time and its worker processes', what it would take on one idle core)")


if __name__ == "__main__":
    main()
