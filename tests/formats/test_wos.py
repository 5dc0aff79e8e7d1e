"""Web of Science plain text and tab-delimited: real samples, golden records, the field rules, broken input."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from ir import formats
from ir.decoding import decode
from ir.formats import _wos_fields as wf
from ir.formats import wos_plain, wos_tab
from ir.ingest import ingest_paths, read_file
from ir.model import Problem, Record
from ir.store.tables.ingest import ingest_batches, quarantine, source_records

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "wos"
COUNTS = {  # shared/samples/MANIFEST.md
    "helioszjr-bibliometrix-savedrecs.txt": 17,
    "mrhelper-demo_wos_202101.txt": 10,
    "trafficsafety-savedrecs.txt": 856,
    "worm-dataset.txt": 1949,
    "bibliometrix-valuecreation2_96_records.txt": 96,
}


def _text(samples: Path, name: str) -> str:
    return decode((samples / "wos_plain" / name).read_bytes()).text


def _parse(text: str) -> list[Record | Problem]:
    return list(wos_plain.parse(text))


def _golden_dict(rec: Record) -> dict:
    d = rec.to_dict()
    d["raw_tags"] = list(d.pop("raw"))
    return d


# --- the real samples ----------------------------------------------------------------------------


@pytest.mark.parametrize("name,count", sorted(COUNTS.items()))
def test_every_record_of_every_sample_is_read(samples, name, count):
    text = _text(samples, name)
    assert formats.detect_text(text).name == "wos-plain"
    items = _parse(text)
    problems = [i for i in items if isinstance(i, Problem)]
    assert problems == []
    assert len(items) == count
    assert all(r.source_id.startswith("WOS:") and r.source_id_kind == "native" for r in items)
    assert len({r.source_id for r in items}) == count
    assert all(r.title for r in items)


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.stem)
def test_golden_records(samples, golden):
    """Records checked by hand against the file text: every field of the model."""
    spec = json.loads(golden.read_text(encoding="utf-8"))
    items = _parse(decode((samples / spec["file"]).read_bytes()).text)
    assert len(spec["records"]) >= 3
    for no, expected in spec["records"].items():
        assert _golden_dict(items[int(no) - 1]) == expected, f"record {no}"


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_raw_keeps_every_line_verbatim(samples, name):
    """Every value line of the file (tag stripped) is in some record's raw, and nothing else is."""
    text = _text(samples, name)
    file_lines = Counter(
        line[3:] for line in text.split("\n")
        if line[:2] not in ("FN", "VR", "EF", "ER", "") and not line.startswith("\ufeff")
    )
    raw_lines = Counter(v for r in _parse(text) for vals in r.raw.values() for v in vals)
    assert raw_lines == file_lines


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_fast_and_careful_readers_agree(samples, name):
    """Regular files take the fast path; the line-by-line reader must give the very same records."""
    text = _text(samples, name)
    fast = wos_plain.read_regular(text)
    assert fast is not None
    assert fast == _parse(text) == list(wos_plain._Parser(text).run())


def test_repeated_tags_are_kept_apart(samples):
    # trafficsafety record 'PHYSIOLOGICAL STRAIN INDEX': CT, CY, CL and SP each appear twice
    recs = _parse(_text(samples, "trafficsafety-savedrecs.txt"))
    rec = next(r for r in recs if r.title.startswith("PHYSIOLOGICAL STRAIN INDEX"))
    assert rec.raw["CT"] == [
        "Western Regional Meeting of the American-Federation-for-Medical-Research",
        "Western Region Annual Meeting of the Society-of-Investigative-Medicine",
    ]
    assert rec.conference == (
        "Western Regional Meeting of the American-Federation-for-Medical-Research; "
        "Western Region Annual Meeting of the Society-of-Investigative-Medicine, Carmel, CA, JAN 27-30, 2010"
    )


# --- sniffing ------------------------------------------------------------------------------------

_MIN = "PT J\nAU Yu, RJ\nAF Yu, Rongjie\nTI A title\nSO J\nPY 2016\nUT WOS:1\nER\n"


@pytest.mark.parametrize("head,expected", [
    ("FN Clarivate Analytics Web of Science\nVR 1.0\n" + _MIN, True),
    ("FN Thomson Reuters Web of Science\nVR 1.0\n" + _MIN, True),
    ("\n\n" + _MIN, True),  # no FN/VR header
    ("VR 1.0\n" + _MIN, True),
    ("TY  - JOUR\nAU  - Yu, R\nTI  - A title\nER  - \n", False),  # RIS
    ("RT Journal Article\nSR 1\nA1 张三\nT1 题名\n", False),  # RefWorks
    ("PT J\nhello\nworld\n", False),
    ("%0 Journal Article\n%A Yu\n", False),
])
def test_sniff_plain(head, expected):
    assert wos_plain.sniff(head) is expected


def test_sniff_tab():
    assert wos_tab.sniff("PT\tAU\tAF\tTI\tSO\tPY\tUT\t\nJ\tYu, RJ\tYu, Rongjie\tT\tS\t2016\tWOS:1\t\n")
    assert not wos_tab.sniff("Authors\tTitle\tYear\n")
    assert not wos_tab.sniff(_MIN)
    assert not wos_plain.sniff("PT\tAU\tAF\tTI\tSO\tPY\tUT\n")


# --- the field rules (pure functions, table-driven) ----------------------------------------------

def _authors(*pairs: tuple[str, str]) -> dict[str, list[str]]:
    return {"AU": [au for au, _ in pairs], "AF": [af for _, af in pairs], "TI": ["T"], "UT": ["WOS:1"]}


@pytest.mark.parametrize("authors,c1,expected", [
    # brackets name the AF forms that own the address
    ((("Yang, K", "Yang, Kui"), ("Yu, RJ", "Yu, Rongjie")),
     ["[Yang, Kui; Yu, Rongjie] Tongji Univ, Shanghai 201804, Peoples R China.",
      "[Yu, Rongjie] Southeast Univ, Nanjing, Peoples R China."],
     [[0], [0, 1]]),
    # extras in the brackets and in AF: "Qian, Zhen (Sean)"
    ((("Zhang, PC", "Zhang, Pinchao"), ("Qian, Z", "Qian, Zhen (Sean)")),
     ["[Qian, Zhen (Sean)] Carnegie Mellon Univ, Heinz Coll, Pittsburgh, PA 15213 USA."],
     [[], [0]]),
    # the bracket spells the name without the extra, or with other case and accents
    ((("Qian, Z", "Qian, Zhen (Sean)"), ("Lopez, J", "López, Juan")),
     ["[Qian, Zhen; LOPEZ, JUAN] Univ X, Madrid, Spain."],
     [[0], [0]]),
    # an address without brackets belongs to every author
    ((("Proano, C", "Proano, Carlos"), ("Villacis, C", "Villacis, Cesar")),
     ["[Proano, Carlos] Univ ESPE, Comp Sci Dept, Latacunga, Ecuador.", "Univ ESPE, Elect Dept, Latacunga, Ecuador."],
     [[0, 1], [1]]),
    # a bracketed name that is nobody's links nobody
    ((("Wang, W", "Wang, Wei"),), ["[Li, Ming] Univ X, Beijing, Peoples R China."], [[]]),
    # AU form in the brackets (older records)
    ((("Wang, W", "Wang, Wei"), ("Li, M", "Li, Ming")), ["[Li, M] Univ X, Beijing, Peoples R China."], [[], [0]]),
])
def test_c1_brackets_link_authors(authors, c1, expected):
    rec = wf.build_record(dict(_authors(*authors), C1=c1))
    assert [a.affiliations for a in rec.authors] == expected
    assert [a.text for a in rec.affiliations] == [line.split("] ")[-1] for line in c1]


@pytest.mark.parametrize("c1,c3,expected", [
    (["[A, B] Univ X, Lima, Peru."], ["Universidad X"], ["Universidad X"]),
    (["Univ X, Lima, Peru.", "Univ Y, Lima, Peru."], ["Universidad X; Universidad", "Y"], ["Universidad X", "Universidad Y"]),
    # C3 lists the record's organisations, not one per address: no alignment, no guess
    (["Univ X, Lima, Peru.", "Univ Y, Lima, Peru.", "Inst Z, Lima, Peru."], ["Universidad X; Universidad Y"], [None, None, None]),
])
def test_c3_organisations_where_they_align(c1, c3, expected):
    rec = wf.build_record(dict(_authors(("A, B", "A, Bc")), C1=c1, C3=c3))
    assert [a.organization for a in rec.affiliations] == expected


@pytest.mark.parametrize("rp,expected", [
    ("Yu, RJ (reprint author), Tongji Univ, Shanghai, Peoples R China.",
     [(["Yu, RJ"], "reprint author", "Tongji Univ, Shanghai, Peoples R China.")]),
    ("Gavelan, JPM (autor correspondente), San Marcos Major Natl Univ, Lima, Peru.",
     [(["Gavelan, JPM"], "autor correspondente", "San Marcos Major Natl Univ, Lima, Peru.")]),
    ("Li, ZB (corresponding author), Southeast Univ, Nanjing 210096, Peoples R China.; "
     "Li, ZB (corresponding author), Southeast Univ, Ctr Modern Urban, Nanjing 210096, Peoples R China.",
     [(["Li, ZB"], "corresponding author", "Southeast Univ, Nanjing 210096, Peoples R China."),
      (["Li, ZB"], "corresponding author", "Southeast Univ, Ctr Modern Urban, Nanjing 210096, Peoples R China.")]),
    # several names share one marker and address
    ("Xia, TS; Liu, XA; Wang, S (corresponding author), Nanjing Med Univ, Nanjing 210029, Peoples R China.; "
     "Xia, TS; Liu, XA; Wang, S (corresponding author), Nanjing Med Univ, Sch Publ Hlth, Nanjing 211166, Peoples R China.",
     [(["Xia, TS", "Liu, XA", "Wang, S"], "corresponding author", "Nanjing Med Univ, Nanjing 210029, Peoples R China."),
      (["Xia, TS", "Liu, XA", "Wang, S"], "corresponding author",
       "Nanjing Med Univ, Sch Publ Hlth, Nanjing 211166, Peoples R China.")]),
    ("Makarova, I; Shubenkova, K (reprint author), Kazan Fed Univ, Naberezhnye Chelny, Russia.",
     [(["Makarova, I", "Shubenkova, K"], "reprint author", "Kazan Fed Univ, Naberezhnye Chelny, Russia.")]),
    # an address that contains "; " stays one address
    ("Fontaine, P (reprint author), Univ Quebec, CP 8888; Succ Ctr Ville, Montreal, PQ H3C 3P8, Canada.",
     [(["Fontaine, P"], "reprint author", "Univ Quebec, CP 8888; Succ Ctr Ville, Montreal, PQ H3C 3P8, Canada.")]),
    # no marker: an address naming no person
    ("Metropolitan Washington Council Govt, Transportat Engn, 777 N Capitol St NE,Suite 300, Washington, DC 20002 USA.",
     [([], None, "Metropolitan Washington Council Govt, Transportat Engn, 777 N Capitol St NE,Suite 300, "
                 "Washington, DC 20002 USA.")]),
    # parentheses inside an address are not a marker
    ("Univ Calif Los Angeles (UCLA), Dept Phys, Los Angeles, CA 90095 USA.",
     [([], None, "Univ Calif Los Angeles (UCLA), Dept Phys, Los Angeles, CA 90095 USA.")]),
    # a name with its own parenthesised extra before the marker
    ("Qian, Z (Sean) (reprint author), Carnegie Mellon Univ, Pittsburgh, PA 15213 USA.",
     [(["Qian, Z (Sean)"], "reprint author", "Carnegie Mellon Univ, Pittsburgh, PA 15213 USA.")]),
])
def test_rp_splitting(rp, expected):
    assert wf.split_rp(rp) == expected


@pytest.mark.parametrize("rp,expected_corresponding", [
    ("Yu, RJ (reprint author), Tongji Univ, Shanghai, Peoples R China.", [True, False]),
    ("Wang, XS (通讯作者), Tongji Univ, Shanghai, Peoples R China.", [False, True]),
    # a marker in a language the parser does not list still counts after one of the record's authors
    ("Wang, XS (autor korespondencyjny), Tongji Univ, Shanghai, Peoples R China.", [False, True]),
    ("Yu, RJ; Wang, XS (corresponding author), Tongji Univ, Shanghai, Peoples R China.", [True, True]),
    ("Tongji Univ, Shanghai, Peoples R China.", [False, False]),
])
def test_rp_marks_corresponding_authors(rp, expected_corresponding):
    rec = wf.build_record(dict(_authors(("Yu, RJ", "Yu, Rongjie"), ("Wang, XS", "Wang, Xuesong")), RP=[rp]))
    assert [a.corresponding for a in rec.authors] == expected_corresponding
    assert rec.corresponding_addresses == ["Tongji Univ, Shanghai, Peoples R China."]


@pytest.mark.parametrize("rp,em,expected", [
    # as many e-mails as corresponding authors: paired in RP order, whatever the names
    ("Wang, XS; Yu, RJ (corresponding author), Tongji Univ, Shanghai, Peoples R China.",
     ["wxs@tongji.edu.cn; yurj@tongji.edu.cn"], [None, "yurj@tongji.edu.cn", "wxs@tongji.edu.cn"]),
    ("Yu, RJ (reprint author), Tongji Univ, Shanghai, Peoples R China.", ["a.b@c.org"], [None, "a.b@c.org", None]),
    # more e-mails than corresponding authors: by the names the local parts spell
    ("Yu, RJ (reprint author), Tongji Univ, Shanghai, Peoples R China.",
     ["rongjie.yu@tongji.edu.cn; zhang.ping@x.edu;", "wangxuesong@tongji.edu.cn"],
     ["zhang.ping@x.edu", "rongjie.yu@tongji.edu.cn", "wangxuesong@tongji.edu.cn"]),
    # an address that spells nobody is left unassigned (it stays in raw)
    (None, ["secretary@dchas.org"], [None, None, None]),
])
def test_email_assignment(rp, em, expected):
    fields = _authors(("Zhang, P", "Zhang, Ping"), ("Yu, RJ", "Yu, Rongjie"), ("Wang, XS", "Wang, Xuesong"))
    if rp:
        fields["RP"] = [rp]
    fields["EM"] = em
    rec = wf.build_record(fields)
    assert [a.email for a in rec.authors] == expected
    assert rec.raw["EM"] == em


@pytest.mark.parametrize("we,expected", [
    ("Science Citation Index Expanded (SCI-EXPANDED)", "SCIE"),
    ("Social Sciences Citation Index (SSCI)", "SSCI"),
    ("Arts &amp; Humanities Citation Index (A&amp;HCI)", "AHCI"),
    ("Arts & Humanities Citation Index (A&HCI)", "AHCI"),
    ("Emerging Sources Citation Index (ESCI)", "ESCI"),
    ("Conference Proceedings Citation Index - Science (CPCI-S)", "CPCI-S"),
    ("Conference Proceedings Citation Index- Social Science &amp; Humanities (CPCI-SSH)", "CPCI-SSH"),
    ("Book Citation Index – Science (BKCI-S)", "BKCI-S"),
    ("Book Citation Index – Social Sciences & Humanities (BKCI-SSH)", "BKCI-SSH"),
    ("Science Citation Index Expanded", "SCIE"),
    ("Current Chemical Reactions (CCR-EXPANDED)", "CCR-EXPANDED"),  # unknown: its own code
    ("SSCI", "SSCI"),
])
def test_edition_codes(we, expected):
    assert wf.edition_code(we) == expected


def test_editions_keep_full_names_in_raw():
    we = ["Science Citation Index Expanded (SCI-EXPANDED)", "Social Sciences Citation Index (SSCI)"]
    rec = wf.build_record({"TI": ["T"], "UT": ["WOS:1"], "WE": we})
    assert rec.editions == ["SCIE", "SSCI"]
    assert rec.raw["WE"] == we


@pytest.mark.parametrize("ri,oi,expected", [
    (["Yu, Rongjie/A-1234-2010; Wang, Xuesong/B-5678-2012"], ["Wang, Xuesong/0000-0003-2112-1349"],
     [("A-1234-2010", None), ("B-5678-2012", "0000-0003-2112-1349")]),
    # RI names with extras, wrapped over two lines; an ORCID of nobody in the byline
    (["Rodriguez, Rongjie Yu/AAR-5866-2020;"], ["Yu, Rongjie/0000-0001-0000-0001; Someone,", "Else/0000-0002-0000-0002"],
     [(None, "0000-0001-0000-0001"), (None, None)]),
    ([", Meng/AAA-1-2020"], None, [(None, None), (None, None)]),
])
def test_researcher_ids_by_name(ri, oi, expected):
    fields = _authors(("Yu, RJ", "Yu, Rongjie"), ("Wang, XS", "Wang, Xuesong"))
    fields["RI"] = ri
    if oi:
        fields["OI"] = oi
    rec = wf.build_record(fields, wf.flatten(fields))
    assert [(a.researcher_id, a.orcid) for a in rec.authors] == expected


@pytest.mark.parametrize("fields,doc_type,raw", [
    ({"DT": ["Article; Early Access"], "PT": ["J"]}, "article", "Article; Early Access"),
    ({"DT": ["Proceedings Paper"], "PT": ["C"]}, "proceedings paper", "Proceedings Paper"),
    ({"PT": ["J"]}, "article", "J"),
    ({"PT": ["S"], "CT": ["Conf"]}, "proceedings paper", "S"),
    ({"PT": ["S"]}, None, "S"),
])
def test_doc_type(fields, doc_type, raw):
    rec = wf.build_record(dict(fields, TI=["T"], UT=["WOS:1"]))
    assert (rec.doc_type, rec.doc_type_raw) == (doc_type, raw)


@pytest.mark.parametrize("ti,la,expected", [
    ("A title", "English", ("en", False)),
    ("A title", None, ("en", False)),
    ("Teaching Agile Software Development", "Turkish", ("en", True)),  # WoS's English title of a Turkish paper
    ("中文题名", "Chinese", ("zh", False)),
])
def test_title_language(ti, la, expected):
    fields = {"TI": [ti], "UT": ["WOS:1"]}
    if la:
        fields["LA"] = [la]
    t = wf.build_record(fields).titles[0]
    assert (t.lang, t.translated) == expected


def test_record_without_ut_gets_a_content_id():
    fields = _authors(("Yu, RJ", "Yu, Rongjie"))
    del fields["UT"]
    fields.update(PY=["2016"], SO=["ACCIDENT ANALYSIS AND PREVENTION"])
    rec = wf.build_record(fields)
    assert rec.source_id_kind == "hash" and rec.source_id.startswith("hash:")
    other = wf.build_record(dict(fields, PY=["2017"]))
    assert other.source_id != rec.source_id
    assert wf.build_record(dict(fields)).source_id == rec.source_id


# --- broken input --------------------------------------------------------------------------------

_HEAD = "FN Clarivate Analytics Web of Science\nVR 1.0\n"
_R1 = "PT J\nAU Yu, RJ\nAF Yu, Rongjie\nTI First title\nPY 2016\nUT WOS:0001\nER\n"
_R2 = "PT J\nAU Wang, XS\nTI Second title\n   wraps\nUT WOS:0002\nER\n"


def _kinds(items):
    return [(type(i).__name__, i.source_id if isinstance(i, Record) else (i.line, i.field)) for i in items]


def test_truncated_last_record_is_a_problem_with_its_text():
    text = _HEAD + _R1 + "\n" + _R2 + "\nPT J\nAU Li, M\nTI Cut off in the mid"
    items = _parse(text)
    assert _kinds(items) == [("Record", "WOS:0001"), ("Record", "WOS:0002"), ("Problem", (18, "ER"))]
    p = items[2]
    assert p.record_no == 3 and "truncated" in p.reason
    assert p.raw == "PT J\nAU Li, M\nTI Cut off in the mid"


def test_missing_er_between_records():
    text = _HEAD + _R1.replace("ER\n", "") + _R2
    items = _parse(text)
    assert _kinds(items) == [("Problem", (3, "ER")), ("Record", "WOS:0002")]
    assert "before line 9" in items[0].reason and items[0].raw.startswith("PT J\nAU Yu, RJ")
    assert items[1].title == "Second title wraps"


def test_garbage_inside_a_record():
    text = _HEAD + _R1 + "PT J\nTI Good\n<html>garbage</html>\nUT WOS:0003\nER\n" + _R2
    items = _parse(text)
    assert _kinds(items) == [("Record", "WOS:0001"), ("Problem", (10, "TI")), ("Record", "WOS:0002")]
    assert "line 12" in items[1].reason and "garbage" in items[1].raw


def test_garbage_between_records():
    text = _HEAD + _R1 + "Exported by someone\nsecond stray line\n" + _R2 + "EF\n"
    items = _parse(text)
    assert _kinds(items) == [("Record", "WOS:0001"), ("Problem", (10, None)), ("Record", "WOS:0002")]
    assert items[1].raw == "Exported by someone\nsecond stray line"


def test_record_without_title_or_ut():
    text = _HEAD + _R1 + "PT J\nAU Li, M\nPY 2016\nER\n" + _R2
    for items in (_parse(text), list(wos_plain._Parser(text).run())):  # the fast and the careful path
        assert _kinds(items) == [("Record", "WOS:0001"), ("Problem", (10, "UT")), ("Record", "WOS:0002")]
        assert items[1].record_no == 2 and items[1].raw.startswith("PT J\nAU Li, M")


@pytest.mark.parametrize("text,fast", [
    (_HEAD + _R1 + "\n" + _R2 + "\nEF\n", True),
    ("\n" + _R1 + _R2, True),  # no header
    (_HEAD + _R1 + _R2.rstrip("\n"), True),  # the last ER ends the file, without a line break
    (_HEAD + _R1 + "EF\n" + _HEAD + _R2 + "EF\n", True),  # concatenated exports
    (_HEAD + _R1 + "PT J\nCT A\nCT B\nTI T\nUT WOS:0003\nER\n", True),  # a repeated tag
    (_HEAD + _R1.replace("PY 2016", "PY 2016\n\n"), False),  # a blank line inside a record
    (_HEAD + _R1.replace("TI First title", "TI First\n  title"), False),  # a two-space continuation
    (_HEAD + _R1.replace("PY 2016", "py 2016"), False),  # not a tag
    (_HEAD + _R1.replace("TI First", "TI\tFirst"), False),
    (_HEAD + _R1.replace("ER\n", "ER \n"), False),  # an ER line with a trailing space
    (_HEAD + _R1 + _R2.replace("ER\n", ""), False),  # the last record is cut off
    (_HEAD + _R1 + "ER\n", False),  # an ER line after an ER line
    (_HEAD + _R1 + "ER\n" + _R2, False),
    (_HEAD + _R1.replace("TI First", "TI Fi\x1frst"), False),  # the mark the fast reader uses
    (_HEAD + "   continues VR\n" + _R1, True),
    (_HEAD + "\n   continues a blank line\n" + _R1, False),
    (_HEAD + "stray text\n" + _R1, False),
])
def test_fast_reader_takes_only_regular_files(text, fast):
    """The fast reader reads a regular file as the careful reader does, and declines any other."""
    items = wos_plain.read_regular(text)
    assert (items is not None) is fast
    assert _parse(text) == list(wos_plain._Parser(text).run())
    if fast:
        assert items == _parse(text)


def test_concatenated_exports_and_odd_indentation():
    text = _HEAD + _R1 + "EF\n" + _HEAD + "PT J\nTI A title\n  over two lines\nUT WOS:0004\nER\nEF\n"
    items = _parse(text)
    assert _kinds(items) == [("Record", "WOS:0001"), ("Record", "WOS:0004")]
    assert items[1].title == "A title over two lines"


def test_a_parser_never_raises_on_junk():
    for junk in ("", "\n\n", "PT", "ER\nER\n", "PT J\n   \n   x\nER", "\x00\x01 binary", "FN\nVR\nEF"):
        items = _parse(junk)
        assert all(isinstance(i, (Record, Problem)) for i in items)
        assert list(wos_tab.parse(junk)) is not None


# --- tab-delimited ---------------------------------------------------------------------------------


def _to_tab(records: list[Record], text: str | None = None) -> str:
    """The tab-delimited export of the same records: one row each, multi-values joined with '; '.

    A tag given twice in one plain-text record (two CT lines) is one "; "-joined cell; raw cannot tell
    two occurrences from a wrapped line, so those cells are taken from the plain text when it is given.
    """
    repeated: dict[str, dict[str, str]] = {}
    for chunk in (text or "").split("\nER\n"):
        counts = Counter(re.findall(r"^([A-Z][A-Z0-9]) ", chunk, re.M))
        ut = re.search(r"^UT (.*)$", chunk, re.M)
        for tag in (t for t, n in counts.items() if n > 1 and t not in wf.LINE_TAGS):
            values = re.findall(rf"^{tag} (.*(?:\n   .*)*)", chunk, re.M)
            repeated.setdefault(ut.group(1), {})[tag] = "; ".join(v.replace("\n   ", " ") for v in values)
    cols: list[str] = []
    for r in records:
        cols += [t for t in r.raw if t not in cols]
    rows = ["\t".join(cols) + "\t"]
    for r in records:
        cells = []
        for tag in cols:
            lines = [x.strip() for x in r.raw.get(tag, [])]
            cell = "; ".join(lines) if tag in wf.LINE_TAGS else " ".join(lines)
            cells.append(repeated.get(r.source_id, {}).get(tag, cell))
        rows.append("\t".join(cells) + "\t")
    return "\r\n".join(rows) + "\r\n"


def _comparable(rec: Record) -> dict:
    d = rec.to_dict()
    d.pop("raw")
    d["abstract"] = " ".join((d["abstract"] or "").split()) or None
    return d


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_tab_delimited_gives_the_same_records(samples, name):
    text = _text(samples, name)
    plain = _parse(text)
    tab_text = _to_tab(plain, text)
    assert formats.detect_text(tab_text).name == "wos-tab"
    tab = list(wos_tab.parse(tab_text))
    assert len(tab) == len(plain)
    assert [_comparable(r) for r in tab] == [_comparable(r) for r in plain]


def test_tab_utf16le_through_read_file(samples, tmp_path):
    plain = _parse(_text(samples, "helioszjr-bibliometrix-savedrecs.txt"))
    data = b"\xff\xfe" + _to_tab(plain).encode("utf-16-le")
    path = tmp_path / "savedrecs.txt"
    path.write_bytes(data)
    pf = read_file(path)
    assert (pf.fmt.name, pf.encoding, pf.error) == ("wos-tab", "utf-16", None)
    assert [_comparable(r) for r in pf.items] == [_comparable(r) for r in plain]


def test_tab_broken_rows():
    head = "PT\tAU\tAF\tTI\tSO\tPY\tUT\t"
    text = "\n".join([
        head,
        "J\tYu, RJ; Wang, XS\tYu, Rongjie; Wang, Xuesong\tA title\tJ SAFETY RES\t2016\tWOS:1\t",
        "J\tLi, M\tLi, Ming\tCut off",  # a truncated row
        "J\t\t\t\tJ X\t2017\t\t",  # neither title nor UT
        "J\tZhou, Y\t\"Zhou, Yi\"\t\"A \"\"quoted\"\" title\"\tJ X\t2018\tWOS:4\t",
    ])
    items = list(wos_tab.parse(text))
    assert [type(i).__name__ for i in items] == ["Record", "Problem", "Problem", "Record"]
    assert [a.full_name for a in items[0].authors] == ["Yu, Rongjie", "Wang, Xuesong"]
    assert (items[1].line, items[1].record_no, items[1].raw) == (3, 2, "J\tLi, M\tLi, Ming\tCut off")
    assert (items[2].line, items[2].field) == (4, "UT")
    assert items[3].title == 'A "quoted" title' and items[3].authors[0].full_name == "Zhou, Yi"


def test_tab_c1_cells_split_outside_brackets():
    cell = "[Yang, Kui; Yu, Rongjie] Tongji Univ, Shanghai, Peoples R China; [Yu, Rongjie] Southeast Univ, Nanjing"
    assert wf.split_cell("C1", cell) == [
        "[Yang, Kui; Yu, Rongjie] Tongji Univ, Shanghai, Peoples R China", "[Yu, Rongjie] Southeast Univ, Nanjing",
    ]
    assert wf.split_cell("WE", "Conference Proceedings Citation Index- Social Science &amp; Humanities (CPCI-SSH); "
                               "Science Citation Index Expanded (SCI-EXPANDED)") == [
        "Conference Proceedings Citation Index- Social Science &amp; Humanities (CPCI-SSH)",
        "Science Citation Index Expanded (SCI-EXPANDED)",
    ]
    assert wf.split_cell("TI", "A; B") == ["A; B"]


# --- end to end: ingest into the store --------------------------------------------------------------


def test_ingest_wos_samples_twice(store, samples):
    folder = samples / "wos_plain"
    first = ingest_paths(store, [folder])
    assert {Path(r.path).name: (r.format, r.records_read, r.stored, r.quarantined) for r in first} == {
        name: ("wos-plain", n, n, 0) for name, n in COUNTS.items()
    }
    assert all(r.records_read == r.stored + r.quarantined for r in first)
    with store.connect() as conn:
        before = conn.execute(sa.select(source_records.c.source_id, source_records.c.content_hash,
                                        source_records.c.updated_at).order_by("source_id")).all()
    second = ingest_paths(store, [folder])
    counts = ("path", "format", "encoding", "records_read", "stored", "quarantined", "duplicates")
    assert [{k: r.as_json()[k] for k in counts} for r in second] == [{k: r.as_json()[k] for k in counts} for r in first]
    assert all(r.as_json()["new"] == r.stored and not r.as_json()["skipped"] for r in first)
    assert all(r.as_json()["unchanged"] == r.stored and r.as_json()["skipped"] for r in second)  # the same bytes
    with store.connect() as conn:
        after = conn.execute(sa.select(source_records.c.source_id, source_records.c.content_hash,
                                       source_records.c.updated_at).order_by("source_id")).all()
        batches = conn.execute(sa.select(sa.func.count()).select_from(ingest_batches)).scalar()
        quarantined = conn.execute(sa.select(sa.func.count()).select_from(quarantine)).scalar()
    assert after == before
    assert len(before) == len({r.source_id for r in before}) == sum(COUNTS.values())
    assert (batches, quarantined) == (len(COUNTS), 0)


def test_ingest_quarantines_broken_records(sqlite_store, tmp_path):
    path = tmp_path / "broken.txt"
    path.write_text(_HEAD + _R1 + "PT J\nAU Li, M\nTI Cut off", encoding="utf-8")
    (res,) = ingest_paths(sqlite_store, [path])
    assert (res.format, res.records_read, res.stored, res.quarantined) == ("wos-plain", 2, 1, 1)
    with sqlite_store.connect() as conn:
        row = conn.execute(sa.select(quarantine.c.record_no, quarantine.c.line, quarantine.c.field,
                                     quarantine.c.raw)).one()
    assert tuple(row) == (2, 10, "ER", "PT J\nAU Li, M\nTI Cut off")
