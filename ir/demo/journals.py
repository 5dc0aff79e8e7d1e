"""Demo journals and the journal lists that rank them (JCR, CAS, ESI, CSSCI, PKU core, CSCD, the
institution's own A/B/C list), for the years 2019-2024.

ISSNs are invented but carry valid check digits; Chinese journals carry a CN serial number
("37-1234/TQ"). Quartiles drift from year to year and a journal may sit in two WoS categories with
different quartiles, as in the real lists.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from pathlib import Path

from pypinyin import lazy_pinyin

from ir.demo.fields import FIELDS, Field

YEARS = tuple(range(2019, 2025))

_PUBLISHERS = (  # (WoS PU, PI city, PA address, DOI prefix, EI publisher)
    ("ELSEVIER", "AMSTERDAM", "RADARWEG 29, 1043 NX AMSTERDAM, NETHERLANDS", "10.1016", "Elsevier Ltd"),
    ("ELSEVIER SCIENCE SA", "LAUSANNE", "PO BOX 564, 1001 LAUSANNE, SWITZERLAND", "10.1016", "Elsevier B.V."),
    ("SPRINGER", "NEW YORK", "ONE NEW YORK PLAZA, SUITE 4600, NEW YORK, NY, UNITED STATES", "10.1007", "Springer"),
    ("WILEY", "HOBOKEN", "111 RIVER ST, HOBOKEN 07030-5774, NJ USA", "10.1002", "John Wiley and Sons Inc"),
    ("AMER CHEMICAL SOC", "WASHINGTON", "1155 16TH ST, NW, WASHINGTON, DC 20036 USA", "10.1021", "American Chemical Society"),
    ("ROYAL SOC CHEMISTRY", "CAMBRIDGE", "THOMAS GRAHAM HOUSE, SCIENCE PARK, MILTON RD, CAMBRIDGE CB4 0WF, CAMBS, ENGLAND",
     "10.1039", "Royal Society of Chemistry"),
    ("IEEE-INST ELECTRICAL ELECTRONICS ENGINEERS INC", "PISCATAWAY", "445 HOES LANE, PISCATAWAY, NJ 08855-4141 USA",
     "10.1109", "Institute of Electrical and Electronics Engineers Inc."),
    ("TAYLOR & FRANCIS LTD", "ABINGDON", "2-4 PARK SQUARE, MILTON PARK, ABINGDON OR14 4RN, OXON, ENGLAND", "10.1080",
     "Taylor and Francis Ltd."),
    ("MDPI", "BASEL", "ST ALBAN-ANLAGE 66, CH-4052 BASEL, SWITZERLAND", "10.3390", "Multidisciplinary Digital Publishing Institute (MDPI)"),
)
_CHINESE_PUBLISHER = ("SCIENCE PRESS", "BEIJING", "16 DONGHUANGCHENGGEN NORTH ST, BEIJING 100717, PEOPLES R CHINA",
                      "10.13373", "Science Press")
_PROVINCES = ("11", "11", "11", "37", "37", "31", "32", "21", "42", "44", "12", "51", "61")
_ABBREV = {
    "journal": "J", "international": "INT", "chemical": "CHEM", "chemistry": "CHEM", "engineering": "ENG",
    "science": "SCI", "sciences": "SCI", "materials": "MATER", "research": "RES", "advances": "ADV",
    "letters": "LETT", "applied": "APPL", "technology": "TECHNOL", "environmental": "ENVIRON",
    "chinese": "CHIN", "china": "CHINA", "mechanical": "MECH", "marine": "MAR", "ocean": "OCEAN",
    "oceanic": "OCEAN", "processes": "PROCESS", "process": "PROCESS", "computing": "COMPUT", "computer": "COMPUT",
    "information": "INF", "intelligent": "INTELL", "systems": "SYST", "electrical": "ELECTR", "energy": "ENERGY",
    "power": "POWER", "structural": "STRUCT", "construction": "CONSTR", "management": "MANAG",
    "economics": "ECON", "economic": "ECON", "studies": "STUD", "mathematical": "MATH", "mathematics": "MATH",
    "analysis": "ANAL", "computational": "COMPUT", "physics": "PHYS", "optics": "OPT", "photonics": "PHOTONICS",
    "biology": "BIOL", "molecular": "MOL", "biotechnology": "BIOTECHNOL", "microbiology": "MICROBIOL",
    "linguistics": "LINGUIST", "language": "LANG", "translation": "TRANSL", "clinical": "CLIN",
    "cardiology": "CARDIOL", "oncology": "ONCOL", "medicine": "MED", "cancer": "CANC", "catalysis": "CATAL",
    "separation": "SEP", "fine": "FINE", "functional": "FUNCT", "surface": "SURF", "thermal": "THERM",
    "manufacturing": "MANUF", "vibration": "VIB", "control": "CONTROL", "networks": "NETW", "pattern": "PATTERN",
    "recognition": "RECOGN", "knowledge-based": "KNOWL-BASED", "conversion": "CONVERS", "electronics": "ELECTRON",
    "smart": "SMART", "grid": "GRID", "geotechnical": "GEOTECH", "tunnelling": "TUNN", "building": "BUILD",
    "water": "WATER", "cleaner": "CLEAN", "production": "PROD", "pollution": "POLLUT", "coastal": "COAST",
    "dynamics": "DYN", "geology": "GEOL", "regional": "REG", "finance": "FINANC", "business": "BUS",
    "nonlinear": "NONLINEAR", "statistics": "STAT", "condensed": "CONDENS", "matter": "MATTER", "laser": "LASER",
    "cell": "CELL", "teaching": "TEACH", "discourse": "DISCOURSE", "second": "SECOND", "translational": "TRANSL",
    "nanomaterials": "NANOMATER", "alloys": "ALLOY", "compounds": "COMPD", "tribology": "TRIBOL",
}
_SMALL = {"of", "and", "in", "the", "for", "on"}


@dataclass(frozen=True, slots=True)
class Journal:
    key: str
    title: str  # the journal's own title: Chinese for Chinese-language journals
    title_en: str  # English title (the translated title for Chinese-language journals)
    lang: str  # "en" or "zh"
    field: str
    issn: str
    eissn: str
    cn: str
    publisher: tuple[str, str, str, str, str]
    edition: str  # SCIE, SSCI or "" (not in WoS)
    ei: bool  # indexed by Compendex
    article_numbers: bool  # pages are article numbers
    vol_base: int  # the volume of 2019
    issues: int  # issues a year
    code: str  # short code for DOIs and CNKI file names
    quartile: int  # the journal's typical JCR quartile (1-4)
    wos_categories: tuple[str, ...]

    @property
    def chinese(self) -> bool:
        return bool(self.cn)

    @property
    def j9(self) -> str:
        return " ".join(_ABBREV.get(w.lower(), w.upper()) for w in self.title_en.split() if w.lower() not in _SMALL)

    @property
    def ji(self) -> str:
        parts = []
        for w in self.title_en.split():
            if w.lower() in _SMALL:
                continue
            ab = _ABBREV.get(w.lower())
            parts.append(ab.capitalize() + "." if ab and ab != w.upper() else w)
        return " ".join(parts)

    @property
    def ei_title(self) -> str:
        """Compendex writes a Chinese journal as 'Pinyin/English': 'Xiandai Huagong Xuebao/Journal of ...';
        a university journal without its edition ('Huanghai Ligong Daxue Xuebao/Journal of Huanghai University
        of Technology' for 黄海理工大学学报(自然科学版))."""
        if self.lang != "zh":
            return self.title_en
        return f"{pinyin_title(_EDITION_ZH.sub('', self.title))}/{_EDITION_EN.sub('', self.title_en)}"

    def volume(self, year: int) -> int:
        return self.vol_base + (year - 2019)


_EDITION_ZH = re.compile(r"[(（][^()（）]*版[)）]$")
_EDITION_EN = re.compile(r"\s*\([^()]*Edition\)$")
# the university's own journal, in two editions: CNKI names the edition, Compendex (which indexes only the
# natural-science one) leaves it out. Papers of these fields may appear in them.
UNIVERSITY_JOURNALS = (
    ("J-univ-nat", "黄海理工大学学报(自然科学版)", "Journal of Huanghai University of Technology (Natural Science Edition)",
     ("chem", "mat", "mech", "ee", "civil", "env", "marine", "math", "phys", "cs"), True),
    ("J-univ-soc", "黄海理工大学学报(社会科学版)", "Journal of Huanghai University of Technology (Social Science Edition)",
     ("econ", "lang"), False),
)


def university_journals(seed: int, seen: set[str]) -> list[Journal]:
    """The university's journal editions (their own random draws: the other journals stay as they were)."""
    rng = random.Random(f"ir-demo-university-journals-{seed}")
    out = []
    for key, zh, en, fields, ei in UNIVERSITY_JOURNALS:
        f = FIELDS[fields[0]]
        j = _journal(rng, seen, f, zh, en, "zh", _CHINESE_PUBLISHER, 1, chinese=True)
        out.append(Journal(**{**{k: getattr(j, k) for k in j.__slots__}, "key": key, "ei": ei,
                              "code": "hut" + key[-3:], "article_numbers": False}))
    return out


def issn_check_digit(seven: str) -> str:
    total = sum(int(d) * w for d, w in zip(seven, range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def make_issn(rng: random.Random, seen: set[str]) -> str:
    while True:
        seven = str(rng.randrange(1000, 3000)).zfill(4) + str(rng.randrange(1000)).zfill(3)
        issn = f"{seven[:4]}-{seven[4:]}{issn_check_digit(seven)}"
        if issn not in seen:
            seen.add(issn)
            return issn


def valid_issn(issn: str) -> bool:
    m = re.fullmatch(r"(\d{4})-(\d{3})([\dX])", issn)
    return bool(m) and issn_check_digit(m.group(1) + m.group(2)) == m.group(3)


def pinyin_title(zh: str) -> str:
    """'现代化工学报' -> 'Xiandai Huagong Xuebao' (words of two syllables, as Compendex spells them)."""
    syl = [s for s in lazy_pinyin(zh) if s.strip()]
    words = ["".join(syl[i:i + 2]).capitalize() for i in range(0, len(syl), 2)]
    return " ".join(words)


def _code(title: str) -> str:
    words = [w for w in re.split(r"[\s-]+", title) if w and w.lower() not in _SMALL]
    return "".join(w[0] for w in words).lower()


def generate_journals(seed: int) -> list[Journal]:
    rng = random.Random(f"ir-demo-journals-{seed}")
    seen: set[str] = set()
    patterns = ("Journal of {t}", "{t} Letters", "International Journal of {t}", "Advances in {t}", "{t} Research",
                "Applied {t}", "Frontiers of {t}")
    journals: list[Journal] = []
    for key, f in FIELDS.items():
        topics = list(f.journal_topics)
        used_titles: set[str] = set()
        for n in range(5):
            while True:
                topic = topics[n % len(topics)]
                title = rng.choice(patterns).format(t=topic)
                if title not in used_titles and topic.split()[0] not in title.split()[:-len(topic.split())]:
                    used_titles.add(title)
                    break
            pub = _PUBLISHERS[rng.randrange(len(_PUBLISHERS))]
            if (key != "chem" and pub[3] in ("10.1021", "10.1039")) or (key not in ("cs", "ee") and pub[3] == "10.1109"):
                pub = _PUBLISHERS[0]  # ACS and RSC publish chemistry, IEEE engineering
            if key in ("cs", "ee") and rng.random() < 0.5:
                pub = _PUBLISHERS[6]
            journals.append(_journal(rng, seen, f, title, title, "en", pub, n))
        for n, pair in enumerate(f.zh_journals):
            zh, en = pair.split("|")
            journals.append(_journal(rng, seen, f, zh, en, "zh", _CHINESE_PUBLISHER, n, chinese=True))
        journals.append(_journal(rng, seen, f, f.english_cn_journal, f.english_cn_journal, "en", _CHINESE_PUBLISHER,
                                 2, chinese=True))
    return journals + university_journals(seed, seen)


def _journal(rng, seen, f: Field, title, title_en, lang, pub, n, chinese=False) -> Journal:
    code = _code(title_en)
    while code in seen:  # codes name journals in DOIs and CNKI file names: keep them apart
        code += "x"
    seen.add(code)
    edition = "" if (chinese and lang == "zh") else f.edition
    if chinese and lang == "en":
        edition = f.edition if rng.random() < 0.8 else ""
    ei = bool(f.ei_codes) and (lang == "en" and rng.random() < 0.7 or lang == "zh" and n == 0)
    cn = ""
    if chinese:
        cn = f"{rng.choice(_PROVINCES)}-{rng.randrange(1000, 2000)}/{f.cn_class}"
    quartile = rng.choice((1, 1, 2, 2, 2, 3, 3, 4)) if not chinese else rng.choice((2, 3, 3, 4))
    return Journal(
        key=f"J-{f.key}-{lang}-{n}{'-cn' if chinese else ''}",
        title=title, title_en=title_en, lang=lang, field=f.key,
        issn=make_issn(rng, seen), eissn="" if lang == "zh" else make_issn(rng, seen), cn=cn,
        publisher=pub, edition=edition, ei=ei,
        article_numbers=pub[0] == "MDPI" or (pub[3] == "10.1016" and rng.random() < 0.4),
        vol_base=rng.randrange(8, 420) if not chinese else rng.randrange(20, 45),
        issues=rng.choice((4, 6, 12, 12, 24)), code=code, quartile=quartile,
        wos_categories=f.wos_categories if rng.random() < 0.5 else f.wos_categories[:1],
    )


# ---- the lists --------------------------------------------------------------------------------------

def list_rows(journals: list[Journal], seed: int):
    """Rows (list, year, issn, eissn, title, value, category, cn) of every list and edition."""
    rng = random.Random(f"ir-demo-lists-{seed}")
    for j in journals:
        f = FIELDS[j.field]
        for year in YEARS:
            base = (j.issn, j.eissn, j.title, j.cn)
            if j.edition and not (j.chinese and year < 2020):  # Chinese English-language titles join later
                for i, cat in enumerate(j.wos_categories):
                    q = min(4, max(1, j.quartile + (1 if i else 0) + rng.choice((0, 0, 0, 0, 1, -1))))
                    yield ("jcr", year, *base[:3], f"Q{q}", cat, j.cn)
                cas = min(4, max(1, j.quartile + rng.choice((0, 0, 1))))
                yield ("cas", year, *base[:3], f"{cas}区", f.cas, j.cn)
                yield ("esi", year, *base[:3], f.esi, "", j.cn)
            if j.chinese:
                if f.cssci:
                    if j.lang == "zh":
                        yield ("cssci", year, *base[:3], "source" if j.quartile <= 3 else "extended", "", j.cn)
                else:
                    cscd = "core" if (j.quartile <= 3 and year >= 2021) or j.lang == "en" else "extended"
                    yield ("cscd", year, *base[:3], cscd, "", j.cn)
                if j.lang == "zh" and (year % 3 != 1 or year >= 2020):  # the PKU list appears every 3 years
                    yield ("pku_core", year, *base[:3], "core", f.cas, j.cn)
            tier = "A" if j.quartile == 1 and j.edition else "B" if j.quartile <= 2 or j.lang == "zh" else "C"
            yield ("institution", year, *base[:3], tier, "", j.cn)


def write_journals(path: Path, journals: list[Journal], seed: int) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["list", "year", "issn", "eissn", "title", "value", "category", "cn"])
        for row in list_rows(journals, seed):
            w.writerow(row)
            n += 1
    return n
