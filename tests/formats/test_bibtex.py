"""BibTeX parser: Engineering Village, Web of Science and Scopus entries and a hand-written one.

No real BibTeX export is among the shared samples: the fixtures follow the layouts these databases write
(EV: the accession number as cite key, `copyright = {Compendex}`, numbered `address`; WoS: `Unique-ID =
{WOS:...}`; Scopus: `url` with eid=, `affiliations`, `author_keywords`), with nested braces, quoted values,
@string macros, LaTeX accents and a broken entry. Golden file tests/golden/ris/bibtex.json.
Set IR_UPDATE_GOLDEN=1 to rewrite it (then review the diff).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from ir import formats
from ir.formats.bibtex import latex_to_text, split_names
from ir.ingest import ingest_paths, read_file
from ir.model import Problem, Record

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "ris"

BIB = r"""% exported from Engineering Village and others
@string{es = "Engineering Structures"}

@article{20214210997362 ,
language = {English},
copyright = {Compendex},
copyright = {Compilation and indexing terms, Copyright 2021 Elsevier Inc.},
journal = es,
author = {Zhang, San (1) and Li, Wei (1, 2) and M{\"u}ller, J{\"o}rg (2)},
title = {Fatigue of {Q345qD} steel welded joints: a {Paris}-law study},
volume = {247},
year = {2021},
pages = {113162--113175},
issn = {01410296},
address = {(1) School of Civil Engineering, Dalian University of Technology, Dalian; 116024, China; (2) Institut f{\"u}r Stahlbau, Leibniz Universit{\"a}t Hannover, Germany},
abstract = {Welded joints {\&} 50\% of cracks.},
key = {Steel bridges},
keywords = {Bridge decks;Crack propagation;Welds},
note = {Fatigue crack growth;Orthotropic steel deck},
URL = {http://dx.doi.org/10.1016/j.engstruct.2021.113162},
}

@Article{ WOS:000316834300029,
Author = {Yu, Rongjie and Abdel-Aty, Mohamed},
Title = "Utilizing support vector machine in real-time crash risk evaluation",
Journal = {ACCIDENT ANALYSIS AND PREVENTION},
Year = {2013},
Volume = {51},
Pages = {252-259},
DOI = {10.1016/j.aap.2012.11.027},
ISSN = {0001-4575},
EISSN = {1879-2057},
Unique-ID = {WOS:000316834300029},
Times-Cited = {178},
}

@CONFERENCE{Govil2022,
author={Govil, N. and Sharma, A.},
title={Validation of agile methodology},
booktitle={Proceedings of ICCI 2022},
year={2022},
pages={10-20},
url={https://www.scopus.com/inward/record.uri?eid=2-s2.0-85127865888&partnerID=40},
affiliations={GLA University, Mathura, India; Amity University, Noida, India},
author_keywords={Agile; Fuzzy TOPSIS},
keywords={Decision making; Software design},
document_type={Conference Paper},
source={Scopus},
}

@comment{ this is skipped {even with braces} }

@book{knuth1984,
  author = {Knuth, Donald E. and {The TeX Users Group}},
  title = {The {\TeX}book},
  publisher = {Addison-Wesley},
  year = 1984,
}

@article{broken,
  title = {An entry whose brace never closes,
  year = {2020},
}

@article{fine2020,
  title = {After the broken one},
  year = {2020}
}
"""


def parse(text: str) -> list:
    return list(formats.get("bibtex").parse(text))


def test_fixture_golden():
    got = [i.to_dict() if isinstance(i, Record) else {"problem": dataclasses.asdict(i)} for i in parse(BIB)]
    path = GOLDEN / "bibtex.json"
    if os.environ.get("IR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_entries():
    ei, wos, scopus, book, broken, fine = parse(BIB)
    assert (ei.source, ei.source_id, ei.source_id_kind) == ("ei", "20214210997362", "native")
    assert ei.title == "Fatigue of Q345qD steel welded joints: a Paris-law study"
    assert ei.journal.title == "Engineering Structures" and ei.journal.issn == "0141-0296"
    assert [(a.name, a.affiliations) for a in ei.authors] == [
        ("Zhang, San", [0]), ("Li, Wei", [0, 1]), ("Müller, Jörg", [1])]
    assert ei.affiliations[1].text == "Institut für Stahlbau, Leibniz Universität Hannover, Germany"
    assert (ei.first_page, ei.last_page, ei.doi) == ("113162", "113175", "10.1016/j.engstruct.2021.113162")
    assert ei.index_keywords == ["Steel bridges"] and ei.keywords == ["Bridge decks", "Crack propagation", "Welds"]
    assert ei.abstract == "Welded joints & 50% of cracks."
    assert ei.raw["copyright"] == ["Compendex", "Compilation and indexing terms, Copyright 2021 Elsevier Inc."]

    assert (wos.source, wos.source_id, wos.times_cited) == ("wos", "WOS:000316834300029", 178)
    assert (wos.journal.issn, wos.first_page, wos.last_page) == ("0001-4575", "252", "259")
    assert [a.name for a in wos.authors] == ["Yu, Rongjie", "Abdel-Aty, Mohamed"]

    assert (scopus.source, scopus.source_id, scopus.doc_type) == ("scopus", "2-s2.0-85127865888", "proceedings paper")
    assert scopus.keywords == ["Agile", "Fuzzy TOPSIS"] and scopus.index_keywords == ["Decision making", "Software design"]
    assert [a.text for a in scopus.affiliations] == ["GLA University, Mathura, India", "Amity University, Noida, India"]
    assert scopus.conference == "Proceedings of ICCI 2022"

    assert (book.source, book.source_id_kind, book.doc_type, book.year) == ("ris", "hash", "book", 1984)
    assert [a.name for a in book.authors] == ["Knuth, Donald E.", "The TeX Users Group"]
    assert isinstance(broken, Problem) and (broken.record_no, broken.line, broken.field) == (5, 60, None)
    assert broken.reason == "the entry is not closed before the next one (a '{' lacks its '}')"
    assert broken.raw.startswith("@article{broken,")
    assert fine.title == "After the broken one"


@pytest.mark.parametrize(("value", "expected"), [
    (r"M{\"u}ller", "Müller"),
    (r"M\"uller", "Müller"),
    (r"Fran\c{c}ois", "François"),
    (r"\'{E}cole", "École"),
    (r"Ca\~{n}on \& Co", "Cañon & Co"),
    (r"Stra{\ss}e", "Straße"),
    ("{{Nested} braces}", "Nested braces"),
    ("50\\% of  x", "50% of x"),
])
def test_latex_to_text(value, expected):
    assert latex_to_text(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Zhang, San and Li, Wei", ["Zhang, San", "Li, Wei"]),
    ("{Barnes and Noble} and Smith, J.", ["Barnes and Noble", "Smith, J."]),
    ("Anderson, A.\n  and Brand, B.", ["Anderson, A.", "Brand, B."]),
    ("Single Name", ["Single Name"]),
])
def test_split_names(value, expected):
    assert split_names(value) == expected


def test_sniff(samples):
    fmt = formats.get("bibtex")
    assert formats.detect_text(BIB) is fmt
    for path in sorted(samples.rglob("*")):
        if path.is_file() and path.name != "MANIFEST.md":
            head = read_file(path).data.decode("utf-8-sig", "replace")[: formats.SNIFF_BYTES]
            assert fmt.sniff(head) == (path.parent.name == "bibtex"), path.name
    assert not fmt.sniff("TY  - JOUR\nTI  - @article{x,\nER  - \n")
    assert fmt.sniff("Scopus\nEXPORT DATE: 13 January 2017\n\n@ARTICLE{x,\ntitle={t}}\n")  # a preamble
    assert not fmt.sniff("a\nb\nc\nd\ne\n@article{x,\ntitle={t}}\n")  # five lines of text: not BibTeX


def test_ingest_end_to_end(store, tmp_path):
    path = tmp_path / "export.bib"
    path.write_bytes(BIB.replace("\n", "\r\n").encode("utf-8"))
    (res,) = ingest_paths(store, [path])
    assert (res.format, res.records_read, res.stored, res.quarantined) == ("bibtex", 6, 5, 1)
    (again,) = ingest_paths(store, [path])
    assert (again.stored, again.quarantined) == (5, 1)
