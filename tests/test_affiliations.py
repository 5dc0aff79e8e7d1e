"""Affiliations: splitting every source's address style; matching against the organisations dictionary."""

from __future__ import annotations

import pytest

from ir.affiliations import OrgEntry, OrgIndex, expand_abbreviations, match_org, split_affiliation, stem_tokens

ORGS = [
    OrgEntry("DUT", None, "大连理工大学", "Dalian University of Technology", ["Dalian Univ Technol", "大工"]),
    OrgEntry("DUT-CHE", "DUT", "化工学院", "School of Chemical Engineering", ["Sch Chem Engn", "化工海洋与生命学院"]),
    OrgEntry("DUT-FC", "DUT-CHE", "精细化工国家重点实验室", "State Key Laboratory of Fine Chemicals", ["State Key Lab Fine Chem"]),
    OrgEntry("DUT-CHEM", "DUT", "化学学院", "School of Chemistry", []),
    OrgEntry("DUT-MECH", "DUT", "机械工程学院", "School of Mechanical Engineering", []),
    OrgEntry("DUT-HOSP", "DUT", "附属医院", "Affiliated Hospital", ["Affiliated Hosp", "大连市中心医院", "Dalian Municipal Cent Hosp"]),
    OrgEntry("DUT-ONC", "DUT-HOSP", "肿瘤科", "Department of Oncology", ["Dept Oncol"]),
]


@pytest.fixture(scope="module")
def index():
    return OrgIndex(ORGS)


@pytest.mark.parametrize("text, institution, subunits, city, postcode, country", [
    ("Dalian Univ Technol, Sch Chem Engn, State Key Lab Fine Chem, Dalian 116024, Peoples R China",
     "Dalian Univ Technol", ["Sch Chem Engn", "State Key Lab Fine Chem"], "Dalian", "116024", "China"),
    ("(1) School of Chemical Engineering, Dalian University of Technology, Dalian; 116024, China",
     "Dalian University of Technology", ["School of Chemical Engineering"], "Dalian", "116024", "China"),
    ("[Yang, Kui; Yu, Rongjie] Tongji Univ, Sch Transportat Engn, 4800 Caoan Rd, Shanghai 201804, Peoples R China.",
     "Tongji Univ", ["Sch Transportat Engn"], "Shanghai", "201804", "China"),
    ("Stanford Univ, Dept Chem, Stanford, CA 94305 USA", "Stanford Univ", ["Dept Chem"], "Stanford", "94305", "USA"),
    ("大连理工大学化工学院", "大连理工大学", ["化工学院"], None, None, "China"),
    ("大连理工大学化工学院, 辽宁 大连 116024", "大连理工大学", ["化工学院"], "大连", "116024", "China"),
    ("220005,徐州市 徐州医科大学附属医院肿瘤科", "徐州医科大学", ["附属医院", "肿瘤科"], "徐州", "220005", "China"),
    ("辽宁省大连市高新园区凌工路2号大连理工大学精细化工国家重点实验室", "大连理工大学", ["精细化工国家重点实验室"], "大连", None, "China"),
])
def test_split_affiliation(text, institution, subunits, city, postcode, country):
    sp = split_affiliation(text)
    assert (sp.institution, sp.subunits, sp.city, sp.postcode, sp.country) == (institution, subunits, city, postcode, country)


@pytest.mark.parametrize("abbr, full", [
    ("Sch Chem Engn", "School Chemical Engineering"),
    ("State Key Lab", "State Key Laboratory"),
    ("Dalian Univ Technol", "Dalian University Technology"),
    ("Dept Oncol, Affiliated Hosp", "Department Oncology, Affiliated Hospital"),
])
def test_expand_abbreviations(abbr, full):
    assert expand_abbreviations(abbr) == full


def test_abbreviated_and_full_names_meet_on_the_same_stems():
    assert stem_tokens("Sch Chem Engn") == stem_tokens("School of Chemical Engineering")
    assert stem_tokens("Dalian Univ Technol") == stem_tokens("Dalian University of Technology")


@pytest.mark.parametrize("text, ours, org_id", [
    ("Dalian University of Technology", True, "DUT"),
    ("Dalian Univ Technol, Dalian 116024, Peoples R China", True, "DUT"),
    ("Dalian Medical University, Dalian 116044, China", False, None),
    ("Dalian Maritime University, Dalian 116026, China", False, None),
    ("Dalian Med Univ, Dept Oncol, Dalian, Peoples R China", False, None),
    ("Dalian Univ, Sch Chem Engn, Dalian, Peoples R China", False, None),
    ("Dalian Univ Technol, Sch Chem Engn, State Key Lab Fine Chem, Dalian 116024, Peoples R China", True, "DUT-FC"),
    ("School of Chemical Engineering, Dalian University of Technology, Dalian; 116024, China", True, "DUT-CHE"),
    ("Dalian Univ Techonl, Sch Chem Engn, Dalian, Peoples R China", True, "DUT-CHE"),  # one typo
    ("Dalian Univ Technol, Sch Chem, Dalian, Peoples R China", True, "DUT-CHEM"),  # not Chemical Engineering
    ("School of Chemical Engineering Dalian University of Technology Dalian China", True, "DUT-CHE"),
    ("大连理工大学化工学院", True, "DUT-CHE"),
    ("大连理工大学 化工海洋与生命学院, 辽宁 大连 116024", True, "DUT-CHE"),
    ("大连理工大学", True, "DUT"),
    ("大连医科大学附属第一医院肿瘤科", False, None),
    ("大连海事大学", False, None),
    ("Dalian Municipal Cent Hosp, Dept Oncol, Dalian, Peoples R China", True, "DUT-ONC"),
    ("Qingdao Univ, Affiliated Hosp, Dept Oncol, Qingdao, Peoples R China", False, None),  # generic unit name alone
    ("青岛大学附属医院肿瘤科", False, None),
    ("Tongji Univ, Sch Chem Engn, Shanghai, Peoples R China", False, None),
])
def test_match_org(index, text, ours, org_id):
    m = index.match(text)
    assert (m.ours, m.org_id) == (ours, org_id), m.evidence


def test_match_keeps_evidence_and_every_unit(index):
    m = match_org("Dalian Univ Technol, Sch Chem Engn, State Key Lab Fine Chem, Dalian 116024, Peoples R China", index)
    assert m.org_ids == ("DUT-FC", "DUT-CHE", "DUT")
    assert m.institution_id == "DUT" and m.score == 1.0
    assert m.evidence["institution_matched"] == "Dalian Univ Technol"
    assert [u["org_id"] for u in m.evidence["units"]] == ["DUT-FC", "DUT-CHE"]


def test_wos_organization_enhanced_name_counts(index):
    m = index.match("Sch Chem Engn, Linggong Rd 2, Dalian 116024, Peoples R China", "Dalian University of Technology")
    assert m.ours and m.org_id == "DUT-CHE"


@pytest.mark.parametrize("text, ours", [
    ("大工, 化工学院", True),
    ("中国重大工程研究中心", False),  # "大工" inside other words is not us
])
def test_short_chinese_names_only_standing_alone(index, text, ours):
    assert index.match(text).ours is ours


@pytest.mark.parametrize("text, ours, org_id", [
    ("State Key Lab Fine Chem, Dalian 116024, Peoples R China", True, "DUT-FC"),
    ("精细化工国家重点实验室", True, "DUT-FC"),
    # named with another institution, the laboratory is theirs (or a joint one): not enough
    ("Tongji Univ, State Key Lab Fine Chem, Shanghai, Peoples R China", False, None),
    ("同济大学精细化工国家重点实验室", False, None),
    ("State Key Lab Pollut Control, Shanghai, Peoples R China", False, None),
])
def test_a_state_key_laboratory_alone_stands_for_us(index, text, ours, org_id):
    m = index.match(text)
    assert (m.ours, m.org_id) == (ours, org_id), m.evidence
