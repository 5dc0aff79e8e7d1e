"""Consolidation benchmark: accuracy on public ER benchmarks and a synthetic three-source set, speed, Splink.

    .venv/bin/python bench/consolidate.py                 # everything (Splink needs the bench extra)
    .venv/bin/python bench/consolidate.py --only dblp-acm --no-splink
    .venv/bin/python bench/consolidate.py --synthetic 100000

One ConsolidateSettings (the defaults) for every dataset: no label-driven tuning. Pairwise precision,
recall and F1 count cross-source pairs (DBLP-ACM, DBLP-Scholar: the mapping's pairs; synthetic: every
pair of records of the same true work).
"""

from __future__ import annotations

import argparse
import csv
import html
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ir.consolidate.engine import resolve  # noqa: E402
from ir.consolidate.settings import ConsolidateSettings  # noqa: E402
from ir.model import Author, Journal, Record, Title  # noqa: E402

BENCH = Path(os.environ.get("IR_SHARED", ROOT.parent / "shared")) / "benchmarks"


# --------------------------------------------------------------------------- data

def _fix(text: str) -> str:
    """Undo double-encoded UTF-8 ('SjÃ¶strÃ¶m') where that is what it is; decode HTML entities."""
    text = html.unescape(text or "")
    if "Ã" in text or "â€" in text:
        try:
            text = text.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return text


def row_record(source: str, row: dict) -> Record:
    authors = [a.strip() for a in _fix(row.get("authors") or "").split(",") if a.strip()]
    year = (row.get("year") or "").strip()
    title = _fix(row.get("title") or "").strip()
    return Record(
        source=source, source_id=row["id"].strip(),
        titles=[Title(title)] if title else [],
        authors=[Author(position=k + 1, name=a) for k, a in enumerate(authors)],
        journal=Journal(title=_fix(row.get("venue") or "").strip() or None),
        year=int(float(year)) if year and year.replace(".", "").isdigit() else None,
    )


def read_csv(path: Path, encoding: str) -> list[dict]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def load_leipzig(name: str):
    if name == "dblp-acm":
        d = BENCH / "dblp-acm" / "original"
        left = [row_record("dblp", r) for r in read_csv(d / "DBLP2.csv", "latin-1")]
        right = [row_record("acm", r) for r in read_csv(d / "ACM.csv", "latin-1")]
        truth = {(r["idDBLP"].strip(), r["idACM"].strip()) for r in read_csv(d / "DBLP-ACM_perfectMapping.csv", "latin-1")}
    else:
        d = BENCH / "dblp-scholar"
        left = [row_record("dblp", r) for r in read_csv(d / "DBLP1.csv", "latin-1")]
        right = [row_record("scholar", r) for r in read_csv(d / "Scholar.from-parquet.csv", "utf-8")]
        truth = {(r["idDBLP"].strip(), r["idScholar"].strip()) for r in read_csv(d / "DBLP-Scholar_perfectMapping.csv", "latin-1")}
    return left, right, truth


def cross_pairs(clusters: list[list[Record]], a: str, b: str) -> set[tuple[str, str]]:
    out = set()
    for members in clusters:
        xs = [r.source_id for r in members if r.source == a]
        ys = [r.source_id for r in members if r.source == b]
        out.update((x, y) for x in xs for y in ys)
    return out


def prf(pred: set, truth: set) -> tuple[float, float, float]:
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(truth) if truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the matcher scores large runs in forked workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_ir(records: list[Record], settings: ConsolidateSettings):
    t, c = time.perf_counter(), cpu_seconds()
    res = resolve(records, settings)
    elapsed, cpu = time.perf_counter() - t, cpu_seconds() - c
    clusters = [[records[i] for i in members] for members in res.clusters()]
    res.stats["cpu_s"] = round(cpu, 2)
    return clusters, elapsed, res.stats, res


# --------------------------------------------------------------------------- synthetic

def demo_records(data: Path, n_records: int) -> tuple[list[Record], dict[str, str]]:
    """The records and truth of a set ir.demo.generate wrote (e.g. the one bench/consolidate_store.py caches)."""
    from ir.ingest import expand_paths, read_file

    records = []
    for p in sorted(expand_paths([data / "exports"])):
        records.extend(i for i in read_file(p).items if isinstance(i, Record))
    truth = {f"{r['source']}:{r['source_id']}": r["work_key"] for r in read_csv(data / "truth" / "records.csv", "utf-8")}
    return [r for r in records if f"{r.source}:{r.source_id}" in truth][:n_records], truth


def synthetic(n_records: int, seed: int = 7, data: Path | None = None
              ) -> tuple[list[Record], dict[str, str], str, Path | None]:
    """Three sources with known truth; ir.demo's generator when it is there, else a built-in one."""
    if data is not None:
        records, truth = demo_records(data, n_records)
        return records, truth, f"ir.demo set {data.name}", data
    try:
        from ir.demo import generate  # written by another helper

        out = Path(tempfile.mkdtemp(prefix="ir-bench-"))
        generate(out, works=max(1, int(n_records / RECORDS_PER_WORK)), people=max(50, n_records // 100))
        from ir.ingest import expand_paths, read_file

        records = []
        for p in expand_paths([out / "exports"]):
            records.extend(i for i in read_file(p).items if isinstance(i, Record))
        truth = {f"{r['source']}:{r['source_id']}": r["work_key"] for r in read_csv(out / "truth" / "records.csv", "utf-8")}
        records = [r for r in records if f"{r.source}:{r.source_id}" in truth][:n_records]
        if records:
            return records, truth, "ir.demo.generate", out
    except Exception as exc:  # noqa: BLE001 - the built-in generator stands in, and the table says so
        print(f"(ir.demo not usable: {type(exc).__name__}: {exc}; using the built-in generator)", file=sys.stderr)
    records, truth = builtin_synthetic(n_records, seed)
    return records, truth, "built-in generator", None


RECORDS_PER_WORK = 1.5  # measured on ir.demo's output; the set is cut to n_records

WORDS = ("analysis model method network learning deep adaptive robust estimation control system graph neural "
         "optimization distributed sensor image segmentation detection prediction fuzzy stochastic dynamic "
         "thermal stress fracture composite polymer catalyst oxidation synthesis nanoparticle membrane energy "
         "battery lithium solar cell grid power wind turbine vibration damping bridge concrete steel soil "
         "water pollution removal adsorption kinetics enzyme protein gene expression cancer tumor cohort "
         "patients clinical trial risk factor survey urban traffic safety crash driver vehicle autonomous "
         "navigation robot manipulator trajectory planning wireless channel antenna signal radar spectrum "
         "coding privacy blockchain cloud edge computing scheduling queue reliability fault diagnosis bearing").split()
SURNAMES = ("Zhang Wang Li Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng Liang Xie "
            "Tang Song Smith Johnson Brown Miller Garcia Muller Rossi Tanaka Kim Park Nguyen Singh Kumar Silva").split()
GREEK = [("α", "alpha"), ("β", "beta"), ("γ", "gamma"), ("μ", "mu")]


def builtin_synthetic(n_records: int, seed: int = 7) -> tuple[list[Record], dict[str, str]]:
    rng = random.Random(seed)
    journals = []
    for k in range(800):
        words = rng.sample(WORDS, 3)
        issn7 = f"{rng.randrange(10**7):07d}"
        from ir.normalize import issn_check_digit

        journals.append(Journal(title="Journal of " + " ".join(w.title() for w in words),
                                abbreviation="J " + " ".join(w[:4].upper() for w in words),
                                issn=f"{issn7[:4]}-{issn7[4:]}{issn_check_digit(issn7)}"))
    records: list[Record] = []
    truth: dict[str, str] = {}
    w = 0
    while len(records) < n_records:
        w += 1
        key = f"w{w}"
        jr = rng.choice(journals)
        year = rng.randrange(2005, 2025)
        nw = rng.randrange(5, 16)
        title = " ".join(rng.choice(WORDS) for _ in range(nw)).capitalize()
        if rng.random() < 0.1:
            g = rng.choice(GREEK)
            title += f" of {g[0]}-phase"
        authors = [f"{rng.choice(SURNAMES)}, {rng.choice('ABCDEFGHJKLMNPQRSTWXYZ')}" for _ in range(rng.randrange(1, 7))]
        vol, fp = str(rng.randrange(1, 300)), rng.randrange(1, 9000)
        lp = fp + rng.randrange(3, 25)
        doi = f"10.{rng.randrange(1000, 9999)}/j.x.{year}.{w:07d}" if rng.random() < 0.8 else None
        kind = rng.random()
        doc_type = "article" if kind < 0.85 else ("proceedings paper" if kind < 0.97 else "correction")
        if doc_type == "correction":
            title = "Correction: " + title
        n_src = rng.choices([1, 2, 3, 4], weights=[25, 35, 35, 5])[0]
        srcs = rng.sample(["wos", "ei", "scopus"], min(n_src, 3)) + (["wos"] if n_src == 4 else [])
        for s in srcs:
            t = title
            if rng.random() < 0.3:
                t = t.upper() if rng.random() < 0.5 else t.lower()
            if rng.random() < 0.2:  # a typo
                pos = rng.randrange(len(t))
                t = t[:pos] + rng.choice("abcdefghijklmnopqrstuvwxyz") + t[pos + 1:]
            if "-phase" in t and rng.random() < 0.5:
                for sym, name in GREEK:
                    t = t.replace(sym, name)
            if rng.random() < 0.1:
                t = t.replace(" ", "  ") + "."
            if rng.random() < 0.05:
                t = "<i>" + t + "</i>"
            d = doi
            if d and rng.random() < 0.15:
                d = None
            elif d and rng.random() < 0.3:
                d = "https://doi.org/" + d.upper()
            y = year
            ea = None
            if s == "wos" and rng.random() < 0.1:
                ea = year - 1
            if s != "wos" and rng.random() < 0.05:
                y = year - 1 if rng.random() < 0.5 else year  # early-access year reported as the year
            au = authors if rng.random() > 0.05 else authors[1:] or authors
            name_form = (lambda a: a) if s == "wos" else (lambda a: a.replace(", ", " ").split()[0] + ", " + a.split(", ")[1] + ".")
            f_page, l_page = str(fp), str(lp)
            if rng.random() < 0.2:
                l_page = str(lp)[-2:] if lp // 100 == fp // 100 else str(lp)
            rec = Record(
                source=s, source_id=f"{s.upper()}:{w:08d}{len(records)}", doc_type=doc_type,
                titles=[Title(t)], authors=[Author(position=k + 1, name=name_form(a)) for k, a in enumerate(au)],
                journal=Journal(title=jr.title if rng.random() < 0.6 else jr.abbreviation,
                                issn=jr.issn if rng.random() < 0.8 else None),
                year=y, early_access_year=ea, volume=vol if rng.random() < 0.9 else None,
                first_page=f_page if rng.random() < 0.9 else None, last_page=l_page, doi=d,
            )
            records.append(rec)
            truth[f"{rec.source}:{rec.source_id}"] = key
    return records[:n_records], truth


def truth_pairs_from(records: list[Record], truth: dict[str, str]) -> set[tuple[str, str]]:
    groups = defaultdict(list)
    for r in records:
        groups[truth[f"{r.source}:{r.source_id}"]].append(f"{r.source}:{r.source_id}")
    return {tuple(sorted(p)) for g in groups.values() for p in combinations(sorted(g), 2)}


def all_pairs(clusters: list[list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for g in clusters for p in combinations(sorted(g), 2)}


# --------------------------------------------------------------------------- splink

def run_splink(left: list[Record], right: list[Record] | None, link_type: str):
    """Splink 4 (DuckDB): trained as its documentation describes; returns (clusters of keys, seconds)."""
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from ir.normalize import surname_key, title_key

    def frame(recs):
        return pd.DataFrame({
            "unique_id": [f"{r.source}:{r.source_id}" for r in recs],
            "title": [title_key(r.title) or None for r in recs],
            "surname": [surname_key(r.authors[0].name) if r.authors else None for r in recs],
            "venue": [(r.journal.title or "").casefold() or None for r in recs],
            "year": [str(r.year) if r.year else None for r in recs],
            "doi": [r.doi.casefold() if r.doi else None for r in recs],
            "title3": [" ".join(title_key(r.title).split()[:3]) or None for r in recs],
        })

    import logging

    logging.getLogger("splink").setLevel(logging.ERROR)
    t = time.perf_counter()
    dfs = [frame(left)] + ([frame(right)] if right is not None else [])
    has_doi = any(d["doi"].notna().any() for d in dfs)
    blocking = [block_on("title3"), block_on("surname", "year")] + ([block_on("doi")] if has_doi else [])
    settings = SettingsCreator(
        link_type=link_type,
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.JaroWinklerAtThresholds("title", [0.97, 0.9, 0.8]),
            cl.ExactMatch("surname"),
            cl.LevenshteinAtThresholds("venue", [2, 5]),
            cl.ExactMatch("year"),
        ] + ([cl.ExactMatch("doi")] if has_doi else []),
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(dfs, settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("title")] + ([block_on("doi")] if has_doi else []), recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("title3"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "year"))
    preds = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(preds, 0.5).as_pandas_dataframe()
    elapsed = time.perf_counter() - t
    groups = defaultdict(list)
    for cid, uid in zip(clusters["cluster_id"], clusters["unique_id"]):
        groups[cid].append(uid)
    return list(groups.values()), elapsed


# --------------------------------------------------------------------------- what remains, by class

def version_pairs(records: list[Record], pairs: set[tuple[str, str]], res, settings, a: str, b: str) -> dict:
    """Which of the pairs (ids of sources a and b) are two versions of one piece of research by ir's rules
    (a conference paper and its journal version, typed or told by venue and year; a preprint and its published
    version), and which of those ir keeps apart and links (is_version_of)."""
    from ir.consolidate.scoring import VERSION_CONFLICTS, version_conflict

    index = {(r.source, r.source_id): i for i, r in enumerate(records)}
    label = res.labels
    linked = {(min(label[r["a"]], label[r["b"]]), max(label[r["a"]], label[r["b"]]))
              for r in res.relations if r["relation"] == "is_version_of"}
    out: dict = {"by_reason": Counter(), "linked": set(), "merged": 0, "pairs": set()}
    for x, y in pairs:
        i, j = index[(a, x)], index[(b, y)]
        why = version_conflict(res.features, i, j, settings)
        if why not in VERSION_CONFLICTS:
            continue
        out["pairs"].add((x, y))
        out["by_reason"][why] += 1
        if label[i] == label[j]:
            out["merged"] += 1
        elif (min(label[i], label[j]), max(label[i], label[j])) in linked:
            out["linked"].add((x, y))
    return out


def linked_versions(records: list[Record], res, a: str, b: str) -> set[tuple[str, str]]:
    """(a id, b id) of every pair of records in two works ir links as versions: what Google Scholar lists as one."""
    members: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(res.labels):
        members[lab].append(i)
    out = set()
    for r in res.relations:
        if r["relation"] != "is_version_of":
            continue
        for x in members[res.labels[r["a"]]]:
            for y in members[res.labels[r["b"]]]:
                rx, ry = records[x], records[y]
                if rx.source == b:
                    rx, ry = ry, rx
                if rx.source == a and ry.source == b:
                    out.add((rx.source_id, ry.source_id))
    return out


def error_classes(records: list[Record], pairs, res, settings, *, missed: bool) -> Counter:
    """Missed merges (``missed``) or wrong merges, by why: the decision the matcher made about the pair."""
    import numpy as np

    from ir.consolidate.scoring import hard_conflict, score_pairs

    index = {f"{r.source}:{r.source_id}": i for i, r in enumerate(records)}
    pairs = sorted(pairs)
    if not pairs:
        return Counter()
    I = np.asarray([index[x] for x, _ in pairs])
    J = np.asarray([index[y] for _, y in pairs])
    I, J = np.minimum(I, J), np.maximum(I, J)
    ps = score_pairs(res.features, I, J, settings, prune=False)
    refused = {(min(r["i"], r["j"]), max(r["i"], r["j"])): r["reason"] for r in res.refused}
    thr, margin = settings.match_threshold, settings.review_margin
    out: Counter = Counter()
    for k, (i, j) in enumerate(zip(I.tolist(), J.tolist())):
        score, pts = float(ps.total[k]), ps.evidence(k)["points"]
        if missed:
            why = hard_conflict(res.features, i, j, settings)
            reason = refused.get((i, j), "")
            if why:
                out[f"kept apart: {why}"] += 1
            elif "chain guard" in reason:
                out["refused by the chain guard (in the review queue)"] += 1
            elif "same source" in reason:
                out["a rival in the same source as good or better (in the review queue)"] += 1
            elif score >= thr:
                out["scored a match, refused as its cluster grew"] += 1
            elif score >= thr - margin:
                out["just below the threshold (in the review queue)"] += 1
            elif pts.get("title", 0) < 2:
                out["titles disagree (often another paper in the truth)"] += 1
            else:
                out["far below the threshold, titles alike"] += 1
        else:
            if score < thr:
                out["joined through a third record"] += 1
            elif pts.get("title", 0) >= 5 and pts.get("surname", 0) <= 0:
                out["same title, other first author"] += 1
            elif pts.get("title", 0) <= 3:
                out["similar title, same authors (often another paper by the team)"] += 1
            else:
                out["near-identical title and authors (often missing from the truth)"] += 1
    return out


def print_classes(title: str, classes: Counter) -> None:
    print(f"  {title}: {sum(classes.values())}")
    for k, v in classes.most_common():
        print(f"    {v:6d}  {k}")


def demo_report(records: list[Record], truth: dict[str, str], data: Path | None, res, settings) -> None:
    """On an ir.demo set: CNKI-Ei pairs of Chinese papers, relations and the review queue against the truth."""
    works_csv = (data / "truth" / "works.csv") if data else None
    if works_csv is None or not works_csv.is_file():
        return
    works = {w["work_key"]: w for w in read_csv(works_csv, "utf-8")}
    key = [truth[f"{r.source}:{r.source_id}"] for r in records]
    label = res.labels
    by_work: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(key):
        by_work[k].append(i)
    tot = ok = 0
    for k, idx in by_work.items():
        if works[k]["language"] != "zh":
            continue
        for i, j in combinations(idx, 2):
            if {records[i].source, records[j].source} == {"cnki", "ei"}:
                tot += 1
                ok += label[i] == label[j]
    print(f"  CNKI-Ei pairs of the same Chinese-language paper merged: {ok}/{tot} = {ok / max(tot, 1):.4f}")
    want = set()
    for w in works.values():
        if w["relation"] == "journal_version_of":
            want.add((w["related_work_key"], "is_version_of", w["work_key"]))
        elif w["relation"] == "correction_of":
            want.add((w["work_key"], "corrects", w["related_work_key"]))
    got = {(key[r["a"]], r["relation"], key[r["b"]]) for r in res.relations}
    for rel in ("is_version_of", "corrects"):
        w_, g_ = {x for x in want if x[1] == rel}, {x for x in got if x[1] == rel}
        p_, r_, f_ = prf(g_, w_)
        print(f"  relation {rel}: {len(g_ & w_)} right, {len(g_ - w_)} not in the truth, {len(w_ - g_)} missed "
              f"(precision {p_:.3f}, recall {r_:.3f})")
    near = res.near
    same = sum(key[n["a"]] == key[n["b"]] for n in near)
    print(f"  review queue (likely duplicates): {len(near)} pairs, {same} of them one work in the truth")


# --------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["dblp-acm", "dblp-scholar", "synthetic"], action="append")
    ap.add_argument("--synthetic", type=int, default=100_000, help="records in the synthetic set")
    ap.add_argument("--splink-synthetic", type=int, default=20_000, help="records of the synthetic set Splink gets")
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--data", type=Path, help="a set ir.demo.generate already wrote, e.g. "
                    "var/bench/consolidate_w64000_p128000_s7 (cached by bench/consolidate_store.py)")
    args = ap.parse_args()
    only = set(args.only or ["dblp-acm", "dblp-scholar", "synthetic"])
    settings = ConsolidateSettings()
    rows = []

    def splink_row(name, clusters_keys, truth_keys, elapsed_ir, f1_ir, left, right, link_type):
        if args.no_splink:
            return
        c = cpu_seconds()
        try:
            sc, st = run_splink(left, right, link_type)
        except ImportError as exc:
            print(f"(Splink not installed: {exc}; pip install -e .[bench])", file=sys.stderr)
            return
        p, r, f1 = prf(clusters_keys(sc), truth_keys)
        rows.append((f"{name} Splink", len(left) + len(right or []), p, r, f1, st, cpu_seconds() - c,
                     f"ir F1 {f1_ir - f1:+.4f} vs Splink; ir {st / elapsed_ir:.1f}x faster (wall)"))

    print(load(), "at the start")
    for name in ("dblp-acm", "dblp-scholar"):
        if name not in only:
            continue
        left, right, truth = load_leipzig(name)
        other = "acm" if name == "dblp-acm" else "scholar"
        records = left + right
        clusters, elapsed, stats, res = run_ir(records, settings)
        pred = cross_pairs(clusters, "dblp", other)
        p, r, f1 = prf(pred, truth)
        rows.append((f"{name} ir", len(records), p, r, f1, elapsed, stats["cpu_s"],
                     f"{stats['candidate_pairs']} candidate pairs"))
        print(f"\n{name}: F1 {f1:.4f} (precision {p:.4f}, recall {r:.4f}); {stats['relations']} relations, "
              f"{stats['near_misses']} pairs for the review queue")
        versions = version_pairs(records, truth, res, settings, "dblp", other)
        linked = linked_versions(records, res, "dblp", other)
        print(f"  truth pairs that are two versions by ir's rules: {len(versions['pairs'])} of {len(truth)} "
              f"({', '.join(f'{v} {k}' for k, v in versions['by_reason'].most_common())}); "
              f"ir keeps them apart, links {len(versions['linked'])} as is_version_of, merged {versions['merged']}")
        if name == "dblp-scholar":
            pv, rv, fv = prf(pred | linked, truth)
            rows.append((f"{name} ir, versions as one entry", len(records), pv, rv, fv, elapsed, stats["cpu_s"],
                         "Google Scholar's view: works ir links as versions count as one entry"))
            apart = versions["pairs"]
            pa, ra, fa = prf(pred - apart, truth - apart)
            rows.append((f"{name} ir, version pairs set aside", len(records), pa, ra, fa, elapsed, stats["cpu_s"],
                         f"the {len(apart)} truth pairs that are two versions left out of the truth"))
        keys = lambda pairs: {(f"dblp:{x}", f"{other}:{y}") for x, y in pairs}  # noqa: E731
        print_classes("missed merges", error_classes(records, keys(truth - pred), res, settings, missed=True))
        print_classes("wrong merges", error_classes(records, keys(pred - truth), res, settings, missed=False))

        def keys_to_pairs(groups, other=other):
            out = set()
            for g in groups:
                xs = [k.split(":", 1)[1] for k in g if k.startswith("dblp:")]
                ys = [k.split(":", 1)[1] for k in g if k.startswith(other + ":")]
                out.update((x, y) for x in xs for y in ys)
            return out

        splink_row(name, keys_to_pairs, truth, elapsed, f1, left, right, "link_and_dedupe")

    if "synthetic" in only:
        records, truth, origin, data = synthetic(args.synthetic, data=args.data)
        tp = truth_pairs_from(records, truth)
        clusters, elapsed, stats, res = run_ir(records, settings)
        pred = all_pairs([[f"{r.source}:{r.source_id}" for r in c] for c in clusters])
        p, r, f1 = prf(pred, tp)
        rows.append((f"synthetic ir ({origin})", len(records), p, r, f1, elapsed, stats["cpu_s"],
                     f"{stats['candidate_pairs']} candidate pairs; stages {_stages(stats)}"))
        print(f"\nsynthetic ({origin}): F1 {f1:.4f} (precision {p:.4f}, recall {r:.4f})")
        print("  pairs per blocking rule (before de-duplication):", ", ".join(
            f"{k} {v}" for k, v in stats.get("pairs_per_rule", {}).items()))
        demo_report(records, truth, data, res, settings)
        print_classes("missed merges (pairs)", error_classes(records, tp - pred, res, settings, missed=True))
        print_classes("wrong merges (pairs)", error_classes(records, pred - tp, res, settings, missed=False))
        if not args.no_splink and args.splink_synthetic:
            sub = records[: args.splink_synthetic]
            sub_tp = truth_pairs_from(sub, truth)
            c2, e2, st2, _ = run_ir(sub, settings)
            p2, r2, f12 = prf(all_pairs([[f"{x.source}:{x.source_id}" for x in c] for c in c2]), sub_tp)
            rows.append((f"synthetic ir (first {len(sub)})", len(sub), p2, r2, f12, e2, st2["cpu_s"], ""))
            splink_row(f"synthetic (first {len(sub)})", all_pairs, sub_tp, e2, f12, sub, None, "dedupe_only")

    print()
    print(f"{'run':44} {'records':>8} {'precision':>9} {'recall':>7} {'F1':>7} {'wall s':>7} {'cpu s':>7}  notes")
    for name, n, p, r, f1, secs, cpu, note in rows:
        print(f"{name:44} {n:>8} {p:>9.4f} {r:>7.4f} {f1:>7.4f} {secs:>7.2f} {cpu:>7.2f}  {note}")
    print(load(), "at the end;", os.cpu_count(), "cores")


def _stages(stats: dict) -> str:
    return ", ".join(f"{k[:-2]} {v}s" for k, v in stats.items() if k.endswith("_s") and k != "total_s")


if __name__ == "__main__":
    main()
