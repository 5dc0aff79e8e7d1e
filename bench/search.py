"""Search benchmark: indexing throughput and query latency on 100,000 realistic works.

* ES indexing: ir's ``bulk_upsert`` (streaming_bulk in batches, retries armed) against a plain ``_bulk``
  of the same documents with the raw client into an index with the same mappings. Target: ratio >= 0.8.
* ES search latency over a few hundred mixed queries (English words and phrases, two-character
  Chinese, filters, sorts, every call with facets and highlights). Target: p95 < 100 ms.
* The same figures for the embedded index (SQLite FTS5).

Usage: python bench/search.py [--works 100000] [--queries 300] [--es-url http://127.0.0.1:9200]
(ES URL defaults to IR_SEARCH_URL, then IR_TEST_ES_URL, then http://127.0.0.1:9200; --no-es skips it.)
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ir.search import SearchSettings  # noqa: E402
from ir.search.documents import build_document  # noqa: E402

EN = ("catalytic oxidation carbon monoxide gold nanoparticles copper catalyst hydrogen evolution photocatalytic "
      "water splitting deep learning protein structure prediction graphene oxide membrane lithium battery "
      "anode cathode perovskite solar cell thin film neural network image segmentation reinforcement policy "
      "optimization traffic flow urban planning soil microbial community rice yield drought stress gene "
      "expression cancer immunotherapy tumour microenvironment finite element analysis concrete fatigue "
      "bridge seismic response wind turbine control power grid stability supply chain risk carbon emission "
      "policy rural education reform language acquisition corpus translation quantum dot laser fiber sensor "
      "terahertz antenna radar signal processing ").split()
ZH = ("催化 氧化 纳米 颗粒 铜基 催化剂 制备 性能 研究 光催化 分解 水 制氢 深度 学习 蛋白质 结构 预测 石墨烯 "
      "薄膜 锂电池 负极 钙钛矿 太阳能 电池 神经 网络 图像 分割 强化 优化 交通 流量 城市 规划 土壤 微生物 群落 "
      "水稻 产量 干旱 胁迫 基因 表达 肿瘤 免疫 治疗 有限元 分析 混凝土 疲劳 桥梁 地震 响应 风力 发电 控制 电网 "
      "稳定性 供应链 风险 碳排放 政策 农村 教育 改革 语言 习得 语料库 翻译 量子点 激光 光纤 传感器 天线 雷达 信号").split()
SOURCES = ["wos", "scopus", "ei", "cnki", "wanfang", "cscd", "cssci"]
TYPES = ["article"] * 6 + ["conference", "review", "thesis", "book-chapter"]
INDEXES = ["SCIE", "SSCI", "EI Compendex", "CSCD", "CSSCI", "CNKI", "Scopus", "ESCI", "CPCI-S"]
STATUSES = ["auto"] * 5 + ["claimed", "suggested", "unmatched", "rejected"]


HAN_POOL = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
            "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
            "应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命"
            "此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老")


def vocabulary(seed: int) -> tuple[list[str], list[str]]:
    """English-like and Chinese vocabularies of realistic size; the real terms above sit at mid ranks, so
    queries for them match hundreds to a few thousand works, as real topic words do in 100,000 works."""
    rnd = random.Random(seed)
    syll = ["ka", "to", "ri", "mer", "lin", "phos", "tra", "ne", "cy", "bo", "gen", "ic", "al", "ous", "ment",
            "ation", "ide", "ene", "ol", "ase", "ite", "ism", "ics", "th", "ur", "dro", "ply", "mo", "vi", "sel"]
    fake = list(dict.fromkeys("".join(rnd.choice(syll) for _ in range(rnd.randint(2, 4))) for _ in range(30000)))
    en = fake[:20000]
    for w in EN:
        en.insert(rnd.randint(30, 1500), w)
    zh = list(dict.fromkeys("".join(rnd.sample(HAN_POOL, 2)) for _ in range(8000)))
    for w in ZH:
        zh.insert(rnd.randint(20, 800), w)
    return en, zh


def zipf_sampler(words: list[str], rnd: random.Random, s: float = 1.05):
    weights = [1 / (k + 10) ** s for k in range(len(words))]
    cum = list(itertools.accumulate(weights))
    return lambda n: rnd.choices(words, cum_weights=cum, k=n)


def make_records(n: int, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    en_vocab, zh_vocab = vocabulary(seed)
    en_words, zh_words = zipf_sampler(en_vocab, rnd), zipf_sampler(zh_vocab, rnd)
    depts = [(f"D{i:02d}", f"School {i:02d}") for i in range(40)]
    out = []
    for i in range(n):
        chinese = rnd.random() < 0.4
        en_title = " ".join(en_words(rnd.randint(5, 12))).capitalize()
        titles = [{"text": en_title, "lang": "en"}]
        if chinese:
            titles.insert(0, {"text": "".join(zh_words(rnd.randint(4, 9))), "lang": "zh"})
        abstract = ("".join(zh_words(rnd.randint(40, 120))) if chinese and rnd.random() < 0.5
                    else " ".join(en_words(rnd.randint(60, 160))))
        authors = []
        for pos in range(1, rnd.randint(2, 9)):
            ours = rnd.random() < 0.35
            pid = f"P{rnd.randint(1, 5000):05d}" if ours else None
            d = rnd.choice(depts) if ours else (None, None)
            authors.append({"position": pos, "name": f"Author {rnd.randint(1, 90000)}", "person_id": pid,
                            "person_name": f"Person {pid}" if pid else None, "org_id": d[0], "org_name": d[1],
                            "status": rnd.choice(STATUSES) if pid else "unmatched"})
        srcs = rnd.sample(SOURCES, rnd.randint(1, 3))
        out.append({
            "work_id": f"W{i:08d}", "title": titles[0]["text"] if not chinese else en_title, "titles": titles,
            "year": rnd.randint(1995, 2025) if rnd.random() > 0.01 else None, "doc_type": rnd.choice(TYPES),
            "journal": {"title": f"Journal of {en_words(1)[0].capitalize()} {rnd.randint(1, 300)}",
                        "issn": f"{rnd.randint(1000, 9999)}-{rnd.randint(1000, 9999)}"},
            "abstract": abstract, "keywords": en_words(4) + (zh_words(2) if chinese else []),
            "sources": [{"source": s, "source_id": f"{s}:{i}"} for s in srcs],
            "indexes": rnd.sample(INDEXES, rnd.randint(0, 3)), "authors": authors,
            "tags": {"jcr": rnd.choice(["Q1", "Q2", "Q3", "Q4"])} if rnd.random() < 0.6 else {},
        })
    return out


def make_queries(n: int, seed: int = 11) -> list[tuple[str, dict, str]]:
    rnd = random.Random(seed)
    qs = []
    for k in range(n):
        kind = k % 6
        if kind == 0:
            qs.append((rnd.choice(EN), {}, "relevance"))
        elif kind == 1:
            qs.append((f"{rnd.choice(EN)} {rnd.choice(EN)}", {}, "relevance"))
        elif kind == 2:
            qs.append((rnd.choice([z for z in ZH if len(z) == 2]), {}, "relevance"))
        elif kind == 3:
            qs.append((rnd.choice(EN), {"year": [str(rnd.randint(2010, 2025))]}, "year_desc"))
        elif kind == 4:
            qs.append(("", {"department": [f"D{rnd.randint(0, 39):02d}"], "tiers": ["jcr:Q1"]}, "relevance"))
        else:
            qs.append((f'"{rnd.choice(EN)} {rnd.choice(EN)}"', {"source": [rnd.choice(SOURCES)]}, "title"))
    return qs


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def latency(backend, queries) -> tuple[float, float, float]:
    for q, f, s in queries[:20]:  # warm-up
        backend.search(q, f, s)
    times = []
    for q, f, s in queries:
        t = time.perf_counter()
        backend.search(q, f, s, 1, 20)
        times.append((time.perf_counter() - t) * 1000)
    return pct(times, 50), pct(times, 95), max(times)


def bench_es(url: str, docs: list[dict], queries, batch: int) -> list[tuple[str, str]]:
    from elasticsearch import Elasticsearch

    from ir.search.es import ElasticBackend, index_body

    opts = SearchSettings(index_alias=f"irbench-{uuid.uuid4().hex[:8]}", replicas=0, batch_size=batch)
    backend = ElasticBackend(url, opts)
    raw = Elasticsearch(url, request_timeout=120)
    raw_index = f"{opts.index_alias}-raw"
    rows = []
    try:
        body = index_body(opts)
        raw.indices.create(index=raw_index, settings=body["settings"], mappings=body["mappings"])
        t = time.perf_counter()
        for start in range(0, len(docs), batch):
            ops = []
            for d in docs[start:start + batch]:
                ops += [{"index": {"_index": raw_index, "_id": d["work_id"]}}, d]
            resp = raw.bulk(operations=ops)
            assert not resp["errors"]
        raw.indices.refresh(index=raw_index)
        raw_s = time.perf_counter() - t
        raw.indices.delete(index=raw_index)

        backend.ensure_index()
        t = time.perf_counter()
        res = backend.bulk_upsert(docs)
        backend.refresh()
        ir_s = time.perf_counter() - t
        assert not res.errors and len(res.ok) == len(docs)
        assert backend.count() == len(docs)

        t = time.perf_counter()
        backend.rebuild(iter(docs))
        rebuild_s = time.perf_counter() - t

        p50, p95, worst = latency(backend, queries)
        n = len(docs)
        rows += [
            ("ES plain _bulk (raw client)", f"{n / raw_s:,.0f} docs/s ({raw_s:.1f} s)"),
            ("ES ir bulk_upsert", f"{n / ir_s:,.0f} docs/s ({ir_s:.1f} s)"),
            ("ES throughput ratio ir/plain (target >= 0.8)", f"{raw_s / ir_s:.2f}"),
            ("ES ir rebuild (new index + alias swap)", f"{n / rebuild_s:,.0f} docs/s ({rebuild_s:.1f} s)"),
            (f"ES search latency p50 / p95 / max ({len(queries)} queries, target p95 < 100 ms)",
             f"{p50:.1f} / {p95:.1f} / {worst:.1f} ms"),
        ]
    finally:
        backend.drop()
        raw.indices.delete(index=raw_index, ignore_unavailable=True)
        backend.close()
        raw.close()
    return rows


def bench_embedded(docs: list[dict], queries) -> list[tuple[str, str]]:
    from ir.search.embedded import EmbeddedBackend
    from ir.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.sqlite")
        backend = EmbeddedBackend(store.engine, SearchSettings())
        backend.ensure_index()
        t = time.perf_counter()
        backend.bulk_upsert(docs)
        up_s = time.perf_counter() - t
        t = time.perf_counter()
        backend.rebuild(iter(docs))
        rebuild_s = time.perf_counter() - t
        p50, p95, worst = latency(backend, queries)
        size_mb = Path(f"{tmp}/bench.sqlite").stat().st_size / 1e6
        store.dispose()
    n = len(docs)
    return [
        ("embedded bulk_upsert", f"{n / up_s:,.0f} docs/s ({up_s:.1f} s)"),
        ("embedded rebuild", f"{n / rebuild_s:,.0f} docs/s ({rebuild_s:.1f} s), file {size_mb:.0f} MB"),
        (f"embedded search latency p50 / p95 / max ({len(queries)} queries)", f"{p50:.1f} / {p95:.1f} / {worst:.1f} ms"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--batch", type=int, default=SearchSettings().batch_size)
    ap.add_argument("--es-url", default=os.environ.get("IR_SEARCH_URL") or os.environ.get("IR_TEST_ES_URL")
                    or "http://127.0.0.1:9200")
    ap.add_argument("--no-es", action="store_true")
    ap.add_argument("--no-embedded", action="store_true")
    args = ap.parse_args()

    t = time.perf_counter()
    docs = [build_document(r) for r in make_records(args.works)]
    build_s = time.perf_counter() - t
    queries = make_queries(args.queries)
    rows = [("works", f"{len(docs):,}"), ("document building (build_document)", f"{len(docs) / build_s:,.0f} docs/s")]
    if not args.no_es:
        rows += bench_es(args.es_url, docs, queries, args.batch)
    if not args.no_embedded:
        rows += bench_embedded(docs, queries)
    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for k, v in rows:
        print(f"{k.ljust(width)}  {v}")


if __name__ == "__main__":
    main()
