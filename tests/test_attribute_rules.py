"""Decision rules on realistic cases, end to end on the store (SQLite and PostgreSQL): what makes a link
``auto``, what leaves it ``suggested``, and the evidence each decision carries."""

from __future__ import annotations

from pathlib import Path

import pytest

from ir.attribute import attribute
from ir.model import Affiliation, Author, Record
from test_attribute import DUT_CHE, TONGJI, add_work, rows, wos, write_dicts

PEOPLE = """person_id,name_zh,name_en,variants,org_id,email,orcid,role,start_year,end_year,supervisor_id
F1,王芳,"Wang, Fang",,DUT-CHE,,,faculty,2005,,
F9,刘强,"Liu, Qiang",,DUT-CHE,,,faculty,2001,,
S1,王芳,"Wang, Fang",,DUT-CHE,,,student,2018,2023,F9
L1,李伟,"Li, Wei",,DUT-CHE,,,faculty,2003,,
L2,李伟,"Li, Wei",,DUT-MAT,,,faculty,2006,,
L3,李伟,"Li, Wei",,DUT-CS,,,faculty,2009,,
Q1,钱多多,"Qian, Duoduo",,DUT-CHE,,,faculty,2010,,
Z1,周杰,"Zhou, Jie",,DUT-CHE,,,faculty,2010,,
Z2,周杰,"Zhou, Jie",,DUT-CS,,,faculty,2012,,
X1,徐明宇,"Xu, Mingyu",,DUT-MAT,,,faculty,2011,,
Y1,沈怡峨,"Shen, Yi'e",Shen Yi-E,DUT-MAT,,,faculty,2008,,
Y2,沈怡,"Shen, Yi",,DUT-MAT,,,faculty,2009,,
N1,孙丽,"Sun, Li",,DUT-CHE,,,faculty,2004,,
"""

DUT_ROOT = "Dalian Univ Technol, Dalian 116024, Peoples R China"
DUT_MAT = "Dalian Univ Technol, Sch Mat Sci & Engn, Dalian 116024, Peoples R China"


@pytest.fixture
def rule_dicts(tmp_path) -> Path:
    return write_dicts(tmp_path, people=PEOPLE)


def cnki(source_id, names, organs, links=None):
    """A CNKI record: authors and an organ list, linked only where ``links`` guesses it (by position)."""
    return Record(source="cnki", source_id=source_id, year=2020, affiliations=[Affiliation(o) for o in organs],
                  authors=[Author(i, n, name_zh=n, affiliations=(links or {}).get(i, []))
                           for i, n in enumerate(names, 1)])


GARBLED_MAT = "Dlaain Uinv Tecnhol, Sch Mat Sci & Engn, Dalian 116024, Peoples R China"  # beyond repair
DLU_CHE = "Dalian Univ, Sch Chem Engn, Dalian 116622, Peoples R China"  # Dalian University: not ours


def reprint(rec: Record, *addresses: str) -> Record:
    """The record with reprint (corresponding) addresses, as WoS's RP gives them."""
    rec.corresponding_addresses = list(addresses)
    return rec


CASES = [
    # (case, records, position, status, person, evidence: {candidate: {point: value}}, reason contains)
    ("an address with typos beyond repair: the reprint address says the corresponding author is ours",
     [reprint(wos("WOS:20", [("Xu, Mingyu", "Xu, MY", [0], None, True)], [GARBLED_MAT]), DUT_MAT)],
     1, "auto", "X1", {"X1": {"dept": 2.0}}, ""),
    ("... and without it the author is not ours",
     [wos("WOS:21", [("Xu, Mingyu", "Xu, MY", [0], None, True)], [GARBLED_MAT])],
     1, "external", None, {}, "no address of ours"),
    ("two corresponding authors with one reprint address each: whose is whose is unknown",
     [reprint(wos("WOS:22", [("Xu, Mingyu", "Xu, MY", [0], None, True), ("Smith, John", "Smith, J", [1], None, True)],
                  [GARBLED_MAT, TONGJI]), DUT_MAT, TONGJI)],
     1, "external", None, {}, "no address of ours"),
    ("two 'Li, W' on one paper, ours at DUT and the other at Dalian University: ours is linked ...",
     [reprint(wos("WOS:23", [("Li, Wei", "Li, W", [0], None, False), ("Li, Wei", "Li, W", [1], None, True)],
                  [DUT_CHE, DLU_CHE]), DLU_CHE)],
     1, "auto", "L1", {"L1": {"dept": 2.0}, "L2": {"dept": -1.5}}, "ahead of the next person"),
    ("... and the other is not, though the record's reprint line may name either",
     [reprint(wos("WOS:24", [("Li, Wei", "Li, W", [0], None, False), ("Li, Wei", "Li, W", [1], None, True)],
                  [DUT_CHE, DLU_CHE]), DUT_CHE)],
     2, "external", None, {}, "no address of ours"),
    ("a student whose supervisor is not on the byline yields to the namesake on the faculty",
     [wos("WOS:1", [("Wang, Fang", "Wang, F", [0], None, False), ("Smith, John", "Smith, J", [1], None, False)],
          [DUT_CHE, TONGJI])],
     1, "auto", "F1", {"S1": {"student_alone": -2.0}}, "ahead of the next person"),
    ("a student whose supervisor is a co-author",
     [wos("WOS:2", [("Wang, Fang", "Wang, F", [0], None, False), ("Liu, Qiang", "Liu, Q", [0], None, True)],
          [DUT_CHE])],
     1, "auto", "S1", {"S1": {"supervisor": 1.5}}, "ahead of the next person"),
    ("... and the supervisor, for the student among the candidates",
     [wos("WOS:3", [("Wang, Fang", "Wang, F", [0], None, False), ("Liu, Qiang", "Liu, Q", [0], None, True)],
          [DUT_CHE])],
     2, "auto", "F9", {"F9": {"supervisor": 1.5, "unique_name": 1.5}}, ""),
    ("an unlinked organ list and a name three of our people hold: no auto without corroboration",
     [cnki("CJFD:4", ["孙雯", "李伟"], ["大连医科大学", "大连理工大学化工学院"])],
     2, "suggested", "L1", {"L1": {"dept": 2.0, "unlinked_address": -0.5}}, "3 of our people hold the name"),
    ("an unlinked organ list and a name nobody else holds: the name alone is a suggestion",
     [cnki("CJFD:5", ["孙雯", "钱多多"], ["大连医科大学", "大连理工大学化工学院"])],
     2, "suggested", "Q1", {"Q1": {"unique_name": 1.5, "unlinked_address": -0.5}}, "not linked to its authors"),
    ("an unlinked organ list and a name two people hold, one in the unit named",
     [cnki("CJFD:6", ["孙雯", "周杰"], ["大连医科大学", "大连理工大学化工学院"])],
     2, "suggested", "Z1", {"Z1": {"dept": 2.0}}, "not linked to its authors"),
    ("an unlinked organ list, and the student's supervisor among the authors: the student ...",
     [cnki("CJFD:14", ["孙雯", "王芳", "刘强"], ["大连医科大学", "大连理工大学化工学院"])],
     2, "auto", "S1", {"S1": {"supervisor": 1.5, "unlinked_address": -0.5}}, "ahead of the next person"),
    ("... and the supervisor",
     [cnki("CJFD:15", ["孙雯", "王芳", "刘强"], ["大连医科大学", "大连理工大学化工学院"])],
     3, "auto", "F9", {"F9": {"supervisor": 1.5}}, ""),
    ("an address naming only the institution, and a name nobody else holds",
     [wos("WOS:7", [("Xu, Mingyu", "Xu, MY", [0], None, False)], [DUT_ROOT])],
     1, "auto", "X1", {"X1": {"unique_name": 1.5, "years": 0.5}}, ""),
    ("an address naming only the institution, and a name three people hold",
     [wos("WOS:8", [("Li, Wei", "Li, W", [0], None, False)], [DUT_ROOT])],
     1, "suggested", None, {}, "people within"),
    ("'Yi'e' is Yi-e (沈怡峨), not Yi (沈怡)",
     [wos("WOS:9", [("Shen, Yi'e", "Shen, YE", [0], None, False)], [DUT_MAT])],
     1, "auto", "Y1", {}, ""),
    ("a guessed CNKI link that puts the author elsewhere leaves an unlinked organ list",
     [cnki("CJFD:10", ["孙雯", "李伟"], ["大连医科大学", "同济大学化学科学与工程学院", "大连理工大学化工学院"],
           {1: [0], 2: [1]})],
     2, "suggested", "L1", {}, "hold the name"),
    ("as many organs as authors, two of them ours: the guess by position may slide, no link",
     [cnki("CJFD:16", ["李伟", "周杰"], ["大连理工大学计算机科学与技术学院", "大连理工大学化工学院"], {1: [0], 2: [1]})],
     2, "suggested", "Z1", {"Z1": {"dept": 2.0}, "Z2": {"dept": 2.0}}, "people within"),
    ("as many organs as authors, one of them ours: linked by position",
     [cnki("CJFD:17", ["孙雯", "周杰"], ["大连医科大学", "大连理工大学化工学院"], {1: [0], 2: [1]})],
     2, "auto", "Z1", {"Z1": {"dept": 2.0}, "Z2": {"dept": -1.5}}, "ahead of the next person"),
    ("two 李伟 on a CNKI record, ours at DUT and the other at Dalian University: ours is linked ...",
     [cnki("CJFD:30", ["李伟", "李伟"], ["大连理工大学化工学院", "大连大学化工学院"], {1: [0], 2: [1]})],
     1, "auto", "L1", {"L1": {"dept": 2.0}}, "ahead of the next person"),
    ("... and the other is not ours",
     [cnki("CJFD:31", ["李伟", "李伟"], ["大连理工大学化工学院", "大连大学化工学院"], {1: [0], 2: [1]})],
     2, "external", None, {}, "is another author of this work"),
    ("the first organ of a CNKI list is the first author's: linked, whatever the name's holders",
     [cnki("CJFD:12", ["李伟", "孙雯"], ["大连理工大学化工学院", "大连医科大学"])],
     1, "auto", "L1", {"L1": {"dept": 2.0}, "L2": {"dept": -1.5}}, "ahead of the next person"),
    ("... and an author of it at another institution is external",
     [cnki("CJFD:13", ["孙丽", "李伟"], ["大连医科大学", "大连理工大学化工学院"])],
     1, "external", None, {}, "no address of ours"),
]


@pytest.mark.parametrize("case, records, position, status, person, points, reason", CASES, ids=[c[0] for c in CASES])
def test_decision_rules(store, rule_dicts, case, records, position, status, person, points, reason):
    add_work(store, "W1", 2020, records)
    attribute(store, rule_dicts)
    r = rows(store, "W1")[position]
    assert r.status == status, r.evidence
    if person:
        assert r.person_id == person
    assert reason in r.evidence["decision"]
    if status == "external":
        assert r.person_id is None and not r.is_ours
        return
    assert r.score is not None and r.evidence["candidates"]
    assert r.evidence["name_holders"] >= 1
    cands = {c["person_id"]: c["points"] for c in r.evidence["candidates"]}
    for pid, want in points.items():
        for k, v in want.items():
            assert cands[pid].get(k) == v, (pid, cands[pid])


def test_a_real_link_overrules_a_cnki_guess(store, rule_dicts):
    # WoS links 孙丽 / "Sun, Li" to Tongji; a CNKI guess links her to our school: WoS decides
    w = wos("WOS:11", [("Li, Wei", "Li, W", [0], None, False), ("Sun, Li", "Sun, L", [1], None, False)],
            [DUT_CHE, TONGJI])
    c = cnki("CJFD:11", ["李伟", "孙丽"], ["大连理工大学化工学院", "同济大学化学科学与工程学院"], {2: [0]})
    add_work(store, "W1", 2020, [w, c])
    attribute(store, rule_dicts)
    r = rows(store, "W1")
    assert (r[2].status, r[2].person_id, r[2].is_ours) == ("external", None, False)
    assert r[1].is_ours and r[1].evidence["unlinked_addresses"] is False


@pytest.mark.parametrize("units, max_elsewhere, expected", [
    ({"DUT-CHE"}, 1, ["L1", "L2"]),  # 李伟 of the school named, and one namesake elsewhere
    ({"DUT-CHE"}, 3, ["L1", "L2", "L3"]),
    ({"DUT-FC"}, 1, ["L1", "L2"]),  # the school above the laboratory named counts as inside
    ({"DUT-PHY"}, 1, ["L1", "L2", "L3"]),  # nobody of that name in the unit: a move? everyone stays
    (set(), 1, ["L1", "L2", "L3"]),  # only the institution named: everyone ties
])
def test_namesakes_elsewhere_are_capped_only_when_someone_inside_fits(rule_dicts, units, max_elsewhere, expected):
    from ir.affiliations import OrgIndex
    from ir.attribute import AttributeSettings
    from ir.attribute.align import WorkAuthor
    from ir.attribute.decide import AuthorContext, score_candidates
    from ir.attribute.people import PeopleIndex
    from ir.dictionaries import load_dictionaries

    with (rule_dicts / "organizations.csv").open("a", encoding="utf-8") as fh:
        fh.write("DUT-PHY,DUT,物理学院,School of Physics,Sch Phys\n")
    d = load_dictionaries(rule_dicts)
    orgs, people = OrgIndex(o.entry() for o in d.organizations.values()), PeopleIndex(d)
    ctx = AuthorContext(WorkAuthor(1, "Li, Wei", ["Li, Wei"]), ours=True, unit_ids=set(units) | {"DUT"})
    cands = score_candidates(ctx, 2020, people, orgs, AttributeSettings(max_elsewhere=max_elsewhere))
    assert sorted(c.person_id for c in cands) == expected
    assert ctx.holders == 3


@pytest.mark.parametrize("bad_value", [
    "bai.xue@dlut.edu.cn,0000-0002-1825-0098",  # an ORCID with a wrong check digit
    "liqiang@dlut.edu.cn,",  # an e-mail another person (F9) also has
])
def test_a_dictionary_typo_never_hands_a_persons_papers_to_a_namesake(store, tmp_path, bad_value):
    people = PEOPLE.replace("F9,刘强,\"Liu, Qiang\",,DUT-CHE,,", "F9,刘强,\"Liu, Qiang\",,DUT-CHE,liqiang@dlut.edu.cn,") + (
        f"B1,白雪,\"Bai, Xue\",,DUT-CHE,{bad_value},faculty,2005,,\n"
        "B2,白雪,\"Bai, Xue\",,DUT-MAT,,,faculty,2006,,\n")
    folder = write_dicts(tmp_path, people=people)
    add_work(store, "W1", 2020, [wos("WOS:1", [("Bai, Xue", "Bai, X", [0], None, False)], [DUT_ROOT])])
    rep = attribute(store, folder)
    assert rep.people == 15 and any(p.line and not p.refused for p in rep.problems)
    r = rows(store, "W1")[1]
    assert r.status == "suggested" and r.evidence["name_holders"] == 2  # not auto-linked to B2 alone


XIE = PEOPLE + """G1,谢晓国,"Xie, Xiaoguo",,DUT-MAT,xiexg@dlut.edu.cn,,faculty,2005,,
G2,谢晓国,"Xie, Xiaoguo",,DUT-MAT,,,faculty,2008,,
"""


@pytest.mark.parametrize("how", ["claimed", "e-mail"])
def test_namesakes_in_one_unit_are_told_apart_by_their_coauthors_across_years(store, tmp_path, how):
    """Two 谢晓国 in one school tie on the name, the unit and the years. One of them published with 徐明宇
    before (a claim, or a link the e-mail settled): a later paper with 徐明宇 is his, with the evidence."""
    from ir.attribute import claim

    folder = write_dicts(tmp_path, people=XIE)
    email = "xiexg@dlut.edu.cn" if how == "e-mail" else None
    add_work(store, "W1", 2019, [wos("WOS:1", [("Xie, Xiaoguo", "Xie, XG", [0], email, bool(email)),
                                               ("Xu, Mingyu", "Xu, MY", [0], None, False)], [DUT_MAT])])
    if how == "claimed":
        attribute(store, folder)
        assert rows(store, "W1")[1].status == "suggested"  # a tie: to both of them
        claim(store, "W1", 1, "G1", actor="G1")
    add_work(store, "W2", 2022, [wos("WOS:2", [("Xu, Mingyu", "Xu, MY", [0], None, False),
                                               ("Xie, Xiaoguo", "Xie, XG", [0], None, False)], [DUT_MAT], year=2022)])
    add_work(store, "W3", 2022, [wos("WOS:3", [("Xie, Xiaoguo", "Xie, XG", [0], None, False)], [DUT_MAT], year=2022)])
    attribute(store, folder)
    r = rows(store, "W2")[2]
    assert (r.status, r.person_id) == ("auto", "G1")
    best = r.evidence["candidates"][0]
    assert best["points"]["coauthors"] == 1.5 and best["evidence"]["coauthors"] == ["X1"]
    assert rows(store, "W3")[1].status == "suggested"  # alone on a paper: nothing tells them apart
