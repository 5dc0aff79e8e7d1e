"""Personal names: parse every byline form, romanise Chinese names, and compare two names with evidence.

Pure functions, no I/O. A name is reduced to ASCII keys (``family``, ``given``, ``initials``) so that
"Zhang, San-li", "ZHANG San-Li", "San Zhang", "Zhang S.L." and "张三丽" meet on the same keys:

>>> parse_name("Zhang, San-li").initials
'sl'
>>> parse_name("张三丽").given
'sanli'
>>> compatibility("Zhang, S", "张三").level
'initials'

Chinese names are romanised with pypinyin, the family name with its surname reading (单 Shan, 曾 Zeng,
区 Ou ...). The given name keeps every reading of its polyphonic characters as alternatives.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Levenshtein
from unidecode import unidecode

# Family-name readings that differ from the everyday reading of the character.
SURNAME_READINGS: dict[str, str] = {
    "单": "shan", "曾": "zeng", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha", "解": "xie", "盖": "ge",
    "乐": "yue", "缪": "miao", "秘": "bi", "覃": "qin", "召": "shao", "种": "chong", "员": "yun", "繁": "po",
    "翟": "zhai", "折": "she", "黑": "he", "卜": "bu", "句": "gou", "隗": "wei", "薄": "bo", "重": "chong",
    "曲": "qu", "尉": "yu", "都": "du", "长": "chang", "沈": "shen", "贾": "jia", "任": "ren", "华": "hua",
    "纪": "ji", "宁": "ning", "柏": "bai", "褚": "chu", "过": "guo", "石": "shi", "车": "che", "能": "nai",
    "万": "wan", "藏": "zang", "费": "fei", "冯": "feng", "燕": "yan", "宓": "mi", "洗": "xian", "冼": "xian",
    "谌": "chen", "阚": "kan", "訾": "zi", "禚": "zhuo", "亓": "qi", "逄": "pang", "厍": "she", "眭": "sui",
    "单于": "chanyu", "尉迟": "yuchi", "万俟": "moqi", "长孙": "zhangsun", "澹台": "tantai", "欧阳": "ouyang",
    "司马": "sima", "上官": "shangguan", "诸葛": "zhuge", "东方": "dongfang", "皇甫": "huangfu",
    "公孙": "gongsun", "慕容": "murong", "宇文": "yuwen", "司徒": "situ", "夏侯": "xiahou", "轩辕": "xuanyuan",
    "令狐": "linghu", "钟离": "zhongli", "公冶": "gongye", "闻人": "wenren", "端木": "duanmu", "南宫": "nangong",
    "西门": "ximen", "独孤": "dugu", "呼延": "huyan", "百里": "baili", "东郭": "dongguo", "申屠": "shentu",
    "太史": "taishi", "司空": "sikong", "左丘": "zuoqiu", "第五": "diwu", "拓跋": "tuoba",
}
COMPOUND_SURNAMES = frozenset(k for k in SURNAME_READINGS if len(k) == 2)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_INITIALS_TOKEN = re.compile(r"^(?:[A-Z]\.?-?\s?){1,4}$")
_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>|\S+@\S+|\d+|[*#†‡§¶]")
_SEP = re.compile(r"[\s\-‐‑‒–—'’.·・]+")


def has_cjk(text: str | None) -> bool:
    return bool(text and _CJK.search(text))


def ascii_fold(text: str) -> str:
    """Lowercase ASCII: "Zhāng Sān-Lǐ" -> "zhang san-li"; ü -> u; other scripts via unidecode."""
    if text.isascii():
        return text.lower()
    return unidecode(unicodedata.normalize("NFKC", text)).lower()


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (about 420), from pypinyin's own dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict

    text = unidecode(",".join(pinyin_dict.values())).lower()
    return frozenset(s for s in text.split(",") if s.isalpha() and len(s) <= 6)


@lru_cache(maxsize=65536)
def split_pinyin(word: str) -> tuple[str, ...] | None:
    """Split run-together pinyin into the fewest syllables ("sanli" -> ("san", "li")), or None."""
    word = word.lower()
    syl = pinyin_syllables()
    n = len(word)
    if not n or n > 18:
        return None
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            piece = word[i:j]
            if piece in syl:
                cand = best[i] + (piece,)
                if best[j] is None or len(cand) < len(best[j]):
                    best[j] = cand
    return best[n]


@lru_cache(maxsize=None)
def _char_readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character, the most common first (pypinyin's dictionary)."""
    from pypinyin.pinyin_dict import pinyin_dict

    raw = pinyin_dict.get(ord(ch))
    if not raw:
        return ()
    return tuple(dict.fromkeys(r for r in unidecode(raw).lower().split(",") if r.isalpha()))


@lru_cache(maxsize=262144)
def chinese_readings(name: str, limit: int = 4) -> tuple[tuple[str, str, str], ...]:
    """(family, given, initials) readings of a Chinese name: the surname reading first, then the
    alternatives of polyphonic given-name characters (at most ``limit``)."""
    name = re.sub(r"\s+", "", name)
    if not name:
        return ()
    fam_zh = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[0]
    given_zh = name[len(fam_zh):]
    plain_family = "".join((_char_readings(c) or ("",))[0] for c in fam_zh)
    family = SURNAME_READINGS.get(fam_zh) or plain_family
    if not given_zh:
        return ((family, "", ""),)
    combos: list[list[str]] = [[]]
    for ch in given_zh:
        readings = list(_char_readings(ch)) or [""]
        combos = [c + [r] for c in combos for r in readings[:2]][:limit]
    out = [(family, "".join(c), "".join(x[0] for x in c if x)) for c in combos]
    if plain_family and plain_family != family:  # also the everyday reading: sources write 单 as "Dan" too
        out.append((plain_family, out[0][1], out[0][2]))
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A name reduced to comparable keys. ``given`` is "" when only initials are known."""

    text: str
    family: str
    given: str = ""
    initials: str = ""
    zh: str | None = None  # the Chinese form, where given
    readings: tuple[tuple[str, str, str], ...] = ()  # every (family, given, initials) reading, first = main
    order_ambiguous: bool = False  # "San Zhang" could also be written family-first

    @property
    def forms(self) -> list[str]:
        """Display forms this name is written in: "Zhang, San", "Zhang, S", "San Zhang", "Zhang S", "张三"."""
        out: list[str] = []
        f = self.family.capitalize()
        if self.given:
            g = self.given.capitalize()
            out += [f"{f}, {g}", f"{g} {f}", f"{f.upper()} {g}"]
        if self.initials:
            out += [f"{f}, {self.initials.upper()}", f"{f} {self.initials.upper()}"]
        if self.zh:
            out.append(self.zh)
        return list(dict.fromkeys(out))

    def keys(self) -> set[tuple[str, str]]:
        """Index keys: (family, first initial) for every reading, both orders when ambiguous."""
        out = set()
        for fam, _given, ini in self.readings or ((self.family, self.given, self.initials),):
            if fam:
                out.add((fam, ini[:1]))
        return out


def _given_initials(given: str, all_caps: bool = False) -> tuple[str, str]:
    """(given key, initials) of the given-name part: "San-li" -> ("sanli", "sl"); "S.L." -> ("", "sl").
    ``all_caps``: the whole name is in capitals ("ZHANG, LI"), so capitals do not mean initials."""
    raw = given.strip()
    letters = re.sub(r"[^A-Za-z]", "", ascii_fold(raw))
    if not letters:
        return "", ""
    compact = re.sub(r"[\s.\-]", "", raw)
    parts = [p for p in _SEP.split(ascii_fold(raw)) if p]
    dotted = "." in raw
    whole_upper = compact.isupper()
    is_initials = (
        len(letters) == 1
        or (dotted and all(len(p) == 1 for p in parts))
        or (compact.isalpha() and whole_upper and len(letters) <= 3 and split_pinyin(letters) is None)
        or (compact.isalpha() and whole_upper and not all_caps and len(letters) <= 2 and len(parts) == 1)
    )
    if is_initials:
        return "", letters.lower()
    if len(parts) > 1:  # "San-li", "John A."; a trailing middle initial is not part of the given name ...
        if not dotted and all(split_pinyin(p) for p in parts):  # ... but "Yi'e", "E-le" are pinyin (峨 e)
            return "".join(parts), "".join(p[0] for p in parts)
        return "".join(p for p in parts if len(p) > 1) or parts[0], "".join(p[0] for p in parts)
    syl = split_pinyin(letters)
    if syl and len(syl) <= 3:
        return letters, "".join(s[0] for s in syl)
    return letters, letters[0]


def _syllables(token: str) -> int:
    """How many pinyin syllables a word is (0: not pinyin); "Jing-Yao" counts 2."""
    total = 0
    for piece in re.split(r"[-'’]", token.lower()):
        syl = split_pinyin(piece) if piece.isalpha() else None
        if not syl:
            return 0
        total += len(syl)
    return total


def _initial_like(token: str) -> bool:
    """"S.L.", "SL", "S" are initials; "HAN" and "LI" are pinyin syllables, so words."""
    if "." in token:
        return bool(_INITIALS_TOKEN.match(token))
    bare = token.replace("-", "")
    return bare.isalpha() and bare.isupper() and (len(bare) == 1 or (len(bare) <= 3 and split_pinyin(bare.lower()) is None))


@lru_cache(maxsize=262144)
def parse_name(text: str | None) -> ParsedName:
    """Parse a byline name in any form: "Zhang, San", "Zhang, S", "San Zhang", "ZHANG San-Li",
    "Zhang, San-li", "Zhang S.L.", "Wenjie JIANG", "张三"."""
    text = (text or "").strip()
    if not text:
        return ParsedName(text="", family="")
    if has_cjk(text):
        zh = "".join(_CJK.findall(text))
        readings = chinese_readings(zh)
        fam, given, ini = readings[0] if readings else ("", "", "")
        return ParsedName(text=text, family=fam, given=given, initials=ini, zh=zh, readings=readings)
    clean = _NOISE.sub(" ", text).strip(" ,;")
    clean = re.sub(r"\s+", " ", clean)
    if "," in clean:
        fam_raw, _, given_raw = clean.partition(",")
        order_ambiguous = False
    else:
        tokens = clean.split(" ")
        if len(tokens) == 1:
            fam_raw, given_raw, order_ambiguous = tokens[0], "", False
        else:
            upper = [i for i, t in enumerate(tokens) if t.replace("-", "").isupper() and len(t.replace("-", "").replace(".", "")) > 1]
            initial_like = [_initial_like(t) for t in tokens]
            order_ambiguous = False
            if len(upper) == 1 and len(tokens) - 1 > 0 and not all(
                t.replace("-", "").replace(".", "").isupper() for t in tokens
            ) and not initial_like[upper[0]]:
                i = upper[0]  # "ZHANG San-Li", "Wenjie JIANG": the capitalised word is the family name
                fam_raw, given_raw = tokens[i], " ".join(tokens[:i] + tokens[i + 1:])
            elif initial_like[-1] and not initial_like[0]:
                fam_raw, given_raw = " ".join(tokens[:-1]), tokens[-1]  # "Zhang S.L.", "Zhang SL"
            elif initial_like[0] and not initial_like[-1]:
                fam_raw, given_raw = tokens[-1], " ".join(tokens[:-1])  # "S. Zhang", "S.L. Zhang"
            elif all(t.isupper() for t in tokens) and len(tokens) == 2:
                fam_raw, given_raw = tokens[0], tokens[1]  # "ZHANG SAN": family first, as Chinese sources write it
                order_ambiguous = True
            elif len(tokens) == 2 and _syllables(tokens[0]) == 1 and _syllables(tokens[1]) >= 2:
                fam_raw, given_raw = tokens[0], tokens[1]  # "Yang Jingyao": a one-syllable surname first
                order_ambiguous = True
            else:
                fam_raw, given_raw = tokens[-1], " ".join(tokens[:-1])  # "San Zhang"
                order_ambiguous = True
    family = re.sub(r"[^a-z]", "", ascii_fold(fam_raw))
    all_caps = clean.replace(",", "").replace(" ", "").isupper() and len(re.sub(r"[^A-Za-z]", "", given_raw)) > 1
    given, initials = _given_initials(given_raw, all_caps and "." not in given_raw)
    readings = [(family, given, initials)]
    if order_ambiguous and given:
        g2, i2 = _given_initials(fam_raw)
        readings.append((re.sub(r"[^a-z]", "", given), g2, i2))
    return ParsedName(text=text, family=family, given=given, initials=initials,
                      readings=tuple(readings), order_ambiguous=order_ambiguous)


@dataclass(frozen=True, slots=True)
class Compat:
    """How well two names can be the same person: score in [0, 1], a level and a readable reason."""

    score: float
    level: str  # same_zh | full | full_typo | initials | first_initial | family_only | none
    evidence: str = ""

    def as_json(self) -> dict:
        return {"score": round(self.score, 3), "level": self.level, "evidence": self.evidence}


NONE = Compat(0.0, "none", "names differ")


def _close(a: str, b: str) -> bool:
    """One typo apart (edit distance 1, or a transposition) on words of at least four letters."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    if Levenshtein.distance(a, b) <= 1:
        return True
    return len(a) == len(b) and sorted(a) == sorted(b) and sum(x != y for x, y in zip(a, b)) == 2


def _compare_reading(a: tuple[str, str, str], b: tuple[str, str, str]) -> Compat:
    fa, ga, ia = a
    fb, gb, ib = b
    if not fa or not fb:
        return NONE
    typo = ""
    if fa != fb:
        if not _close(fa, fb):
            return NONE
        typo = f"family {fa}~{fb}"
    factor = 0.85 if typo else 1.0
    if ga and gb:
        if ga == gb:
            return Compat(1.0 * factor, "full" if not typo else "full_typo", typo or "family and given names agree")
        if _close(ga, gb) and not typo and ia[:1] == ib[:1]:
            # one letter apart: a typo in a long given name, often another name in a short one
            return Compat(0.75 if min(len(ga), len(gb)) >= 6 else 0.6, "full_typo", f"given {ga}~{gb}")
        return NONE
    if not ia or not ib:
        if not ia and not ib:
            return Compat(0.3 * factor, "family_only", "only family names known")
        return NONE
    if ia == ib:
        return Compat((0.7 if (ga or gb) else 0.6) * factor, "initials", typo or f"initials {ia.upper()} agree")
    if ia[0] == ib[0] and (ia.startswith(ib) or ib.startswith(ia)):
        return Compat((0.55 if (ga or gb) else 0.45) * factor, "first_initial", typo or f"initials {ia.upper()}/{ib.upper()} compatible")
    return NONE


def compatibility(a: str | ParsedName, b: str | ParsedName) -> Compat:
    """How compatible two names are, with the reason. Chinese characters decide when both sides have them."""
    pa = a if isinstance(a, ParsedName) else parse_name(a)
    pb = b if isinstance(b, ParsedName) else parse_name(b)
    if pa.zh and pb.zh:
        if pa.zh == pb.zh:
            return Compat(1.0, "same_zh", f"same Chinese name {pa.zh}")
        if set(pa.readings) & set(pb.readings):
            return Compat(0.5, "full_typo", f"{pa.zh} and {pb.zh} read alike")
        return Compat(0.0, "none", f"{pa.zh} differs from {pb.zh}")
    best = NONE
    ra = pa.readings or ((pa.family, pa.given, pa.initials),)
    rb = pb.readings or ((pb.family, pb.given, pb.initials),)
    for i, x in enumerate(ra):
        for j, y in enumerate(rb):
            c = _compare_reading(x, y)
            if (i or j) and c.score and not (pa.zh or pb.zh):
                c = Compat(c.score * 0.95, c.level, c.evidence + " (family/given order swapped)")
            if c.score > best.score:
                best = c
    return best


@lru_cache(maxsize=1_000_000)
def compatibility_cached(a: str, b: str) -> Compat:
    """:func:`compatibility` of two name strings, remembered (bylines repeat the same names)."""
    return compatibility(a, b)
