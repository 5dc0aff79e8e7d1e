"""The demo institution: Huanghai University of Technology (黄海理工大学), Qingdao, and its people.

Fictional throughout. The organisation tree has schools, two state key laboratories and an affiliated
hospital with departments; every unit carries its Chinese and English names, the abbreviation Web of
Science prints, and former names. Look-alike institutions (黄海医科大学, 黄海理工学院, ...) share words with
ours and must never be attributed to it. People hold one row per appointment (a move between
departments is two rows); students name their supervisor.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from ir.demo.names import Name, homophone_of, lu_forms, random_chinese_name

UNIVERSITY_ZH = "黄海理工大学"
UNIVERSITY_EN = "Huanghai University of Technology"
UNIVERSITY_WOS = "Huanghai Univ Technol"
UNIVERSITY_FORMER_ZH = "青岛化工学院"
UNIVERSITY_FORMER_EN = "Qingdao Institute of Chemical Technology"
UNIVERSITY_FORMER_WOS = "Qingdao Inst Chem Technol"
CITY_EN, CITY_ZH, POSTCODE, PROVINCE_ZH = "Qingdao", "青岛", "266580", "山东"
STREET_EN = "99 Binhai Rd"
EMAIL_DOMAIN = "hhut.edu.cn"


@dataclass(frozen=True, slots=True)
class Org:
    org_id: str
    parent_id: str | None
    name_zh: str
    name_en: str
    wos: str  # the unit's abbreviation in WoS addresses: "Sch Chem Engn"
    field: str | None  # key into ir.demo.fields.FIELDS; None for the university itself
    kind: str  # university, school, lab, hospital, department
    short_zh: str = ""  # 化工学院 (CNKI bylines often say it so)
    alt_en: str = ""  # "College of Chemical Engineering": what authors write instead
    former_zh: str = ""
    former_en: str = ""
    former_wos: str = ""
    alias_zh: str = ""  # a name without the university in it (the hospital's city name)
    alias_en: str = ""
    alias_wos: str = ""
    postcode: str = POSTCODE
    weight: float = 1.0  # relative head count

    def variants(self) -> list[str]:
        seen: list[str] = []
        for v in (self.wos, self.short_zh, self.alt_en, self.former_zh, self.former_en, self.former_wos,
                  self.alias_zh, self.alias_en, self.alias_wos):
            if v and v not in seen and v not in (self.name_zh, self.name_en):
                seen.append(v)
        return seen


ORGS: tuple[Org, ...] = (
    Org("HUT", None, UNIVERSITY_ZH, UNIVERSITY_EN, UNIVERSITY_WOS, None, "university",
        alt_en="Huanghai Univ. of Technology", former_zh=UNIVERSITY_FORMER_ZH, former_en=UNIVERSITY_FORMER_EN,
        former_wos=UNIVERSITY_FORMER_WOS, weight=0),
    Org("HUT-CHE", "HUT", "化学工程学院", "School of Chemical Engineering", "Sch Chem Engn", "chem", "school",
        short_zh="化工学院", alt_en="College of Chemical Engineering", former_zh="化学工程与工艺学院",
        former_en="School of Chemical Engineering and Technology", former_wos="Sch Chem Engn & Technol", weight=1.6),
    Org("HUT-MSE", "HUT", "材料科学与工程学院", "School of Materials Science and Engineering", "Sch Mat Sci & Engn",
        "mat", "school", short_zh="材料学院", alt_en="College of Materials Science and Engineering", weight=1.5),
    Org("HUT-MPE", "HUT", "机械与动力工程学院", "School of Mechanical and Power Engineering", "Sch Mech & Power Engn",
        "mech", "school", short_zh="机械学院", alt_en="College of Mechanical and Power Engineering",
        former_zh="机械工程学院", former_en="School of Mechanical Engineering", former_wos="Sch Mech Engn", weight=1.3),
    Org("HUT-CS", "HUT", "计算机科学与技术学院", "School of Computer Science and Technology", "Sch Comp Sci & Technol",
        "cs", "school", short_zh="计算机学院", alt_en="College of Computer Science and Technology", weight=1.4),
    Org("HUT-EE", "HUT", "电气工程学院", "School of Electrical Engineering", "Sch Elect Engn", "ee", "school",
        short_zh="电气学院", alt_en="College of Electrical Engineering", weight=1.1),
    Org("HUT-CE", "HUT", "土木工程学院", "School of Civil Engineering", "Sch Civil Engn", "civil", "school",
        short_zh="土木学院", alt_en="College of Civil Engineering", weight=1.0),
    Org("HUT-ENV", "HUT", "环境科学与工程学院", "School of Environmental Science and Engineering",
        "Sch Environm Sci & Engn", "env", "school", short_zh="环境学院",
        alt_en="College of Environmental Science and Engineering", weight=1.0),
    Org("HUT-OCE", "HUT", "海洋科学与技术学院", "School of Marine Science and Technology", "Sch Marine Sci & Technol",
        "marine", "school", short_zh="海洋学院", alt_en="College of Marine Science and Technology",
        former_zh="海洋学院", former_en="College of Oceanography", former_wos="Coll Oceanog", weight=0.9),
    Org("HUT-SEM", "HUT", "经济与管理学院", "School of Economics and Management", "Sch Econ & Management", "econ",
        "school", short_zh="经管学院", alt_en="College of Economics and Management", weight=0.9),
    Org("HUT-MATH", "HUT", "数学与统计学院", "School of Mathematics and Statistics", "Sch Math & Stat", "math",
        "school", short_zh="数学学院", alt_en="College of Mathematics and Statistics", weight=0.7),
    Org("HUT-PHY", "HUT", "物理科学与技术学院", "School of Physical Science and Technology", "Sch Phys Sci & Technol",
        "phys", "school", short_zh="物理学院", alt_en="College of Physics", weight=0.7),
    Org("HUT-LIFE", "HUT", "生命科学学院", "School of Life Sciences", "Sch Life Sci", "life", "school",
        short_zh="生科院", alt_en="College of Life Sciences", weight=0.8),
    Org("HUT-FL", "HUT", "外国语学院", "School of Foreign Languages", "Sch Foreign Languages", "lang", "school",
        short_zh="外语学院", alt_en="College of Foreign Languages", weight=0.5),
    Org("HUT-SKLFC", "HUT", "精细化工国家重点实验室", "State Key Laboratory of Fine Chemical Engineering",
        "State Key Lab Fine Chem Engn", "chem", "lab", short_zh="精细化工国重实验室",
        alt_en="State Key Lab of Fine Chemical Engineering", weight=0.5),
    Org("HUT-SKLMM", "HUT", "海洋材料国家重点实验室", "State Key Laboratory of Marine Materials",
        "State Key Lab Marine Mat", "mat", "lab", short_zh="海洋材料国重实验室",
        alt_en="State Key Lab of Marine Materials", weight=0.4),
    Org("HUT-HOSP", "HUT", "黄海理工大学附属医院", "The Affiliated Hospital of Huanghai University of Technology",
        "Affiliated Hosp", "med", "hospital", short_zh="附属医院", alt_en="Affiliated Hospital",
        alias_zh="青岛市黄海医院", alias_en="Qingdao Huanghai Hospital", alias_wos="Qingdao Huanghai Hosp",
        postcode="266003", weight=0.3),
    Org("HUT-HOSP-CARD", "HUT-HOSP", "心血管内科", "Department of Cardiology", "Dept Cardiol", "med", "department",
        short_zh="心内科", alt_en="Department of Cardiovascular Medicine", postcode="266003", weight=0.6),
    Org("HUT-HOSP-ONC", "HUT-HOSP", "肿瘤科", "Department of Oncology", "Dept Oncol", "med", "department",
        short_zh="肿瘤内科", alt_en="Department of Medical Oncology", postcode="266003", weight=0.6),
)
ORG_BY_ID: dict[str, Org] = {o.org_id: o for o in ORGS}
# a laboratory's members usually also name the school it sits in
LAB_HOST: dict[str, str] = {"HUT-SKLFC": "HUT-CHE", "HUT-SKLMM": "HUT-MSE"}
HOST_LAB: dict[str, str] = {v: k for k, v in LAB_HOST.items()}


def org_path(org: Org) -> list[Org]:
    """The chain below the university: [hospital, department] or [school]."""
    chain: list[Org] = []
    while org.parent_id is not None:
        chain.append(org)
        org = ORG_BY_ID[org.parent_id]
    return chain[::-1]


@dataclass(frozen=True, slots=True)
class Institution:
    """An outside institution: a collaborator's, or a look-alike of ours."""

    key: str
    name_zh: str
    name_en: str
    wos: str
    city: str
    city_zh: str
    postcode: str
    country_wos: str  # "Peoples R China", "USA", "England"
    country_en: str  # "China", "United States"
    lookalike: bool = False

    @property
    def chinese(self) -> bool:
        return self.country_en == "China"


LOOKALIKES: tuple[Institution, ...] = (
    Institution("L-HMU", "黄海医科大学", "Huanghai Medical University", "Huanghai Med Univ", "Yantai", "烟台", "264003",
                "Peoples R China", "China", True),
    Institution("L-HIT", "黄海理工学院", "Huanghai Institute of Technology", "Huanghai Inst Technol", "Qingdao", "青岛",
                "266520", "Peoples R China", "China", True),
    Institution("L-HMAR", "黄海海事大学", "Huanghai Maritime University", "Huanghai Maritime Univ", "Rizhao", "日照",
                "276826", "Peoples R China", "China", True),
    Institution("L-HU", "黄海大学", "Huanghai University", "Huanghai Univ", "Lianyungang", "连云港", "222005",
                "Peoples R China", "China", True),
    Institution("L-QDU", "青岛大学", "Qingdao University", "Qingdao Univ", "Qingdao", "青岛", "266071",
                "Peoples R China", "China", True),
    Institution("L-QUT", "青岛工学院", "Qingdao Institute of Technology", "Qingdao Inst Technol", "Qingdao", "青岛",
                "266300", "Peoples R China", "China", True),
)

EXTERNALS: tuple[Institution, ...] = (
    Institution("X-THU", "清华大学", "Tsinghua University", "Tsinghua Univ", "Beijing", "北京", "100084", "Peoples R China", "China"),
    Institution("X-ZJU", "浙江大学", "Zhejiang University", "Zhejiang Univ", "Hangzhou", "杭州", "310027", "Peoples R China", "China"),
    Institution("X-SDU", "山东大学", "Shandong University", "Shandong Univ", "Jinan", "济南", "250100", "Peoples R China", "China"),
    Institution("X-OUC", "中国海洋大学", "Ocean University of China", "Ocean Univ China", "Qingdao", "青岛", "266100", "Peoples R China", "China"),
    Institution("X-CAS", "中国科学院青岛生物能源与过程研究所", "Qingdao Institute of Bioenergy and Bioprocess Technology, Chinese Academy of Sciences",
                "Chinese Acad Sci, Qingdao Inst Bioenergy & Bioproc Technol", "Qingdao", "青岛", "266101", "Peoples R China", "China"),
    Institution("X-DUT", "大连理工大学", "Dalian University of Technology", "Dalian Univ Technol", "Dalian", "大连", "116024", "Peoples R China", "China"),
    Institution("X-TJU", "天津大学", "Tianjin University", "Tianjin Univ", "Tianjin", "天津", "300072", "Peoples R China", "China"),
    Institution("X-SJTU", "上海交通大学", "Shanghai Jiao Tong University", "Shanghai Jiao Tong Univ", "Shanghai", "上海", "200240", "Peoples R China", "China"),
    Institution("X-HIT", "哈尔滨工业大学", "Harbin Institute of Technology", "Harbin Inst Technol", "Harbin", "哈尔滨", "150001", "Peoples R China", "China"),
    Institution("X-UPC", "中国石油大学(华东)", "China University of Petroleum (East China)", "China Univ Petr East China", "Qingdao", "青岛", "266580", "Peoples R China", "China"),
    Institution("X-UCB", "加州大学伯克利分校", "University of California, Berkeley", "Univ Calif Berkeley", "Berkeley, CA", "伯克利", "94720", "USA", "United States"),
    Institution("X-NUS", "新加坡国立大学", "National University of Singapore", "Natl Univ Singapore", "Singapore", "新加坡", "117576", "Singapore", "Singapore"),
    Institution("X-UT", "东京大学", "The University of Tokyo", "Univ Tokyo", "Tokyo", "东京", "1138656", "Japan", "Japan"),
    Institution("X-TUM", "慕尼黑工业大学", "Technical University of Munich", "Tech Univ Munich", "Garching", "加兴", "85748", "Germany", "Germany"),
    Institution("X-MAN", "曼彻斯特大学", "The University of Manchester", "Univ Manchester", "Manchester", "曼彻斯特", "M13 9PL", "England", "United Kingdom"),
    Institution("X-MON", "莫纳什大学", "Monash University", "Monash Univ", "Clayton, Vic", "克莱顿", "3800", "Australia", "Australia"),
)
INSTITUTION_BY_KEY: dict[str, Institution] = {i.key: i for i in LOOKALIKES + EXTERNALS}

# departments for outside addresses, by field: (English, WoS abbreviation, 中文)
OUTSIDE_DEPTS: dict[str, tuple[str, str, str]] = {
    "chem": ("School of Chemical Engineering", "Sch Chem Engn", "化学工程学院"),
    "mat": ("School of Materials Science and Engineering", "Sch Mat Sci & Engn", "材料科学与工程学院"),
    "mech": ("School of Mechanical Engineering", "Sch Mech Engn", "机械工程学院"),
    "cs": ("School of Computer Science", "Sch Comp Sci", "计算机学院"),
    "ee": ("School of Electrical Engineering", "Sch Elect Engn", "电气工程学院"),
    "civil": ("School of Civil Engineering", "Sch Civil Engn", "土木工程学院"),
    "env": ("School of Environment", "Sch Environm", "环境学院"),
    "marine": ("College of Oceanic and Atmospheric Sciences", "Coll Ocean & Atmospher Sci", "海洋与大气学院"),
    "econ": ("School of Economics", "Sch Econ", "经济学院"),
    "math": ("School of Mathematics", "Sch Math", "数学学院"),
    "phys": ("School of Physics", "Sch Phys", "物理学院"),
    "life": ("School of Life Sciences", "Sch Life Sci", "生命科学学院"),
    "lang": ("School of Foreign Studies", "Sch Foreign Studies", "外国语学院"),
    "med": ("School of Medicine", "Sch Med", "医学院"),
}

ROLES = ("faculty", "staff", "postdoc", "student")
_ROLE_WEIGHTS = (0.32, 0.06, 0.10, 0.52)
ORCID_SHARE = {"faculty": 0.45, "postdoc": 0.4, "student": 0.15, "staff": 0.05}
ENGLISH_NAMES = ("Tony", "Jack", "Kevin", "Lily", "Grace", "Eric", "Helen", "Frank", "Vivian", "Leo", "Amy", "Sam")


@dataclass(frozen=True, slots=True)
class Appointment:
    org_id: str
    role: str
    start_year: int
    end_year: int | None  # None: still here


@dataclass(slots=True)
class Person:
    idx: int
    name: Name
    appointments: list[Appointment]
    email: str | None = None
    orcid: str | None = None
    supervisor: int | None = None
    english_name: str = ""  # "Tony": some faculty publish as "Zhang, Tony"
    variants: list[str] = field(default_factory=list)

    @property
    def person_id(self) -> str:
        return person_id(self.idx)

    @property
    def role(self) -> str:
        return self.appointments[-1].role

    def org_in(self, year: int) -> str | None:
        for a in self.appointments:
            if a.start_year <= year and (a.end_year is None or year <= a.end_year):
                return a.org_id
        return None


def person_id(idx: int) -> str:
    return f"P{idx + 1:06d}"


def orcid_check_digit(base15: str) -> str:
    """ISO 7064 MOD 11-2, as ORCID computes it."""
    total = 0
    for ch in base15:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def make_orcid(rng: random.Random) -> str:
    """An ORCID iD in the issued range (0000-0001- to 0000-0003-) with a valid check character."""
    digits = "0000000" + str(rng.randrange(1, 4)) + "".join(str(rng.randrange(10)) for _ in range(7))
    full = digits + orcid_check_digit(digits)
    return "-".join(full[i:i + 4] for i in range(0, 16, 4))


class People:
    """All people of the institution, with the indexes the work generator needs."""

    def __init__(self, persons: list[Person]):
        self.persons = persons
        self.years = range(2019, 2025)
        self.faculty_by_year: dict[int, list[int]] = {y: [] for y in self.years}
        self.members_by_org_year: dict[tuple[str, int], list[int]] = {}
        self.postdocs_by_org_year: dict[tuple[str, int], list[int]] = {}
        self.students_of: dict[int, list[int]] = {}
        for p in persons:
            if p.supervisor is not None:
                self.students_of.setdefault(p.supervisor, []).append(p.idx)
            for y in self.years:
                org = p.org_in(y)
                if org is None:
                    continue
                role = next(a.role for a in p.appointments if a.org_id == org)
                if role == "faculty":
                    self.faculty_by_year[y].append(p.idx)
                if role == "postdoc":
                    self.postdocs_by_org_year.setdefault((org, y), []).append(p.idx)
                if role in ("faculty", "postdoc", "staff"):
                    self.members_by_org_year.setdefault((org, y), []).append(p.idx)

    def __len__(self) -> int:
        return len(self.persons)

    def __getitem__(self, idx: int) -> Person:
        return self.persons[idx]


def generate_people(n: int, seed: int) -> People:
    rng = random.Random(f"ir-demo-people-{seed}")
    orgs = [o for o in ORGS if o.weight > 0]
    org_weights = [o.weight for o in orgs]
    persons: list[Person] = []
    emails: dict[str, int] = {}
    orcids: set[str] = set()
    faculty_by_org: dict[str, list[int]] = {}
    for i in range(n):
        role = rng.choices(ROLES, _ROLE_WEIGHTS)[0]
        if i < len(orgs):  # every unit has at least one faculty member
            role, org = "faculty", orgs[i]
        else:
            org = rng.choices(orgs, org_weights)[0]
        if role == "student" and not faculty_by_org.get(org.org_id):
            role = "faculty"
        name = random_chinese_name(rng, single_ratio=0.45 if role in ("faculty", "staff") else 0.25)
        # homonyms inside the institution, on purpose: the exact same name in the same unit, and the
        # same pinyin written with another character elsewhere
        if i >= 3 and i % 67 == 11:
            twin = persons[rng.randrange(len(persons))]
            name, org = twin.name, ORG_BY_ID[twin.appointments[-1].org_id]
            if role == "student" and not faculty_by_org.get(org.org_id):
                role = "postdoc"
        elif i >= 3 and i % 53 == 7:
            other = homophone_of(persons[rng.randrange(len(persons))].name, rng)
            if other is None:
                other = homophone_of(Name("张伟", ("Zhang",), ("wei",)), rng)
            name = other
        appointments, supervisor = _appointments(rng, role, org, faculty_by_org, persons)
        p = Person(i, name, appointments, supervisor=supervisor)
        if role == "faculty":
            for a in appointments:
                faculty_by_org.setdefault(a.org_id, []).append(i)
        if role != "student" or rng.random() < 0.7:
            p.email = _email(name, rng, emails)
        if rng.random() < ORCID_SHARE[role]:
            p.orcid = make_orcid(rng)
            while p.orcid in orcids:  # an iD belongs to one person
                p.orcid = make_orcid(rng)
            orcids.add(p.orcid)
        if role == "faculty" and rng.random() < 0.05:
            p.english_name = rng.choice(ENGLISH_NAMES)
        p.variants = _variants(p)
        persons.append(p)
    return People(persons)


def _appointments(rng, role, org, faculty_by_org, persons) -> tuple[list[Appointment], int | None]:
    if role == "faculty":
        start = rng.choice(range(1995, 2024))
        end = rng.choice(range(2019, 2024)) if rng.random() < 0.04 else None
        if end is not None and end < start:
            start, end = end, None
        if rng.random() < 0.06 and start < 2022:  # moved to another unit
            move = rng.randrange(max(start + 1, 2019), 2024)
            if end is not None and end < move:
                end = None  # moved rather than left
            other = rng.choice([o for o in ORGS if o.weight > 0 and o.org_id != org.org_id
                                and o.kind != "department" and o.field is not None])
            return [Appointment(org.org_id, role, start, move - 1), Appointment(other.org_id, role, move, end)], None
        return [Appointment(org.org_id, role, start, end)], None
    if role == "staff":
        return [Appointment(org.org_id, role, rng.randrange(1990, 2021), None)], None
    if role == "postdoc":
        start = rng.randrange(2017, 2024)
        return [Appointment(org.org_id, role, start, start + 2 if start + 2 <= 2024 else None)], None
    start = rng.randrange(2015, 2024)
    end = start + rng.choice((3, 3, 4, 5))
    supervisors = faculty_by_org[org.org_id]
    sup = supervisors[rng.randrange(len(supervisors))]
    # a student belongs to the supervisor's unit at the start of the studies
    sup_org = persons[sup].org_in(start) or persons[sup].appointments[-1].org_id
    return [Appointment(sup_org, "student", start, end if end <= 2024 else None)], sup


def _email(name: Name, rng: random.Random, seen: dict[str, int]) -> str:
    fam, given = name.family_en.lower(), name.given_en.lower().replace("'", "")
    style = rng.random()
    local = f"{fam}{given}" if style < 0.5 else f"{given}{fam}" if style < 0.7 else f"{''.join(s[0] for s in name.given)}{fam}"
    n = seen.get(local, 0)
    seen[local] = n + 1
    return f"{local}{n if n else ''}@{EMAIL_DOMAIN}"


def _variants(p: Person) -> list[str]:
    """Other forms the person is known to use (a dictionary's 'variants' column)."""
    name = p.name
    out: list[str] = []
    if len(name.given) > 1:
        out.append(f"{name.family_en} {name.given_hyphen}")
    for fam in lu_forms(name):
        if fam != name.family_en:
            out.append(f"{fam} {name.given_en}")
    if len(name.family) > 1:
        out.append(f"{name.family[0]}-{name.family[1].capitalize()} {name.given_en}")
    if p.english_name:
        out.append(f"{p.english_name} {name.family_en}")
    return out


# ---- the dictionaries ------------------------------------------------------------------------------

def write_organizations(path: Path) -> int:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["org_id", "parent_id", "name_zh", "name_en", "variants", "kind"])
        for o in ORGS:
            w.writerow([o.org_id, o.parent_id or "", o.name_zh, o.name_en, "|".join(o.variants()), o.kind])
    return len(ORGS)


def write_people(path: Path, people: People) -> int:
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["person_id", "name_zh", "name_en", "variants", "org_id", "email", "orcid", "role",
                    "start_year", "end_year", "supervisor_id"])
        for p in people.persons:
            sup = person_id(p.supervisor) if p.supervisor is not None else ""
            for a in p.appointments:
                w.writerow([p.person_id, p.name.zh, p.name.canonical_en, "|".join(p.variants), a.org_id,
                            p.email or "", p.orcid or "", a.role, a.start_year,
                            "" if a.end_year is None else a.end_year, sup])
                rows += 1
    return rows
