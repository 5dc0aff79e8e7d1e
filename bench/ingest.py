"""Ingest speed: records/s stored end to end, first ingest and re-ingest, on SQLite and PostgreSQL.

    .venv/bin/python bench/ingest.py [--postgres URL | --no-postgres] [--no-sqlite] [--workers N] [--profile]

The bench set is five export files with the record counts of issue 11's measurement (55,852 records;
89 MB here, where the issue's files were 40 MB: these records are fuller):
Ei plain 19,254, WoS plain 18,393, WoS tab-delimited 6,219, CNKI E-Study 5,928 (GB18030), CNKI RefWorks
6,058. WoS plain, Ei plain and CNKI E-Study come from ``ir demo-data`` (one large generation, its files
joined into one per format, topped up with copies of its records under new ids); WoS tab-delimited and
CNKI RefWorks repeat the records of the real samples in ../shared/samples under new ids and titles. The
set is written once into var/bench/ingest-v1/ and reused.

First the parse rate: ``ir.ingest.read_file`` on every file (read, decode, detect, parse), nothing stored.
Then, for each database, per step:

* first ingest: ``ir.ingest.ingest_paths`` into an empty store (reading processes as ``ir ingest`` starts
  them, or ``--workers``);
* re-ingest: the same files again: files the same readers read before are not read again, and no row
  may change (checked: every source record's id, hash, timestamps and batch, every batch's counts and every
  quarantine row, before and after);
* re-read: the same files once more, as if other readers had read them (their batches' reader changed):
  every file is read, parsed, hashed and compared with the store, and still no source record or
  quarantine row may change (the path an upgrade of the readers takes).

Wall-clock and CPU seconds (this process and its reading processes; PostgreSQL's own work is not in them)
are both printed, with the load average: the machine is shared.
PostgreSQL runs in a schema of its own (created and dropped by the bench) on the server named by
``--postgres`` or var/postgres.url.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import re
import resource
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from ir.ingest import ingest_paths, read_file  # noqa: E402
from ir.store import open_store  # noqa: E402
from ir.store.tables.ingest import ingest_batches, quarantine, source_records  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples"
SET_DIR = ROOT / "var" / "bench" / "ingest-v1"
DEMO_WORKS = 26_000
SIZES = {  # file -> records, as measured in issue 11
    "ei-plain.txt": 19_254,
    "wos-plain.txt": 18_393,
    "wos-tab.txt": 6_219,
    "cnki-estudy.txt": 5_928,
    "cnki-refworks.txt": 6_058,
}


# ---------------------------------------------------------------------------------------------- the bench set

def _take(records: list[str], n: int, vary: Callable[[str, int], str]) -> list[str]:
    """The first n records; past the end, the records again, each varied by its copy number."""
    out = records[:n]
    k = 0
    while len(out) < n:
        out.append(vary(records[k % len(records)], len(out)))
        k += 1
    return out


def _sub(pattern: str, repl: str, text: str) -> str:
    return re.sub(pattern, lambda _m: repl, text, count=1, flags=re.M)


def build_set(folder: Path = SET_DIR) -> list[Path]:
    paths = [folder / name for name in SIZES]
    if all(p.exists() for p in paths):
        return paths
    import subprocess

    demo = folder / "demo"
    if not (demo / "exports").is_dir():
        subprocess.run([str(ROOT / ".venv" / "bin" / "ir"), "demo-data", str(demo), "--works", str(DEMO_WORKS)],
                       check=True, stdout=subprocess.DEVNULL)

    def texts(sub: str) -> list[str]:
        return [read_file(p).data.decode("gb18030" if "CNKI-001" in p.name else "utf-8-sig").replace("\r\n", "\n")
                for p in sorted((demo / "exports" / sub).glob("*.txt"))]

    folder.mkdir(parents=True, exist_ok=True)
    # WoS plain text: every demo file's records, then copies under new UTs
    wos = [r.strip("\n") + "\nER\n" for t in texts("wos")
           for r in re.split(r"^ER[ \t]*$", t.split("\nVR 1.0\n", 1)[1], flags=re.M) if r.strip().startswith("PT ")]
    wos = _take(wos, SIZES["wos-plain.txt"], lambda r, k: _sub(r"^UT .*$", f"UT WOS:8{k:014d}", _sub(
        r"^TI ", f"TI Copy {k}: ", r)))
    (folder / "wos-plain.txt").write_text(
        "FN Clarivate Analytics Web of Science\nVR 1.0\n" + "\n".join(wos) + "\nEF\n", encoding="utf-8-sig")
    # Ei plain text: renumbered <RECORD n>, copies under new accession numbers
    ei = [r for t in texts("ei") for r in re.split(r"^<RECORD \d+>\n", t, flags=re.M) if r.strip()]
    ei = _take(ei, SIZES["ei-plain.txt"], lambda r, k: _sub(r"^Accession number: .*$", f"Accession number: 8{k:013d}",
                                                            _sub(r"^Title: ", f"Title: Copy {k}: ", r)))
    (folder / "ei-plain.txt").write_text("".join(f"<RECORD {i}>\n{r.strip(chr(10))}\n\n" for i, r in enumerate(ei, 1)),
                                         encoding="utf-8")
    # CNKI E-Study, in GB18030 as CNKI writes it
    cnki = [("DataType:" + r).rstrip("\n") + "\n" for t in texts("cnki") for r in re.split(r"^DataType:", t, flags=re.M)[1:]]
    cnki = _take(cnki, SIZES["cnki-estudy.txt"], lambda r, k: _sub(r"FileName=[A-Z0-9]+", f"FileName=COPY{k:08d}",
                                                                   _sub(r"^Title-题名: ", f"Title-题名: 副本{k}：", r)))
    (folder / "cnki-estudy.txt").write_bytes("".join(cnki).encode("gb18030"))
    # WoS tab-delimited: the real samples' rows with new UTs and titles
    tab_header, rows = None, []
    for p in sorted((SAMPLES / "wos_tab").glob("*.txt")):
        lines = p.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").split("\n")
        if tab_header is None or lines[0] == tab_header:
            tab_header = lines[0]
            rows += [ln for ln in lines[1:] if ln.strip()]
    cols = tab_header.split("\t")
    ut, ti = cols.index("UT"), cols.index("TI")

    def vary_tab(row: str, k: int) -> str:
        cells = row.split("\t")
        cells[ut], cells[ti] = f"WOS:7{k:014d}", f"Copy {k}: {cells[ti]}"
        return "\t".join(cells)

    rows = [vary_tab(r, k) for k, r in enumerate(_take(rows, SIZES["wos-tab.txt"], lambda r, k: r))]
    (folder / "wos-tab.txt").write_text(tab_header + "\n" + "\n".join(rows) + "\n", encoding="utf-8-sig")
    # CNKI RefWorks: the 2024 sample's records with new titles and links
    text = (SAMPLES / "cnki_refworks" / "cross-reality-CNKI.txt").read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    refs = [r.strip("\n") + "\n" for r in re.split(r"\n(?=RT )", text) if r.strip().startswith("RT ")]

    def vary_ref(r: str, k: int) -> str:
        r = _sub(r"^T1 ", f"T1 副本{k}：", r)
        return _sub(r"^LK .*$", f"LK https://kns.cnki.net/kcms/detail/detail.aspx?FileName=COPY{k:08d}&DbName=CJFD", r)

    refs = [vary_ref(r, k) for k, r in enumerate(_take(refs, SIZES["cnki-refworks.txt"], lambda r, k: r))]
    (folder / "cnki-refworks.txt").write_text("\n".join(refs), encoding="utf-8")
    return paths


# -------------------------------------------------------------------------------------------------- running

def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + f" (1/5/15 min, {os.cpu_count()} cores)"


def _cpu() -> float:
    """CPU seconds of this process and of its reading processes (counted once they have ended)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn):
    gc.collect()
    wall, cpu = time.perf_counter(), _cpu()
    out = fn()
    return out, time.perf_counter() - wall, _cpu() - cpu


def _snapshot(store) -> tuple:
    """Every row that a re-run must leave alone: each source record's id, hash and timestamps, the
    batches' counts, the quarantine rows; as digests and counts."""
    import hashlib

    out = []
    with store.connect() as conn:
        for table, cols in ((source_records, ("id", "source", "source_id", "content_hash", "updated_at", "batch_id")),
                            (ingest_batches, ("id", "records_read", "stored", "quarantined", "duplicates", "reader")),
                            (quarantine, ("id", "batch_id", "record_no", "reason"))):
            h = hashlib.sha256()
            n = 0
            for row in conn.execute(sa.select(*(table.c[c] for c in cols)).order_by(table.c.id)):
                h.update(repr(tuple(row)).encode())
                n += 1
            out.append((table.name, n, h.hexdigest()[:16]))
    return tuple(out)


def _row(step: str, records: int, wall: float, cpu: float, note: str = "") -> str:
    return f"{step:<34} {records:>8,} {wall:>8.2f} {records / wall:>10,.0f} {cpu:>8.2f} {records / cpu:>12,.0f}  {note}"


HEAD = f"{'step':<34} {'records':>8} {'wall s':>8} {'records/s':>10} {'CPU s':>8} {'records/CPU s':>12}"


def parse_only(paths: list[Path]) -> tuple[int, float, float]:
    def run():
        return sum(len(read_file(p).items) for p in paths)
    return _timed(run)


def bench_store(name: str, url: str, paths: list[Path], profile: bool = False, workers: int | None = None,
                parse: tuple[float, float] | None = None) -> None:
    store = open_store(url)
    try:
        print(f"\n{name}: {url.split('?')[0].split('@')[-1]}   load average at the start: {_load()}")
        print(HEAD)
        print("-" * len(HEAD))
        prof = cProfile.Profile() if profile else None
        if prof:
            prof.enable()
        results, wall, cpu = _timed(lambda: ingest_paths(store, paths, workers=workers))
        if prof:
            prof.disable()
        read = sum(r.records_read for r in results)
        bad = [r for r in results if r.records_read != r.stored + r.quarantined + len(r.duplicates)]
        print(_row("first ingest (empty store)", read, wall, cpu,
                   f"stored {sum(r.stored for r in results):,}, quarantined {sum(r.quarantined for r in results)}"
                   + (" ACCOUNTING BROKEN" if bad else "")))
        first = (wall, cpu)
        before = _snapshot(store)
        again, wall, cpu = _timed(lambda: ingest_paths(store, paths))
        same = _snapshot(store) == before
        print(_row("re-ingest, unchanged files", sum(r.records_read for r in again), wall, cpu,
                   f"files skipped: {sum(r.skipped for r in again)}/{len(again)}; rows changed: {'none' if same else 'SOME'}"))
        with store.begin() as conn:  # as if other readers had read them: every file read, hashed, compared
            conn.execute(ingest_batches.update().values(reader="bench: older readers"))
        before = [s for s in _snapshot(store) if s[0] != "ingest_batches"]
        third, wall, cpu = _timed(lambda: ingest_paths(store, paths, workers=workers))
        same = [s for s in _snapshot(store) if s[0] != "ingest_batches"] == before
        print(_row("re-read by other readers, same records", sum(r.records_read for r in third), wall, cpu,
                   f"new {sum(r.new for r in third)}, updated {sum(r.updated for r in third)}; "
                   f"source records and quarantine changed: {'none' if same else 'SOME'}"))
        print(f"load average at the end: {_load()}")
        if parse:
            print(f"first ingest / parse only: {parse[0] / first[0]:.0%} of the parse rate (wall clock), "
                  f"{parse[1] / first[1]:.0%} (CPU); targets: >= 50%, >= 5,000 records/s; re-ingest >= 20,000 records/s")
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    finally:
        store.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--postgres", help="PostgreSQL URL (default: var/postgres.url)")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--profile", action="store_true", help="cProfile the first ingest")
    ap.add_argument("--workers", type=int, help="reading processes (default: ir.ingest's choice)")
    args = ap.parse_args()
    paths = build_set()
    size = sum(p.stat().st_size for p in paths)
    print(f"Bench set: {len(paths)} files in {SET_DIR.relative_to(ROOT)}, {size / 1e6:.1f} MB")
    for p in paths:
        print(f"  {p.name:<20} {SIZES[p.name]:>7,} records {p.stat().st_size / 1e6:>6.1f} MB")
    print(f"\nload average: {_load()}")
    print(HEAD)
    print("-" * len(HEAD))
    n, wall, cpu = parse_only(paths)
    print(_row("parse only (read_file, no store)", n, wall, cpu))
    parse = (wall, cpu)
    work = ROOT / "var" / "bench" / "ingest-db"
    if not args.no_sqlite:
        work.mkdir(parents=True, exist_ok=True)
        db = work / "bench.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        bench_store("SQLite", f"sqlite:///{db}", paths, args.profile, args.workers, parse)
    if not args.no_postgres:
        url = args.postgres or (ROOT / "var" / "postgres.url").read_text().strip()
        schema = "bench_ingest_" + uuid.uuid4().hex[:8]
        admin = sa.create_engine(url)
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        try:
            sep = "&" if "?" in url else "?"
            bench_store("PostgreSQL", f"{url}{sep}options=-csearch_path%3D{schema}", paths, args.profile, args.workers,
                        parse)
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
