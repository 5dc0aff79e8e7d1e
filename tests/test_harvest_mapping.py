"""The API mappings: pure functions from JSON in the APIs' documented shapes to the canonical record.

Fixtures in tests/golden/harvest follow the documented shapes (Crossref's Metadata API JSON format,
OpenAlex's Work object, ORCID v3.0 works and bulk responses); the tables say what each field becomes.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from ir.harvest import common, crossref, openalex, orcid
from ir.harvest.common import MappingError
from ir.model import Problem, Record, json_schema
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "harvest"


def load(name: str):
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def get(rec: Record, path: str):
    if path.startswith("raw."):  # raw keys have dots of their own ("funder.DOI")
        return rec.raw.get(path[4:])
    value = rec
    for part in path.split("."):
        value = value[int(part)] if part.isdigit() else value.get(part) if isinstance(value, dict) else getattr(value, part)
    return value


CROSSREF = [
    ("source", "crossref"),
    ("source_id", "10.1016/j.cej.2020.127270"),
    ("doi", "10.1016/j.cej.2020.127270"),
    ("doc_type", "article"),
    ("doc_type_raw", "journal-article"),
    ("titles.0.text", "Growth of Cu<sub>2</sub> paddle-wheel MOF films on α-alumina"),
    ("titles.0.lang", "en"),
    ("authors.0.name", "Zhang, San"),
    ("authors.0.orcid", "0000-0002-1825-009X"),
    ("authors.0.affiliations", [0]),
    ("authors.1.name", "Li, Wei"),
    ("authors.1.affiliations", [0, 1]),
    ("corporate_authors", ["MOF Consortium"]),
    ("affiliations.1.text", "State Key Laboratory of Fine Chemicals, Dalian 116024, China"),
    ("journal.title", "Chemical Engineering Journal"),
    ("journal.abbreviation", "Chem. Eng. J."),
    ("journal.issn", "1385-8947"),
    ("journal.eissn", None),
    ("journal.publisher", "Elsevier BV"),
    ("year", 2021),
    ("pub_date", "2021-03"),
    ("early_access_year", 2020),
    ("volume", "407"),
    ("first_page", "127270"),
    ("article_number", "127270"),
    ("abstract", "Metal–organic frameworks (MOFs) with Cu2 paddle wheels were grown on <100> faces.\n"
                 "Selectivity rose by 23%."),
    ("funding", ["National Natural Science Foundation of China [21776030, 21978034]",
                 "Fundamental Research Funds for the Central Universities [DUT20LAB102]"]),
    ("categories", ["General Chemical Engineering", "General Chemistry", "Environmental Chemistry"]),
    ("times_cited", 12),
    ("language", "en"),
    ("url", "http://dx.doi.org/10.1016/j.cej.2020.127270"),
    ("raw.license", ["http://creativecommons.org/licenses/by-nc-nd/4.0/"]),  # the version of record's
    ("raw.funder.DOI", ["10.13039/501100001809"]),
    ("raw.ror", ["https://ror.org/023hj5876"]),
    ("raw.deposited", ["2021-02-24T09:12:40Z"]),
]

OPENALEX = [
    ("source", "openalex"),
    ("source_id", "W3093874123"),
    ("doi", "10.1016/j.cej.2020.127270"),
    ("pmid", "33456789"),
    ("doc_type", "article"),
    ("titles.0.text", "Growth of Cu2 paddle-wheel MOF films on α-alumina"),
    ("authors.0.name", "San Zhang"),
    ("authors.0.orcid", "0000-0002-1825-009X"),
    ("authors.0.corresponding", True),
    ("authors.0.affiliations", [0]),
    ("affiliations.0.organization", "Dalian University of Technology"),
    ("affiliations.0.country", "CN"),
    ("authors.1.name", "W. Li"),
    ("authors.1.full_name", "Wei Li"),
    ("authors.1.affiliations", [1, 2]),  # no raw string: the institutions' names
    ("affiliations.2.text", "State Key Laboratory of Fine Chemicals"),
    ("journal.title", "Chemical Engineering Journal"),
    ("journal.issn", "1385-8947"),
    ("journal.eissn", "1873-3212"),
    ("journal.publisher", "Elsevier BV"),
    ("year", 2021),
    ("pub_date", "2021-03-01"),
    ("volume", "407"),
    ("first_page", "127270"),
    ("abstract", "Metal–organic frameworks (MOFs) with Cu2 paddle wheels were grown. Selectivity rose by 23%."),
    ("keywords", ["Paddle-wheel"]),
    ("index_keywords", ["Metal-Organic Frameworks: Synthesis and Applications"]),
    ("funding", ["National Natural Science Foundation of China [21776030, 21978034]",
                 "Fundamental Research Funds for the Central Universities"]),
    ("times_cited", 14),
    ("raw.oa_status", ["hybrid"]),
    ("raw.is_oa", ["True"]),
    ("raw.license", ["cc-by-nc-nd"]),
    ("raw.ror", ["https://ror.org/023hj5876"]),
]

ORCID_BULK = [
    ("source", "orcid"),
    ("source_id", "0000-0002-1825-009X/178602"),
    ("doi", "10.1016/j.cej.2020.127270"),  # the "self" DOI, not the "version-of" one
    ("doc_type", "article"),
    ("titles.0.text", "Growth of Cu2 paddle-wheel MOF films on α-alumina"),
    ("titles.1.text", "α-氧化铝上铜桨轮MOF膜的生长"),
    ("titles.1.translated", True),
    ("titles.1.lang", "zh_CN"),
    ("authors.0.name", "San Zhang"),
    ("authors.0.orcid", "0000-0002-1825-009X"),
    ("authors.1.name", "Wei Li"),
    ("authors.1.orcid", None),
    ("journal.title", "Chemical Engineering Journal"),
    ("year", 2021),
    ("pub_date", "2021-03"),
    ("language", "en"),
    ("raw.orcid.owner", ["0000-0002-1825-009X"]),
    ("raw.source-name", ["Crossref"]),
    ("raw.citation-type", ["bibtex"]),
]


@pytest.mark.parametrize("path,expected", CROSSREF)
def test_crossref_work(path, expected):
    rec = crossref.parse_single(load("crossref-work.json"))
    assert get(rec, path) == expected


@pytest.mark.parametrize("path,expected", OPENALEX)
def test_openalex_work(path, expected):
    rec = openalex.parse_single(load("openalex-work.json"))
    assert get(rec, path) == expected


@pytest.mark.parametrize("path,expected", ORCID_BULK)
def test_orcid_full_work(path, expected):
    rec = orcid.parse_bulk(load("orcid-bulk.json"))[0]
    assert get(rec, path) == expected


def test_orcid_bulk_error_entry_is_a_problem_not_a_crash():
    items = orcid.parse_bulk(load("orcid-bulk.json"))
    assert isinstance(items[1], Problem) and "178999" in items[1].reason and items[1].record_no == 2
    assert len(items[0].authors) == 2  # the editor is no author


def test_orcid_summaries_take_each_groups_displayed_summary_with_its_dates():
    summaries, modified = orcid.parse_summaries(load("orcid-works.json"))
    assert modified == 1700000000000
    assert [(s.put_code, s.last_modified) for s in summaries] == [(178602, 1690000000000), (99001, 1650000000000)]
    rec = orcid.to_record(summaries[1].item)  # a summary is a work too, if thinner
    assert (rec.titles[0].text, rec.doc_type, rec.conference, rec.doi, rec.pub_date, rec.isbn) == (
        "Edge caching for vehicular networks: a survey", "proceedings paper",
        "2019 IEEE International Conference on Consumer Electronics (ICCE)", "10.1109/icce.2019.8662021",
        "2019-01-11", None)  # the ISBN is "part-of": the proceedings', not this paper's


@pytest.mark.parametrize("parse,payload", [
    (crossref.parse_single, "crossref-work.json"),
    (openalex.parse_single, "openalex-work.json"),
    (lambda d: orcid.parse_bulk(d)[0], "orcid-bulk.json"),
])
def test_records_validate_against_the_record_schema_and_round_trip(parse, payload):
    rec = parse(load(payload))
    data = json.loads(json.dumps(rec.to_dict(), ensure_ascii=False))
    jsonschema.validate(data, json_schema())
    assert Record.from_dict(data) == rec


def test_crossref_list_pages_and_its_last_page():
    work = load("crossref-work.json")["message"]
    page = crossref.parse_list({"status": "ok", "message-type": "work-list", "message": {
        "items": [work, {"title": ["no DOI here"]}], "next-cursor": "DnF1ZXJ5VGhlbkZldGNo", "total-results": 2}})
    assert page.next_cursor == "DnF1ZXJ5VGhlbkZldGNo" and page.total == 2
    assert isinstance(page.items[0], Record)
    bad = page.items[1]
    assert isinstance(bad, Problem) and bad.field == "DOI" and "no DOI here" in bad.raw
    last = crossref.parse_list({"status": "ok", "message-type": "work-list",
                                "message": {"items": [], "next-cursor": "x", "total-results": 2}})
    assert last.items == [] and last.next_cursor is None


@pytest.mark.parametrize("data", [
    {"status": "failed", "message-type": "validation-failure", "message": [{"type": "parameter-not-allowed"}]},
    {"status": "ok", "message-type": "work", "message": {"DOI": "10.1/x"}},
    {"status": "ok", "message-type": "work-list", "message": {"items": "nope"}},
    ["not", "an", "object"],
])
def test_crossref_wrong_envelopes_are_refused(data):
    with pytest.raises(MappingError):
        crossref.parse_list(data)


def test_openalex_list_next_cursor_and_end():
    work = load("openalex-work.json")
    page = openalex.parse_list({"meta": {"count": 3, "per_page": 1, "next_cursor": "IlsxNjA5"}, "results": [work]})
    assert page.next_cursor == "IlsxNjA5" and page.total == 3 and page.items[0].source_id == "W3093874123"
    assert openalex.parse_list({"meta": {"count": 3, "next_cursor": None}, "results": []}).next_cursor is None
    with pytest.raises(MappingError):
        openalex.parse_list({"error": "Invalid query parameters error.", "message": "..."})


@pytest.mark.parametrize("value,expected", [
    ("<jats:p>One.</jats:p><jats:p>Two &amp; three.</jats:p>", "One.\nTwo & three."),
    ("<jats:title>Abstract</jats:title><jats:sec><jats:title>Background</jats:title><jats:p>B.</jats:p></jats:sec>",
     "Background\nB."),
    ("<p>Plain <i>HTML</i> too</p>", "Plain HTML too"),
    ("Just text.", "Just text."),
    ("  ", None),
    (None, None),
])
def test_jats_abstracts_become_text(value, expected):
    assert common.jats_text(value) == expected


@pytest.mark.parametrize("index,expected", [
    ({"Despite": [0], "growing": [1], "interest": [2], "in": [3, 5], "OA": [4], "it": [6]}, "Despite growing interest in OA in it"),
    ({}, None),
    (None, None),
])
def test_inverted_index_becomes_text(index, expected):
    assert common.inverted_index_text(index) == expected


@pytest.mark.parametrize("kind,value,since,expected", [
    ("ror", "https://ror.org/023hj5876", None, {"filter": "ror-id:https://ror.org/023hj5876"}),
    ("ror", "https://ror.org/023hj5876", "2024-05-01",
     {"filter": "ror-id:https://ror.org/023hj5876,from-update-date:2024-05-01"}),
    ("affiliation", "Dalian University of Technology", "2024-05-01",
     {"query.affiliation": "Dalian University of Technology", "filter": "from-update-date:2024-05-01"}),
])
def test_crossref_list_requests(kind, value, since, expected):
    path, params = crossref.list_request(kind, value, since, "*", 100)
    assert path == "works" and params == {"rows": 100, "cursor": "*", **expected}


@pytest.mark.parametrize("kind,since,field,expected", [
    ("ror", None, "updated", "authorships.institutions.ror:V"),
    ("orcid", "2024-05-01", "updated", "author.orcid:V,from_updated_date:2024-05-01"),
    ("ror", "2023-01-01", "publication", "authorships.institutions.ror:V,from_publication_date:2023-01-01"),
])
def test_openalex_list_requests(kind, since, field, expected):
    path, params = openalex.list_request(kind, "V", since, "*", 500, since_field=field)
    assert path == "works" and params == {"filter": expected, "per-page": 200, "cursor": "*"}
