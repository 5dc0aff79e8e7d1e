"""Scopus CSV parser, on the real sample shared/samples/scopus_csv/helioszjr-bibliometrix-scopus.csv (81 rows).

Golden file tests/golden/scopus/helioszjr.json (records checked by hand against the CSV); every record's
copied columns are checked against the file read independently with the csv module.
Set IR_UPDATE_GOLDEN=1 to rewrite the golden file after a deliberate change (then review the diff).
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
from ir.formats.scopus_csv import link_affiliations, split_correspondence, split_full_names, split_short_authors
from ir.ingest import ingest_paths, read_file
from ir.model import Problem, Record
from ir.store.tables.ingest import quarantine, source_records

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "scopus"
SAMPLE = "scopus_csv/helioszjr-bibliometrix-scopus.csv"


@pytest.fixture(scope="module")
def parsed(samples):
    pf = read_file(samples / SAMPLE)
    assert pf.error is None and pf.fmt.name == "scopus-csv" and pf.encoding == "utf-8-sig"
    return pf.items


@pytest.fixture(scope="module")
def rows(samples):
    return list(csv.DictReader(io.StringIO((samples / SAMPLE).read_text(encoding="utf-8-sig"))))


def test_reads_every_row_without_problems(parsed):
    assert len(parsed) == 81
    assert [i for i in parsed if isinstance(i, Problem)] == []


def test_golden(parsed):
    picks = [1, 7, 13, 25, 43, 55, 61, 73, 79]
    got = {str(n): parsed[n - 1].to_dict() for n in picks}
    for d in got.values():
        d["raw"].pop("References", None)  # long; compared below against the file for every record
    path = GOLDEN / "helioszjr.json"
    if os.environ.get("IR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    for n in expected:
        assert got[n] == expected[n], f"record {n} differs from its golden file"


def folded(value: str) -> str | None:
    """The parser folds runs of white space (the file has double and no-break spaces)."""
    return " ".join(value.split()) or None


def test_every_record_against_the_file(parsed, rows):
    for rec, row in zip(parsed, rows, strict=True):
        assert (rec.source, rec.source_id, rec.source_id_kind) == ("scopus", row["EID"], "native")
        assert rec.title == folded(row["Title"])
        assert rec.year == int(row["Year"])
        assert rec.journal.title == folded(row["Source title"])
        assert rec.journal.abbreviation == folded(row["Abbreviated Source Title"])
        assert rec.volume == (row["Volume"] or None) and rec.issue == (row["Issue"] or None)
        assert rec.article_number == (row["Art. No."] or None)
        assert (rec.first_page, rec.last_page) == (row["Page start"] or None, row["Page end"] or None)
        assert rec.times_cited == (int(row["Cited by"]) if row["Cited by"] else None)
        assert rec.doi == (row["DOI"] or None)
        assert rec.url == row["Link"] and rec.abstract == folded(row["Abstract"])
        assert rec.doc_type_raw == row["Document Type"] and rec.database == "Scopus"
        assert rec.keywords == [folded(k) for k in row["Author Keywords"].split(";") if k.strip()]
        assert rec.index_keywords == [folded(k) for k in row["Index Keywords"].split(";") if k.strip()]
        assert rec.journal.issn == (f"{row['ISSN'][:4]}-{row['ISSN'][4:8]}" if row["ISSN"] else None)
        assert rec.pmid == (row["PubMed ID"] or None)
        # every non-empty column verbatim in raw
        assert rec.raw == {k: [v.strip()] for k, v in row.items() if v.strip()}
        # authors: as many as Scopus author ids, each linked to at least one of the row's affiliations
        ids = [i for i in row["Author(s) ID"].split(";") if i.strip().isdigit()]
        assert len(rec.authors) == len(ids)
        affs = [folded(a) for a in row["Affiliations"].split(";") if a.strip()]
        assert [a.text for a in rec.affiliations][: len(affs)] == affs
        if affs and len(rec.affiliations) == len(affs):
            assert all(a.affiliations for a in rec.authors), rec.source_id


def test_multi_affiliation_author_and_corresponding(parsed):
    rec = next(r for r in parsed if r.source_id == "2-s2.0-85070656924")
    assert [(a.name, a.abbreviated, a.affiliations) for a in rec.authors] == [
        ("Jadhav, P.P.", "Jadhav P.P.", [0, 1]), ("Joshi, S.D.", "Joshi S.D.", [0])]
    assert [a.text for a in rec.affiliations] == [
        "Bharati Vidyapeeth (Deemed to Be University) College of Engineering, Pune, India",
        "Dr. D.Y. Patil School of Engineering (SOE), Lohegaon, Pune, India",
    ]
    assert (rec.authors[0].corresponding, rec.authors[0].email) == (True, "ppjadhav21@gmail.com")
    assert rec.doc_type == "proceedings paper" and rec.isbn == "9789811387142"


def test_no_author_row(parsed):
    rec = parsed[12]
    assert rec.raw["Authors"] == ["[No author name available]"]
    assert rec.authors == [] and rec.affiliations == []


def test_corresponding_without_a_name(parsed):
    rec = next(r for r in parsed if r.source_id == "2-s2.0-84893567582")
    assert not any(a.corresponding for a in rec.authors)
    assert rec.corresponding_addresses == ["Federal Institute of Pernambuco - IFPE, Garanhuns, Brazil"]


# ---------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(("value", "expected"), [
    ("Govil N., Sharma A.", ["Govil N.", "Sharma A."]),
    ("Govil N.; Sharma A.", ["Govil N.", "Sharma A."]),
    ("Rehman A.U., Andrade-Arenas L., van Manen H.", ["Rehman A.U.", "Andrade-Arenas L.", "van Manen H."]),
    ("Choi J.", ["Choi J."]),
    ("[No author name available]", []),
    ("", []),
])
def test_split_short_authors(value, expected):
    assert split_short_authors(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Govil, Nikhil (57209571323); Sharma, Amit (57220907015)",
     [("Govil, Nikhil", "57209571323"), ("Sharma, Amit", "57220907015")]),
    ("Choi, Jeungok", [("Choi, Jeungok", None)]),
])
def test_split_full_names(value, expected):
    assert split_full_names(value) == expected


@pytest.mark.parametrize(("entries", "affs", "expected"), [
    ("Govil, N., Dept A, GLA University, India; Sharma, A., Dept A, GLA University, India",
     ["Dept A, GLA University, India"],
     [("Govil, N.", ["Dept A, GLA University, India"]), ("Sharma, A.", ["Dept A, GLA University, India"])]),
    ("Jadhav, P.P., Univ A, Pune, India, Univ B, Pune, India; Joshi, S.D., Univ A, Pune, India",
     ["Univ A, Pune, India", "Univ B, Pune, India"],
     [("Jadhav, P.P.", ["Univ A, Pune, India", "Univ B, Pune, India"]), ("Joshi, S.D.", ["Univ A, Pune, India"])]),
    # one affiliation inside a longer one: the longer is matched first
    ("Lee, R., Dept CS, Babes-Bolyai University, Romania", ["Babes-Bolyai University, Romania",
                                                            "Dept CS, Babes-Bolyai University, Romania"],
     [("Lee, R.", ["Dept CS, Babes-Bolyai University, Romania"])]),
    # an entry whose affiliation the Affiliations column lacks
    ("Wu, D., Unknown Lab, Chile", [], [("Wu, D.", ["Unknown Lab, Chile"])]),
    ("Wu, D.", [], [("Wu, D.", [])]),
])
def test_link_affiliations(entries, affs, expected):
    assert link_affiliations(entries, affs) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Govil, N.; Department of CEA, Mathura, India; email: nikhil.govil@gla.ac.in",
     [("Govil, N.", "Department of CEA, Mathura, India", "nikhil.govil@gla.ac.in")]),
    ("van Manen, H.; Computer Science Department, Netherlands",
     [("van Manen, H.", "Computer Science Department, Netherlands", None)]),
    ("Federal Institute of Pernambuco - IFPE, Garanhuns, Brazil",
     [(None, "Federal Institute of Pernambuco - IFPE, Garanhuns, Brazil", None)]),
    ("Choi, J.; email: choi@uwm.edu", [("Choi, J.", None, "choi@uwm.edu")]),
    ("", []),
    # newer exports: initials first, several corresponding authors one after another
    ("Y. Li; Department of Surgery, Changsha, Hunan, 410013, China; email: Liyf@hunnu.edu.cn",
     [("Y. Li", "Department of Surgery, Changsha, Hunan, 410013, China", "Liyf@hunnu.edu.cn")]),
    ("B. Zhu; School of Business, Guangxi University, Nanning, China; email: wpzbz@126.com; J. Sadefo Kamdem; "
     "Universite de Montpellier, France; email: j@umontpellier.fr",
     [("B. Zhu", "School of Business, Guangxi University, Nanning, China", "wpzbz@126.com"),
      ("J. Sadefo Kamdem", "Universite de Montpellier, France", "j@umontpellier.fr")]),
])
def test_split_correspondence(value, expected):
    assert split_correspondence(value) == expected


# ---------------------------------------------------------------------------- broken rows, newer layout


NEWER = (
    "Authors,Author full names,Author(s) ID,Title,Year,Source title,Volume,Issue,Art. No.,Page start,Page end,"
    "Cited by,DOI,Link,Affiliations,Authors with affiliations,Correspondence Address,ISSN,Document Type,Source,EID\n"
    '"Caseau Y.; Li W.","Caseau, Yves (7003481211); Li, Wei (57190000001)","7003481211; 57190000001",'
    '"A title, with a comma",2023,Journal X,12,3,,1,"10",,10.1/x,https://www.scopus.com/x,'
    '"Bouygues Telecom, Paris, France; Dalian University of Technology, Dalian, China",'
    '"Caseau, Y., Bouygues Telecom, Paris, France; Li, W., Dalian University of Technology, Dalian, China",'
    '"Li, W.; Dalian University of Technology, Dalian, China; email: liw@dlut.edu.cn","12345678; 8765432X",'
    "Article,Scopus,2-s2.0-85000000001\n"
    '"Short R.",,,"Too short a row",2020\n'
    ",,,,,,,,,,,,,,,,,,,,\n"
    '"Nobody",,,,2020,,,,,,,,,,,,,,Article,Scopus,\n'
)


def test_newer_layout_and_broken_rows():
    items = list(formats.get("scopus-csv").parse(NEWER))
    assert [type(i).__name__ for i in items] == ["Record", "Problem", "Problem"]
    rec, short, empty = items
    assert [(a.name, a.full_name, a.abbreviated, a.affiliations) for a in rec.authors] == [
        ("Caseau, Yves", "Caseau, Yves", "Caseau Y.", [0]), ("Li, Wei", "Li, Wei", "Li W.", [1])]
    assert (rec.authors[1].corresponding, rec.authors[1].email) == (True, "liw@dlut.edu.cn")
    assert (rec.journal.issn, rec.journal.eissn) == ("1234-5678", "8765-432X")
    assert (short.record_no, short.line) == (2, 3) and "5 columns" in short.reason and short.raw == '"Short R.",,,"Too short a row",2020'
    # the blank row is skipped, the row with neither EID nor title is a problem
    assert (empty.record_no, empty.line, empty.field) == (3, 5, "EID")


def test_sniff_claims_only_scopus(samples):
    fmt = formats.get("scopus-csv")
    for path in sorted(samples.rglob("*")):
        if path.is_file() and path.name != "MANIFEST.md":
            head = read_file(path).data.decode("utf-8-sig", "replace")[: formats.SNIFF_BYTES]
            assert fmt.sniff(head) == (path.parent.name == "scopus_csv"), path.name
    assert formats.detect_text(NEWER) is fmt


def test_ingest_end_to_end(store, samples):
    path = samples / SAMPLE
    (res,) = ingest_paths(store, [path])
    assert (res.format, res.records_read, res.stored, res.quarantined) == ("scopus-csv", 81, 81, 0)
    with store.connect() as conn:
        before = conn.execute(sa.select(source_records.c.source_id, source_records.c.content_hash,
                                        source_records.c.updated_at).order_by(source_records.c.source_id)).all()
        assert conn.execute(sa.select(sa.func.count()).select_from(quarantine)).scalar() == 0
    assert len(before) == 81
    (again,) = ingest_paths(store, [path])
    assert again.records_read == again.stored + again.quarantined == 81
    with store.connect() as conn:
        after = conn.execute(sa.select(source_records.c.source_id, source_records.c.content_hash,
                                       source_records.c.updated_at).order_by(source_records.c.source_id)).all()
    assert after == before
    assert isinstance(Record.from_dict(dataclasses.asdict(read_file(path).items[0])), Record)
