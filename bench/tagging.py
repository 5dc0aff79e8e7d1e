"""Tagging on real data: the real journal lists against the journals of the real WoS samples, and speed.

    .venv/bin/python bench/tagging.py [--works 20000] [--samples DIR]

Part 1 converts the two real lists (mrhelper JCR quartiles, titles only; mrhelper core list) and matches
the journal of every record of every WoS sample file (title SO, J9, JI, ISSN) against them with the
"nearest" edition rule (the lists carry one edition). It prints how each list matched (title,
abbreviation, fuzzy) and how many journals were not found.

Part 2 checks the abbreviation and fuzzy matchers against the title matcher: for every record whose
full title matched exactly, the J9 alone and the JI alone are matched, and the result is compared
(agree / refused / disagree).

Part 3 times ``ir.tagging.tag`` on a SQLite store holding N works built from those records
(works/s, including loading the lists and writing the tags).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ir.ingest import read_file  # noqa: E402
from ir.model import Record  # noqa: E402
from ir.tagging.adapters import convert_list  # noqa: E402
from ir.tagging.journals import write_journal_csv  # noqa: E402
from ir.tagging.matching import JournalMatcher, WorkJournal  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--works", type=int, default=20000)
    ap.add_argument("--samples", type=Path, default=SAMPLES)
    args = ap.parse_args()

    t = time.perf_counter()
    jcr, p1, _ = convert_list(args.samples / "journal_lists" / "mrhelper-sci-jcr-quartiles.csv", "jcr", 2020)
    core, p2, _ = convert_list(args.samples / "journal_lists" / "mrhelper-hexin.csv", "cscd", 2020)
    matcher = JournalMatcher([*jcr, *core], rule="nearest")
    print(f"lists: jcr {len(jcr)} entries ({len(p1)} bad rows), core {len(core)} entries ({len(p2)} bad rows); "
          f"converted and indexed in {time.perf_counter() - t:.2f} s")

    records: list[Record] = []
    for path in sorted((args.samples / "wos_plain").glob("*.txt")):
        records += [r for r in read_file(path).items if isinstance(r, Record)]
    print(f"WoS sample records: {len(records)}")

    # ---- part 1
    how: dict[str, Counter] = {"jcr": Counter(), "cscd": Counter()}
    not_found: Counter = Counter()
    t = time.perf_counter()
    for r in records:
        wj = WorkJournal(title=r.journal.title, abbreviation=r.journal.abbreviation,
                         iso_abbreviation=r.journal.iso_abbreviation, issn=r.journal.issn, eissn=r.journal.eissn)
        results = matcher.match(wj, r.year)
        for res in results:
            how[res.list][res.matches[0].matched_by if res.matches else ("ambiguous" if res.ambiguous else "not found")] += 1
        if not any(res.matches for res in results):
            not_found[r.journal.title] += 1
    elapsed = time.perf_counter() - t
    for lst, c in how.items():
        print(f"  {lst:5s} " + ", ".join(f"{k} {v}" for k, v in c.most_common()))
    print(f"  journals in no list: {len(not_found)} distinct ({sum(not_found.values())} records); "
          f"most frequent: {', '.join(f'{k} ({v})' for k, v in not_found.most_common(5))}")
    print(f"  matching: {len(records) / elapsed:,.0f} records/s (cached per journal and year)")

    # ---- part 2
    for field in ("abbreviation", "iso_abbreviation"):
        verdict = Counter()
        seen = set()
        for r in records:
            full = [res for res in matcher.match(WorkJournal(title=r.journal.title), r.year) if res.list == "jcr"][0]
            short = getattr(r.journal, field)
            if not full.matches or full.matches[0].matched_by != "title" or not short or (short, r.year) in seen:
                continue
            seen.add((short, r.year))
            alone = [res for res in matcher.match(WorkJournal(**{field: short}), r.year) if res.list == "jcr"][0]
            if not alone.matches:
                verdict["refused or not found"] += 1
            elif {m.entry.title for m in alone.matches} == {m.entry.title for m in full.matches}:
                verdict["agree"] += 1
            else:
                verdict["DISAGREE"] += 1
        print(f"{field} alone vs the full title (distinct journals and years): "
              + ", ".join(f"{k} {v}" for k, v in verdict.most_common()))

    # ---- part 3
    import datetime as dt

    from ir.store import open_store
    from ir.store.tables.works import works
    from ir.tagging import tag

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "dict"
        (folder / "journals").mkdir(parents=True)
        for name, entries in (("jcr-2020.csv", jcr), ("cscd-2020.csv", core)):
            with open(folder / "journals" / name, "w", encoding="utf-8", newline="") as fh:
                write_journal_csv(entries, fh)
        st = open_store(f"sqlite:///{tmp}/bench.sqlite")
        now = dt.datetime.now(dt.timezone.utc)
        rows = []
        for i in range(args.works):
            r = records[i % len(records)]
            data = {"year": r.year, "journal": {"title": r.journal.title, "abbreviation": r.journal.abbreviation,
                                                 "iso_abbreviation": r.journal.iso_abbreviation, "issn": r.journal.issn,
                                                 "eissn": r.journal.eissn},
                    "categories": r.categories, "indexes": r.editions, "sources": [{"source": "wos", "source_id": r.source_id}]}
            rows.append({"work_id": f"W{i:08d}", "status": "active", "year": r.year, "data": data, "content_hash": str(i),
                         "created_at": now, "updated_at": now})
        with st.begin() as conn:
            for i in range(0, len(rows), 5000):
                conn.execute(works.insert(), rows[i : i + 5000])
        t = time.perf_counter()
        report = tag(st, folder)
        elapsed = time.perf_counter() - t
        print(f"ir tag on {report.works} works (SQLite): {elapsed:.1f} s, {report.works / elapsed:,.0f} works/s; "
              f"tagged {report.tagged}, per list {report.per_list}")
        st.dispose()


if __name__ == "__main__":
    main()
