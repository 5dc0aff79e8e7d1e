"""The institution's rank on a work (产权排序), table-driven over records of Web of Science, Ei Compendex,
CNKI and Scopus exports read by the real parsers; the counting rule "the institution is the first unit"
(以我校为第一署名单位) in the extract; the rank in the work list and the Works sheet."""

from __future__ import annotations

import pytest

from ir import formats
from ir.affiliations import OrgEntry, OrgIndex
from ir.report.rank import rank_of_record, unit_rule

# a fictional institution: the university, one of its schools, its hospital
ORGS = OrgIndex([
    OrgEntry("HUT", None, "黄海理工大学", "Huanghai University of Technology", ["Huanghai Univ Technol", "HUT"]),
    OrgEntry("HUT-CHEM", "HUT", "黄海理工大学化工学院", "School of Chemical Engineering", ["Sch Chem Engn"]),
    OrgEntry("HUT-HOSP", "HUT", "黄海理工大学附属医院", "Affiliated Hospital of Huanghai University of Technology", []),
])
UNIT_OF = unit_rule(ORGS)


def _wos(c1: str, rp: str, authors: str = "Zhang, S\n   Li, W\n   Wang, X") -> str:
    af = authors.replace("Zhang, S", "Zhang, San").replace("Li, W", "Li, Wei").replace("Wang, X", "Wang, Xiao")
    return ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n"
            f"AU {authors}\nAF {af}\nTI A study of catalysts\nSO JOURNAL OF CATALYSIS\nDT Article\n"
            f"C1 {c1}\nRP {rp}\nPY 2023\nUT WOS:000000000000001\nER\n\nEF\n")


WOS_FIRST = _wos("[Zhang, San; Li, Wei] Huanghai Univ Technol, Sch Chem Engn, Qingdao 266580, Peoples R China.\n"
                 "   [Wang, Xiao] Tsinghua Univ, Dept Chem, Beijing 100084, Peoples R China.",
                 "Li, W (corresponding author), Huanghai Univ Technol, Sch Chem Engn, Qingdao 266580, Peoples R China.")
WOS_SECOND = _wos("[Zhang, San] Tsinghua Univ, Dept Chem, Beijing 100084, Peoples R China.\n"
                  "   [Zhang, San] Peking Univ, Coll Chem, Beijing 100871, Peoples R China.\n"
                  "   [Li, Wei] Tsinghua Univ, Sch Mat, Beijing 100084, Peoples R China.\n"
                  "   [Wang, Xiao] Huanghai Univ Technol, Sch Chem Engn, Qingdao 266580, Peoples R China.",
                  "Wang, X (corresponding author), Huanghai Univ Technol, Sch Chem Engn, Qingdao 266580, Peoples R China.")
WOS_NOT_OURS = _wos("[Zhang, San; Li, Wei; Wang, Xiao] Tsinghua Univ, Dept Chem, Beijing 100084, Peoples R China.",
                    "Zhang, S (corresponding author), Tsinghua Univ, Dept Chem, Beijing 100084, Peoples R China.")

EI_FIRST_AUTHOR_SECOND_ADDRESS = """\
<RECORD 1>
Accession number:20230000000001
Title:Fatigue of welded joints
Authors:Zhang, San (1, 2); Li, Wei (1); Wang, Xiao (3)
Author affiliation:(1) Department of Civil Engineering, Tsinghua University, Beijing; 100084, China; (2) School of Chemical Engineering, Huanghai University of Technology, Qingdao; 266580, China; (3) Affiliated Hospital of Huanghai University of Technology, Qingdao; 266000, China
Corresponding author:Wang, Xiao(wangx@hut.edu.cn)
Source title:Engineering Structures
Publication year:2023
Document type:Journal article (JA)
Database:Compendex
"""

CNKI_FIRST = """RT Journal Article
SR 1
A1 张三;李四;王五;
AD 黄海理工大学化工学院;清华大学化学系;
T1 催化剂的研究
JF 化工学报
YR 2023
DS CNKI

"""
CNKI_SECOND = """RT Journal Article
SR 1
A1 张三;李四;
AD 清华大学化学系;北京大学化学学院;黄海理工大学化工学院;
T1 分子筛的研究
JF 化工学报
YR 2023
DS CNKI

"""

SCOPUS_HEADER = ('"Authors","Author full names","Author(s) ID","Title","Year","Source title","Affiliations",'
                 '"Authors with affiliations","Correspondence Address","Document Type","Source","EID"\n')
SCOPUS_CORRESPONDING = SCOPUS_HEADER + (
    '"Zhang S.; Li W.","Zhang, San (1); Li, Wei (2)","1; 2","Sorbents for carbon capture",2023,"Fuel",'
    '"Tsinghua University, Beijing, China; Huanghai University of Technology, Qingdao, China",'
    '"Zhang S., Tsinghua University, Beijing, China; Li W., Huanghai University of Technology, Qingdao, China",'
    '"Li, W.; Huanghai University of Technology, Qingdao, China; email: liw@hut.edu.cn","Article","Scopus","2-s2.0-1"\n')


def _record(text: str) -> dict:
    fmt = formats.detect_text(text)
    assert fmt is not None, text[:80]
    (rec,) = [r for r in fmt.parse(text)]
    return rec.to_dict() | {"_format": fmt.name}


@pytest.mark.parametrize("name, text, fmt, position, units, first_unit, first_author, corresponding", [
    ("wos: ours first", WOS_FIRST, "wos-plain", 1, 2, True, True, True),
    ("wos: ours fourth address, third unit", WOS_SECOND, "wos-plain", 3, 3, False, False, True),
    ("wos: not ours", WOS_NOT_OURS, "wos-plain", None, 1, False, False, False),
    ("ei: first author's second address", EI_FIRST_AUTHOR_SECOND_ADDRESS, "ei-plain", 2, 2, False, False, True),
    ("cnki: first organ", CNKI_FIRST, "cnki-refworks", 1, 2, True, True, None),
    ("cnki: third organ", CNKI_SECOND, "cnki-refworks", 3, 3, False, False, None),
    ("scopus: corresponding author's unit", SCOPUS_CORRESPONDING, "scopus-csv", 2, 2, False, False, True),
])
def test_rank_of_record(name, text, fmt, position, units, first_unit, first_author, corresponding):
    rec = _record(text)
    assert rec["_format"] == fmt
    rank = rank_of_record(rec, UNIT_OF, f"{rec['source']}:{rec['source_id']}")
    assert (rank.position, rank.units, rank.first_unit, rank.first_author, rank.corresponding) == (
        position, units, first_unit, first_author, corresponding), (name, rank)
    assert rank.source.startswith(rec["source"] + ":")


def test_the_first_authors_own_first_address_counts_not_the_papers():
    """Ei: the first author's first address is Tsinghua (1), ours is their second: not the first
    author's unit, though the first author is also ours."""
    rank = rank_of_record(_record(EI_FIRST_AUTHOR_SECOND_ADDRESS), UNIT_OF)
    assert rank.label == "corresponding author's unit (2nd of 2)"


@pytest.mark.parametrize("record, label", [
    ({"affiliations": [{"text": "Huanghai Univ Technol, Qingdao, Peoples R China"}]}, "sole unit"),
    ({"affiliations": [{"text": "Huanghai Univ Technol, Qingdao"}, {"text": "Tsinghua Univ, Beijing"}]}, "1st unit of 2"),
    ({"affiliations": [{"text": "Tsinghua Univ, Beijing"}, {"text": "Peking Univ, Beijing"},
                       {"text": "Huanghai Univ Technol, Qingdao"}]}, "3rd of 3 units"),
    ({"affiliations": [{"text": "Tsinghua Univ, Beijing"}]}, "not in the addresses"),
])
def test_rank_labels(record, label):
    assert rank_of_record(record, UNIT_OF).label == label


def test_no_addresses_no_rank():
    assert rank_of_record({"affiliations": [], "authors": [{"position": 1, "name": "X"}]}, UNIT_OF) is None


# ------------------------------------------------------------------------------ the counting rule


@pytest.mark.parametrize("rule, rank, counts", [
    ("any", None, True),
    ("first-unit", None, False),
    ("first-unit", {"first_unit": True, "first_author": True}, True),
    ("first-unit", {"first_unit": False, "first_author": True}, False),
    ("first-author", {"first_unit": False, "first_author": True}, True),
    ("first-or-corresponding", {"first_unit": False, "first_author": False, "corresponding": True}, True),
    ("first-or-corresponding", {"first_unit": False, "first_author": False, "corresponding": None}, False),
])
def test_rank_counts(rule, rank, counts):
    from ir.report import counting as C
    from ir.report.rules import Rules

    assert C.rank_counts(rank, Rules(institution_rank=rule)) is counts


def test_rules_reject_an_unknown_rank_rule():
    from ir.report.rules import Rules, RulesError

    with pytest.raises(RulesError, match="institution_rank"):
        Rules(institution_rank="second-unit")


def test_extract_counts_only_first_unit_works_under_the_rule(tmp_path):
    """The demo institution through the pipeline: under "first-unit" the extract keeps exactly the works
    whose rank says first unit, says how many it left out, and the Works sheet carries the rank."""
    import openpyxl

    from ir.report import build_extract, extract_years, workbook_bytes
    from ir.report.rules import Rules
    from test_web_support import sqlite_world

    st = sqlite_world(tmp_path).store
    try:
        years = extract_years(st)
        year = (years[0], years[-1])
        every = build_extract(st, year, Rules(count_statuses=("claimed", "confirmed", "auto")))
        first = build_extract(st, year, Rules(count_statuses=("claimed", "confirmed", "auto"), institution_rank="first-unit"))
        ranked = [w for w in every.works if w.get("rank")]
        assert ranked and len(ranked) >= len(every.works) * 0.8  # the demo's records carry addresses
        expected = {w["work_id"] for w in every.works if (w.get("rank") or {}).get("first_unit")}
        assert {w["work_id"] for w in first.works} == expected
        assert 0 < len(expected) < len(every.works)
        assert first.left_out.get("rank not first-unit") == len(every.works) - len(expected)
        assert any("institution_rank" in n for n in first.notes)
        assert any("以我校为第一署名单位" in line for line in first.rules.explain())
        wb = openpyxl.load_workbook(__import__("io").BytesIO(workbook_bytes(every)))
        ws = wb["Works"]
        header = [c.value for c in ws[1]]
        col = header.index("First unit (第一署名单位)")
        values = {ws.cell(r, 1).value: ws.cell(r, col + 1).value for r in range(2, ws.max_row + 1)}
        assert {w for w, v in values.items() if v == "yes"} == expected
        # the default rules count claimed and confirmed links only: the fresh demo's year is empty, and says why
        default = build_extract(st, year)
        assert default.works == [] and default.left_out.get("links auto only", 0) + default.left_out.get(
            "links suggested only", 0) >= len(every.works)
    finally:
        st.dispose()
