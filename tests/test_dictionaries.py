"""Dictionaries: loading, and every problem reported with file, line, column, reason and what was done.

A typo never deletes a person or a unit: only a missing or malformed key refuses a row; any other bad
value is dropped and the row loaded without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ir.affiliations import OrgIndex
from ir.dictionaries import DictionaryError, load_dictionaries

ORGS = """org_id,parent_id,name_zh,name_en,variants,kind
DUT,,大连理工大学,Dalian University of Technology,Dalian Univ Technol|大工,university
DUT-CHE,DUT,化工学院,School of Chemical Engineering,Sch Chem Engn,school
DUT-FC,DUT-CHE,精细化工国家重点实验室,State Key Laboratory of Fine Chemicals,State Key Lab Fine Chem,lab
"""
PEOPLE = """person_id,name_zh,name_en,variants,org_id,email,orcid,role,start_year,end_year,supervisor_id,researcher_id
P1,张三,"Zhang, San",Zhang San-Li,DUT-CHE,zhangsan@dlut.edu.cn,0000-0002-1825-0097,faculty,2005,,,
P1,张三,"Zhang, San",Zhang San-Li,DUT-FC,zhangsan@dlut.edu.cn,0000-0002-1825-0097,faculty,2015,,,
P2,李四,"Li, Si",,DUT-FC,,,student,2018,2023,P1,
"""
FIRST_NEW_LINE = 5  # the line of the first row a case appends to PEOPLE


def write(folder: Path, orgs: str = ORGS, people: str = PEOPLE) -> Path:
    (folder / "organizations.csv").write_text(orgs, encoding="utf-8")
    (folder / "people.csv").write_text(people, encoding="utf-8")
    return folder


def test_a_clean_dictionary_loads_with_appointments_and_extra_columns(tmp_path):
    d = load_dictionaries(write(tmp_path))
    assert d.ok and d.digest
    assert set(d.organizations) == {"DUT", "DUT-CHE", "DUT-FC"}
    assert d.organizations["DUT"].variants == ["Dalian Univ Technol", "大工"]
    assert d.organizations["DUT-FC"].extra == {"kind": "lab"}
    assert [a.org_id for a in d.people["P1"]] == ["DUT-CHE", "DUT-FC"]
    assert d.people["P2"][0].supervisor_id == "P1" and d.people["P2"][0].end_year == 2023
    assert d.people["P1"][0].orcid == "0000-0002-1825-0097"


def test_bom_is_accepted(tmp_path):
    (tmp_path / "organizations.csv").write_bytes(ORGS.encode("utf-8-sig"))
    (tmp_path / "people.csv").write_bytes(PEOPLE.encode("utf-8-sig"))
    assert load_dictionaries(tmp_path).ok


E, W = "error", "warning"  # the row refused; the row loaded without the value

PEOPLE_CASES = [
    # (case, rows appended to PEOPLE, {(line offset, column): severity}, person_id, {field: value loaded})
    ("a wrong ORCID check digit drops the ORCID, not the person",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,zhaoliu@dlut.edu.cn,0000-0002-1825-0098,faculty,2010,,,\n',
     {(0, "orcid"): W}, "P4", {"orcid": None, "email": "zhaoliu@dlut.edu.cn", "org_id": "DUT-CHE"}),
    ("an ORCID that is no ORCID at all",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,,0000-0002-1825,faculty,2010,,,\n',
     {(0, "orcid"): W}, "P4", {"orcid": None}),
    ("an ORCID given as its URL is kept",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,,https://orcid.org/0000-0002-1694-233x,faculty,2010,,,\n',
     {}, "P4", {"orcid": "0000-0002-1694-233X"}),
    ("a malformed e-mail",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,zhaoliu at dlut,,faculty,2010,,,\n',
     {(0, "email"): W}, "P4", {"email": None, "start_year": 2010}),
    ("an e-mail that another person also has is evidence for neither",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,ZhangSan@dlut.edu.cn,,faculty,2010,,,\n',
     {(0, "email"): W, (-3, "email"): W, (-2, "email"): W}, "P4", {"email": None}),
    ("an unknown role",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,,,professor,2010,,,\n',
     {(0, "role"): W}, "P4", {"role": ""}),
    ("no role given is no problem",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,,,,2010,,,\n',
     {}, "P4", {"role": ""}),
    ("a start year that is not a year",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,,,faculty,20x0,2020,,\n',
     {(0, "start_year"): W}, "P4", {"start_year": None, "end_year": 2020}),
    ("an appointment that ends before it starts keeps neither year",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,,,faculty,2020,2010,,\n',
     {(0, "end_year"): W}, "P4", {"start_year": None, "end_year": None}),
    ("an unknown supervisor",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,,,student,2019,2023,P99,\n',
     {(0, "supervisor_id"): W}, "P4", {"supervisor_id": None, "role": "student"}),
    ("a person as their own supervisor",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,,,student,2019,2023,P4,\n',
     {(0, "supervisor_id"): W}, "P4", {"supervisor_id": None}),
    ("a malformed ResearcherID",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,,,faculty,2010,,,ABCD-12\n',
     {(0, "researcher_id"): W}, "P4", {"researcher_id": None}),
    ("a ResearcherID is kept in upper case",
     'P4,赵六,"Zhao, Liu",,DUT-CHE,,,faculty,2010,,,b-1234-2012\n',
     {}, "P4", {"researcher_id": "B-1234-2012"}),
    ("an unknown unit in a dictionary of one institution: the appointment is kept at the institution",
     'P4,赵六,"Zhao, Liu",,DUT-CHEM,,,faculty,2010,,,\n',
     {(0, "org_id"): W}, "P4", {"org_id": "DUT"}),
    ("a second appointment under another name keeps the first line's names",
     'P1,张山,"Zhang, Shan",,DUT-CHE,,,faculty,1999,2004,,\n',
     {(0, "name_en"): W}, "P1", {"name_zh": "张三", "start_year": 1999}),
    # keys: the row is refused
    ("no person_id", ',赵六,"Zhao, Liu",,DUT-CHE,,,faculty,2010,,,\n', {(0, "person_id"): E}, None, {}),
    ("no name", 'P4,,,,DUT-CHE,,,faculty,2010,,,\n', {(0, "name_en"): E}, "P4", None),
    ("no unit", 'P4,赵六,"Zhao, Liu",,,,,faculty,2010,,,\n', {(0, "org_id"): E}, "P4", None),
    ("the same appointment twice",
     'P1,张三,"Zhang, San",Zhang San-Li,DUT-CHE,zhangsan@dlut.edu.cn,0000-0002-1825-0097,faculty,2005,,,\n',
     {(0, "person_id"): E}, "P1", {"org_id": "DUT-CHE"}),
]


@pytest.mark.parametrize("case, rows, problems, person, loaded", PEOPLE_CASES, ids=[c[0] for c in PEOPLE_CASES])
def test_only_a_bad_key_refuses_a_person_row(tmp_path, case, rows, problems, person, loaded):
    d = load_dictionaries(write(tmp_path, people=PEOPLE + rows))
    got = {(p.line - FIRST_NEW_LINE, p.column): p.severity for p in d.problems}
    assert got == problems
    assert all(p.file == "people.csv" and p.reason for p in d.problems)
    assert all(str(p).endswith("row refused" if p.refused else "loaded without this value") for p in d.problems)
    if loaded is None:
        assert person not in d.people
    elif person:
        new = [a for a in d.appointments if a.line == FIRST_NEW_LINE]
        appt = new[0] if new else d.people[person][0]
        for k, v in loaded.items():
            assert getattr(appt, k) == v, k
    assert {"P1", "P2"} <= set(d.people)  # the good rows are kept


def test_an_orcid_or_email_two_people_share_is_dropped_from_both(tmp_path):
    rows = ('P4,赵六,"Zhao, Liu",,DUT-CHE,shared@dlut.edu.cn,0000-0002-1694-233X,faculty,2010,,,\n'
            'P5,钱七,"Qian, Qi",,DUT-FC,shared@dlut.edu.cn,0000-0002-1694-233X,faculty,2011,,,\n')
    d = load_dictionaries(write(tmp_path, people=PEOPLE + rows))
    assert {(p.line, p.column) for p in d.problems} == {(5, "email"), (6, "email"), (5, "orcid"), (6, "orcid")}
    assert "also given for 'P5': evidence for neither" in str(d.problems[0]) + str(d.problems[1])
    for pid in ("P4", "P5"):
        assert (d.people[pid][0].email, d.people[pid][0].orcid) == (None, None)


ORG_CASES = [
    # (case, rows appended to ORGS, {(line, column): severity}, org_id, parent after loading (or None: refused))
    ("a duplicate org_id", "DUT-CHE,DUT,化工学院,Duplicate,,school\n", {(5, "org_id"): E}, "DUT-CHE", "DUT"),
    ("an unknown parent: kept under the institution", "DUT-X,NOPE,某学院,Some School,,school\n",
     {(5, "parent_id"): W}, "DUT-X", "DUT"),
    ("a child of it keeps its parent", "DUT-X,NOPE,某学院,Some School,,school\nDUT-Y,DUT-X,某系,Some Dept,,dept\n",
     {(5, "parent_id"): W}, "DUT-Y", "DUT-X"),
    ("its own parent", "DUT-X,DUT-X,某学院,Some School,,school\n", {(5, "parent_id"): W}, "DUT-X", "DUT"),
    ("parents in a loop", "A,B,甲,A unit,,x\nB,A,乙,B unit,,x\nC,A,丙,C unit,,x\n",
     {(5, "parent_id"): W, (6, "parent_id"): W}, "C", "A"),
    ("no name: kept for its people", "DUT-Z,DUT,,,,school\n", {(5, "name_en"): W}, "DUT-Z", "DUT"),
    ("no org_id", ",DUT,某学院,Some School,,school\n", {(5, "org_id"): E}, "", None),
]


@pytest.mark.parametrize("case, rows, problems, org_id, parent", ORG_CASES, ids=[c[0] for c in ORG_CASES])
def test_only_a_bad_key_refuses_an_organisation_row(tmp_path, case, rows, problems, org_id, parent):
    d = load_dictionaries(write(tmp_path, ORGS + rows))
    assert {(p.line, p.column): p.severity for p in d.problems} == problems
    if parent is None:
        assert org_id not in d.organizations
    else:
        assert d.organizations[org_id].parent_id == parent and not d.organizations[org_id].detached
    assert set(d.people) == {"P1", "P2"}


def test_with_two_institutions_a_unit_of_unknown_parent_is_kept_apart(tmp_path):
    orgs = ORGS + "TJU,,天津大学,Tianjin University,Tianjin Univ,university\nX,NOPE,某学院,School of Physics,Sch Phys,school\n"
    people = PEOPLE + 'P4,赵六,"Zhao, Liu",,X,,,faculty,2010,,,\nP5,钱七,"Qian, Qi",,NOPE,,,faculty,2010,,,\n'
    d = load_dictionaries(write(tmp_path, orgs, people))
    assert d.organizations["X"].detached and d.organizations["X"].parent_id is None
    assert [(p.line, p.column, p.severity) for p in d.problems] == [
        (6, "parent_id", "warning"), (6, "org_id", "error")]  # (organizations.csv, then people.csv)
    assert "P4" in d.people and "P5" not in d.people  # an unknown unit: which institution? refused
    index = OrgIndex(o.entry() for o in d.organizations.values())
    assert set(index.roots) == {"DUT", "TJU"}
    assert not index.match("School of Physics, Qingdao, China").ours  # a stray unit makes nothing ours
    assert index.match("Tianjin Univ, Sch Phys, Tianjin, Peoples R China").org_id == "TJU"


def test_strict_raises_with_the_problems(tmp_path):
    with pytest.raises(DictionaryError) as err:
        load_dictionaries(write(tmp_path, ORGS + "DUT-CHE,DUT,化工学院,Duplicate,,school\n"), strict=True)
    assert len(err.value.problems) == 1


@pytest.mark.parametrize("orgs, reason", [
    ("org_id,name_zh,name_en\nDUT,大连理工大学,DUT\n", "missing column(s) in the header"),
    ("", "empty file"),
])
def test_a_broken_header_is_a_file_problem(tmp_path, orgs, reason):
    d = load_dictionaries(write(tmp_path, orgs))
    assert d.problems[0].file == "organizations.csv" and d.problems[0].reason == reason


def test_missing_files_are_reported(tmp_path):
    d = load_dictionaries(tmp_path)
    assert {p.file for p in d.problems} == {"organizations.csv", "people.csv"}
