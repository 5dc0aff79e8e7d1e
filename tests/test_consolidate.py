"""Consolidation: deduplication cases on realistic records, then the store (stability, incremental, decisions).

Records start from the real WoS sample (parsed by the real parser); the EI and CNKI variants of the same
papers are built as ir.model.Record objects, the way their parsers deliver them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ir.consolidate import ConsolidateSettings, consolidate, get_work, merge, split
from ir.consolidate.engine import resolve
from ir.ingest import ParsedFile, read_file, store_file
from ir.model import Author, Journal, Record, Title
from ir.store.tables.works import work_decisions, work_members, works


@pytest.fixture(scope="module")
def wos(samples) -> list[Record]:
    pf = read_file(samples / "wos_plain" / "trafficsafety-savedrecs.txt")
    recs = [r for r in pf.items if isinstance(r, Record) and r.doi and r.first_page and r.volume and r.authors]
    assert len(recs) > 50
    return recs


def ei_copy(r: Record, n: int, **changes) -> Record:
    """The same paper as Engineering Village exports it: its own id, mixed-case title, abbreviated journal."""
    e = copy.deepcopy(r)
    e.source, e.source_id = "ei", f"2019{n:08d}"
    e.titles = [Title(r.title.lower().capitalize(), "en")]
    e.journal = Journal(title=r.journal.title.title(), issn=(r.journal.issn or "").replace("-", ""))
    e.authors = [Author(position=a.position, name=a.full_name or a.name) for a in r.authors]
    e.doc_type = "article"
    e.database = "Compendex"
    e.editions = []
    for k, v in changes.items():
        setattr(e, k, v)
    return e


def together(records: list[Record], a: Record, b: Record, settings: ConsolidateSettings | None = None) -> bool:
    res = resolve(records, settings)
    keys = [f"{r.source}:{r.source_id}" for r in records]
    return res.labels[keys.index(f"{a.source}:{a.source_id}")] == res.labels[keys.index(f"{b.source}:{b.source_id}")]


# --------------------------------------------------------------------------- dedup cases

def test_doi_case_and_url_variants_merge(wos):
    w = wos[0]
    e = ei_copy(w, 1, doi="https://doi.org/" + w.doi.upper() + ".")
    res = resolve([w, e])
    assert res.labels[0] == res.labels[1]
    assert res.joined_by[1]["rule"] == "doi"


def test_cnki_chinese_record_and_wos_record_share_a_doi(wos):
    w = wos[1]
    c = Record(source="cnki", source_id="JTYS201805012", doc_type="article",
               titles=[Title("基于实时交通数据的事故风险预测方法研究", "zh")], year=w.year,
               authors=[Author(position=1, name="杨奎")], journal=Journal(title="交通运输工程学报"),
               doi=w.doi.upper())
    assert together([w, c], w, c)


def test_cnki_record_with_english_title_merges_without_doi(wos):
    w = wos[2]
    c = Record(source="cnki", source_id="JTYS201805013", doc_type="article", year=w.year,
               titles=[Title("一种实时事故风险预测方法", "zh"), Title(w.title.upper(), "en", translated=True)],
               authors=[Author(position=1, name="杨奎", name_zh="杨奎")], journal=Journal(title="交通运输工程学报"))
    c.authors[0].name = w.authors[0].name  # the pinyin byline CNKI gives beside the Chinese one
    assert together([w, c], w, c)
    # without the English title nothing makes it certain: no merge
    c2 = copy.deepcopy(c)
    c2.titles = c2.titles[:1]
    assert not together([w, c2], w, c2)


def test_chinese_only_cnki_record_merges_on_a_full_locator():
    """No DOI, no English title: the journal (pinyin = EI's romanised name), page and first author decide."""
    cnki = Record(source="cnki", source_id="JSGG202303012", doc_type="article", year=2023, volume=None,
                  first_page="655", titles=[Title("基于视觉Transformer和多尺度特征融合的医学图像分割", "zh")],
                  authors=[Author(position=1, name="杨傲欣"), Author(position=2, name="徐琳国")],
                  journal=Journal(title="计算机工程与应用研究"))
    ei = Record(source="ei", source_id="20231234567890", doc_type="article", year=2023, volume="45", first_page="655",
                titles=[Title("Medical image segmentation using vision transformers based on multi-scale feature fusion")],
                authors=[Author(position=1, name="Yang, Aoxin"), Author(position=2, name="Xu, Linguo")],
                journal=Journal(title="Jisuan Jigong Chengyu Yingyong Yanjiu/Computer Engineering and Applications Research"))
    res = resolve([cnki, ei])
    assert res.labels[0] == res.labels[1]
    assert res.joined_by[0]["points"]["pages"] > 0
    # the same pair with another first page is two works
    other = copy.deepcopy(ei)
    other.first_page = "700"
    assert len(resolve([cnki, other]).clusters()) == 2


def test_erratum_is_not_merged_with_its_article(wos):
    w = wos[3]
    corr = ei_copy(w, 2, doi=None, titles=[Title("Correction: " + w.title)], doc_type="correction",
                   first_page=None, last_page=None)
    corr2 = ei_copy(w, 3, doi=None, titles=[Title("Erratum to \"" + w.title + "\"")], first_page=None, last_page=None)
    recs = [w, corr, corr2]
    assert not together(recs, w, corr)
    assert not together(recs, w, corr2)


def test_conference_and_journal_versions_not_merged_by_default(wos):
    w = wos[4]
    conf = ei_copy(w, 4, doi=None, doc_type="proceedings paper", volume=None, first_page=None, last_page=None,
                   conference="Transportation Research Board Annual Meeting", year=w.year - 1,
                   journal=Journal(title="Transportation Research Board 97th Annual Meeting Compendium of Papers"))
    assert not together([w, conf], w, conf)
    assert together([w, conf], w, conf, ConsolidateSettings(merge_conference_journal=True))


def test_conflicting_pages_not_merged(wos):
    w = wos[5]
    other = ei_copy(w, 5, doi=None, first_page=str(int(w.first_page) + 40), last_page=None)
    assert not together([w, other], w, other)
    same = ei_copy(w, 6, doi=None, last_page=w.last_page[-2:])  # '250-61' style: same pages
    assert together([w, same], w, same)


def test_different_dois_never_merged(wos):
    w = wos[6]
    other = ei_copy(w, 7, doi="10.1016/j.aap.2099.00001")
    assert not together([w, other], w, other)


def test_duplicate_in_one_source_is_merged(wos):
    w = wos[7]
    dup = copy.deepcopy(w)
    dup.source_id = "WOS:999999999999999"
    dup.doi = None
    assert together([w, dup], w, dup)


def test_chain_guard_keeps_conflicting_ends_apart(wos):
    """A ~ B and B ~ C, but A and C have different pages: B may join one of them, never both."""
    w = wos[8]
    b = ei_copy(w, 8, doi=None, first_page=None, last_page=None, article_number=None, volume=None)
    c = ei_copy(w, 9, doi=None, first_page=str(int(w.first_page) + 100), last_page=None)
    c.source = "scopus"
    res = resolve([w, b, c])
    assert res.labels[0] != res.labels[2]
    assert res.refused, "the guard says what it refused and why"


def test_unrelated_papers_stay_apart_and_evidence_is_given(wos):
    recs = wos[:40] + [ei_copy(r, 100 + k) for k, r in enumerate(wos[:40])]
    for r in recs[40:]:
        r.doi = r.pmid = None
    res = resolve(recs)
    clusters = res.clusters()
    assert len(clusters) == 40
    assert all(len(c) == 2 and c[1] - c[0] == 40 for c in clusters)
    ev = res.joined_by[40]
    assert ev["rule"] == "fuzzy" and ev["score"] >= 5 and ev["points"]["title"] > 0 and "pages" in ev["points"]


# --------------------------------------------------------------------------- the store

def put(store, name: str, records: list[Record]):
    """Store records as ingest does for a parsed file of their source's format."""
    from ir import formats

    fmt = next(f for f in formats.formats() if f.source == records[0].source or f.source == "wos")
    data = json.dumps([r.to_dict() for r in records], default=str).encode()
    return store_file(store, ParsedFile(Path(name), data, fmt=fmt, items=list(records)))


def members_of(store) -> dict[str, str]:
    with store.connect() as conn:
        return {f"{s}:{i}": w for s, i, w in conn.execute(
            sa.select(work_members.c.source, work_members.c.source_id, work_members.c.work_id))}


def test_run_twice_changes_nothing(store, wos):
    put(store, "wos.txt", wos[:30])
    put(store, "ei.txt", [ei_copy(r, k) for k, r in enumerate(wos[:20])])
    first = consolidate(store)
    assert first.records_considered == 50 and first.works_created == 30 and first.works_total == 30
    with store.connect() as conn:
        before = conn.execute(sa.select(works.c.work_id, works.c.updated_at, works.c.content_hash)
                              .order_by(works.c.work_id)).all()
    m1 = members_of(store)
    again = consolidate(store)
    assert again.records_considered == 0 and again.works_created == again.works_updated == 0
    with store.connect() as conn:
        after = conn.execute(sa.select(works.c.work_id, works.c.updated_at, works.c.content_hash)
                             .order_by(works.c.work_id)).all()
    assert [tuple(r) for r in before] == [tuple(r) for r in after]
    assert members_of(store) == m1
    w = get_work(store, m1[f"wos:{wos[0].source_id}"])
    d = w["data"]
    assert d["doi"] == wos[0].doi.lower() and d["title"] == wos[0].title
    assert {"EI Compendex"} <= set(d["indexes"])
    assert d["provenance"]["title"] == f"wos:{wos[0].source_id}"
    assert {s["source"] for s in d["sources"]} == {"wos", "ei"}


def test_incremental_new_records_join_existing_works(store, wos):
    put(store, "wos.txt", wos[:25])
    consolidate(store)
    m1 = members_of(store)
    put(store, "ei.txt", [ei_copy(r, k, doi=None) for k, r in enumerate(wos[10:30])])
    rep = consolidate(store)
    assert rep.records_considered == 20
    assert rep.records_joined == 15 and rep.works_created == 5 and rep.works_updated == 15
    m2 = members_of(store)
    assert all(m2[k] == w for k, w in m1.items())  # existing ids kept
    for k, r in enumerate(wos[10:25]):
        assert m2[f"ei:2019{k:08d}"] == m1[f"wos:{r.source_id}"]


def test_changed_record_is_rematched(store, wos):
    put(store, "wos.txt", wos[:5])
    consolidate(store)
    m1 = members_of(store)
    changed = copy.deepcopy(wos[0])
    changed.times_cited = 999
    put(store, "wos-later.txt", [changed])
    rep = consolidate(store)
    assert rep.records_considered == 1 and rep.works_updated == 1 and rep.works_created == 0
    assert members_of(store) == m1
    assert get_work(store, m1[f"wos:{wos[0].source_id}"])["data"]["times_cited"] == 999


def test_manual_split_and_merge_survive_later_runs(store, wos):
    put(store, "wos.txt", wos[:6])
    put(store, "ei.txt", [ei_copy(r, k) for k, r in enumerate(wos[:6])])
    consolidate(store)
    m = members_of(store)
    wid = m[f"wos:{wos[0].source_id}"]
    assert m["ei:201900000000"] == wid
    new_id = split(store, wid, [("ei", "201900000000")], actor="librarian", note="not the same paper")
    assert new_id != wid
    a, b = m[f"wos:{wos[1].source_id}"], m[f"wos:{wos[2].source_id}"]
    target = merge(store, [b, a], actor="librarian", note="same paper")
    assert target == min(a, b) or target in (a, b)
    # a later run, with new records matching both sides, keeps both decisions
    put(store, "scopus.txt", [ei_copy(wos[0], 50, source="scopus", source_id="2-s2.0-1"),
                              ei_copy(wos[3], 51, source="scopus", source_id="2-s2.0-2")])
    rep = consolidate(store)
    assert rep.records_considered == 2
    m2 = members_of(store)
    # the founding record ("ei:..." sorts first) keeps the id; the other part got the new one
    assert m2["ei:201900000000"] == wid and m2[f"wos:{wos[0].source_id}"] == new_id
    assert m2[f"wos:{wos[1].source_id}"] == m2[f"wos:{wos[2].source_id}"] == target
    other = b if target == a else a
    assert get_work(store, other)["work_id"] == target  # the merged id redirects
    with store.connect() as conn:
        kinds = {k for (k,) in conn.execute(sa.select(work_decisions.c.kind))}
        status = dict(conn.execute(sa.select(works.c.work_id, works.c.status)).all())
    assert kinds == {"cannot_link", "must_link"} and status[other] == "merged"
    # a full re-run changes nothing either
    assert consolidate(store).records_considered == 0 and members_of(store) == m2


def test_cli_consolidate_show_export(tmp_path, wos):
    from ir.cli import app

    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    from ir.store import open_store

    st = open_store(db)
    put(st, "wos.txt", wos[:4])
    put(st, "ei.txt", [ei_copy(wos[0], 1)])
    st.dispose()
    runner = CliRunner()
    res = runner.invoke(app, ["--database-url", db, "consolidate", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["works_created"] == 4
    out = tmp_path / "works.jsonl"
    res = runner.invoke(app, ["--database-url", db, "export", "works", "--format", "jsonl", "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 4
    doc = next(d for d in lines if len(d["sources"]) == 2)
    assert set(doc) >= {"work_id", "title", "year", "doi", "type", "sources", "journal"}
    assert set(doc["journal"]) >= {"title", "issn", "eissn"} and doc["journal"]["issn"] == wos[0].journal.issn
    assert {s["source"] for s in doc["sources"]} == {"wos", "ei"}
    res = runner.invoke(app, ["--database-url", db, "works", "show", doc["work_id"]])
    assert res.exit_code == 0 and "doi" in res.output and "ei:" in res.output
    res = runner.invoke(app, ["--database-url", db, "works", "split", doc["work_id"], "ei:201900000001", "--note", "x"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["--database-url", db, "works", "split", "WNOPE", "ei:1"])
    assert res.exit_code == 1 and "no work" in res.output


def test_scoring_in_forked_processes_gives_the_same_scores(wos):
    """Real WoS records and their EI copies, scored in chunks by forked processes: every score, point
    and conflict as in one process, in the same order."""
    import threading

    import numpy as np

    from ir.consolidate.blocking import candidate_pairs
    from ir.consolidate.features import extract
    from ir.consolidate.scoring import score_pairs, score_pairs_parallel

    records = wos + [ei_copy(r, n, volume=None if n % 3 else r.volume) for n, r in enumerate(wos[:40])]
    s = ConsolidateSettings()
    f = extract(records)
    I, J, _ = candidate_pairs(f, max_block_size=s.max_block_size, window=s.window)
    assert len(I) > 100 and threading.active_count() == 1  # else the workers are not forked
    one = score_pairs(f, I, J, s)
    forked = score_pairs_parallel(f, I, J, ConsolidateSettings(processes=3, pairs_per_process=10))
    assert len(one) > 40 and one.conflict == forked.conflict
    for name in ("i", "j", "ratio", "token_set", "total"):
        assert np.array_equal(getattr(one, name), getattr(forked, name)), name
    assert one.points.keys() == forked.points.keys()
    assert all(np.array_equal(one.points[k], forked.points[k]) for k in one.points)


def test_the_work_takes_the_issue_year_over_an_early_access_record(wos):
    """WoS exported the paper while it was in early access (its year the year it went online, no volume or
    pages); Ei indexed the issue a year later: the work's year is the issue's, the early-access year kept."""
    from ir.consolidate.merge import build_work, in_early_access

    w = copy.deepcopy(wos[3])
    final_year = w.year
    ea = copy.deepcopy(w)
    ea.year, ea.early_access_year, ea.volume, ea.issue, ea.first_page, ea.last_page = final_year - 1, final_year - 1, \
        None, None, None, None
    ea.doc_type_raw = "Article; Early Access"
    e = ei_copy(w, 7)
    assert in_early_access(ea) and not in_early_access(e) and not in_early_access(w)
    doc = build_work("W1", [ea, e], ConsolidateSettings())
    assert doc["year"] == final_year and doc["provenance"]["year"] == f"ei:{e.source_id}"
    assert doc["early_access_year"] == final_year - 1
    assert build_work("W1", [ea], ConsolidateSettings())["year"] == final_year - 1  # all we know
    assert build_work("W1", [w, e], ConsolidateSettings())["provenance"]["year"] == f"wos:{w.source_id}"
