"""Engineering Village (Compendex/Inspec) plain-text and CSV parsers.

No real EV export is public yet: the fixtures follow Elsevier's documented field names and layout, with
the quirks such files have (export header and footer lines, values wrapped onto following lines, records
missing fields, unnumbered affiliations, CRLF and a BOM). Golden files in tests/golden/ei.
Set IR_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change (then review the diff).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from ir import formats
from ir.formats._ei_fields import (
    classification_codes,
    record_from_fields,
    split_affiliations,
    split_authors,
    split_corresponding,
    split_terms,
)
from ir.ingest import ingest_paths, read_file
from ir.model import Problem, Record
from ir.store.tables.ingest import source_records

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "ei"

EI_PLAIN = """\
Data Provider: Engineering Village

<RECORD 1>
Accession number:20214210997362
Title:Fatigue crack growth of welded joints in orthotropic steel bridge decks under
 variable amplitude loading
Authors:Zhang, San (1); Li, Wei (1, 2); Wang, Xiaoming (3)
Author affiliation:(1) School of Civil Engineering, Dalian University of Technology, Dalian; 116024, China; (2) State Key
Laboratory of Coastal and Offshore Engineering, Dalian University of Technology, Dalian; 116024, China; (3) Department of
Civil Engineering, Tsinghua University, Beijing; 100084, China
Corresponding author:Li, Wei(liwei@dlut.edu.cn)
Source title:Engineering Structures
Abbreviated source title:Eng Struct
Volume:247
Issue date:15 November 2021
Publication year:2021
Article number:113162
Language:English
ISSN:01410296
E-ISSN:18737323
CODEN:ENSTDF
Document type:Journal article (JA)
Publisher:Elsevier Ltd
Abstract:Orthotropic steel bridge decks are prone to fatigue cracking at the rib-to-deck welded joints.
This paper studies crack growth under variable amplitude loading. Results: the crack growth rate
decreased by 23% after an overload. (c) 2021 Elsevier Ltd
Number of references:38
Main heading:Steel bridges
Controlled terms:Bridge decks  -  Crack propagation  -  Fatigue crack propagation  -  Welds
Uncontrolled terms:Fatigue crack growth  -  Orthotropic steel deck  -  Rib-to-deck welded joint  -  Variable
amplitude loading
Classification code:401.1 Bridges  -  538.2 Welding  -  545.3 Steel  -  931.1 Mechanics
DOI:10.1016/j.engstruct.2021.113162
Funding details: Number: 51978110, Acronym: NSFC, Sponsor: National Natural Science Foundation of China;
Funding text:This work was supported by the National Natural Science Foundation of China (51978110).
Database:Compendex
Compilation and indexing terms, Copyright 2021 Elsevier Inc.
Data Provider: Engineering Village

<RECORD 2>
Accession number:20221511936542
Title:A hybrid model for short-term wind power forecasting
Authors:Chen, Jing
Author affiliation:School of Electrical Engineering, Dalian University of Technology, Dalian; 116024, China
Corresponding author:Chen, Jing; chenjing@dlut.edu.cn; School of Electrical Engineering, Dalian University of
Technology, Dalian, China
Source title:Proceedings of the 2021 IEEE 4th International Electrical and Energy Conference, CIEEC 2021
Issue date:2021
Publication year:2021
Pages:1542-1547
Language:English
ISBN-13:9781728171494
Document type:Conference article (CA)
Conference name:2021 IEEE 4th International Electrical and Energy Conference, CIEEC 2021
Conference date:May 28, 2021 - May 30, 2021
Conference location:Wuhan, China
Conference code:171234
Publisher:Institute of Electrical and Electronics Engineers Inc.
Abstract:A hybrid model combining variational mode decomposition and LSTM networks is proposed.
Controlled terms:Forecasting; Long short-term memory; Wind power
Classification code:615.8 Wind Power (Before 1993, use code 611 )  -  723.4 Artificial Intelligence
Database:Compendex
Compilation and indexing terms, Copyright 2022 Elsevier Inc.

<RECORD 3>
Accession number:15234567
Title:Lithium-ion battery state of health estimation
Authors:Liu, Yang (1); Zhao, Min (2)
Author affiliation:(1) Dalian University of Technology, Dalian, China; (2) Shenyang University, Shenyang, China
Source title:Journal of Power Sources
Publication year:2015
Volume:290
Pages:1-9
Language:Chinese
Document type:Journal article (JA)
Inspec controlled terms:battery management systems - secondary cells
Classification code:B8410G Secondary cells  -  C3340H Control of electric power systems
Database:Inspec
Copyright 2015, The Institution of Engineering and Technology
"""

EI_CSV = (
    '\ufeffAccession number,Title,Authors,Author affiliation,Corresponding author,Source title,'
    'Publication year,Volume,Issue,Pages,ISSN,Document type,Controlled terms,Classification code,DOI,Database\r\n'
    '20230113309431,"Deep learning for crack detection, a review",'
    '"Zhao, Lei (1); Sun, Mei (1, 2)","(1) Dalian University of Technology, Dalian; 116024, China; '
    '(2) Dalian Maritime University, Dalian, China","Zhao, Lei(zhaolei@dlut.edu.cn)",'
    'Automation in Construction,2023,146,,104678,09265805,Journal article (JA),'
    '"Crack detection  -  Deep learning","723.4 Artificial Intelligence  -  405.2 Construction Methods",'
    '10.1016/j.autcon.2022.104678,Compendex\r\n'
    '20230213301111,"Concrete creep,\r\nrevisited",,,,Cement and Concrete Research,2022,,,,,'
    'Journal article (JA),,,,Compendex\r\n'
    '20230213301112,Broken row,"Wu, Di",extra,columns\r\n'
)


def check_golden(name: str, items: list) -> None:
    got = [i.to_dict() if isinstance(i, Record) else {"problem": dataclasses.asdict(i)} for i in items]
    path = GOLDEN / f"{name}.json"
    if os.environ.get("IR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8")), f"{name} differs from its golden file"


def parse_plain(text: str) -> list:
    return list(formats.get("ei-plain").parse(text))


# ---------------------------------------------------------------------------- plain text


def test_plain_fixture_golden():
    check_golden("plain", parse_plain(EI_PLAIN))


def test_plain_record_fields():
    r1, r2, r3 = parse_plain(EI_PLAIN)
    assert (r1.source, r1.source_id, r1.source_id_kind) == ("ei", "20214210997362", "native")
    # the wrapped title is joined
    assert r1.title == ("Fatigue crack growth of welded joints in orthotropic steel bridge decks under "
                        "variable amplitude loading")
    assert [a.name for a in r1.authors] == ["Zhang, San", "Li, Wei", "Wang, Xiaoming"]
    assert [a.text for a in r1.affiliations] == [
        "School of Civil Engineering, Dalian University of Technology, Dalian; 116024, China",
        "State Key Laboratory of Coastal and Offshore Engineering, Dalian University of Technology, Dalian; "
        "116024, China",
        "Department of Civil Engineering, Tsinghua University, Beijing; 100084, China",
    ]
    assert [a.affiliations for a in r1.authors] == [[0], [0, 1], [2]]
    assert [(a.corresponding, a.email) for a in r1.authors] == [
        (False, None), (True, "liwei@dlut.edu.cn"), (False, None)]
    assert (r1.journal.title, r1.journal.abbreviation, r1.journal.issn, r1.journal.eissn, r1.journal.publisher) == (
        "Engineering Structures", "Eng Struct", "0141-0296", "1873-7323", "Elsevier Ltd")
    assert (r1.year, r1.pub_date, r1.volume, r1.issue, r1.article_number) == (
        2021, "15 November 2021", "247", None, "113162")
    assert (r1.doc_type, r1.doc_type_raw, r1.language, r1.database) == (
        "article", "Journal article (JA)", "en", "Compendex")
    # 'Results: ...' inside the abstract is not a field
    assert r1.abstract.endswith("Results: the crack growth rate decreased by 23% after an overload. (c) 2021 Elsevier Ltd")
    assert r1.index_keywords == ["Steel bridges", "Bridge decks", "Crack propagation", "Fatigue crack propagation", "Welds"]
    assert r1.keywords == ["Fatigue crack growth", "Orthotropic steel deck", "Rib-to-deck welded joint",
                           "Variable amplitude loading"]
    assert r1.classification_codes == ["401.1", "538.2", "545.3", "931.1"]
    assert r1.doi == "10.1016/j.engstruct.2021.113162"
    assert r1.funding == ["Number: 51978110, Acronym: NSFC, Sponsor: National Natural Science Foundation of China"]
    assert r1.raw["CODEN"] == ["ENSTDF"] and r1.raw["Number of references"] == ["38"]
    assert r1.raw["Copyright"] == ["Compilation and indexing terms, Copyright 2021 Elsevier Inc."]

    # one author, one unnumbered address: it is hers; corresponding author in the 'name; email; address' form
    assert [a.affiliations for a in r2.authors] == [[0]]
    assert (r2.authors[0].corresponding, r2.authors[0].email) == (True, "chenjing@dlut.edu.cn")
    assert r2.corresponding_addresses == ["School of Electrical Engineering, Dalian University of Technology, Dalian, China"]
    assert (r2.doc_type, r2.conference, r2.isbn, r2.first_page, r2.last_page) == (
        "proceedings paper", "2021 IEEE 4th International Electrical and Energy Conference, CIEEC 2021",
        "9781728171494", "1542", "1547")
    assert r2.index_keywords == ["Forecasting", "Long short-term memory", "Wind power"]
    assert r2.classification_codes == ["615.8", "723.4"]
    assert r2.raw["Conference location"] == ["Wuhan, China"]

    # Inspec: its own classification codes, controlled terms under their Inspec name, no DOI
    assert (r3.database, r3.language, r3.doi) == ("Inspec", "zh", None)
    assert r3.classification_codes == ["B8410G", "C3340H"]
    assert r3.index_keywords == ["battery management systems", "secondary cells"]


def test_plain_crlf_bom_and_no_markers_read_the_same():
    crlf = "\ufeff" + EI_PLAIN.replace("\n", "\r\n")
    assert [r.to_dict() for r in parse_plain(crlf)] == [r.to_dict() for r in parse_plain(EI_PLAIN)]
    # without <RECORD n> lines a second 'Accession number' starts the next record
    bare = "\n".join(ln for ln in EI_PLAIN.split("\n") if not ln.startswith("<RECORD"))
    assert [r.source_id for r in parse_plain(bare)] == ["20214210997362", "20221511936542", "15234567"]


def test_plain_broken_records_become_problems():
    text = (
        "<RECORD 1>\nthis is not a field line\n\n"
        "<RECORD 2>\nAbstract:An abstract but neither an accession number nor a title.\n\n"
        "<RECORD 3>\nAccession number:20200100000001\nTitle:Fine\n"
    )
    items = parse_plain(text)
    assert [type(i).__name__ for i in items] == ["Problem", "Problem", "Record"]
    p1, p2, rec = items
    assert (p1.record_no, p1.line, p1.field) == (1, 1, None) and "Field name:value" in p1.reason
    assert p1.raw.startswith("<RECORD 1>\nthis is not a field line")
    assert (p2.record_no, p2.line, p2.field) == (2, 4, "Accession number")
    assert rec.source_id == "20200100000001"


def test_plain_without_accession_number_gets_a_hash_id():
    (rec,) = parse_plain("<RECORD 1>\nTitle:An orphan\nAuthors:Wu, Di\nPublication year:2020\n")
    assert rec.source_id_kind == "hash" and rec.source_id.startswith("hash:")


# ---------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(("value", "expected"), [
    ("Zhang, San (1); Li, Wei (1, 2)", [("Zhang, San", [1], None), ("Li, Wei", [1, 2], None)]),
    ("Zhang, San (1,3) ; Li, Wei", [("Zhang, San", [1, 3], None), ("Li, Wei", [], None)]),
    ("Zhang, San (1) (zs@dlut.edu.cn)", [("Zhang, San", [1], "zs@dlut.edu.cn")]),
    ("Müller, K.-H. (2); ", [("Müller, K.-H.", [2], None)]),
    ("", []),
    (None, []),
])
def test_split_authors(value, expected):
    assert split_authors(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("(1) School of X, Dalian University of Technology, Dalian; 116024, China; (2) Tsinghua University, Beijing, China",
     [(1, "School of X, Dalian University of Technology, Dalian; 116024, China"), (2, "Tsinghua University, Beijing, China")]),
    ("(2) B Univ; (1) A Univ", [(2, "B Univ"), (1, "A Univ")]),
    ("Dalian University of Technology, Dalian; 116024, China", [(None, "Dalian University of Technology, Dalian; 116024, China")]),
    ("Lead text; (1) A Univ", [(None, "Lead text"), (1, "A Univ")]),
    ("(10) Tenth Univ", [(10, "Tenth Univ")]),
    ("", []),
])
def test_split_affiliations(value, expected):
    assert split_affiliations(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("802.2 Chemical Reactions - 804 Chemical Products", ["802.2", "804"]),
    ("401.1 Bridges  -  538.2 Welding  -  545.3 Steel", ["401.1", "538.2", "545.3"]),
    ("615.8 Wind Power (Before 1993, use code 611 )  -  723.4 Artificial Intelligence", ["615.8", "723.4"]),
    ("461.9.1 Immunology - 801.2 Biochemistry - 461.9.1 Immunology", ["461.9.1", "801.2"]),
    ("B8410G Secondary cells  -  C3340H Control of electric power systems", ["B8410G", "C3340H"]),
    ("702.1.2; 801.4.1", ["702.1.2", "801.4.1"]),
    ("Light - Optics", []),
    (None, []),
])
def test_classification_codes(value, expected):
    assert classification_codes(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Bridge decks  -  Crack propagation", ["Bridge decks", "Crack propagation"]),
    ("Lithium-ion batteries  -  Anodes", ["Lithium-ion batteries", "Anodes"]),
    ("Forecasting; Wind power", ["Forecasting", "Wind power"]),
    ("Single term", ["Single term"]),
])
def test_split_terms(value, expected):
    assert split_terms(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Zhang, San(zs@dlut.edu.cn)", [("Zhang, San", "zs@dlut.edu.cn", None)]),
    ("Zhang, San (zs@dlut.edu.cn); Li, Wei(lw@x.cn)", [("Zhang, San", "zs@dlut.edu.cn", None), ("Li, Wei", "lw@x.cn", None)]),
    ("Zhang, San; zs@dlut.edu.cn; School of X, Dalian; 116024, China",
     [("Zhang, San", "zs@dlut.edu.cn", "School of X, Dalian; 116024, China")]),
    ("Zhang, San", [("Zhang, San", None, None)]),
    ("", []),
])
def test_split_corresponding(value, expected):
    assert split_corresponding(value) == expected


def test_corresponding_author_matched_by_initial():
    rec = record_from_fields([("Accession number", "1"), ("Title", "T"), ("Authors", "Zhang, San; Zhao, Lei"),
                              ("Corresponding author", "Zhang, S.(zs@x.cn)")], record_no=1, line=1)
    assert [(a.corresponding, a.email) for a in rec.authors] == [(True, "zs@x.cn"), (False, None)]


# ---------------------------------------------------------------------------- CSV


def test_csv_fixture():
    items = list(formats.get("ei-csv").parse(EI_CSV.replace("\r\n", "\n").lstrip("\ufeff")))
    check_golden("csv", items)
    r1, r2, bad = items
    assert (r1.source, r1.source_id, r1.title) == ("ei", "20230113309431", "Deep learning for crack detection, a review")
    assert [a.affiliations for a in r1.authors] == [[0], [0, 1]]
    assert r1.authors[0].corresponding and r1.authors[0].email == "zhaolei@dlut.edu.cn"
    assert (r1.journal.issn, r1.article_number, r1.classification_codes) == ("0926-5805", None, ["723.4", "405.2"])
    assert r1.first_page == "104678"  # EV puts the article number in Pages
    assert r2.title == "Concrete creep, revisited" and r2.authors == []
    assert isinstance(bad, Problem) and (bad.record_no, bad.line) == (3, 5)
    assert "columns" in bad.reason and bad.raw.startswith("20230213301112,Broken row")


def test_plain_and_csv_share_the_mapping():
    """The same record as CSV and as plain text gives the same Record (raw aside)."""
    rec = parse_plain(EI_PLAIN)[0]
    buf = io.StringIO()
    w = csv.writer(buf)
    fields = [(k, v[0]) for k, v in rec.raw.items()]
    w.writerow(["Database" if k == "Database" else k for k, _ in fields])
    w.writerow([v for _, v in fields])
    (from_csv,) = formats.get("ei-csv").parse(buf.getvalue())
    a, b = rec.to_dict(), from_csv.to_dict()
    a.pop("raw"), b.pop("raw")
    assert a == b


# ---------------------------------------------------------------------------- detection and ingest


def test_sniffs_claim_only_their_own(samples):
    plain, csv_fmt = formats.get("ei-plain"), formats.get("ei-csv")
    assert formats.detect_text(EI_PLAIN) is plain
    assert formats.detect_text(EI_CSV.lstrip("\ufeff").replace("\r\n", "\n")) is csv_fmt
    for path in sorted(samples.rglob("*")):
        if path.is_file() and path.name != "MANIFEST.md":
            head = read_file(path).data.decode("utf-8-sig", "replace")[: formats.SNIFF_BYTES]
            assert plain.sniff(head) == (path.parent.name == "ei_plain") and not csv_fmt.sniff(head), path.name


@pytest.mark.parametrize(("name", "content", "fmt", "stored", "quarantined"), [
    ("savedrecs.txt", EI_PLAIN.replace("\n", "\r\n").encode("utf-8-sig"), "ei-plain", 3, 0),
    ("export.csv", EI_CSV.encode("utf-8"), "ei-csv", 2, 1),
])
def test_ingest_end_to_end(store, tmp_path, name, content, fmt, stored, quarantined):
    path = tmp_path / name
    path.write_bytes(content)
    (res,) = ingest_paths(store, [path])
    assert (res.format, res.stored, res.quarantined) == (fmt, stored, quarantined)
    assert res.records_read == res.stored + res.quarantined
    with store.connect() as conn:
        before = conn.execute(sa.select(source_records.c.source_id, source_records.c.updated_at)
                              .where(source_records.c.source == "ei").order_by(source_records.c.source_id)).all()
    assert len(before) == stored
    (again,) = ingest_paths(store, [path])
    assert (again.stored, again.quarantined) == (stored, quarantined)
    with store.connect() as conn:
        after = conn.execute(sa.select(source_records.c.source_id, source_records.c.updated_at)
                             .where(source_records.c.source == "ei").order_by(source_records.c.source_id)).all()
    assert after == before
