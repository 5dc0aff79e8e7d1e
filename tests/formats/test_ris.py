"""Generic RIS parser: records from Engineering Village, Web of Science, Scopus, CNKI and a reference manager.

No real RIS export is among the shared samples: the fixtures follow the RIS specification and the layouts
these databases write (EV's numbered authors and addresses, WoS's AN WOS:..., Scopus's eid= link, CNKI's
FileName= link), with wrapped abstracts, repeated KW lines, a record without ER at the end and CRLF.
Golden file tests/golden/ris/fixture.json. Set IR_UPDATE_GOLDEN=1 to rewrite it (then review the diff).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from ir import formats
from ir.formats.ris import detect_source, native_id
from ir.ingest import ingest_paths, read_file
from ir.model import Problem, Record
from ir.store.tables.ingest import quarantine, source_records

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "ris"

RIS = """\
TY  - JOUR
M3  - Journal article (JA)
AN  - 20214210997362
DB  - Compendex
TI  - Fatigue crack growth of welded joints in orthotropic steel bridge decks
AU  - Zhang, San (1)
AU  - Li, Wei (1, 2)
AD  - (1) School of Civil Engineering, Dalian University of Technology, Dalian; 116024, China; (2) State Key Laboratory of Coastal and Offshore Engineering, Dalian University of Technology, Dalian; 116024, China
T2  - Engineering Structures
J2  - Eng Struct
PY  - 2021
VL  - 247
SN  - 01410296
DO  - 10.1016/j.engstruct.2021.113162
KW  - Bridge decks
KW  - Crack propagation
AB  - Orthotropic steel bridge decks are prone to fatigue cracking
  at the rib-to-deck welded joints.
LA  - English
PB  - Elsevier Ltd
UR  - https://doi.org/10.1016/j.engstruct.2021.113162
ER  - 

TY  - JOUR
AU  - Yu, Rongjie
AU  - Wang, Xuesong
TI  - Utilizing support vector machine in real-time crash risk evaluation
T2  - ACCIDENT ANALYSIS AND PREVENTION
PY  - 2013
VL  - 51
SP  - 252
EP  - 259
SN  - 0001-4575
DO  - 10.1016/j.aap.2012.11.027
AN  - WOS:000316834300029
ER  - 

TY  - CONF
TI  - Validation of agile methodology
AU  - Govil, N.
T2  - Proceedings of ICCI 2022
PY  - 2022
SP  - 10-20
UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-85127865888&doi=10.1016%2fj.advengsoft.2022.103125&partnerID=40
DB  - Scopus
ER  - 

TY  - JOUR
TI  - 中国女性乳腺癌筛查标准
AU  - 赫捷;沈洪兵;陈万青;
JO  - 中华疾病控制杂志
PY  - 2021
IS  - 01
UR  - https://kns.cnki.net/kcms/detail/detail.aspx?FileName=JBKZ20210115000&DbName=DKFX2021
DB  - CNKI
KW  - 乳腺癌;筛查;标准
ER  - 

TY  - JOUR
AU  - Rossi, Mario
AD  - Politecnico di Milano, Milan, Italy
TI  - A record from a reference manager
JO  - Journal of Things
Y1  - 2019/03/01/
ID  - 12
ER  - 

TY  - JOUR
AB  - An abstract with neither a title nor an id.
ER  - 

TY  - BOOK
TI  - A book without its ER line
SN  - 978-7-03-012345-6
PY  - 2018
"""


def parse(text: str) -> list:
    return list(formats.get("ris").parse(text))


def test_fixture_golden():
    items = parse(RIS)
    got = [i.to_dict() if isinstance(i, Record) else {"problem": dataclasses.asdict(i)} for i in items]
    path = GOLDEN / "fixture.json"
    if os.environ.get("IR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_sources_ids_and_fields():
    ei, wos, scopus, cnki, generic, bad, book = parse(RIS)
    assert (ei.source, ei.source_id, ei.source_id_kind, ei.database) == ("ei", "20214210997362", "native", "Compendex")
    assert [(a.name, a.affiliations) for a in ei.authors] == [("Zhang, San", [0]), ("Li, Wei", [0, 1])]
    assert ei.affiliations[1].text.startswith("State Key Laboratory") and len(ei.affiliations) == 2
    assert (ei.doc_type, ei.journal.title, ei.journal.abbreviation, ei.journal.issn) == (
        "article", "Engineering Structures", "Eng Struct", "0141-0296")
    assert ei.abstract == "Orthotropic steel bridge decks are prone to fatigue cracking at the rib-to-deck welded joints."
    assert ei.keywords == ["Bridge decks", "Crack propagation"] and ei.language == "en"

    assert (wos.source, wos.source_id, wos.first_page, wos.last_page) == ("wos", "WOS:000316834300029", "252", "259")
    assert (scopus.source, scopus.source_id, scopus.doc_type) == ("scopus", "2-s2.0-85127865888", "proceedings paper")
    assert (scopus.first_page, scopus.last_page, scopus.conference, scopus.doi) == (
        "10", "20", "Proceedings of ICCI 2022", None)  # the DOI in a Scopus link is URL-encoded: not taken
    assert (cnki.source, cnki.source_id) == ("cnki", "JBKZ20210115000")
    assert [a.name for a in cnki.authors] == ["赫捷", "沈洪兵", "陈万青"]
    assert cnki.keywords == ["乳腺癌", "筛查", "标准"] and cnki.titles[0].lang == "zh"
    # a reference manager's own record number is not an id: content hash
    assert (generic.source, generic.source_id_kind, generic.year) == ("ris", "hash", 2019)
    assert generic.source_id.startswith("hash:") and generic.pub_date == "2019/03/01/"
    assert isinstance(bad, Problem) and (bad.record_no, bad.line, bad.field) == (6, 68, "TI")
    assert (book.title, book.isbn, book.doc_type) == ("A book without its ER line", "978-7-03-012345-6", "book")


def test_crlf_and_bom_read_the_same():
    crlf = "\ufeff" + RIS.replace("\n", "\r\n")
    assert [i.to_dict() if isinstance(i, Record) else i for i in parse(crlf)] == [
        i.to_dict() if isinstance(i, Record) else i for i in parse(RIS)]


@pytest.mark.parametrize(("ids", "provider", "urls", "expected"), [
    ([], ["Compendex"], [], "ei"),
    ([], ["Engineering Village"], [], "ei"),
    ([], ["Inspec"], [], "ei"),
    ([], [], ["https://www.engineeringvillage.com/app/doc/?docid=cpx_123"], "ei"),
    (["WOS:000316834300029"], [], [], "wos"),
    ([], ["Scopus"], [], "scopus"),
    ([], [], ["https://www.scopus.com/inward/record.uri?eid=2-s2.0-1"], "scopus"),
    ([], ["CNKI"], [], "cnki"),
    (["12"], ["Zotero"], ["https://example.org/x"], "ris"),
])
def test_detect_source(ids, provider, urls, expected):
    assert detect_source(ids, provider, urls) == expected


@pytest.mark.parametrize(("source", "ids", "urls", "expected"), [
    ("ei", ["20214210997362"], [], "20214210997362"),
    ("scopus", [], ["https://www.scopus.com/inward/record.uri?eid=2-s2.0-85127865888&doi=x"], "2-s2.0-85127865888"),
    ("cnki", [], ["https://kns.cnki.net/kcms/detail/detail.aspx?FileName=ZNYX202101034&DbName=CJFQ"], "ZNYX202101034"),
    ("ris", ["7"], [], None),
    ("ris", ["MEDLINE:31234567"], [], "MEDLINE:31234567"),
])
def test_native_id(source, ids, urls, expected):
    assert native_id(source, ids, urls) == expected


def test_sniff_claims_only_ris(samples):
    fmt = formats.get("ris")
    assert formats.detect_text(RIS) is fmt
    for path in sorted(samples.rglob("*")):
        if path.is_file() and path.name != "MANIFEST.md":
            head = read_file(path).data.decode("utf-8-sig", "replace")[: formats.SNIFF_BYTES]
            assert fmt.sniff(head) == (path.parent.name == "ris"), path.name
    assert not fmt.sniff("PT J\nAU Yu, RJ\nTI x\nER\n")
    assert not fmt.sniff("AU  - Somebody\nTY  - JOUR\n")  # TY first, or ER lines after a first tag
    assert fmt.sniff("TI  - A record without TY\nAU  - Somebody\nER  - \n")  # Scopus, 2016


def test_ingest_end_to_end(store, tmp_path):
    path = tmp_path / "export.ris"
    path.write_bytes(RIS.replace("\n", "\r\n").encode("utf-8-sig"))
    (res,) = ingest_paths(store, [path])
    assert (res.format, res.records_read, res.stored, res.quarantined) == ("ris", 7, 6, 1)
    with store.connect() as conn:
        before = conn.execute(sa.select(source_records.c.source, source_records.c.source_id, source_records.c.updated_at)
                              .order_by(source_records.c.source_id)).all()
        q = conn.execute(sa.select(quarantine.c.record_no, quarantine.c.line, quarantine.c.field)).all()
    assert sorted(s for s, _, _ in before) == ["cnki", "ei", "ris", "ris", "scopus", "wos"]
    assert q == [(6, 68, "TI")]
    ingest_paths(store, [path])
    with store.connect() as conn:
        after = conn.execute(sa.select(source_records.c.source, source_records.c.source_id, source_records.c.updated_at)
                             .order_by(source_records.c.source_id)).all()
    assert after == before
