"""How works read on the pages and in citation exports: table-driven tests of ir.web.display, and the
citation formats parsed back by the libraries reference managers' formats are read with (bibtexparser,
rispy, citeproc-py)."""

from __future__ import annotations

import json

import pytest

from ir.web import citations, display

# ------------------------------------------------------------------------------ case


@pytest.mark.parametrize("chosen, alternatives, expected", [
    ("ANTIBIOTICS IN AQUACULTURE EFFLUENT: A NUMERICAL STUDY", ["Antibiotics in aquaculture effluent: a numerical study"],
     "Antibiotics in aquaculture effluent: a numerical study"),
    ("JOURNAL OF CLINICAL ONCOLOGY", ["JOURNAL OF CLINICAL ONCOLOGY", "Journal of Clinical Oncology"], "Journal of Clinical Oncology"),
    ("JOURNAL OF CLINICAL ONCOLOGY", ["J CLIN ONCOL"], "JOURNAL OF CLINICAL ONCOLOGY"),  # another text: kept
    ("JOURNAL OF CLINICAL ONCOLOGY", ["Journal of Clinical Oncology (Print)"], "JOURNAL OF CLINICAL ONCOLOGY"),
    ("Heavy metals in soil", ["HEAVY METALS IN SOIL"], "Heavy metals in soil"),  # mixed case already
    ("H-ZSM-5分子筛的吸附容量与废水处理", ["h-zsm-5分子筛的吸附容量与废水处理"], "H-ZSM-5分子筛的吸附容量与废水处理"),
    ("NANO LETTERS", ["Nano Letters"], "NANO LETTERS"),  # fewer than three words: not taken for shouting
    ("THE ROLE OF CO2 IN SOILS", ["The role of CO2 in soils"], "The role of CO2 in soils"),
    (None, ["Anything"], None),
])
def test_best_cased(chosen, alternatives, expected):
    assert display.best_cased(chosen, alternatives) == expected


# ------------------------------------------------------------------------------ dates


@pytest.mark.parametrize("pub_date, year, expected", [
    ("NOV", 2023, "November 2023"),
    ("DEC", 2023, "December 2023"),
    ("NOV 2", 2023, "2 November 2023"),
    ("November 2022", 2022, "November 2022"),
    ("2023-05-04", 2023, "4 May 2023"),
    ("2023-05", 2023, "May 2023"),
    ("MAY-JUN", 2021, "May–June 2021"),
    ("SPR", 2020, "Spring 2020"),
    ("FAL", 2020, "Autumn 2020"),
    ("2023 MAY 12", 2023, "12 May 2023"),
    ("JAN 15 2021", 2021, "15 January 2021"),
    ("SEPT", 2019, "September 2019"),
    (None, 2024, "2024"),
    ("", None, None),
    ("1st quarter", 2022, "1st quarter 2022"),  # unknown words: shown as given, with the year
])
def test_display_date(pub_date, year, expected):
    assert display.display_date(pub_date, year) == expected


# ------------------------------------------------------------------------------ tiers and badges


@pytest.mark.parametrize("lst, value, expected", [
    ("jcr", "Q1", "JCR Q1"), ("cas", "1", "中科院 1区"), ("cas", "4", "中科院 4区"), ("cscd", "core", "CSCD 核心库"),
    ("cscd", "extended", "CSCD 扩展库"), ("cssci", "core", "CSSCI 来源期刊"), ("cssci", "extended", "CSSCI 扩展版"),
    ("pku_core", "core", "北大核心"), ("esi", "Chemistry", "ESI Chemistry"), ("institution", "A", "Institution tier A"),
    ("mylist", "gold", "mylist gold"),
])
def test_tier_label(lst, value, expected):
    assert display.tier_label(lst, value) == expected
    assert display.tier_key_label(f"{lst}:{value}") == expected


@pytest.mark.parametrize("indexes, tags, sources, expected", [
    (["SCIE", "EI"], {"jcr": "Q2", "cas": "3"}, ["wos", "ei"], ["SCIE", "EI", "JCR Q2", "中科院 3区"]),
    (["SCIE", "CSCD"], {"cscd": "core"}, ["wos", "cnki"], ["SCIE", "CSCD 核心库", "CNKI"]),  # CSCD once
    (["EI Compendex", "EI", "WOS", "SCIE"], {}, ["ei", "wos"], ["EI", "SCIE"]),  # raw names folded, WOS not an index
    (["scie", "SCIE"], ["jcr:Q1"], ["wos"], ["SCIE", "JCR Q1"]),
    ([], {}, ["cnki", "cnki"], ["CNKI"]),
    ([], {"pku_core": "core"}, ["cnki"], ["北大核心", "CNKI"]),
])
def test_badges_name_each_database_once(indexes, tags, sources, expected):
    assert [b["label"] for b in display.badges(indexes, tags, sources)] == expected


# ------------------------------------------------------------------------------ text


@pytest.mark.parametrize("text, expected", [
    ("CO_2 capture", "CO₂ capture"), ("H_2O", "H₂O"), ("α-Fe_2O_3纳米棒", "α-Fe₂O₃纳米棒"), ("Fe^{3+} ions", "Fe³⁺ ions"),
    ("SO_4^{2-}", "SO₄²⁻"), ("Ca(OH)_2", "Ca(OH)₂"), ("snake_case names", "snake_case names"), ("x_i", "x_i"),
    ("CO2", "CO2"), ("", ""),
])
def test_chem_text(text, expected):
    assert display.chem_text(text) == expected


def test_chem_markup_escapes_and_scripts_the_rest():
    assert str(display.chem("<b>CO_2</b> & x_{ij}")) == "&lt;b&gt;CO₂&lt;/b&gt; &amp; x<sub>ij</sub>"


@pytest.mark.parametrize("doi, url", [
    ("10.1016/j.jco.2023.666675", "https://doi.org/10.1016/j.jco.2023.666675"),
    ("https://doi.org/10.1000/ABC(1)", "https://doi.org/10.1000/ABC(1)"),
    ("doi:10.1/x y", "https://doi.org/10.1/x%20y"),
    ("not a doi", None), (None, None),
])
def test_doi_url(doi, url):
    assert display.doi_url(doi) == url


# ------------------------------------------------------------------------------ citations

WORKS = [
    {"work_id": "W1", "title": "ANTIBIOTICS IN AQUACULTURE EFFLUENT: A NUMERICAL STUDY", "type": "article",
     "titles": [{"text": "ANTIBIOTICS IN AQUACULTURE EFFLUENT: A NUMERICAL STUDY"},
                {"text": "Antibiotics in aquaculture effluent: a numerical study"}],
     "year": 2023, "doi": "10.1016/j.x.2023.1", "volume": "194", "issue": "6", "first_page": "1257", "last_page": "1267",
     "journal": {"title": "JOURNAL OF CLINICAL ONCOLOGY", "issn": "1536-514X"},
     "journal_alternatives": ["Journal of Clinical Oncology"], "abstract": "We model {effluent} & 50% of it_1.",
     "keywords": ["antibiotics", "aquaculture"],
     "authors": [{"name": "Luo, Dexiao"}, {"name": "Lei, Xin"}, {"name": "张三"}]},
    {"work_id": "W2", "title": "Capture of CO_2 on silica", "type": "proceedings paper", "year": 2021,
     "journal": {"title": "Proc. Carbon Capture Conf."}, "authors": [{"name": "Luo, Dexiao"}], "first_page": "7"},
    {"work_id": "W3", "title": "Capture of CO_2 on silica", "type": "article", "year": 2021, "authors": [],
     "journal": {}},
]


def test_bibtex_parses_back():
    import bibtexparser

    text = citations.bibtex(WORKS)
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks, [b.error for b in lib.failed_blocks]
    entries = {e.key: e for e in lib.entries}
    assert len(entries) == 3  # unique keys, even for two works with the same first word and year
    first = lib.entries[0]
    assert first.entry_type == "article"
    assert first.fields_dict["title"].value == "{Antibiotics in aquaculture effluent: a numerical study}"
    assert first.fields_dict["journal"].value == "Journal of Clinical Oncology"
    assert first.fields_dict["author"].value == "Luo, Dexiao and Lei, Xin and {张三}"
    assert first.fields_dict["pages"].value == "1257--1267" and first.fields_dict["doi"].value == "10.1016/j.x.2023.1"
    assert first.fields_dict["abstract"].value == r"We model \{effluent\} \& 50\% of it\_1."
    second = lib.entries[1]
    assert second.entry_type == "inproceedings" and "CO₂" in second.fields_dict["title"].value
    assert second.fields_dict["booktitle"].value == "Proc. Carbon Capture Conf."


def test_ris_parses_back():
    import rispy

    records = rispy.loads(citations.ris(WORKS))
    assert [r["type_of_reference"] for r in records] == ["JOUR", "CPAPER", "JOUR"]
    r = records[0]
    assert r["authors"] == ["Luo, Dexiao", "Lei, Xin", "张三"]
    assert r["title"] == "Antibiotics in aquaculture effluent: a numerical study"
    assert r["secondary_title"] == "Journal of Clinical Oncology"
    assert (r["year"], r["volume"], r["number"], r["start_page"], r["end_page"]) == ("2023", "194", "6", "1257", "1267")
    assert r["doi"] == "10.1016/j.x.2023.1" and r["keywords"] == ["antibiotics", "aquaculture"]
    assert records[1]["title"] == "Capture of CO₂ on silica"


def test_csl_json_renders_with_citeproc():
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    data = json.loads(citations.csl_json(WORKS))
    assert [d["type"] for d in data] == ["article-journal", "paper-conference", "article-journal"]
    assert data[0]["author"][:2] == [{"family": "Luo", "given": "Dexiao"}, {"family": "Lei", "given": "Xin"}]
    assert data[0]["author"][2] == {"literal": "张三"} and data[0]["issued"] == {"date-parts": [[2023]]}
    source = CiteProcJSON(data)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bib = CitationStylesBibliography(style, source, formatter.plain)
    for d in data:
        bib.register(Citation([CitationItem(d["id"])]))
    rendered = [str(item) for item in bib.bibliography()]
    assert len(rendered) == 3
    joined = "\n".join(rendered)
    assert "Antibiotics in aquaculture effluent" in joined and "Journal of Clinical Oncology" in joined
    assert "Luo" in joined and "2023" in joined and "1257" in joined


def test_unknown_citation_format_is_an_error():
    with pytest.raises(citations.CitationError):
        citations.render(WORKS, "endnote-xml")
