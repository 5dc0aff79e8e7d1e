"""Harvest benchmark: records per second at 100,000 works.

* parsing: list pages in Crossref's and OpenAlex's documented shapes (Crossref ``rows=1000``, OpenAlex
  ``per-page=200``), decoded from JSON bytes and mapped to records (``parse_list``: the harvest's CPU work);
* end to end: a real harvest through HTTP (requests with its retry adapter) from the local FAKE of the APIs
  into a SQLite store (pages, cursors and upserts), Crossref and OpenAlex by ROR id, then the same run again
  (the incremental run: nothing changed) — on ``--http-works`` works (default 20,000).

The works are synthetic but shaped like the demo institution's (4-6 authors with affiliations and ORCID
iDs, abstracts, funders, licences). Usage: python bench/harvest.py [--works 100000] [--http-works 20000]
"""

from __future__ import annotations

import argparse
import json

import orjson
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ir.harvest import crossref, harvest, openalex  # noqa: E402
from ir.harvest.fakeapi import DEMO_ROR, FakeAuthor, FakeWork, crossref_work, openalex_work, serve  # noqa: E402
from ir.store import open_store  # noqa: E402

WORDS = ("catalytic oxidation carbon gold nanoparticles copper hydrogen evolution photocatalytic water splitting "
         "deep learning protein structure graphene membrane lithium battery anode perovskite solar thin film "
         "neural network segmentation traffic flow soil microbial rice drought gene cancer concrete bridge").split()


def works(n: int, seed: int = 3) -> list[FakeWork]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        authors = [FakeAuthor(rnd.choice(["San", "Wei", "Li", "Maria", "John", "Hao"]),
                              rnd.choice(["Zhang", "Wang", "Li", "Silva", "Smith", "Chen"]),
                              f"0000-0002-{rnd.randint(1000, 9999)}-{rnd.randint(1000, 9999)}" if rnd.random() < 0.4 else None,
                              "School of Chemical Engineering, Huanghai University of Technology, Qingdao, China",
                              DEMO_ROR if k == 0 else None, "Huanghai University of Technology", "CN", k == 0)
                   for k in range(rnd.randint(4, 6))]
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 14)))
        out.append(FakeWork(key=f"B{i:07d}", title=title.capitalize(), year=2019 + i % 6, doi=f"10.5555/bench.{i}",
                            month=1 + i % 12, journal="Journal of Benchmarks", issn="1234-5679", publisher="Bench Press",
                            volume=str(10 + i % 30), issue=str(1 + i % 12), first_page=str(i % 900 + 1),
                            last_page=str(i % 900 + 12), authors=authors,
                            abstract=" ".join(rnd.choice(WORDS) for _ in range(180)),
                            funders=[("National Natural Science Foundation of China", "10.13039/501100001809",
                                      [str(21700000 + i)])],
                            license="https://creativecommons.org/licenses/by/4.0/" if i % 3 == 0 else None,
                            oa_status="gold" if i % 3 == 0 else "closed", keywords=WORDS[i % 20: i % 20 + 4]))
    return out


def clock():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime + r.ru_stime


def since(t0) -> tuple[float, float]:
    wall, cpu = clock()
    return wall - t0[0], cpu - t0[1]


def parse_bench(corpus: list[FakeWork]) -> None:
    pages = {"crossref": [], "openalex": []}
    for start in range(0, len(corpus), 1000):
        chunk = corpus[start:start + 1000]
        pages["crossref"].append(json.dumps({"status": "ok", "message-type": "work-list", "message": {
            "next-cursor": "x", "total-results": len(corpus), "items": [crossref_work(w) for w in chunk]}}).encode())
        for s in range(0, len(chunk), 200):
            pages["openalex"].append(json.dumps({"meta": {"count": len(corpus), "next_cursor": "y"},
                                                 "results": [openalex_work(w) for w in chunk[s:s + 200]]}).encode())
    for source, mod in (("crossref", crossref), ("openalex", openalex)):
        size = sum(len(p) for p in pages[source])
        t0 = clock()
        n = sum(len(mod.parse_list(orjson.loads(p)).items) for p in pages[source])  # as the client decodes
        wall, cpu = since(t0)
        print(f"parse {source:8s} {n:>7,} records  {size / 1e6:7.1f} MB JSON  wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
              f"{n / wall:>9,.0f} records/s")


def http_bench(corpus: list[FakeWork]) -> None:
    with tempfile.TemporaryDirectory() as tmp, serve(corpus) as api:
        store = open_store(f"sqlite:///{tmp}/ir.sqlite")
        settings = api.settings(ror=DEMO_ROR, rows=1000, requests_per_second=1000, contact_email="bench@example.edu",
                                max_records=10_000_000)
        for label in ("first run", "incremental run"):
            t0 = clock()
            rep = harvest(store, settings, sources=["crossref", "openalex"])
            wall, cpu = since(t0)
            t = rep.totals
            print(f"harvest {label:15s} {t.fetched:>7,} fetched  {t.new:>7,} new  {t.unchanged:>7,} unchanged  "
                  f"wall {wall:6.2f} s  cpu {cpu:6.2f} s (this process: client, store and the fake server)  "
                  f"{t.fetched / wall if t.fetched else 0:>8,.0f} records/s")
        store.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--works", type=int, default=100_000)
    ap.add_argument("--http-works", type=int, default=20_000)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, "
          f"{os.cpu_count()} cores")
    corpus = works(args.works)
    parse_bench(corpus)
    http_bench(corpus[: args.http_works])
    print(f"load average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
