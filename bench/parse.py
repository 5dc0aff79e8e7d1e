"""Parse speed: records/s and MB/s per format on every sample file, and ir vs metaknowledge on 100,000 WoS records.

    .venv/bin/python bench/parse.py [--records 100000] [--repeat 3] [--samples DIR]

Part 1 reads every file under shared/samples (journal lists excepted) through ``ir.ingest.read_file``
(read, decode, detect, parse: what ``ir ingest`` does before storing) and prints one row per file.

Part 2 generates a WoS plain-text file of N records into var/bench/ by replicating the records of
wos_plain/trafficsafety-savedrecs.txt with unique UTs and varied titles and years, then reads that one
file with three readers, alternating (so that all see the same machine load), best of ``--repeat``:

* ir: ``read_file`` (read + decode + detect + parse, every field mapped onto the canonical record);
* metaknowledge's WoS reader, ``metaknowledge.RecordCollection``: it only splits each record into
  tag -> lines and processes a field when asked for it;
* metaknowledge with every field of every record asked for: the like-for-like comparison.

Each reader runs as it runs in use (ir's ingest pauses the cyclic garbage collector while it parses;
metaknowledge leaves it on), in this one process, and its result is released after its clock stops.
Wall-clock and CPU (process) seconds are both printed: the machine is shared, and its load average at
the start and the end is printed with the figures. The record counts must be identical.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ir import formats  # noqa: E402
from ir.ingest import read_file  # noqa: E402
from ir.model import Problem  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples"
BENCH_DIR = ROOT / "var" / "bench"
SEED_FILE = "wos_plain/trafficsafety-savedrecs.txt"
WORDS = ("Assessing", "Modelling", "Revisiting", "Predicting", "Explaining", "Mapping", "Measuring", "Comparing")


def _measure(fn, count) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, count(result)) of one run; the result is released after the clocks stop."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n = count(out)
    del out
    return wall, cpu, n


def _ir_records(pf) -> int:
    return sum(1 for i in pf.items if not isinstance(i, Problem))


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + f" (1/5/15 min, {os.cpu_count()} cores)"


def bench_samples(samples: Path, repeat: int) -> None:
    print(f"Registered formats: {', '.join(f.name for f in formats.formats())}")
    print(f"Load average: {_load()}\n")
    rows = []
    for path in sorted(p for p in samples.rglob("*") if p.is_file()):
        rel = path.relative_to(samples)
        if rel.parts[0] == "journal_lists" or path.name in {"MANIFEST.md", "README.md"}:
            continue
        pf = read_file(path)
        fmt = pf.fmt.name if pf.fmt else f"({pf.error})"
        n_rec = _ir_records(pf)
        n_prob = len(pf.items) - n_rec
        dt = min(_measure(lambda p=path: read_file(p), _ir_records)[0] for _ in range(repeat))
        rows.append((str(rel), fmt, n_rec, n_prob, path.stat().st_size, dt))
    head = f"{'file':<52} {'format':<18} {'records':>8} {'problems':>8} {'MB':>7} {'records/s':>11} {'MB/s':>7}"
    print(head)
    print("-" * len(head))
    for rel, fmt, n_rec, n_prob, size, dt in rows:
        print(f"{rel:<52} {fmt:<18} {n_rec:>8} {n_prob:>8} {size / 1e6:>7.2f} "
              f"{(n_rec + n_prob) / dt:>11,.0f} {size / 1e6 / dt:>7.1f}")
    print()


_REC_END = re.compile(r"^ER[ \t]*$", re.M)


def _repeats_a_tag(record: str) -> bool:
    tags = [line[:2] for line in record.split("\n") if line[:1] != " " and line[:2] != "ER"]
    return len(tags) != len(set(tags))


def generate(samples: Path, n: int) -> Path:
    """N records: the seed file's records over and over, each with a unique UT, its own title and year."""
    out = BENCH_DIR / f"wos_plain_{n}_v2.txt"
    if out.exists():
        return out
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    text = (samples / SEED_FILE).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    body = text.split("\nVR 1.0\n", 1)[1]
    seeds = [r.strip("\n") + "\nER" for r in _REC_END.split(body) if r.strip().startswith("PT ")]
    # metaknowledge drops a record that gives a tag twice (2 of the 856: two CT/CY/CL lines) without a
    # word; ir reads them. Leave them out so that both readers must report the same count.
    seeds = [r for r in seeds if not _repeats_a_tag(r)]
    parts = ["FN Clarivate Analytics Web of Science", "VR 1.0"]
    for k in range(n):
        rec = seeds[k % len(seeds)]
        rec = re.sub(r"^UT .*$", f"UT WOS:9{k:014d}", rec, count=1, flags=re.M)
        rec = re.sub(r"^TI ", f"TI {WORDS[k % len(WORDS)]} ({k // len(seeds)}): ", rec, count=1, flags=re.M)
        rec = re.sub(r"^PY \d{4}$", f"PY {1990 + k % 35}", rec, count=1, flags=re.M)
        parts.append(rec + "\n")
    parts.append("EF\n")
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def _mk_full(metaknowledge, path: Path):
    """metaknowledge processes a field when it is asked for it: ask for every tag of every record."""
    rc = metaknowledge.RecordCollection(str(path))
    for rec in rc:
        for tag in list(rec.keys()):
            rec.get(tag)
    return rc


def bench_large(samples: Path, n: int, repeat: int, full_mk: bool = True) -> None:
    path = generate(samples, n)
    size = path.stat().st_size
    try:
        import metaknowledge
    except ImportError:
        metaknowledge = None
    ir_name = "ir read_file (every field mapped)"
    runs = {ir_name: (lambda: read_file(path), _ir_records)}
    if metaknowledge is not None:
        runs[f"metaknowledge {metaknowledge.__version__} RecordCollection"] = (
            lambda: metaknowledge.RecordCollection(str(path)), len)
        if full_mk:
            runs["metaknowledge, every field asked for"] = (lambda: _mk_full(metaknowledge, path), len)
    print(f"Large file: {path.relative_to(ROOT)} ({n:,} records, {size / 1e6:.1f} MB), best of {repeat}, "
          f"readers alternating")
    load_start = _load()
    wall = {k: float("inf") for k in runs}
    cpu = dict(wall)
    counts: dict[str, int] = {}
    for _ in range(repeat):  # alternate, so that every reader sees the same machine load
        for name, (fn, count) in runs.items():
            w, c, counts[name] = _measure(fn, count)
            wall[name], cpu[name] = min(wall[name], w), min(cpu[name], c)
    head = (f"{'reader':<44} {'records':>8} {'wall s':>7} {'records/s':>10} {'MB/s':>6} "
            f"{'CPU s':>7} {'records/CPU s':>13}")
    print(head)
    print("-" * len(head))
    for name in runs:
        print(f"{name:<44} {counts[name]:>8} {wall[name]:>7.2f} {counts[name] / wall[name]:>10,.0f} "
              f"{size / 1e6 / wall[name]:>6.1f} {cpu[name]:>7.2f} {counts[name] / cpu[name]:>13,.0f}")
    print(f"load average: at the start {load_start}; at the end {_load()}")
    if metaknowledge is None:
        print("metaknowledge is not installed (pip install -e .[bench]): no comparison")
        return
    same = "identical" if len(set(counts.values())) == 1 else "DIFFERENT"
    print(f"\nrecord counts: {same} ({', '.join(f'{c:,}' for c in counts.values())})")
    for name in list(runs)[1:]:
        print(f"ir / {name}: {wall[name] / wall[ir_name]:.2f}x records/s (wall clock), "
              f"{cpu[name] / cpu[ir_name]:.2f}x (CPU time); target >= 3x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--samples", type=Path, default=SAMPLES)
    ap.add_argument("--skip-samples", action="store_true")
    ap.add_argument("--no-mk-full", action="store_true", help="skip metaknowledge with every field processed")
    args = ap.parse_args()
    if not args.skip_samples:
        bench_samples(args.samples, args.repeat)
    bench_large(args.samples, args.records, args.repeat, full_mk=not args.no_mk_full)


if __name__ == "__main__":
    main()
