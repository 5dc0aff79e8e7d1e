"""Consolidation in partitions: how the candidate graph falls apart, and what that buys.

For each data set: records, components of the candidate graph (records related by any blocking key or
identifier), the largest component's share (a partition can be no smaller), the plan's time, one global
resolve's time, the partitions' times (sum and slowest: the floor of a run on enough workers), and
whether the partitions' clusters equal the global resolve's (they must).

    .venv/bin/python bench/consolidate_partition.py [--only dblp-acm|dblp-scholar|demo] [--partitions 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from consolidate import load_leipzig  # noqa: E402

from ir.consolidate.engine import resolve  # noqa: E402
from ir.consolidate.partition import make_parts, resolve_partition  # noqa: E402
from ir.consolidate.settings import ConsolidateSettings  # noqa: E402
from ir.model import Record  # noqa: E402


def demo_records(works: int) -> list[Record]:
    from ir.demo import generate
    from ir.ingest import expand_paths, read_file

    d = Path(tempfile.mkdtemp())
    generate(d, works=works, people=max(100, works // 5))
    return [r for p in expand_paths([d / "exports"]) for r in read_file(p).items if isinstance(r, Record)]


def measure(name: str, records: list[Record], partitions: int) -> None:
    records = sorted(records, key=lambda r: (r.source, r.source_id))
    s = ConsolidateSettings()
    n = len(records)
    t = time.perf_counter()
    parts, stats = make_parts(records, [None] * n, np.ones(n, dtype=bool), [], set(), partitions)
    plan_s = time.perf_counter() - t
    t = time.perf_counter()
    expected = resolve(records, s).clusters()
    global_s = time.perf_counter() - t
    times, got = [], []
    for p in parts:
        t = time.perf_counter()
        got.extend(resolve_partition(p, s).clusters)
        times.append(time.perf_counter() - t)
    same = sorted(got, key=min) == expected
    print(f"{name}: {n} records, {stats['components']} components, largest {stats['largest_component']} "
          f"({stats['largest_component'] / n:.0%}); {len(parts)} partitions {stats['partition_sizes']}; "
          f"plan {plan_s:.1f} s, global resolve {global_s:.1f} s, partitions {sum(times):.1f} s "
          f"(slowest {max(times):.1f} s); same clusters: {same}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["dblp-acm", "dblp-scholar", "demo"], action="append")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--demo-works", type=int, default=2000)
    a = ap.parse_args()
    for name in a.only or ["dblp-acm", "dblp-scholar", "demo"]:
        if name == "demo":
            measure(f"demo ({a.demo_works} works)", demo_records(a.demo_works), a.partitions)
        else:
            left, right, _ = load_leipzig(name)
            measure(name, left + right, a.partitions)


if __name__ == "__main__":
    main()
