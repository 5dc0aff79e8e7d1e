"""Parse speed: records/s and MB/s per format on every sample file, and ir vs metaknowledge on 100,000 WoS records.

    .venv/bin/python bench/parse.py [--records 100000] [--repeat 3] [--samples DIR]

Part 1 reads every file under shared/samples (journal lists excepted) through ``ir.ingest.read_file``
(read, decode, detect, parse: what ``ir ingest`` does before storing) and prints one row per file.

Part 2 generates a WoS plain-text file of N records into var/bench/ by replicating the records of
wos_plain/trafficsafety-savedrecs.txt with unique UTs and varied titles and years, then reads it with
ir and with metaknowledge's WoS reader (``metaknowledge.RecordCollection``), alternating, best of
``--repeat`` runs each, and prints the record counts (they must agree) and the speed ratios.
metaknowledge's reader only splits each record into tags (it processes a field when asked for it);
ir's figure includes mapping every field onto the canonical record. A third row asks metaknowledge for
every field of every record, the like-for-like comparison.
"""

from __future__ import annotations

import argparse
import gc
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


def _timed(fn, repeat: int):
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _read_ir(path: Path):
    pf = read_file(path)
    n_rec = sum(1 for i in pf.items if not isinstance(i, Problem))
    return pf, n_rec, len(pf.items) - n_rec


def bench_samples(samples: Path, repeat: int) -> None:
    print(f"Registered formats: {', '.join(f.name for f in formats.formats())}\n")
    rows = []
    for path in sorted(p for p in samples.rglob("*") if p.is_file()):
        rel = path.relative_to(samples)
        if rel.parts[0] == "journal_lists" or path.name in {"MANIFEST.md", "README.md"}:
            continue
        dt, (pf, n_rec, n_prob) = _timed(lambda p=path: _read_ir(p), repeat)
        size = path.stat().st_size
        fmt = pf.fmt.name if pf.fmt else f"({pf.error})"
        rows.append((str(rel), fmt, n_rec, n_prob, size, dt))
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


def _mk_full(metaknowledge, path: Path) -> int:
    """metaknowledge processes a field when it is asked for it: ask for every tag of every record."""
    n = 0
    for rec in metaknowledge.RecordCollection(str(path)):
        for tag in list(rec.keys()):
            rec.get(tag)
        n += 1
    return n


def bench_large(samples: Path, n: int, repeat: int, full_mk: bool = True) -> None:
    path = generate(samples, n)
    size = path.stat().st_size
    try:
        import metaknowledge
    except ImportError:
        metaknowledge = None
    runs = {"ir read_file (every field mapped)": lambda: _read_ir(path)[1]}
    if metaknowledge is not None:
        runs[f"metaknowledge {metaknowledge.__version__} RecordCollection"] = (
            lambda: len(metaknowledge.RecordCollection(str(path)))
        )
        if full_mk:
            runs["metaknowledge + every field processed"] = lambda: _mk_full(metaknowledge, path)
    best = {k: float("inf") for k in runs}
    counts = {}
    for _ in range(repeat):  # alternate, so that both see the same machine load
        for name, fn in runs.items():
            dt, counts[name] = _timed(fn, 1)
            best[name] = min(best[name], dt)
    print(f"Large file: {path.relative_to(ROOT)} ({n:,} records, {size / 1e6:.1f} MB), best of {repeat}")
    head = f"{'reader':<44} {'records':>8} {'seconds':>8} {'records/s':>11} {'MB/s':>7}"
    print(head)
    print("-" * len(head))
    for name in runs:
        print(f"{name:<44} {counts[name]:>8} {best[name]:>8.2f} {counts[name] / best[name]:>11,.0f} "
              f"{size / 1e6 / best[name]:>7.1f}")
    if metaknowledge is None:
        print("metaknowledge is not installed (pip install -e .[bench]): no comparison")
        return
    ir_name, mk_name, *rest = list(runs)
    same = "identical" if len(set(counts.values())) == 1 else "DIFFERENT"
    print(f"\nrecord counts: {same} ({', '.join(str(c) for c in counts.values())})")
    print(f"ir / metaknowledge reader (fields left unprocessed): {best[mk_name] / best[ir_name]:.2f}x (target >= 3x)")
    if rest:
        print(f"ir / metaknowledge with every field processed:      {best[rest[0]] / best[ir_name]:.2f}x")


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
