"""Affiliation strings: split them into parts and match them against the organisations dictionary.

Pure functions, no I/O. Every source writes addresses its own way:

- WoS C1: "Dalian Univ Technol, Sch Chem Engn, State Key Lab Fine Chem, Dalian 116024, Peoples R China"
- EI / Scopus: "School of Chemical Engineering, Dalian University of Technology, Dalian; 116024, China"
- CNKI / Wanfang: "大连理工大学化工学院", "220005,徐州市 徐州医科大学附属医院肿瘤科"

:func:`split_affiliation` finds institution, sub-units, city, postcode and country. :class:`OrgIndex`
holds the dictionary in comparable form (WoS abbreviations and English words reduced to one stem, so
"Sch Chem Engn" and "School of Chemical Engineering" meet); :func:`match_org` says whether an address
is ours, which unit it names, with a score and the evidence.

Institutions must agree token by token, never by containment: "Dalian Univ" is not "Dalian Univ Technol",
"Tianjin Univ" not "Tianjin Univ Technol", 中国科学院 not 中国科学院大学; "Dalian Medical University" and
"Dalian Maritime University" never pass for "Dalian University of Technology". Typos are forgiven where
they cannot make another name: a misspelt known word is put right ("nUiv" -> Univ, "Technolgy"), a long
proper name may carry one slip (a letter changed, dropped, doubled or swapped: "Huanghia") unless the
slip reads as a name of its own ("Henan" is not a slip of "Hunan": a valid pinyin word is a name), and a
lost or extra space is one slip. Such a match scores below 1.0 (0.05 per slip).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from unidecode import unidecode

from ir.names import pinyin_syllables

# WoS (and common) abbreviations -> the word they abbreviate.
ABBREVIATIONS: dict[str, str] = {
    "univ": "university", "technol": "technology", "tech": "technology", "sch": "school", "chem": "chemical",
    "engn": "engineering", "eng": "engineering", "lab": "laboratory", "labs": "laboratories", "inst": "institute",
    "dept": "department", "coll": "college", "fac": "faculty", "hosp": "hospital", "affiliated": "affiliated",
    "affil": "affiliated", "med": "medical", "marit": "maritime", "sci": "science", "mech": "mechanical",
    "mat": "materials", "mat.": "materials", "phys": "physics", "math": "mathematics", "comp": "computer",
    "comput": "computer", "informat": "information", "elect": "electrical", "electron": "electronic",
    "environm": "environmental", "environ": "environmental", "biol": "biology", "biotechnol": "biotechnology",
    "econ": "economics", "management": "management", "manag": "management", "transportat": "transportation",
    "automat": "automation", "lang": "languages", "soc": "social", "natl": "national", "ctr": "center",
    "centre": "center", "res": "research", "polytech": "polytechnic", "acad": "academy", "appl": "applied",
    "adv": "advanced", "aeronaut": "aeronautics", "astronaut": "astronautics", "hydraul": "hydraulic",
    "geol": "geology", "ind": "industrial", "prov": "provincial", "minist": "ministry", "educ": "education",
    "architecture": "architecture", "archit": "architecture", "civil": "civil", "pharm": "pharmacy",
    "pharmaceut": "pharmaceutical", "agr": "agriculture", "agr.": "agriculture", "biomed": "biomedical",
    "chinese": "chinese", "sinopec": "sinopec", "petr": "petroleum", "petrochem": "petrochemical",
    "mol": "molecular", "struct": "structural", "mfg": "manufacturing", "mech.": "mechanical",
    "opt": "optical", "optoelect": "optoelectronic", "photon": "photonics", "software": "software",
    "commun": "communication", "telecommun": "telecommunication", "syst": "systems", "energy": "energy",
    "power": "power", "coastal": "coastal", "offshore": "offshore", "ocean": "ocean", "naval": "naval",
    "chem.": "chemical", "engn.": "engineering", "univ.": "university", "int": "international",
    "intl": "international", "cent": "central", "peoples": "peoples", "grad": "graduate", "clin": "clinical",
    "canc": "cancer", "surg": "surgery", "oncol": "oncology", "cardiol": "cardiology", "pediat": "pediatrics",
    "radiol": "radiology", "neurol": "neurology", "nursing": "nursing", "publ": "public", "hlth": "health",
    "humanities": "humanities", "philosophy": "philosophy", "foreign": "foreign", "arts": "arts",
    "mar": "marine", "fisheries": "fisheries", "agr": "agricultural", "vet": "veterinary", "nucl": "nuclear",
    "elect.": "electrical", "instrumentat": "instrumentation", "measurement": "measurement",
}

# Words reduced to one stem for comparison (abbreviation and full word alike).
_STEMS: dict[str, str] = {}
for _abbr, _full in ABBREVIATIONS.items():
    _STEMS[_abbr.rstrip(".")] = _abbr.rstrip(".")
    _STEMS.setdefault(_full, _abbr.rstrip("."))
_STEMS.update({
    "chemistry": "chem", "chemical": "chem", "technological": "technol", "technologies": "technol",
    "universities": "univ", "sciences": "sci", "scientific": "sci", "engineer": "engn", "institution": "inst",
    "institutes": "inst", "laboratories": "lab", "labs": "lab", "schools": "sch", "departments": "dept",
    "medicine": "med", "mechanics": "mech", "material": "mat", "physical": "phys", "mathematical": "math",
    "electronics": "electron", "electric": "elect", "environment": "environm", "biological": "biol",
    "economic": "econ", "economy": "econ", "language": "lang", "center": "ctr", "centre": "ctr",
    "hospitals": "hosp", "affiliate": "affiliated", "agricultural": "agr", "agriculture": "agr",
    "system": "syst", "systems": "syst", "international": "int", "national": "natl",
})

STOPWORDS = frozenset({"of", "the", "and", "for", "in", "at", "on", "de", "la", "del", "der", "und", "et", "y"})

COUNTRIES: dict[str, str] = {
    "peoples r china": "China", "people's republic of china": "China", "peoples republic of china": "China",
    "p.r. china": "China", "p. r. china": "China", "pr china": "China", "p r china": "China", "china": "China",
    "prc": "China", "中国": "China", "usa": "USA", "united states": "USA", "u.s.a.": "USA", "uk": "UK",
    "england": "UK", "scotland": "UK", "wales": "UK", "united kingdom": "UK", "japan": "Japan",
    "south korea": "South Korea", "korea": "South Korea", "republic of korea": "South Korea", "germany": "Germany",
    "france": "France", "canada": "Canada", "australia": "Australia", "singapore": "Singapore",
    "taiwan": "Taiwan", "hong kong": "Hong Kong", "italy": "Italy", "spain": "Spain", "netherlands": "Netherlands",
    "sweden": "Sweden", "switzerland": "Switzerland", "india": "India", "russia": "Russia", "brazil": "Brazil",
    "belgium": "Belgium", "denmark": "Denmark", "norway": "Norway", "finland": "Finland", "austria": "Austria",
    "ireland": "Ireland", "new zealand": "New Zealand", "israel": "Israel", "iran": "Iran", "pakistan": "Pakistan",
    "saudi arabia": "Saudi Arabia", "malaysia": "Malaysia", "thailand": "Thailand", "vietnam": "Vietnam",
    "portugal": "Portugal", "poland": "Poland", "turkey": "Turkey", "egypt": "Egypt", "mexico": "Mexico",
    "peru": "Peru", "chile": "Chile", "argentina": "Argentina", "south africa": "South Africa",
}

# Words that make a comma part an institution (stems), strongest first.
INSTITUTION_WORDS = ("univ", "acad", "hosp", "polytech", "inst", "coll", "co", "corp", "ltd", "grp", "company", "group")
UNIT_WORDS = frozenset({"sch", "dept", "lab", "coll", "fac", "ctr", "inst", "div", "key", "state", "res", "grad",
                        "program", "unit", "sect", "grp", "team", "hosp"})
_STREET = re.compile(r"\b(rd|road|st|street|ave|avenue|blvd|lu|dadao|hwy|no|room|bldg|building|floor|box|po)\b\.?", re.I)

_ZH_INSTITUTION = re.compile(r"(.+?(?:大学|科学院|研究院|研究所|医院|公司|集团|学院))")
_ZH_UNIT = re.compile(r".+?(?:国家重点实验室|重点实验室|工程实验室|实验室|研究中心|工程中心|中心|学院|研究院|研究所|医院|学部|学系|系|科|部|处|所|室|站|馆)")
_ZH_ADDRESS = re.compile(r"^(?:中国)?(?:[\u4e00-\u9fff]{2,3}省)?(?:[\u4e00-\u9fff]{2,3}(?:市|自治区))?(?:[\u4e00-\u9fff]{2,3}区)?")
_CJK = re.compile(r"[\u3400-\u9fff]")
PROVINCES_ZH = frozenset("北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 "
                         "贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门".split())
_POSTCODE = re.compile(r"(?<![\d-])(\d{6}|\d{5}(?:-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})(?![\d-])")


def _fold(text: str) -> str:
    return unidecode(unicodedata.normalize("NFKC", text)).lower()


def stem_tokens(text: str) -> tuple[str, ...]:
    """The comparable tokens of a Latin name: ASCII, lowercase, stemmed, stopwords and digits dropped."""
    words = re.findall(r"[a-z]+", _fold(text).replace("&", " and "))
    return tuple(_STEMS.get(w, w) for w in words if w not in STOPWORDS)


def expand_abbreviations(text: str) -> str:
    """"Sch Chem Engn" -> "School Chemical Engineering" (word by word, for display and evidence)."""
    def one(m: re.Match) -> str:
        word = m.group(0)
        full = ABBREVIATIONS.get(word.lower())
        return full.capitalize() if full and full != word.lower() else word
    return re.sub(r"[A-Za-z]+", one, text)


def zh_key(text: str) -> str:
    """A Chinese name as a comparable key: NFKC, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\W_]+", "", text)


@dataclass(slots=True)
class SplitAffiliation:
    text: str
    institution: str | None = None
    subunits: list[str] = field(default_factory=list)
    city: str | None = None
    postcode: str | None = None
    country: str | None = None
    lang: str = "en"  # "zh" for a Chinese address
    parts: list[str] = field(default_factory=list)  # every comma part, in order (Latin)

    def as_json(self) -> dict:
        return {"institution": self.institution, "subunits": self.subunits, "city": self.city,
                "postcode": self.postcode, "country": self.country}


def _country_of(part: str) -> str | None:
    key = re.sub(r"\s+", " ", part.strip(" .").lower())
    if key in COUNTRIES:
        return COUNTRIES[key]
    words = key.split(" ")
    if words and words[-1] == "usa":
        return "USA"
    return None


def split_affiliation(text: str) -> SplitAffiliation:
    """Institution, sub-units, city, postcode and country of one address, in any source's style."""
    text = unicodedata.normalize("NFKC", (text or "")).strip()
    if _CJK.search(text) and len(_CJK.findall(text)) * 2 >= len(re.sub(r"[\s\d,;.()（）]", "", text)):
        return _split_zh(text)
    out = SplitAffiliation(text=text)
    body = re.sub(r"^\[[^\]]*\]\s*", "", text)  # WoS C1 "[Zhang, S; Li, W] ..."
    body = re.sub(r"^\(\d+\)\s*", "", body)  # EI "(1) School of ..."
    parts = [p.strip(" .") for p in re.split(r"[,;]", body) if p.strip(" .")]
    if parts:
        c = _country_of(parts[-1])
        if c:
            out.country = c
            last = re.sub(r"\s*\b(?:USA|U\.S\.A\.)$", "", parts[-1]).strip()  # "CA 94305 USA"
            parts = parts[:-1] + ([last] if last and last != parts[-1] and _country_of(last) is None else [])
    kept: list[str] = []
    for i, p in enumerate(parts):
        m = _POSTCODE.search(p)
        if m and not out.postcode and i >= len(parts) - 3:
            out.postcode = m.group(1)
            rest = (p[: m.start()] + p[m.end():]).strip(" -")
            rest = re.sub(r"\b(?:[A-Z]{2})$", "", rest).strip()  # "CA 94305": keep the city part only
            if rest and not out.city and not _is_unit(rest):
                out.city = rest
            elif rest:
                kept.append(rest)
            continue
        if re.search(r"\d", p) or _STREET.search(p) and not _is_unit(p):
            continue  # street address: "4800 Caoan Rd", "No. 2 Linggong Rd"
        kept.append(p)
    if not out.city and kept and len(kept) > 1 and not _is_unit(kept[-1]) and len(kept[-1].split()) <= 3:
        out.city = kept.pop()
    out.parts = kept
    inst_i = _institution_index(kept)
    if inst_i is not None:
        out.institution = kept[inst_i]
        out.subunits = [p for j, p in enumerate(kept) if j != inst_i]
    else:
        out.subunits = kept
    return out


def _is_unit(part: str) -> bool:
    toks = stem_tokens(part)
    return any(t in UNIT_WORDS or t in INSTITUTION_WORDS for t in toks)


def _institution_index(parts: list[str]) -> int | None:
    for word in INSTITUTION_WORDS:
        for i, p in enumerate(parts):
            toks = stem_tokens(p)
            if word in toks and not (word in ("inst", "coll") and toks and toks[0] in ("sch", "dept", "lab", "key", "state")):
                return i
    return None


def _split_zh(text: str) -> SplitAffiliation:
    out = SplitAffiliation(text=text, lang="zh", country="China")
    m = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
    if m:
        out.postcode = m.group(1)
    body = re.sub(r"\d{6}", " ", text)
    body = re.sub(r"[（(][^）)]*[）)]", " ", body)  # "(湖北医药学院附属医院)": a second name, kept aside
    chunks = [c for c in re.split(r"[\s,，;；、]+", body) if c]
    units: list[str] = []
    for chunk in chunks:
        city = re.fullmatch(r"(?:[\u4e00-\u9fff]{2,3}省)?([\u4e00-\u9fff]{2,3}?)市?", chunk)
        if city and not _ZH_INSTITUTION.search(chunk) and not _ZH_UNIT.fullmatch(chunk):
            if city.group(1) not in PROVINCES_ZH or chunk.endswith("市"):
                out.city = out.city or city.group(1)
            continue
        if chunk in ("中国", "中华人民共和国"):
            continue
        addr = _ZH_ADDRESS.match(chunk)
        if addr and addr.group(0) and _ZH_INSTITUTION.search(chunk[addr.end():]):
            cm = re.search(r"(?:省|^)([\u4e00-\u9fff]{2,3}?)市", addr.group(0))
            if cm:
                out.city = out.city or cm.group(1)
            chunk = chunk[addr.end():]
        chunk = re.sub(r"^.*?路\d*号", "", chunk)
        if not out.institution:
            im = _ZH_INSTITUTION.match(chunk)
            if im:
                out.institution = im.group(1)
                chunk = chunk[im.end():]
        units += [u for u in _ZH_UNIT.findall(chunk)]
        tail = _ZH_UNIT.sub("", chunk)
        if tail and len(tail) >= 2:
            units.append(tail)
    out.subunits = units
    out.parts = ([out.institution] if out.institution else []) + units
    return out


# ---------------------------------------------------------------------------------------------- matching


@dataclass(slots=True)
class OrgEntry:
    org_id: str
    parent_id: str | None
    name_zh: str | None
    name_en: str | None
    variants: list[str] = field(default_factory=list)
    detached: bool = False  # its place in the tree is unknown: never matched in addresses


@dataclass(slots=True)
class OrgMatch:
    """The result of matching one address: ours or not, the institution and the most specific unit."""

    ours: bool
    score: float = 0.0
    institution_id: str | None = None  # the anchor matched: the university or an affiliated hospital
    org_id: str | None = None  # the most specific unit matched (or the institution)
    org_ids: tuple[str, ...] = ()  # every unit matched, most specific first
    evidence: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"ours": self.ours, "score": round(self.score, 3), "institution_id": self.institution_id,
                "org_id": self.org_id, "org_ids": list(self.org_ids), **self.evidence}


NOT_OURS = OrgMatch(False)


# Every word the stems know (abbreviations and full words): a known word is never a typo of another.
_KNOWN = frozenset(_STEMS) | frozenset(_STEMS.values()) | STOPWORDS | {"state", "key"}
# the words a misspelling is put right to (a stem or a word with a stem), each with its stem
_CORRECTABLE: dict[str, str] = {w: _STEMS.get(w, w) for w in _KNOWN - STOPWORDS if len(w) >= 3 and w.isalpha()}
# pinyin syllables that names are not made of: interjections, and lone vowels (a slip doubles them)
_NOT_IN_NAMES = frozenset({"m", "n", "ng", "hm", "hng", "r", "a", "o", "e"})
# romanisations that read differently from the plain syllables on purpose: Shaanxi is not Shanxi
_ROMANISED_APART = frozenset({"shaanxi"})
# words that continue an institution's name after it ("Dalian Univ" + "Technol", "Shandong Univ" + "Sci &
# Technol", "Beijing Univ" + "Chem Technol"), and words that open a longer name before it ("Univ" + "Chinese
# Acad Sci", "North" + "China Elect Power Univ"): a name met with one of them beside it is another's name
NAME_CONTINUES = frozenset({
    "technol", "sci", "med", "chem", "normal", "agr", "polytech", "pharm", "pharmaceut", "finance", "econ",
    "elect", "electron", "mining", "petr", "forestry", "aeronaut", "astronaut", "commun", "telecommun", "posts",
    "foreign", "studies", "lang", "int", "business", "commerce", "arts", "sports", "traditional", "chinese",
    "engn", "transportat", "architecture", "marit", "mar", "ocean", "fisheries", "educ", "informat", "law",
    "polit", "textile", "nationalities", "aviat", "civil"})
NAME_OPENS = frozenset({
    "univ", "polytech", "coll", "north", "south", "east", "west", "northeast", "northwest", "southeast",
    "southwest", "cent", "eastern", "western", "northern", "southern"})


@lru_cache(maxsize=65536)
def _syllables(word: str) -> int:
    """How many syllables of pinyin a token reads as (the fewest), 0 if it is no pinyin."""
    syl = pinyin_syllables() - _NOT_IN_NAMES
    n = len(word)
    if n < 2 or n > 24 or not word.isalpha():
        return 0
    best: list[int | None] = [0] + [None] * n  # fewest syllables reading word[:i]
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            if word[i:j] in syl and (best[j] is None or best[i] + 1 < best[j]):
                best[j] = best[i] + 1
    return best[n] or 0


def _pinyin_word(word: str) -> bool:
    """Reads as pinyin of two or more syllables: a place or proper name of its own ("henan", "hunan")."""
    return _syllables(word) >= 2


def _another_name(part: str, key: str) -> bool:
    """Whether a token one slip away from a name of the dictionary reads as a name of its own: pinyin of as
    many syllables ("Henan" for "Hunan", "Huanhai" for "Huanghai"), or a romanisation kept apart on purpose
    ("Shaanxi"). A doubled vowel or a letter that breaks the syllables ("Huanghaai", "Huanghia") is a slip."""
    if part in _ROMANISED_APART or key in _ROMANISED_APART:
        return True
    n = _syllables(part)
    return n >= 2 and n == _syllables(key)


@lru_cache(maxsize=65536)
def _corrected(token: str) -> str | None:
    """The stem of the one known word a token misspells by one slip ("nuiv", "univeristy", "technolgy",
    "enginering", "alb"), or None. Known words, pinyin words and tokens near two known words are left
    alone; a three-letter word is put right only from its own letters swapped or one doubled ("alb",
    "keey")."""
    if token in _KNOWN or len(token) < 3 or _pinyin_word(token):
        return None
    stems = {stem for w, stem in _CORRECTABLE.items() if abs(len(w) - len(token)) <= 1
             and OSA.distance(token, w) <= 1 and (len(w) > 3 or sorted(w) == sorted(token) or _undoubled(token) == w)}
    return stems.pop() if len(stems) == 1 else None


def _undoubled(token: str) -> str:
    """The token with its first doubled letter single ("keey" -> "key")."""
    for i in range(len(token) - 1):
        if token[i] == token[i + 1]:
            return token[:i] + token[i + 1:]
    return token


def _stopword_slip(token: str) -> bool:
    """"oof", "fo", "f" for "of"; "teh" for "the": a little word misspelt, dropped like the word."""
    return token not in _KNOWN and len(token) <= 3 and any(OSA.distance(token, w) <= 1 for w in ("of", "the", "and"))


def _slip(part: str, key: str) -> bool:
    """One slip of the keyboard (a letter changed, dropped, doubled or swapped with its neighbour) in a
    long proper name of the dictionary, giving no word or name of its own."""
    return len(key) >= 5 and OSA.distance(part, key) == 1 and part not in _KNOWN and not _another_name(part, key)


def _tokens_agree(part: tuple[str, ...], key: tuple[str, ...]) -> tuple[bool, int]:
    """Every key token has its own token in the part (one slip allowed on long names, see :func:`_slip`)
    and the part has no token of its own; or the part is the key with a space dropped or added. Returns
    (agree, typos). Containment never agrees: "Dalian Univ" is not "Dalian Univ Technol"."""
    if len(part) != len(key):
        if abs(len(part) - len(key)) == 1 and "".join(part) == "".join(key):
            return True, 1  # "Huang hai Univ", "HuanghaiUniv Technol"
        return False, 0
    free = list(part)
    typos = 0
    for k in key:
        if k in free:
            free.remove(k)
            continue
        hit = next((p for p in free if _slip(p, k)), None)
        if hit is None:
            return False, 0
        free.remove(hit)
        typos += 1
    return True, typos


def _find_standing_alone(tokens: tuple[str, ...], key: tuple[str, ...]) -> int | None:
    """Where ``key`` occurs in ``tokens`` as a whole name, not inside a longer one (see NAME_CONTINUES)."""
    n = len(key)
    for i in range(len(tokens) - n + 1):
        if tokens[i:i + n] == key and (i + n == len(tokens) or tokens[i + n] not in NAME_CONTINUES) \
                and (i == 0 or tokens[i - 1] not in NAME_OPENS):
            return i
    return None


GENERIC_STEMS = UNIT_WORDS | frozenset(INSTITUTION_WORDS) | frozenset({
    "affiliated", "first", "second", "third", "fourth", "fifth", "med", "cent", "peoples", "clin", "gen",
    "general", "childrens", "womens", "technol", "sci", "engn", "natl", "int", "res", "china", "chinese"})


# words that say what kind of body an institution is, not which one ("China", "Chinese" do say which)
KIND_STEMS = GENERIC_STEMS - {"china", "chinese", "peoples"}


def _distinctive_latin(tokens: tuple[str, ...]) -> bool:
    """A name that can stand for an institution by itself: it carries a proper name ("Qingdao Huanghai
    Hosp"), not only generic words ("Affiliated Hosp")."""
    return any(t not in GENERIC_STEMS for t in tokens)


def _distinctive_zh(key: str) -> bool:
    core = re.sub(r"(大学|医院|科学院|研究院)$", "", key)
    core = re.sub(r"^(附属|第[一二三四五六七八九十]+|中心|人民|中医|市立|省立)+", "", core)
    return len(core) >= 2


class OrgIndex:
    """The organisations dictionary in comparable form, with a cache of matched addresses.

    Anchors are the names that make an address ours by themselves: the institution's (root's) names,
    and distinctive names of units that are institutions of their own (an affiliated hospital's
    "Qingdao Huanghai Hospital"). Generic names ("Affiliated Hosp", "附属医院") are units only: they
    count once an anchor has matched.
    """

    ANCHOR_STEMS = frozenset({"univ", "hosp", "acad"})
    ZH_ANCHOR = re.compile(r"(大学|医院|科学院|研究院)$")

    def __init__(self, orgs: Iterable[OrgEntry]):
        self.orgs: dict[str, OrgEntry] = {o.org_id: o for o in orgs}
        self.children: dict[str, list[str]] = {}
        for o in self.orgs.values():
            if o.parent_id:
                self.children.setdefault(o.parent_id, []).append(o.org_id)
        self.detached = self._detached()
        self.roots = [o.org_id for o in self.orgs.values()
                      if (not o.parent_id or o.parent_id not in self.orgs) and o.org_id not in self.detached]
        self.root_set = frozenset(self.roots)
        self.anchor_latin: list[tuple[tuple[str, ...], str, str]] = []  # (tokens, org_id, name)
        self.anchor_zh: list[tuple[str, str]] = []  # (key, org_id), longest first
        self.unit_latin: dict[str, list[tuple[str, str, str]]] = {}  # root -> [(stem string, org_id, name)]
        self.unit_zh: dict[str, list[tuple[str, str]]] = {}  # root -> [(key, org_id)], longest first
        for o in self.orgs.values():
            if o.org_id in self.detached:
                continue
            root = self.root_of(o.org_id)
            names = [n for n in [o.name_en, o.name_zh, *o.variants] if n and n.strip()]
            is_root = o.org_id == root
            for name in names:
                if _CJK.search(name):
                    key = zh_key(name)
                    if is_root or (self.ZH_ANCHOR.search(key) and _distinctive_zh(key)):
                        self.anchor_zh.append((key, o.org_id))
                    if not is_root:
                        self.unit_zh.setdefault(root, []).append((key, o.org_id))
                else:
                    toks = stem_tokens(name)
                    if not toks:
                        continue
                    if is_root or (self.ANCHOR_STEMS & set(toks) and _distinctive_latin(toks)):
                        self.anchor_latin.append((toks, o.org_id, name))
                    if not is_root:
                        self.unit_latin.setdefault(root, []).append((" ".join(toks), o.org_id, name))
        # a state key laboratory is unique in the country: named alone (no other institution in the
        # address) it stands for us, as authors often write it without the university
        self.lab_latin = [(toks, oid, name) for toks, oid, name in
                          ((stem_tokens(n), o.org_id, n) for o in self.orgs.values()
                           if o.parent_id and o.org_id not in self.detached
                           for n in [o.name_en, *o.variants] if n and not _CJK.search(n))
                          if {"state", "key", "lab"} <= set(toks)]
        self.lab_zh = [(zh_key(n), o.org_id) for o in self.orgs.values()
                       if o.parent_id and o.org_id not in self.detached
                       for n in [o.name_zh, *o.variants] if n and "国家重点实验室" in n]
        self.anchor_zh.sort(key=lambda x: -len(x[0]))
        for v in self.unit_zh.values():
            v.sort(key=lambda x: -len(x[0]))
        self._anchor_exact = {t: (oid, n) for t, oid, n in self.anchor_latin}
        # the dictionary's own words: never "corrected" into another word
        self.vocabulary = frozenset(t for toks, _, _ in self.anchor_latin for t in toks) | frozenset(
            t for v in self.unit_latin.values() for s, _, _ in v for t in s.split())
        self._unit_exact = {root: {s: (oid, n) for s, oid, n in v} for root, v in self.unit_latin.items()}
        self._unit_choices = {root: [s for s, _, _ in v] for root, v in self.unit_latin.items()}
        self._cache: dict[str, OrgMatch] = {}

    def _detached(self) -> frozenset[str]:
        """Units whose place in the tree is unknown, and every unit below them."""
        out = {o.org_id for o in self.orgs.values() if o.detached}
        grew = bool(out)
        while grew:
            more = {c for x in out for c in self.children.get(x, ()) if c not in out}
            out |= more
            grew = bool(more)
        return frozenset(out)

    def root_of(self, org_id: str) -> str:
        seen = set()
        while True:
            o = self.orgs.get(org_id)
            if o is None or not o.parent_id or o.parent_id not in self.orgs or org_id in seen:
                return org_id
            seen.add(org_id)
            org_id = o.parent_id

    def ancestors(self, org_id: str) -> list[str]:
        """The org and every org above it, nearest first."""
        out = []
        while org_id and org_id not in out:
            out.append(org_id)
            o = self.orgs.get(org_id)
            org_id = o.parent_id if o else None
        return out

    def depth(self, org_id: str) -> int:
        return len(self.ancestors(org_id))

    def match(self, text: str, organization: str | None = None) -> OrgMatch:
        key = text if organization is None else f"{text}\x1f{organization}"
        hit = self._cache.get(key)
        if hit is None:
            hit = self._match(text, organization)
            if len(self._cache) < 500_000:
                self._cache[key] = hit
        return hit

    # -- Latin
    def _fixed(self, toks: tuple[str, ...]) -> tuple[tuple[str, ...], int]:
        """Tokens with misspelt known words put right ("nuiv" -> "univ"; never the dictionary's own
        words), and how many were."""
        out, n = [], 0
        for t in toks:
            if t not in self.vocabulary and _stopword_slip(t):
                n += 1  # "Huanghai University oof Technology"
                continue
            c = None if t in self.vocabulary else _corrected(t)
            if c is None and t not in self.vocabulary:
                glued = next((w for w in ("of", "the", "and", "at") if t.startswith(w) and t[len(w):] in self.vocabulary), None)
                if glued:  # "ofTianjin University": a space lost
                    out.append(t[len(glued):])
                    n += 1
                    continue
            out.append(c or t)
            n += c is not None
        return tuple(out), n

    def _anchor_for(self, part: str) -> tuple[str, float, str] | None:
        """The anchor a comma part names: exactly, or with misspelt known words put right and one slip
        in a long proper name ("Liaohai nUiv Technol", "Huanghia Univ Technol"); never by containment."""
        toks = stem_tokens(part)
        if not toks:
            return None
        exact = self._anchor_exact.get(toks)
        if exact:
            return exact[0], 1.0, exact[1]
        fixed, n = self._fixed(toks)
        exact = self._anchor_exact.get(fixed) if n else None
        if exact:
            return exact[0], 1.0 - 0.05 * n, exact[1]
        best = None
        for key, oid, name in self.anchor_latin:
            ok, typos = _tokens_agree(fixed, key)
            if ok and typos <= max(1, len(key) // 3) and (best is None or typos < best[0]):
                best = (typos, oid, name)
        if best:
            return best[1], 1.0 - 0.05 * (best[0] + n), best[2]
        return None

    def _units_for(self, root: str, parts: Iterable[str], cutoff: float = 90) -> list[tuple[str, float, str, str]]:
        exact = self._unit_exact.get(root, {})
        choices = self._unit_choices.get(root, [])
        out = []
        for part in parts:
            s = " ".join(stem_tokens(part))
            if not s:
                continue
            if s in exact:
                oid, name = exact[s]
                out.append((oid, 1.0, part, name))
                continue
            if not choices:
                continue
            best = process.extractOne(s, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
            if best:
                _, oid, name = self.unit_latin[root][best[2]]
                out.append((oid, best[1] / 100, part, name))
        return out

    def _match(self, text: str, organization: str | None) -> OrgMatch:
        sp = split_affiliation(text)
        if sp.lang == "zh":
            return self._match_zh(sp)
        anchor = None
        candidates = ([organization] if organization else []) + ([sp.institution] if sp.institution else []) + sp.parts
        for part in candidates:
            anchor = self._anchor_for(part)
            if anchor:
                anchor_part = part
                break
        if anchor is None:  # no commas: "School of Chemical Engineering Dalian University of Technology"
            whole, n = self._fixed(stem_tokens(text))
            for toks, oid, name in self.anchor_latin:
                # (a name of kind words only, "Polytechnic University", is inside too many others)
                at = _find_standing_alone(whole, toks) if len(toks) >= 2 and not KIND_STEMS.issuperset(toks) else None
                if at is not None:
                    rest = " " + " ".join(whole[:at] + ("|",) + whole[at + len(toks):]) + " "
                    units = [(uid, 0.95, s, nm) for s, uid, nm in self.unit_latin.get(self.root_of(oid), [])
                             if len(s) > 6 and f" {s} " in rest]
                    return self._result(oid, 0.95 - 0.05 * n, name, name, units, sp)
        if anchor is None and self.lab_latin:
            for part in sp.parts:
                toks, n = self._fixed(stem_tokens(part))
                others = [p for p in sp.parts if p != part]
                if not {"state", "key", "lab"} <= set(toks) or _institution_index(others) is not None:
                    continue
                for key, oid, name in self.lab_latin:
                    ok, typos = _tokens_agree(toks, key)
                    if ok and typos <= 1:
                        anchor, anchor_part = (oid, 0.9 - 0.05 * (typos + n), name), part
                        break
                if anchor:
                    break
        if anchor is None:
            return OrgMatch(False, evidence={"institution": sp.institution, "split": sp.as_json()})
        inst_id, score, inst_name = anchor
        root = self.root_of(inst_id)
        units = self._units_for(root, [p for p in sp.parts if p != anchor_part])
        return self._result(inst_id, score, inst_name, anchor_part, units, sp)

    def _result(self, inst_id, score, inst_name, inst_text, units, sp) -> OrgMatch:
        units = sorted({u[0]: u for u in units}.values(), key=lambda u: (-self.depth(u[0]), -u[1]))
        org_ids = tuple(u[0] for u in units) + (inst_id,)
        evidence = {
            "institution": inst_text, "institution_matched": inst_name,
            "units": [{"text": u[2], "org_id": u[0], "matched": u[3], "score": round(u[1], 3)} for u in units],
            "split": sp.as_json(),
        }
        return OrgMatch(True, score, inst_id, org_ids[0], org_ids, evidence)

    # -- Chinese
    def _match_zh(self, sp: SplitAffiliation) -> OrgMatch:
        text = zh_key(sp.text)
        for key, oid in self.anchor_zh:
            at = _find_zh(text, key)
            if at < 0:
                continue
            if len(key) < 4 and key != sp.institution and key not in re.split(r"[\s,，;；、]+", sp.text):
                continue  # a short name ("大工") only counts standing alone, never inside other words
            root = self.root_of(oid)
            rest = text[:at] + "|" + text[at + len(key):]
            units = []
            for ukey, uid in self.unit_zh.get(root, []):
                if uid != oid and ukey in rest:
                    units.append((uid, 1.0, ukey, ukey))
                    rest = rest.replace(ukey, "|")
            return self._result(oid, 1.0, key, key, units, sp)
        for key, oid in self.lab_zh:
            if key in text and not re.search(r"大学|学院|研究院|医院|公司|研究所", text.replace(key, "|")):
                return self._result(oid, 0.9, key, key, [], sp)
        return OrgMatch(False, evidence={"institution": sp.institution, "split": sp.as_json()})


# after a name, more characters up to 大学 (before any unit's suffix): a longer university's name
# ("中国科学院" + "大学" is 中国科学院大学, not 中国科学院)
_ZH_LONGER = re.compile(r"(?:(?!学院|医院|研究所|研究院|中心|系|所|室|部|科|处)[\u4e00-\u9fff]){0,4}大学")


def _find_zh(text: str, key: str) -> int:
    """Where a Chinese name occurs in a (spaceless) address as a whole name, not as the start of a
    longer university's name; -1 if nowhere."""
    at = text.find(key)
    while at >= 0 and _ZH_LONGER.match(text, at + len(key)):
        at = text.find(key, at + 1)
    return at


def match_org(text: str, index: OrgIndex | Iterable[OrgEntry], organization: str | None = None) -> OrgMatch:
    """Is this address ours, and which unit does it name? ``index``: an :class:`OrgIndex` (reuse it:
    it caches) or the organisation entries to build one from."""
    if not isinstance(index, OrgIndex):
        index = OrgIndex(index)
    return index.match(text, organization)
