"""Pure parts of search: query parsing, Han spacing, the document builder, highlighting."""

from __future__ import annotations

import pytest

from ir.search.documents import build_document, doc_hash, sort_key
from ir.search.embedded import fts_match, mark_text
from ir.search.query import QueryError, check_filters, check_paging, effective_sort, parse_query, space_han


@pytest.mark.parametrize("q, parts", [
    ("", []),
    ("   ", []),
    ("catalysis", ["catalysis"]),
    ("gold  nanoparticles", ["gold", "nanoparticles"]),
    ("催化", ["催化"]),
    ("铜基催化剂 catalyst", ["铜基催化剂", "catalyst"]),
    ("光催化TiO2", ["光催化", "TiO2"]),
    ('"carbon monoxide" oxidation', ["carbon monoxide", "oxidation"]),
    ('"unclosed quote', ["unclosed", "quote"]),
    ("COVID-19", ["COVID-19"]),
    ("- , ;", []),
    ("催化 催化", ["催化"]),
])
def test_parse_query(q, parts):
    assert parse_query(q) == parts


@pytest.mark.parametrize("text, spaced", [
    ("催化剂", "催 化 剂"),
    ("铜基催化剂的制备", "铜 基 催 化 剂 的 制 备"),
    ("光催化TiO2材料", "光 催 化 TiO2 材 料"),
    ("Gold nanoparticles", "Gold nanoparticles"),
    ("", ""),
    (None, ""),
])
def test_space_han(text, spaced):
    assert space_han(text) == spaced


@pytest.mark.parametrize("parts, match", [
    (["催化"], '"催 化"'),
    (["gold", "催化剂"], '"gold" AND "催 化 剂"'),
    (['say "hi"'], '"say ""hi"""'),
])
def test_fts_match(parts, match):
    assert fts_match(parts) == match


@pytest.mark.parametrize("text, parts, expected", [
    ("Catalytic oxidation of CO", ["oxidation"], "Catalytic <mark>oxidation</mark> of CO"),
    ("铜基催化剂的制备", ["催化"], "铜基<mark>催化</mark>剂的制备"),
    ("A <b> & catalysis", ["catalysis"], "A &lt;b&gt; &amp; <mark>catalysis</mark>"),
    ("Catalysis and catalysts", ["catalysis"], "<mark>Catalysis</mark> and catalysts"),
    ("no match here", ["gold"], None),
])
def test_mark_text(text, parts, expected):
    assert mark_text(text, parts) == expected


@pytest.mark.parametrize("filters, error", [
    ({"year": ["2021"]}, None),
    ({"year": ["21x"]}, "year filter"),
    ({"colour": ["red"]}, "unknown filter"),
    ({"source": "wos"}, None),
])
def test_check_filters(filters, error):
    if error:
        with pytest.raises(QueryError, match=error):
            check_filters(filters)
    else:
        assert check_filters(filters)


@pytest.mark.parametrize("sort, page, size, ok", [
    ("relevance", 1, 20, True), ("year_desc", 3, 10, True), ("newest", 1, 20, False),
    ("title", 0, 20, False), ("title", 1, 0, False), ("title", 1001, 10, False),
])
def test_check_paging(sort, page, size, ok):
    if ok:
        check_paging(sort, page, size)
    else:
        with pytest.raises(QueryError):
            check_paging(sort, page, size)


def test_relevance_without_query_is_newest_first():
    assert effective_sort([], "relevance") == "year_desc"
    assert effective_sort(["x"], "relevance") == "relevance"
    assert effective_sort([], "title") == "title"


@pytest.mark.parametrize("title, key", [
    ("The Éclair", "the eclair"),
    ('"Quoted" title', "quoted\" title"),
    ("《催化学报》研究", "催化学报》研究"),
    (None, "\uffff"),
])
def test_sort_key(title, key):
    assert sort_key(title) == key


WORK = {
    "work_id": "W1",
    "title": "Copper catalysts for CO2 reduction",
    "titles": [{"text": "Copper catalysts for CO2 reduction", "lang": "en"},
               {"text": "铜基催化剂用于二氧化碳还原", "lang": "en"}],  # mis-tagged: Han text still goes to zh
    "year": "2021", "doc_type": "article", "doi": "10.1/x",
    "journal": {"title": "Journal of Catalysis", "issn": "0021-9517", "eissn": "1090-2694"},
    "abstract": "We study copper.",
    "keywords": ["catalysis", "催化", "catalysis"],
    "sources": [{"source": "wos", "source_id": "WOS:1"}, {"source": "cnki", "source_id": "C1"},
                {"source": "wos", "source_id": "WOS:2"}],
    "indexes": ["SCIE", {"index": "EI"}],
}


def test_document_from_works_data_only():
    doc = build_document(WORK)
    assert doc["title_en"] == ["Copper catalysts for CO2 reduction"]
    assert doc["title_zh"] == ["铜基催化剂用于二氧化碳还原"]
    assert doc["abstract_en"] == ["We study copper."] and doc["abstract_zh"] == []
    assert doc["keywords"] == ["catalysis", "催化"]
    assert doc["keywords_en"] == ["catalysis"] and doc["keywords_zh"] == ["催化"]
    assert doc["year"] == 2021 and doc["type"] == "article" and doc["journal"] == "Journal of Catalysis"
    assert doc["issn"] == ["0021-9517", "1090-2694"]
    assert doc["sources"] == ["wos", "cnki"] and doc["indexes"] == ["SCIE", "EI"]
    assert doc["persons"] == [] and doc["departments"] == [] and doc["authorships"] == []
    assert doc["tiers"] == [] and doc["tags"] == []


def test_document_picks_up_attribution_and_tagging_fields():
    record = dict(WORK, authors=[
        {"position": 1, "name": "Zhang, Wei", "person_id": "P001", "person_name": "Zhang Wei",
         "org_id": "D01", "org_name": "School of Chemistry", "status": "claimed"},
        {"position": 2, "name": "Li, Na", "person_id": "P002", "person_name": "Li Na", "org_id": "D02",
         "org_name": "School of Physics", "status": "suggested"},
        {"position": 3, "name": "Wang, Fang", "person_id": "P003", "org_id": "D03", "status": "rejected"},
        {"position": 4, "name": "Smith, J.", "status": "unmatched"},
    ], tags=[{"scheme": "jcr", "tier": "Q1"}, "cas:1", "ESI:Chemistry"], indexes=["SCIE"])
    doc = build_document(record)
    assert doc["authors"] == ["Zhang, Wei", "Li, Na", "Wang, Fang", "Smith, J."]
    assert doc["persons"] == ["P001"]  # only auto/claimed authorships count for the person
    assert doc["person_status"] == ["P001:claimed", "P002:suggested", "P003:rejected"]
    assert doc["person_facet"] == ["P001\x1fZhang Wei"]
    assert doc["departments"] == ["D01", "D02"]  # not the rejected one
    assert doc["department_facet"] == ["D01\x1fSchool of Chemistry", "D02\x1fSchool of Physics"]
    assert doc["authorships"][3] == {"position": 4, "name": "Smith, J.", "person_id": None, "org_id": None,
                                     "status": "unmatched"}
    assert doc["tiers"] == ["jcr:Q1", "cas:1", "ESI:Chemistry"]
    assert doc["indexes"] == ["SCIE"]
    assert doc_hash(doc) != doc_hash(build_document(WORK))


@pytest.mark.parametrize("tags, tiers", [
    ({"jcr": "Q1", "cas": "2"}, ["jcr:Q1", "cas:2"]),  # as ir.tagging exports them: {list: best value}
    (["jcr:Q2"], ["jcr:Q2"]),
    ([{"list": "cas", "value": "1"}], ["cas:1"]),
    ({}, []),
])
def test_tags_become_tiers(tags, tiers):
    assert build_document(dict(WORK, tags=tags))["tiers"] == tiers


def test_document_hash_is_stable_and_content_sensitive():
    assert doc_hash(build_document(WORK)) == doc_hash(build_document(dict(WORK)))
    assert doc_hash(build_document(WORK)) != doc_hash(build_document(dict(WORK, year=2020)))


def test_bad_year_and_missing_title_do_not_raise():
    doc = build_document({"work_id": "W9", "year": "n.d.", "titles": [{"text": "  "}]})
    assert doc["year"] is None and doc["title"] is None and doc["title_sort"] == "\uffff"
