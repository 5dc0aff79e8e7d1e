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


# ---- look-alike institutions: never one for the other, never by containment of another's name -----------
# (key, 中文名, English name, WoS abbreviation, city, other names): real institutions, in groups of look-alikes
LOOKALIKE_GROUPS = [
    [("DLU", "大连大学", "Dalian University", "Dalian Univ", "Dalian", ()),
     ("DUT", "大连理工大学", "Dalian University of Technology", "Dalian Univ Technol", "Dalian", ())],
    [("TJU", "天津大学", "Tianjin University", "Tianjin Univ", "Tianjin", ()),
     ("TJUT", "天津理工大学", "Tianjin University of Technology", "Tianjin Univ Technol", "Tianjin", ()),
     ("TUST", "天津科技大学", "Tianjin University of Science and Technology", "Tianjin Univ Sci & Technol", "Tianjin", ())],
    [("BJUT", "北京工业大学", "Beijing University of Technology", "Beijing Univ Technol", "Beijing", ()),
     ("PKU", "北京大学", "Peking University", "Peking Univ", "Beijing", ("Beijing University", "Beijing Univ")),
     ("BUCT", "北京化工大学", "Beijing University of Chemical Technology", "Beijing Univ Chem Technol", "Beijing", ())],
    [("SDU", "山东大学", "Shandong University", "Shandong Univ", "Jinan", ()),
     ("SDUST", "山东科技大学", "Shandong University of Science and Technology", "Shandong Univ Sci & Technol",
      "Qingdao", ())],
    [("HENU", "河南大学", "Henan University", "Henan Univ", "Kaifeng", ()),
     ("HNU", "湖南大学", "Hunan University", "Hunan Univ", "Changsha", ())],
    [("HBU", "河北大学", "Hebei University", "Hebei Univ", "Baoding", ()),
     ("HUBU", "湖北大学", "Hubei University", "Hubei Univ", "Wuhan", ())],
    [("SXNU", "山西师范大学", "Shanxi Normal University", "Shanxi Normal Univ", "Linfen", ()),
     ("SNNU", "陕西师范大学", "Shaanxi Normal University", "Shaanxi Normal Univ", "Xian", ())],
    [("CAS", "中国科学院", "Chinese Academy of Sciences", "Chinese Acad Sci", "Beijing", ()),
     ("UCAS", "中国科学院大学", "University of Chinese Academy of Sciences", "Univ Chinese Acad Sci", "Beijing", ())],
]
ADDRESS_FORMS = {  # how each source writes an address of an institution
    "wos": lambda i: f"{i[3]}, Sch Chem Engn, {i[4]} 100081, Peoples R China",
    "ei": lambda i: f"School of Chemical Engineering, {i[2]}, {i[4]}; 100081, China",
    "no commas": lambda i: f"School of Chemical Engineering {i[2]} {i[4]} China",
    "wos unit first": lambda i: f"Sch Chem Engn, {i[3]}, {i[4]}, Peoples R China",
    "cnki": lambda i: f"{i[1]}化工学院",
    "cnki with place": lambda i: f"{i[1]}化工学院,{i[4]} 100081",
}
LOOKALIKE_CASES = [(ours, other, form) for group in LOOKALIKE_GROUPS for ours in group for other in group
                   for form in ADDRESS_FORMS]


def _index_of(inst) -> OrgIndex:
    key, zh, en, wos, _, other = inst
    return OrgIndex([OrgEntry(key, None, zh, en, [wos, *other]),
                     OrgEntry(f"{key}-CHE", key, "化工学院", "School of Chemical Engineering", ["Sch Chem Engn"])])


@pytest.mark.parametrize("ours, other, form", LOOKALIKE_CASES,
                         ids=[f"{o[0]}<-{x[0]}:{f}" for o, x, f in LOOKALIKE_CASES])
def test_a_lookalike_institution_is_never_ours(ours, other, form):
    text = ADDRESS_FORMS[form](other)
    m = _index_of(ours).match(text)
    if other is ours:
        assert (m.ours, m.institution_id, m.org_id) == (True, ours[0], f"{ours[0]}-CHE"), (text, m.evidence)
    else:
        assert not m.ours, (text, m.evidence)


# ---- typos in the institution's name ----------------------------------------------------------------------
LIAOHAI = [OrgEntry("LUT", None, "辽海理工大学", "Liaohai University of Technology", ["Liaohai Univ Technol"]),
           OrgEntry("LUT-CHE", "LUT", "化工学院", "School of Chemical Engineering", ["Sch Chem Engn"])]


@pytest.mark.parametrize("text, ours", [
    ("Liaohai nUiv Technol, Sch Chem Engn, Dalian 116024, Peoples R China", True),  # two letters swapped
    ("Liaohai Uinv Technol, Sch Chem Engn, Dalian 116024, Peoples R China", True),
    ("Liaohai Unv Technol, Sch Chem Engn, Dalian 116024, Peoples R China", True),  # a letter dropped
    ("Liaohai Univv Technol, Sch Chem Engn, Dalian 116024, Peoples R China", True),  # a letter doubled
    ("Liaohai Univ Tecnhol, Sch Chem Engn, Dalian 116024, Peoples R China", True),
    ("Liaohia Univ Technol, Sch Chem Engn, Dalian 116024, Peoples R China", True),  # in the proper name
    ("Liaoohai Univ Technol, Sch Chem Engn, Dalian 116024, Peoples R China", True),
    ("Liao hai Univ Technol, Sch Chem Engn, Dalian 116024, Peoples R China", True),  # a space too many
    ("School of Chemical Engineering, Liaohai Univeristy of Technolgy, Dalian; 116024, China", True),
    ("School of Chemical Engineering Liaohai University of Technolgy Dalian 116024 China", True),
    ("Liaohaai Univ Technol, Sch Chem Engn, Dalian 116024, Peoples R China", True),  # a vowel doubled
    ("School of Chemical Engineering, Liaohai University oof Technology, Dalian; 116024, China", True),
    ("School of Chemical Engineering, Liaohai University fo Technology, Dalian; 116024, China", True),
    ("Liaohei Univ Technol, Sch Chem Engn, Dalian 116024, Peoples R China", False),  # another name, not a slip
    ("Liaohui Univ Technol, Sch Chem Engn, Dalian 116024, Peoples R China", False),
    ("Liaohai Univ, Sch Chem Engn, Dalian 116024, Peoples R China", False),  # another institution
    ("Liaohai Inst Technol, Sch Chem Engn, Dalian 116024, Peoples R China", False),
    ("Liaohai Med Univ, Sch Chem Engn, Dalian 116024, Peoples R China", False),
    ("Liaoahi Univ Tecnhol, Sch Chem Engn, Dalian 116024, Peoples R China", True),  # one in each word
    ("Laiohia Univ Technol, Sch Chem Engn, Dalian 116024, Peoples R China", False),  # two slips in the name
])
def test_a_typo_in_the_institution_name_is_still_ours(text, ours):
    m = OrgIndex(LIAOHAI).match(text)
    assert m.ours is ours, m.evidence
    if ours:
        assert m.org_id == "LUT-CHE" and 0.8 <= m.score < 1.0  # the score says it was not exact


@pytest.mark.parametrize("text", [
    "State Key aLb Fine Chem, Dalian 116024, Peoples R China",
    "State eKy Lab Fine Chem, Dalian 116024, Peoples R China",
    "Stte Key Lab Fine Chem, Dalian 116024, Peoples R China",
    "State Keey Laboratory of Fine Chemicals, Dalian; 116024, China",
    "State Key Labroatory of Fine Chemicals, Dalian; 116024, China",
])
def test_a_typo_in_a_state_key_laboratory_named_alone(index, text):
    assert index.match(text).org_id == "DUT-FC"


@pytest.mark.parametrize("ours, text", [
    ("Polytechnic University", "The Hong Kong Polytechnic University"),  # (Leipzig affiliation strings)
    ("Polytechnic University", "Department of Computing The Hong Kong Polytechnic University Kowloon"),
])
def test_a_name_of_generic_words_is_never_found_inside_another(ours, text):
    assert not OrgIndex([OrgEntry("X", None, None, ours, [])]).match(text).ours


@pytest.mark.parametrize("ours, other", [("henan", "hunan"), ("hebei", "hubei"), ("shanxi", "shaanxi"),
                                         ("suzhou", "xuzhou"), ("nanjing", "nanning")])
def test_a_slip_that_gives_another_place_name_is_that_place(ours, other):
    idx = OrgIndex([OrgEntry("U", None, None, f"{ours.capitalize()} University", [])])
    assert idx.match(f"{ours.capitalize()} Univ, Dept Phys, China").ours
    assert not idx.match(f"{other.capitalize()} Univ, Dept Phys, China").ours


# ---- real affiliation strings (ROR's labelled test data) ---------------------------------------------------
ROR = "https://ror.org/"
# ours: ROR id -> (中文名, English name, WoS abbreviation); its look-alikes: ROR ids of other institutions
# whose strings carry our name's words (Tianjin Medical University, Peking Union Medical College, ...)
ROR_CASES = {
    "012tb2g32": (("天津大学", "Tianjin University", "Tianjin Univ"),
                  {"02mh8wx89", "003sav965", "01d0bkz51", "01y1kjr75"}),
    "02v51f717": (("北京大学", "Peking University", "Peking Univ"),
                  {"02drdmm93", "04jztag35", "038z7hb11", "022k4wk35", "04xv2pc41", "00wk2mp56", "013xs5b60"}),
    "0207yh398": (("山东大学", "Shandong University", "Shandong Univ"),
                  {"01wy3h363", "05jb9pq57", "04gtjhw98", "02ke8fw32", "04hyzq608", "01fbgjv04", "02ar2nf05"}),
    "023hj5876": (("大连理工大学", "Dalian University of Technology", "Dalian Univ Technol"), {"04c8eg608"}),
    "05htk5m33": (("湖南大学", "Hunan University", "Hunan Univ"), {"003xyzq10", "053w1zy07", "00f1zfq44"}),
    "003xyzq10": (("河南大学", "Henan University", "Henan Univ"), {"05htk5m33", "04ypx8c21"}),
    "01p884a79": (("河北大学", "Hebei University", "Hebei Univ"), {"04eymdx19", "01dr2b756"}),
    "03y3e3s17": (("山西大学", "Shanxi University", "Shanxi Univ"), {"0170z8493"}),
}


# strings labelled with the ROR id of one of our institutions that name a look-alike (the labels' mistakes)
MISLABELLED = ("Hunan University of Information Technology", "Henan University of Chinese Medicine")


@pytest.fixture(scope="module")
def ror_strings() -> list[tuple[str, set[str]]]:
    import csv

    from conftest import SHARED, need_service

    folder = SHARED / "benchmarks" / "ror-affiliations"
    if not folder.is_dir():
        need_service("shared/benchmarks/ror-affiliations", None)
    out = []
    for name in ("crossref/20230628_Crossref_publisher_asserted_affiliation_string_ROR_IDs.csv",
                 "springer/20231031_springer_nature.csv", "logs/20230903_affiliation_matching_logs.csv"):
        with (folder / name).open(encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                ids = {x.strip().removeprefix(ROR) for x in r["ror_id"].split(";")}
                out.append((r["affiliation"], ids))
    return out


@pytest.mark.parametrize("ror_id", list(ROR_CASES))
def test_real_strings_of_lookalike_institutions_are_not_ours(ror_strings, ror_id):
    (zh, en, wos), lookalikes = ROR_CASES[ror_id]
    index = OrgIndex([OrgEntry(ror_id, None, zh, en, [wos])])
    theirs = [s for s, ids in ror_strings if ids & lookalikes and ror_id not in ids
              and en.casefold() not in [p.strip().casefold() for p in s.split(",")]]  # (ours named too: ours)
    mine = [s for s, ids in ror_strings if ror_id in ids]
    theirs += [s for s in mine if any(x in s for x in MISLABELLED)]  # look-alikes the labels take for us
    mine = [s for s in mine if s not in theirs]
    assert theirs and mine
    wrong = [s for s in theirs if index.match(s).ours]
    assert wrong == []
    found = sum(index.match(s).ours for s in mine)
    assert found / len(mine) >= 0.9, [s for s in mine if not index.match(s).ours]
