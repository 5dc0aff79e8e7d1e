"""Versions, notices and likely duplicates, table-driven: record pairs a librarian keeps apart and links (a conference
paper and its journal version, a preprint and its published version, a correction or retraction and its article),
also when the document type is missing or generic (RIS GEN, BibTeX misc, CNKI's conference database); and the
pairs just short of a match that go to the librarians' queue. Every pair runs through the whole matcher."""

from __future__ import annotations

import pytest

from ir.consolidate.engine import resolve
from ir.consolidate.settings import ConsolidateSettings
from ir.model import Author, Journal, Record, Title


def rec(source: str, sid: str, title: str, authors: str, venue: str = "", year: int | None = None, *,
        doc_type: str | None = None, doi: str | None = None, volume: str | None = None, first_page: str | None = None,
        conference: str | None = None, url: str | None = None) -> Record:
    return Record(source=source, source_id=sid, titles=[Title(title)], doc_type=doc_type, doi=doi,
                  authors=[Author(position=k + 1, name=a.strip()) for k, a in enumerate(authors.split(";")) if a.strip()],
                  journal=Journal(title=venue or None), conference=conference, year=year, volume=volume,
                  first_page=first_page, url=url)


TITLE = "Deep reinforcement learning for adaptive traffic signal control at urban intersections"
AUTHORS = "Zhang, San; Li, Sili; Smith, John"

RELATED = [
    # (case, earlier/notice record, later/article record, relation a -> b)
    ("proceedings paper and its journal version",
     rec("wos", "WOS:1", TITLE, AUTHORS, "2019 IEEE Intelligent Transportation Systems Conference (ITSC)", 2019,
         doc_type="proceedings paper", doi="10.1109/itsc.2019.8917001"),
     rec("wos", "WOS:2", TITLE + ": extended results", AUTHORS, "IEEE Transactions on Intelligent Transportation Systems",
         2020, doc_type="article", doi="10.1109/tits.2020.2990001"),
     "is_version_of"),
    ("untyped conference paper (RIS GEN) and the journal version two years later, no DOIs",
     rec("ris", "R1", TITLE, AUTHORS, "ITSC", 2019, doc_type="gen"),
     rec("scopus", "S2", TITLE, AUTHORS, "IEEE Transactions on Intelligent Transportation Systems", 2021,
         doc_type="article"),
     "is_version_of"),
    ("BibTeX misc in a proceedings venue and the journal article of the same year",
     rec("ris", "B1", TITLE, AUTHORS, "Proceedings of the 22nd International Conference on Intelligent Transportation",
         2020, doc_type="misc"),
     rec("wos", "WOS:3", TITLE, AUTHORS, "Transportation Research Part C: Emerging Technologies", 2020,
         doc_type="article", volume="112", first_page="1"),
     "is_version_of"),
    ("arXiv preprint and the published paper",
     rec("ris", "A1", TITLE, AUTHORS, "arXiv", 2019, doc_type="misc", doi="10.48550/arxiv.1905.00001"),
     rec("wos", "WOS:4", TITLE, AUTHORS, "Transportation Research Part C: Emerging Technologies", 2020,
         doc_type="article", doi="10.1016/j.trc.2020.102001"),
     "is_version_of"),
    ("preprint without a DOI (CoRR) and the published paper",
     rec("ris", "A2", TITLE, AUTHORS, "CoRR", 2019),
     rec("wos", "WOS:5", TITLE, AUTHORS, "Transportation Research Part C: Emerging Technologies", 2020,
         doc_type="article", doi="10.1016/j.trc.2020.102001"),
     "is_version_of"),
    ("CNKI conference database and the journal article",
     rec("cnki", "CPFD1", "基于深度强化学习的城市交叉口自适应信号控制", "张三; 李四丽", "第十四届中国智能交通年会论文集", 2019,
         doc_type="中国会议"),
     rec("cnki", "JTYS202001001", "基于深度强化学习的城市交叉口自适应信号控制", "张三; 李四丽", "交通运输系统工程与信息", 2020,
         doc_type="article", volume="20", first_page="1"),
     "is_version_of"),
    ("correction typed as an article",
     rec("wos", "WOS:7", "Correction to: " + TITLE, AUTHORS, "Transportation Research Part C", 2021, doc_type="article"),
     rec("wos", "WOS:6", TITLE, AUTHORS, "Transportation Research Part C", 2020, doc_type="article"),
     "corrects"),
    ("erratum without a type citing its article",
     rec("ris", "E1", f'Erratum to "{TITLE}" [Transp. Res. C 112 (2020) 1-17]', "", "Transportation Research Part C", 2020,
         doc_type="gen"),
     rec("wos", "WOS:6", TITLE, AUTHORS, "Transportation Research Part C", 2020, doc_type="article"),
     "corrects"),
    ("retraction notice",
     rec("wos", "WOS:8", "Retraction Note: " + TITLE, "", "Transportation Research Part C", 2022, doc_type="retraction"),
     rec("wos", "WOS:6", TITLE, AUTHORS, "Transportation Research Part C", 2020, doc_type="article"),
     "retracts"),
]


@pytest.mark.parametrize("case, a, b, relation", RELATED, ids=[c[0] for c in RELATED])
def test_related_records_stay_apart_and_are_linked(case, a, b, relation):
    for records in ([a, b], [b, a]):  # the direction does not depend on the order of the records
        res = resolve(records)
        assert res.labels[0] != res.labels[1], (case, res.joined_by)
        got = [(records[r["a"]].source_id, r["relation"], records[r["b"]].source_id) for r in res.relations]
        assert got == [(a.source_id, relation, b.source_id)], case
        ev = res.relations[0]["evidence"]
        assert ev and res.relations[0]["score"] > 0


NOT_RELATED = [
    ("a correction of another article",
     rec("wos", "WOS:9", "Correction to: Graph neural networks for traffic forecasting", AUTHORS,
         "Transportation Research Part C", 2021, doc_type="correction"),
     rec("wos", "WOS:6", TITLE, AUTHORS, "Transportation Research Part C", 2020, doc_type="article")),
    ("a correction older than the article it would name",
     rec("wos", "WOS:10", "Correction: " + TITLE, AUTHORS, "Transportation Research Part C", 2018, doc_type="correction"),
     rec("wos", "WOS:6", TITLE, AUTHORS, "Transportation Research Part C", 2020, doc_type="article")),
    ("conference and journal papers of other authors on a similar subject",
     rec("wos", "WOS:11", TITLE, "Garcia, Maria; Rossi, Paolo", "2019 IEEE ITSC", 2019, doc_type="proceedings paper"),
     rec("wos", "WOS:12", TITLE, AUTHORS, "IEEE Transactions on Intelligent Transportation Systems", 2021,
         doc_type="article")),
]


@pytest.mark.parametrize("case, a, b", NOT_RELATED, ids=[c[0] for c in NOT_RELATED])
def test_unrelated_records_are_not_linked(case, a, b):
    res = resolve([a, b])
    assert res.labels[0] != res.labels[1]
    assert res.relations == [], case


def test_an_untyped_record_in_the_same_venue_and_year_is_the_same_publication():
    """Only another venue a year or more apart makes an untyped record a version: the same venue is one paper."""
    a = rec("ris", "R2", TITLE, AUTHORS, "IEEE Trans. Intell. Transp. Syst.", 2021, doc_type="gen")
    b = rec("wos", "WOS:13", TITLE, AUTHORS, "IEEE Transactions on Intelligent Transportation Systems", 2021,
            doc_type="article")
    res = resolve([a, b])
    assert res.labels[0] == res.labels[1] and res.relations == []


def test_a_notice_names_one_article_the_best():
    notice = rec("wos", "WOS:20", "Correction: " + TITLE, AUTHORS, "Transportation Research Part C", 2021,
                 doc_type="correction")
    article = rec("wos", "WOS:21", TITLE, AUTHORS, "Transportation Research Part C", 2020, doc_type="article")
    proceedings = rec("wos", "WOS:22", TITLE, AUTHORS, "2019 IEEE ITSC", 2019, doc_type="proceedings paper")
    res = resolve([notice, article, proceedings])
    rels = {(r["a"], r["relation"], r["b"]) for r in res.relations}
    assert (0, "corrects", 1) in rels and (0, "corrects", 2) not in rels
    assert (2, "is_version_of", 1) in rels


def test_likely_duplicates_just_below_the_threshold_are_queued_with_evidence():
    """A pair a few points short of a match (here: a word of the title left out, a year apart, no venue on one
    side) is not merged but goes to the queue, with its points."""
    a = rec("wos", "WOS:30", "Adaptive traffic signal control with deep reinforcement learning", "Zhang, San",
            "Transportation Research Part C", 2020, doc_type="article")
    b = rec("ris", "R30", "Adaptive signal control with deep reinforcement learning", "Zhang, S", "", 2021)
    s = ConsolidateSettings()
    res = resolve([a, b], s)
    assert res.labels[0] != res.labels[1]
    assert [(n["a"], n["b"], n["relation"]) for n in res.near] == [(0, 1, "possible_duplicate")]
    n = res.near[0]
    assert s.match_threshold - s.review_margin <= n["score"] < s.match_threshold
    assert n["evidence"]["points"]["title"] > 0 and "below" in n["evidence"]["reason"]
    # a librarian's 'keep apart' (a cannot-link) takes the pair off the queue
    assert resolve([a, b], s, cannot={(0, 1)}).near == []
    # no queue without a margin
    assert resolve([a, b], ConsolidateSettings(review_margin=0)).near == []
