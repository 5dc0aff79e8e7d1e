"""Normalisation of bibliographic values for matching: pure functions, no I/O.

Two forms of a title exist side by side: a *matching key* (:func:`title_key`: folded, stripped of
markup and punctuation, Greek letters spelled out) that is only ever compared, and a *display form*
(:func:`title_display`: markup removed, the original characters kept) that people read.

Other stages import :func:`normalize_issn`, :func:`journal_key` and :func:`surname_key` from here.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote

# --------------------------------------------------------------------------- titles

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "µ": "mu",
    "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau",
    "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}
_GREEK_NAMES = sorted(set(GREEK.values()), key=len, reverse=True)
# LaTeX \alpha, \beta ... and "\mathrm{x}" style wrappers
_LATEX_GREEK = re.compile(r"\\(var)?(" + "|".join(_GREEK_NAMES) + r")(?![a-z])", re.I)
_LATEX_WRAP = re.compile(r"\\(?:mathrm|mathbf|mathit|textit|textbf|text|rm|bf|it|emph|mathcal|operatorname)\s*\{([^{}]*)\}")
_LATEX_CMD = re.compile(r"\\[A-Za-z]+\s*")
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9:_-]*(?:\s[^<>]*)?/?\s*>")
_SUBSUP_TAG = re.compile(r"<\s*(sub|sup|inf)\s*>(.*?)<\s*/\s*\1\s*>", re.I | re.S)
_LATEX_SUBSUP = re.compile(r"[_^]\s*\{([^{}]*)\}|[_^]([A-Za-z0-9+\-])")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060\uff07"), "'") | dict.fromkeys(
    map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02"), '"')
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NON_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")
_WS = re.compile(r"\s+")
SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₔₕₖₗₘₙₚₛₜ", "0123456789+-=()aeoxəhklmnpst")
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni")


def strip_markup(text: str) -> str:
    """Remove HTML/MathML tags and LaTeX wrappers, unescape entities; sub/superscript contents stay inline."""
    text = html.unescape(html.unescape(text)) if "&" in text else text
    if "<" in text:
        text = _SUBSUP_TAG.sub(r"\2", text)
        text = _TAG.sub(" ", text)
    if "\\" in text or "$" in text or "_{" in text or "^{" in text:
        for _ in range(3):
            new = _LATEX_WRAP.sub(r"\1", text)
            if new == text:
                break
            text = new
        text = _LATEX_GREEK.sub(lambda m: " " + m.group(2).lower() + " ", text)
        text = _LATEX_SUBSUP.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
        text = _LATEX_CMD.sub(" ", text).replace("$", "")
    return text


def title_display(text: str | None) -> str | None:
    """The title as people read it: markup and entities removed, spaces folded, original characters kept."""
    if not text:
        return None
    text = strip_markup(text)
    text = _WS.sub(" ", text).strip().rstrip(".").strip()
    return text or None


_GREEK_RE = re.compile("[" + "".join(GREEK) + "]")
_FOLD = {"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "œ": "oe", "ı": "i"}
_FOLD_RE = re.compile("[" + "".join(_FOLD) + "]")
_ASCII_DROP = re.compile(r"[^0-9a-z]+")


# UTF-8 punctuation (quotes, dashes, ellipses) read as Latin-1 and its unmappable bytes replaced by '?':
# 'â??', 'â?¦', 'Ã¢â?¬Â?'. What it was cannot be recovered; it was punctuation, so it becomes a space.
_MOJIBAKE = re.compile(r"Ã¢â\?¬(?:\s?Å\?|Â\?|Â|\?)?|â\?[?¦¬œ\x80-\xbf]?|â€[\x80-\xbf™œ\"]?|Â\?|Å\?")


def repair_mojibake(text: str) -> str:
    """Undo doubly encoded UTF-8 ('SjÃ¶strÃ¶m' -> 'Sjöström') where it decodes; else blank its debris."""
    if "Ã" not in text and "â" not in text and "Â" not in text and "Å" not in text:
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    text = re.sub(r"â\?\?(?=s\b)", "'", text)  # 'Codd â??s' -> "Codd's"
    return _MOJIBAKE.sub(" ", text)


@lru_cache(maxsize=200_000)
def _title_key(text: str) -> str:
    text = strip_markup(text)
    if not text.isascii():
        text = repair_mojibake(text)
    if text.isascii():  # the common case: no forms to fold
        return " ".join(_ASCII_DROP.sub(" ", text.lower().replace("'", "")).split())
    text = text.translate(SUBSCRIPTS).translate(SUPERSCRIPTS)
    text = unicodedata.normalize("NFKC", text)  # full-width forms, ligatures, compatibility characters
    text = text.translate(_DASHES).translate(_QUOTES).casefold()
    text = _GREEK_RE.sub(lambda m: f" {GREEK[m.group(0)]} ", text)
    # fold accents on Latin letters; Han characters are kept as they are
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = _FOLD_RE.sub(lambda m: _FOLD[m.group(0)], text)
    text = _NON_WORD.sub(" ", text.replace("'", ""))
    # Han characters are their own tokens; a word-level key would otherwise be one token per sentence
    if _HAN.search(text):
        text = _HAN.sub(lambda m: f" {m.group(0)} ", text)
    return " ".join(text.split())


def title_key(text: str | None) -> str:
    """The matching key of a title ("" for none): compared, never shown."""
    return _title_key(text) if text else ""


def title_tokens(key: str) -> list[str]:
    return key.split()


def is_han(text: str | None) -> bool:
    return bool(text and _HAN.search(text))


# --------------------------------------------------------------------------- DOI, ISSN, pages

_DOI_PREFIX = re.compile(r"^(?:doi\s*[:：]?\s*|https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/|urn:doi:|info:doi/)", re.I)
_DOI = re.compile(r"10\.\d{4,9}/\S+")


def normalize_doi(value: str | None) -> str | None:
    """'https://doi.org/10.1000/ABC.' -> '10.1000/abc'; None when no DOI is inside."""
    if not value:
        return None
    value = unicodedata.normalize("NFKC", value).strip()
    for _ in range(2):
        value = _DOI_PREFIX.sub("", value).strip()
    if "%" in value:
        value = unquote(value)
    m = _DOI.search(value)
    if not m:
        return None
    doi = m.group(0).rstrip(".,;:)]}>'\"")
    return doi.casefold() or None


_ISSN = re.compile(r"(\d{4})\s*[-‐–]?\s*(\d{3}[\dXx])")


def issn_check_digit(first7: str) -> str:
    total = sum(int(d) * w for d, w in zip(first7, range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def valid_issn(value: str | None) -> bool:
    norm = _format_issn(value)
    return bool(norm) and issn_check_digit(norm[:4] + norm[5:8]) == norm[8]


def _format_issn(value: str | None) -> str | None:
    if not value:
        return None
    m = _ISSN.search(unicodedata.normalize("NFKC", value))
    return f"{m.group(1)}-{m.group(2).upper()}" if m else None


def normalize_issn(value: str | None) -> str | None:
    """'0028 0836' / '00280836' -> '0028-0836'; None when missing or the check digit is wrong."""
    norm = _format_issn(value)
    return norm if norm and valid_issn(norm) else None


def expand_pages(first: str | None, last: str | None = None) -> tuple[str | None, str | None]:
    """Pages as (first, last), abbreviated ranges expanded: ('1234', '45') -> ('1234', '1245').

    A single value with a range inside ('1234-45') is split first. Non-numeric pages ('e1234', 'S12')
    are kept as given (folded to lower case).
    """
    first = (first or "").strip()
    last = (last or "").strip()
    if first and not last:
        parts = re.split(r"\s*[-‐‑–—~～]\s*", first, maxsplit=1)
        if len(parts) == 2:
            first, last = parts
    first = unicodedata.normalize("NFKC", first).strip().strip(".").casefold().replace("pp", "").replace("p.", "").strip()
    last = unicodedata.normalize("NFKC", last).strip().strip(".").casefold().split("+")[0].strip()
    if first.isdigit() and last.isdigit() and len(last) < len(first) and int(last) < int(first[-len(last):]) + 10 ** len(last):
        head = first[: len(first) - len(last)]
        candidate = head + last
        if int(candidate) < int(first) and head:  # '199-2' runs over a hundred: 199-202
            candidate = str(int(head) + 1) + last
        if int(candidate) >= int(first):
            last = candidate
    if first.isdigit():
        first = str(int(first)) if first.strip("0") else first
    if last.isdigit():
        last = str(int(last)) if last.strip("0") else last
    return first or None, last or None


def page_key(value: str | None) -> str | None:
    """What makes two first pages (or article numbers) the same: the digits, else the folded text."""
    if not value:
        return None
    v = unicodedata.normalize("NFKC", value).casefold().strip()
    digits = "".join(ch for ch in v if ch.isdigit())
    return digits.lstrip("0") or digits or (v or None)


def volume_key(value: str | None) -> str | None:
    """'Vol. 12' -> '12'; '12(3)' -> '12'; text volumes are folded."""
    if not value:
        return None
    v = unicodedata.normalize("NFKC", value).casefold()
    m = re.search(r"\d+", v)
    if m:
        return m.group(0).lstrip("0") or "0"
    v = re.sub(r"\W+", "", v)
    return v or None


def issue_key(value: str | None) -> str | None:
    """'09' / '9' / 'No. 9' -> '9'; '9-10' -> '9' (a double issue goes by its first number); text folded."""
    return volume_key(value)


# --------------------------------------------------------------------------- journals

JOURNAL_STOPWORDS = frozenset(
    "the of and for in on a an to at by with from de la le des du der die und et y & -".split()
)


@lru_cache(maxsize=100_000)
def journal_key(name: str | None) -> str:
    """A folded journal name ('J. Am. Chem. Soc.' -> 'j am chem soc'; 'The Lancet' -> 'lancet')."""
    if not name:
        return ""
    text = title_key(name.replace("&", " and "))
    return " ".join(t for t in text.split() if t not in JOURNAL_STOPWORDS)


def journal_match(a: str | None, b: str | None) -> bool | None:
    """Whether two names denote the same journal: equal keys, or one abbreviates the other.

    Abbreviation: every word of the shorter form is a prefix of the matching word of the longer form,
    in order ('J AM CHEM SOC' ~ 'Journal of the American Chemical Society'), or the short form is the
    acronym of the long one ('VLDB' ~ 'Very Large Data Bases'). None when either is missing.
    """
    ka, kb = journal_key(a), journal_key(b)
    if not ka or not kb:
        return None
    return _journal_match(ka, kb)


@lru_cache(maxsize=200_000)
def _journal_match(ka: str, kb: str) -> bool:
    if ka == kb:
        return True
    ta, tb = ka.split(), kb.split()
    if len(ta) > len(tb):
        ta, tb = tb, ta
    if len(ta) == 1 and len(ta[0]) >= 3 and ta[0] == "".join(t[0] for t in tb):
        return True
    if _abbreviates(ta, tb):
        return True
    # one name is contained in the other ('SIGMOD Record' in 'ACM SIGMOD Record')
    return len(ta) >= 2 and " ".join(ta) in " ".join(tb)


def _abbreviates(short: list[str], long: list[str]) -> bool:
    if len(short) != len(long):
        return False
    return all(t.startswith(s) or (s.endswith("s") and t.startswith(s[:-1])) for s, t in zip(short, long))


# A Chinese university journal comes in editions ('大连理工大学学报(自然科学版)', '... (Social Science Edition)',
# '... Xuebao (Ziran Kexue Ban)'); Ei's "Pinyin/English" name often leaves the edition out. Edition -> the
# Chinese, English and pinyin ways of writing it (folded keys, longest first when matched).
JOURNAL_EDITIONS: dict[str, tuple[str, ...]] = {
    "natural science": ("自然科学版", "自然版", "自科版", "natural science edition", "natural sciences edition",
                        "natural science", "natural sciences", "science and technology", "ziran kexue ban",
                        "ziran ban"),
    "science": ("理学版", "理科版", "science edition", "sciences edition", "lixue ban", "like ban"),
    "engineering": ("工学版", "工科版", "工程技术版", "工程版", "engineering science edition", "engineering edition",
                    "engineering science", "engineering and technology edition", "engineering and technology",
                    "gongxue ban", "gongke ban", "gongcheng jishu ban"),
    "medicine": ("医学版", "医学科学版", "medical science edition", "medical sciences edition", "medical edition",
                 "medical science", "medical sciences", "health sciences", "yixue ban"),
    "social science": ("哲学社会科学版", "人文社会科学版", "社会科学版", "人文科学版", "哲学社会科学", "社科版", "哲社版",
                       "人文版", "philosophy and social sciences edition", "philosophy and social science edition",
                       "humanities and social sciences edition", "humanities and social science edition",
                       "social sciences edition", "social science edition", "humanities edition",
                       "philosophy and social sciences", "humanities and social sciences", "social sciences",
                       "social science", "zhexue shehui kexue ban", "renwen shehui kexue ban", "shehui kexue ban",
                       "renwen kexue ban", "sheke ban"),
    "agriculture": ("农业与生命科学版", "农业科学版", "农学版", "agriculture and life sciences edition",
                    "agricultural science edition", "agricultural sciences edition", "agriculture and life sciences",
                    "agricultural science", "nongye kexue ban", "nongxue ban"),
    "information science": ("信息科学版", "information science edition", "information science", "xinxi kexue ban"),
    "education": ("教育科学版", "教育版", "education science edition", "educational science edition",
                  "education science", "jiaoyu kexue ban"),
    "english": ("英文版", "english edition", "yingwen ban"),
    "chinese": ("中文版", "chinese edition", "zhongwen ban"),
}
_EDITION_FORMS = sorted(((form, ed) for ed, forms in JOURNAL_EDITIONS.items() for form in forms),
                        key=lambda fe: -len(fe[0]))
_EDITION_BRACKETS = re.compile(r"[(（\[【]([^()（）\[\]【】]{2,60})[)）\]】]\s*$")


@lru_cache(maxsize=50_000)
def journal_edition(name: str | None) -> tuple[str, str | None]:
    """A journal name without its edition, and the edition: ('大连理工大学学报(自然科学版)' ->
    ('大连理工大学学报', 'natural science'); 'Journal of Jilin University (Engineering and Technology Edition)'
    -> ('Journal of Jilin University', 'engineering'); 'Zhongshan Daxue Xuebao, Ziran Kexue Ban' ->
    ('Zhongshan Daxue Xuebao', 'natural science')). A name without an edition comes back whole, with None.

    An edition in brackets is recognised in any of its forms; without brackets only the forms that say
    'edition' (版, 'Edition', 'Ban'), since 'Science and Technology' ends many journal names.
    """
    if not name:
        return name or "", None
    text = unicodedata.normalize("NFKC", name).strip().rstrip(".")
    m = _EDITION_BRACKETS.search(text)
    if m:
        inner = " ".join(title_key(m.group(1)).split()) if not _HAN.search(m.group(1)) else m.group(1).replace(" ", "")
        for form, ed in _EDITION_FORMS:
            if inner == form:
                return text[: m.start()].strip(" ,-:/"), ed
    low = text.casefold()
    for form, ed in _EDITION_FORMS:
        if not (form.endswith("版") or form.endswith("edition") or form.endswith(" ban")):
            continue
        if low.endswith(form):
            head = text[: len(text) - len(form)]
            if form.endswith("版") or not head or not head[-1].isalnum():
                return head.strip(" ,-:/·"), ed
    return text, None


# --------------------------------------------------------------------------- people

_SURNAME_PARTICLES = frozenset("van von der den de da del della di du le la ter ten dos das mac".split())


@lru_cache(maxsize=200_000)
def surname_key(name: str | None) -> str:
    """The folded surname of a byline name: 'Zhang, S' / 'S. Zhang' / '张三' -> 'zhang'.

    'Surname, Given' when a comma is present; otherwise Western order ('Given Surname'), except for
    all-caps WoS forms ('ZHANG S') and Chinese names, whose surname comes first.
    """
    if not name:
        return ""
    name = unicodedata.normalize("NFKC", html.unescape(name)).strip()
    if _HAN.search(name):
        return _han_surname("".join(_HAN.findall(name)))
    if "," in name:
        surname = name.split(",", 1)[0]
    else:
        parts = [p for p in re.split(r"[\s.]+", name) if p]
        if not parts:
            return ""
        if len(parts) >= 2 and all(len(p.strip("-")) <= 2 and p.isupper() for p in parts[1:]) and len(parts[0]) > 2:
            surname = parts[0]  # 'Zhang S', 'ZHANG SQ'
        elif len(parts) >= 2 and parts[0].isupper() and len(parts[0]) > 1 and not any(p.isupper() for p in parts[1:]) \
                and _pinyin_name(parts[0]) and all(_pinyin_name(p) for p in parts[1:]):
            surname = parts[0]  # 'LI Wei', 'ZHANG San-li', 'OUYANG Xiaoming': CNKI's and Ei's family name in capitals
        elif len(parts) >= 2 and len(parts[0]) <= 3 and parts[0].isupper() and len(parts[-1]) > 2 and not parts[-1].isupper():
            surname = parts[-1]  # 'AS Argon'
        else:
            surname = parts[-1]
            # 'Ludwig van Beethoven' -> 'van beethoven' keeps the particle with the surname
            if len(parts) >= 3 and parts[-2].casefold() in _SURNAME_PARTICLES:
                surname = parts[-2] + " " + parts[-1]
    key = title_key(surname).replace(" ", "")
    return _PINYIN_U.get(key, key)


# 吕 Lü and 女 Nü are romanised Lv / Lyu (pypinyin: lv): one key for both spellings ('Lu' is also 卢, 陆, 鲁)
_PINYIN_U = {"lyu": "lv", "nyu": "nv"}


_NOT_A_PERSON = re.compile(
    r"^\W*(?:n/?a|none|unknown|anonymous|anon|et al|others|\?+|-+)\W*$"
    r"|@|www|https?:|\.(?:org|com|net|edu|de|fr|uk)\b"
    r"|\b(?:inc|ltd|llc|gmbh|corp|corporate|corporation|company|team|group|consortium|committee|council"
    r"|association|society|institute|anthology|edition|editors?|press|publishers?|staff|collaboration)\b",
    re.I)


@lru_cache(maxsize=200_000)
def is_person_name(name: str | None) -> bool:
    """Whether a byline entry names a person: not a placeholder ('N/A', 'Anonymous'), a web address
    ('portal.acm.org') or a body ('The Access Team', 'MKP Inc', 'ACMS Anthology')."""
    if not name or not name.strip():
        return False
    if _HAN.search(name):
        return True
    return not _NOT_A_PERSON.search(name.strip())


@lru_cache(maxsize=50_000)
def _han_surname(han: str) -> str:
    """The pinyin of a Chinese name's family name, in its surname reading: '曾' zeng (not ceng), '单' shan,
    '欧阳' ouyang (a compound surname when the name is longer than it)."""
    from ir.names import COMPOUND_SURNAMES, SURNAME_READINGS

    if not han:
        return ""
    family = han[:2] if len(han) > 2 and han[:2] in COMPOUND_SURNAMES else han[0]
    return SURNAME_READINGS.get(family) or _pinyin(family)


@lru_cache(maxsize=50_000)
def _pinyin_name(word: str) -> bool:
    """Whether a byline word is romanised Chinese: pinyin syllables, perhaps hyphenated ('San-li')."""
    from ir.names import split_pinyin

    parts = [p for p in re.split(r"[-'’]", word.casefold()) if p]
    return bool(parts) and all(p.isascii() and p.isalpha() and split_pinyin(p) for p in parts)


@lru_cache(maxsize=50_000)
def _pinyin(han: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        return han
    return "".join(lazy_pinyin(han)).casefold()


# --------------------------------------------------------------------------- document kinds

_CORRECTION_TITLE = re.compile(
    r"^(?:correction|corrigendum|erratum|errata|publisher correction|author correction|addendum|expression of concern)\b"
    r"|^(?:correction|corrigendum|erratum) (?:to|for|on)\b", re.I)
_RETRACTION_TITLE = re.compile(r"^(?:retraction|retracted|withdrawn|notice of retraction)\b", re.I)
_REPLY_TITLE = re.compile(r"^(?:reply|response|comment|comments|rebuttal|discussion)\b(?: (?:to|on)\b)?", re.I)
# the retracted article itself, marked in its title (Elsevier 'RETRACTED: X', Springer 'RETRACTED ARTICLE: X'):
# the same work as the unmarked record, not a retraction notice
_RETRACTED_ARTICLE = re.compile(r"^retracted(?: article)?\b", re.I)
_ZH_CORRECTION = ("更正", "勘误")
_ZH_RETRACTION = ("撤稿", "撤销")

# document types that say nothing about what a record is (RIS GEN, BibTeX misc): the venue, the title and
# the identifiers decide instead
GENERIC_DOCTYPES = frozenset({"gen", "generic", "misc", "other", "others", "unknown", "unpublished", "manuscript",
                              "elec", "electronic article", "electronic resource", "online", "standard", "serial"})
KIND_BY_DOCTYPE = {
    "correction": "correction", "retraction": "retraction", "letter": "reply",
    "proceedings paper": "conference", "meeting abstract": "conference",
    "article": "journal", "review": "journal", "data paper": "journal", "note": "journal",
    "editorial": "editorial", "book review": "book review", "book": "book", "book chapter": "book chapter",
    "thesis": "thesis", "patent": "patent", "newspaper article": "newspaper",
    "retracted publication": "journal", "conference paper": "conference", "conference article": "conference",
    "inproceedings": "conference", "conf": "conference", "cpaper": "conference", "journal article": "journal",
    "jour": "journal",
    "preprint": "preprint", "posted content": "preprint", "posted-content": "preprint", "working paper": "preprint",
}
# CNKI's databases of conference papers (SrcDatabase 中国会议 / 国际会议; FileName links to CPFD / IPFD)
_CNKI_CONFERENCE = re.compile(r"会议|\b(?:cpfd|ipfd)", re.I)


_CONFERENCE_VENUE = re.compile(
    r"\b(?:conference|conf|proceedings|proc|symposium|symp|workshop|congress|colloquium|meeting)\b", re.I)
_JOURNAL_VENUE = re.compile(r"\b(?:journal|j|transactions|trans|letters|lett|magazine|quarterly|annals|acta)\b", re.I)


def venue_kind(name: str | None) -> str | None:
    """'conference' or 'journal' when a venue's name says so ('Proc. VLDB', 'ACM Trans. Database Syst.'),
    'preprint' for a preprint server ('arXiv', 'CoRR', 'bioRxiv'); None when it does not ('VLDB', 'SIGMOD Record') or says both ('Journal of ... Conference Series')."""
    if not name:
        return None
    if _PREPRINT_VENUE.search(name.strip()):
        return "preprint"
    conference = bool(_CONFERENCE_VENUE.search(name))
    journal = bool(_JOURNAL_VENUE.search(name))
    if conference == journal:
        return None
    return "conference" if conference else "journal"


_PREPRINT_VENUE = re.compile(
    r"^(?:arxiv|biorxiv|medrxiv|chemrxiv|techrxiv|psyarxiv|socarxiv|eartharxiv|ssrn|corr|research square"
    r"|preprints(?:\.org)?|authorea|osf preprints|engrxiv|essoar|zenodo)\b"
    r"|\barxiv(?: preprint)?\b|\b(?:bio|med|chem|tech|psy)rxiv\b|\bssrn electronic journal\b", re.I)
# preprint servers' DOIs: arXiv, bioRxiv/medRxiv (10.1101/2020.01.02.123456 or a six-digit number; CSH journals
# under the same prefix have letters), Research Square, SSRN, ChemRxiv, Preprints.org, OSF, Authorea, TechRxiv
_PREPRINT_DOI = re.compile(
    r"^10\.(?:48550/arxiv|1101/(?:\d{4}\.\d\d\.\d\d\.)?\d{6}|21203/rs\.|2139/ssrn|26434/chemrxiv"
    r"|20944/preprints|31219/osf|31234/osf|31235/osf|22541/au\.|36227/techrxiv|1002/essoar)")


def is_preprint(venue: str | None = None, doi: str | None = None) -> bool:
    """Whether a venue name ('arXiv', 'CoRR', 'bioRxiv', 'SSRN Electronic Journal') or a DOI names a preprint server."""
    if venue and _PREPRINT_VENUE.search(venue.strip()):
        return True
    d = normalize_doi(doi)
    return bool(d and is_preprint_doi(d))


def is_preprint_doi(doi: str) -> bool:
    """Whether a normalised DOI (:func:`normalize_doi`) is a preprint server's."""
    return doi.startswith("10.") and bool(_PREPRINT_DOI.match(doi))


_NOTICE_PREFIX = re.compile(
    r"^(?:(?:publisher|author|authors)(?:'s)? )?(?:correction|corrigendum|erratum|errata|addendum|retraction|notice of retraction"
    r"|expression of concern|withdrawal|withdrawn|更正|勘误|撤稿声明|撤稿)"
    r"(?:\s+(?:note|notice|statement))?(?:\s+(?:to|for|on|of|regarding))?(?:\s+(?:the\s+)?(?:article|paper))?\s*[:：.\-–—]*\s*",
    re.I)
# where the notice cites the work: 'Erratum to "X" [J. Foo 12 (2020) 1-10]', 'Correction to: X (vol 12, pg 100, 2020)'
_CITED_AT_END = re.compile(r"\s*(?:\[[^\[\]]*\d[^\[\]]*\]|【[^【】]*\d[^【】]*】"
                           r"|\((?:vol|volume|pg|p|pp|doi)\b[^()]*\))\s*\.?\s*$", re.I)


def corrected_title(title: str | None) -> str:
    """The title key of the work a correction or retraction notice names: 'Correction to: X', 'Erratum to
    "X" [J. Foo 12 (2020) 1-10]', 'Retraction Note: X', '更正：X' -> title_key(X); '' when the title names none."""
    if not title:
        return ""
    text = strip_markup(title).strip()
    m = _NOTICE_PREFIX.match(text)
    if not m or m.end() == 0:
        return ""
    rest = _CITED_AT_END.sub("", text[m.end():]).strip(" \"'“”‘’「」『』《》")
    return title_key(rest)


def document_kind(doc_type: str | None, title: str | None) -> str | None:
    """What a record is for matching purposes: journal, conference, correction, retraction, reply, ...

    A correction, retraction or reply is recognised from the title as well ('Correction: X',
    'Erratum to "X"', 'Reply to comment on X'), since many records are typed only 'Article'.
    """
    key = title_key(title) if title else ""
    if key and _CORRECTION_TITLE.match(key) or (title and title.startswith(_ZH_CORRECTION)):
        return "correction"
    if key and _RETRACTION_TITLE.match(key) and not _RETRACTED_ARTICLE.match(key) \
            or (title and title.startswith(_ZH_RETRACTION)):
        return "retraction"
    if key and _REPLY_TITLE.match(key):
        return "reply"
    t = (doc_type or "").strip().casefold()
    if not t or t in GENERIC_DOCTYPES:
        return None
    if t in KIND_BY_DOCTYPE:
        return KIND_BY_DOCTYPE[t]
    if _CNKI_CONFERENCE.search(t):
        return "conference"
    return None
