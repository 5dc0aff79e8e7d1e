"""Dictionaries: loading, and every bad row reported with file, line, column and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from ir.dictionaries import DictionaryError, load_dictionaries

ORGS = """org_id,parent_id,name_zh,name_en,variants,kind
DUT,,大连理工大学,Dalian University of Technology,Dalian Univ Technol|大工,university
DUT-CHE,DUT,化工学院,School of Chemical Engineering,Sch Chem Engn,school
DUT-FC,DUT-CHE,精细化工国家重点实验室,State Key Laboratory of Fine Chemicals,State Key Lab Fine Chem,lab
"""
PEOPLE = """person_id,name_zh,name_en,variants,org_id,email,orcid,role,start_year,end_year,supervisor_id
P1,张三,"Zhang, San",Zhang San-Li,DUT-CHE,zhangsan@dlut.edu.cn,0000-0002-1825-0097,faculty,2005,,
P1,张三,"Zhang, San",Zhang San-Li,DUT-FC,zhangsan@dlut.edu.cn,0000-0002-1825-0097,faculty,2015,,
P2,李四,"Li, Si",,DUT-FC,,,student,2018,2023,P1
"""


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


BAD_ORGS = ORGS + """DUT-CHE,DUT,化工学院,Duplicate,,school
DUT-X,NOPE,某学院,Some School,,school
DUT-Y,DUT-X,某系,Some Department,,dept
DUT-Z,DUT,,,,school
"""
BAD_PEOPLE = PEOPLE + """P3,王五,"Wang, Wu",,GONE,,,faculty,2010,,
P4,赵六,"Zhao, Liu",,DUT-CHE,,0000-0002-1825-0098,faculty,2010,,
P5,钱七,"Qian, Qi",,DUT-CHE,,,professor,2010,,
P6,孙八,"Sun, Ba",,DUT-CHE,,,faculty,20x0,,
P7,周九,"Zhou, Jiu",,DUT-CHE,,,student,2019,2023,P99
P1,张三,"Zhang, San",Zhang San-Li,DUT-CHE,zhangsan@dlut.edu.cn,0000-0002-1825-0097,faculty,2005,,
P8,吴十,"Wu, Shi",,DUT-CHE,zhangsan@dlut.edu.cn,,faculty,2010,,
P9,郑一,"Zheng, Yi",,DUT-CHE,,,faculty,2020,2010,
P10,冯二,"Feng, Er",,DUT-CHE,not-an-email,,faculty,2010,,
"""


def test_every_bad_row_is_reported_and_refused(tmp_path):
    d = load_dictionaries(write(tmp_path, BAD_ORGS, BAD_PEOPLE))
    got = {(p.file, p.line, p.column) for p in d.problems}
    assert got == {
        ("organizations.csv", 5, "org_id"),  # duplicate id
        ("organizations.csv", 6, "parent_id"),  # dangling parent
        ("organizations.csv", 7, "parent_id"),  # its parent was refused
        ("organizations.csv", 8, "name_en"),  # no name
        ("people.csv", 5, "org_id"),  # dangling org
        ("people.csv", 6, "orcid"),  # bad checksum
        ("people.csv", 7, "role"),
        ("people.csv", 8, "start_year"),
        ("people.csv", 9, "supervisor_id"),  # dangling supervisor
        ("people.csv", 10, "person_id"),  # duplicate appointment
        ("people.csv", 11, "email"),  # another person's e-mail
        ("people.csv", 12, "end_year"),  # ends before it starts
        ("people.csv", 13, "email"),  # malformed
    }
    assert all(p.reason for p in d.problems)
    assert "DUT-X" not in d.organizations and "DUT-Y" not in d.organizations
    assert set(d.people) == {"P1", "P2"}  # the good rows are kept
    assert "duplicate org_id 'DUT-CHE' (first on line 3)" in str(d.problems[0])


def test_strict_raises_with_the_problems(tmp_path):
    with pytest.raises(DictionaryError) as err:
        load_dictionaries(write(tmp_path, BAD_ORGS, PEOPLE), strict=True)
    assert len(err.value.problems) == 4


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


def test_cycles_in_the_hierarchy_are_refused(tmp_path):
    orgs = ORGS + "A,B,甲,A unit,,x\nB,A,乙,B unit,,x\n"
    d = load_dictionaries(write(tmp_path, orgs))
    assert {(p.line, p.column) for p in d.problems} == {(5, "parent_id"), (6, "parent_id")}
