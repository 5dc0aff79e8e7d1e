"""OAI-PMH benchmark: list responses over 100,000 works, in records per second.

A store is filled with ``--works`` synthetic works (documents shaped like consolidation's, 4-6 authorships
each linked to units, 2% of them merged away: deleted records), then whole lists are walked page by page
through ``ir.web.oai.respond`` (what the endpoint does for one request, XML serialisation included):
ListIdentifiers, ListRecords in oai_dc and in MODS, and a set (one unit) — following resumption tokens
to the end. A few pages are also fetched through HTTP (uvicorn) to show the server's overhead.

Usage: python bench/oai.py [--works 100000] [--page-size 100] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ir.store import open_store  # noqa: E402
from ir.store.tables.attribution import authorships, dict_organizations  # noqa: E402
from ir.store.tables.works import works  # noqa: E402
from ir.web.oai import OaiSettings, respond  # noqa: E402

OAI = "{http://www.openarchives.org/OAI/2.0/}"
UNITS = [("U", None, "Example University")] + [(f"U-{k:02d}", "U", f"School of Subject {k}") for k in range(20)]
WORDS = ("catalytic oxidation carbon gold nanoparticles copper hydrogen evolution photocatalytic water splitting "
         "deep learning protein structure graphene membrane lithium battery anode perovskite solar thin film").split()


def fill(store, n: int, seed: int = 5) -> None:
    rnd = random.Random(seed)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with store.begin() as conn:
        conn.execute(dict_organizations.insert(), [
            {"org_id": o, "parent_id": p, "name_en": name, "name_zh": None, "variants": [], "extra": {},
             "row_hash": o, "loaded_at": now} for o, p, name in UNITS])
        for start in range(0, n, 5000):
            wrows, arows = [], []
            for i in range(start, min(n, start + 5000)):
                wid = f"W{i:016X}"
                year = 2019 + i % 6
                title = " ".join(rnd.choice(WORDS) for _ in range(10)).capitalize()
                doc = {"work_id": wid, "title": title, "titles": [{"text": title, "lang": "en", "translated": False}],
                       "year": year, "doc_type": "article", "doi": f"10.5555/oai.{i}", "language": "en",
                       "abstract": " ".join(rnd.choice(WORDS) for _ in range(150)),
                       "keywords": rnd.sample(WORDS, 4), "volume": str(i % 40), "issue": str(i % 12),
                       "first_page": str(i % 500 + 1), "last_page": str(i % 500 + 9),
                       "journal": {"title": "Journal of Benchmarks", "issn": "1234-5679", "publisher": "Bench Press"},
                       "sources": [{"source": "wos", "source_id": f"WOS:{i:015d}"}]}
                merged = i % 50 == 49
                wrows.append({"work_id": wid, "status": "merged" if merged else "active",
                              "merged_into": f"W{i - 1:016X}" if merged else None, "title": title, "year": year,
                              "doi": doc["doi"], "doc_type": "article", "data": doc, "content_hash": wid,
                              "created_at": now, "updated_at": now + dt.timedelta(seconds=i * 7)})
                for pos in range(1, rnd.randint(4, 6) + 1):
                    ours = pos <= 2
                    arows.append({"work_id": wid, "position": pos, "name": f"Author {pos}, Name",
                                  "person_id": f"P{rnd.randint(1, 3000):06d}" if ours else None,
                                  "org_id": rnd.choice(UNITS[1:])[0] if ours else None,
                                  "status": "auto" if ours else "external", "is_ours": ours, "is_first": pos == 1,
                                  "is_corresponding": pos == 1, "decided_by": "pipeline", "decided_at": now,
                                  "locked": False, "decision_hash": "x"})
            conn.execute(works.insert(), wrows)
            conn.execute(authorships.insert(), arows)


def clock():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime + r.ru_stime


def walk(store, cfg, label: str, **params) -> None:
    t0 = clock()
    items = pages = size = 0
    args = {"verb": params.pop("verb"), **params}
    while True:
        body = respond(store, cfg, "http://bench/oai", list(args.items()), site="http://bench")
        size += len(body)
        pages += 1
        doc = etree.fromstring(body)
        items += len(doc.findall(f"{OAI}{args['verb']}/{OAI}header")) + len(doc.findall(f".//{OAI}record"))
        token = doc.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            break
        args = {"verb": args["verb"], "resumptionToken": token.text}
    wall, cpu = clock()
    wall, cpu = wall - t0[0], cpu - t0[1]
    print(f"{label:34s} {items:>7,} items {pages:>5,} pages {size / 1e6:7.1f} MB  wall {wall:7.2f} s  "
          f"cpu {cpu:7.2f} s  {items / wall:>8,.0f} records/s")


def http_sample(store, cfg, pages: int) -> None:
    import requests
    import uvicorn

    from ir.config import Settings
    from ir.web.app import WebConfig, create_app

    app = create_app(Settings(database_url=store.url), web=WebConfig(secret_key="b" * 32), store=store)
    app.state.oai = cfg
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    url, params, items = f"http://127.0.0.1:{port}/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}, 0
    t0 = time.perf_counter()
    for _ in range(pages):
        doc = etree.fromstring(requests.get(url, params=params, timeout=60).content)
        items += len(doc.findall(f".//{OAI}record"))
        params = {"verb": "ListRecords", "resumptionToken": doc.find(f".//{OAI}resumptionToken").text}
    wall = time.perf_counter() - t0
    print(f"{'ListRecords oai_dc over HTTP':34s} {items:>7,} items {pages:>5,} pages  wall {wall:7.2f} s  "
          f"{items / wall:>8,.0f} records/s")
    srv.should_exit = True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--works", type=int, default=100_000)
    ap.add_argument("--page-size", type=int, default=100)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--http-pages", type=int, default=50)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, "
          f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(args.database_url or f"sqlite:///{tmp}/ir.sqlite")
        t0 = time.perf_counter()
        fill(store, args.works)
        print(f"store filled with {args.works:,} works in {time.perf_counter() - t0:.1f} s ({store.dialect})")
        cfg = OaiSettings(page_size=args.page_size, repository_identifier="bench.example.edu")
        walk(store, cfg, "ListIdentifiers", verb="ListIdentifiers", metadataPrefix="oai_dc")
        walk(store, cfg, "ListRecords oai_dc", verb="ListRecords", metadataPrefix="oai_dc")
        walk(store, cfg, "ListRecords mods", verb="ListRecords", metadataPrefix="mods")
        walk(store, cfg, "ListRecords mods, set dept:U-03", verb="ListRecords", metadataPrefix="mods", set="dept:U-03")
        http_sample(store, cfg, args.http_pages)
        store.dispose()
    print(f"load average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
