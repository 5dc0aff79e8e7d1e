"""Web of Science fields -> :class:`ir.model.Record`, shared by the plain-text and tab-delimited readers.

Both readers turn one record into the same ``dict[tag, list[str]]``:

* tags that WoS writes one value per line (:data:`LINE_TAGS`: AU, AF, C1, CR, ...) hold one item per value;
* every other tag holds its lines as exported (a wrapped title, an abstract's paragraphs); a value that
  the tab-delimited export puts in one cell is a one-item list. The abstract's lines are paragraphs
  (joined with a line break); every other tag's lines wrap (joined with a space).

:func:`build_record` maps that dict onto the canonical model. It is a pure function, run once per
record on files of 100,000 records, so the common paths use slices and dict look-ups, not regexes;
the tolerant name matching (brackets in C1, RP, RI/OI, EM) only runs when the exact forms differ.
"""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from functools import lru_cache

from ir.formats import _util
from ir.formats._util import country_of, parse_int
from ir.model import Affiliation, Author, Journal, Problem, Record, Title, fallback_id

# the same few values recur on every record ("English", "Article", "2016"): remember their meaning
doc_type = lru_cache(maxsize=4096)(_util.doc_type)
parse_year = lru_cache(maxsize=4096)(_util.parse_year)

_MORE_LANGS = {  # WoS LA values that ir.formats._util.language does not know, to ISO 639-1
    "turkish": "tr", "polish": "pl", "czech": "cs", "dutch": "nl", "swedish": "sv", "norwegian": "no",
    "danish": "da", "finnish": "fi", "hungarian": "hu", "croatian": "hr", "slovenian": "sl", "slovak": "sk",
    "romanian": "ro", "greek": "el", "ukrainian": "uk", "serbian": "sr", "lithuanian": "lt", "persian": "fa",
    "arabic": "ar", "hebrew": "he", "indonesian": "id", "malay": "ms", "catalan": "ca", "afrikaans": "af",
}


@lru_cache(maxsize=1024)
def language(raw: str) -> str | None:
    """'English' -> 'en', 'Turkish' -> 'tr'."""
    lang = _util.language(raw)
    return _MORE_LANGS.get(lang, lang) if lang else None


# tags whose lines are separate values (the tab-delimited export joins them with "; ")
LINE_TAGS = frozenset({"AU", "AF", "BA", "BF", "BE", "CA", "GP", "C1", "CR", "WE"})
# file-level tags of the plain-text export, never part of a record
FILE_TAGS = frozenset({"FN", "VR", "EF"})

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# every well-formed tag: a capital and a capital or digit ("AU", "J9", "Z9", "U1", "D2")
TAG_SET = frozenset(a + b for a in _UPPER for b in _UPPER + "0123456789")

# full edition names (and the codes WoS prints in parentheses) -> the short codes ir uses
_EDITION_CODES = {
    "SCI-EXPANDED": "SCIE", "SCIE": "SCIE", "SCI": "SCIE",
    "SSCI": "SSCI",
    "A&HCI": "AHCI", "AHCI": "AHCI",
    "ESCI": "ESCI",
    "CPCI-S": "CPCI-S", "ISTP": "CPCI-S",
    "CPCI-SSH": "CPCI-SSH", "ISSHP": "CPCI-SSH",
    "BKCI-S": "BKCI-S",
    "BKCI-SSH": "BKCI-SSH",
}
_EDITION_NAMES = (  # checked in order: the longer names first
    ("science citation index expanded", "SCIE"),
    ("social sciences citation index", "SSCI"),
    ("arts & humanities citation index", "AHCI"),
    ("arts and humanities citation index", "AHCI"),
    ("emerging sources citation index", "ESCI"),
    ("conference proceedings citation index - social science", "CPCI-SSH"),
    ("conference proceedings citation index- social science", "CPCI-SSH"),
    ("conference proceedings citation index - science", "CPCI-S"),
    ("conference proceedings citation index- science", "CPCI-S"),
    ("book citation index - social sciences", "BKCI-SSH"),
    ("book citation index- social sciences", "BKCI-SSH"),
    ("book citation index - science", "BKCI-S"),
    ("book citation index- science", "BKCI-S"),
    ("science citation index", "SCIE"),
)

# PT (publication type) when a record carries no DT: J journal, C conference, B book, P patent, S series
_PT_TYPES = {"J": "article", "C": "proceedings paper", "B": "book", "P": "patent"}


@lru_cache(maxsize=256)
def edition_code(name: str) -> str | None:
    """'Science Citation Index Expanded (SCI-EXPANDED)' -> 'SCIE'; an unknown edition keeps its own code."""
    name = html.unescape(name).strip().rstrip(";").strip()
    if not name:
        return None
    code = None
    if name.endswith(")") and "(" in name:
        code = name[name.rindex("(") + 1 : -1].strip()
        if code.upper() in _EDITION_CODES:
            return _EDITION_CODES[code.upper()]
    if name.upper() in _EDITION_CODES:
        return _EDITION_CODES[name.upper()]
    low = " ".join(name.casefold().replace("–", "-").replace("—", "-").split())
    for full, short in _EDITION_NAMES:
        if low.startswith(full):
            return short
    return code or name


# a ";" outside [...] and (...), and not the end of an HTML entity ("&amp;")
_SEMI_OUTSIDE = re.compile(r"(?<!&amp)(?<!&lt)(?<!&gt)(?<!&quot)(?<!&apos);(?![^\[\]]*\])(?![^()]*\))")


def split_outside_brackets(value: str) -> list[str]:
    """Split on ";" except inside [...] or (...): C1 cells, FU grant lists. Items are trimmed."""
    parts = _SEMI_OUTSIDE.split(value) if "[" in value or "(" in value or "&" in value else value.split(";")
    return list(filter(None, map(str.strip, parts)))


_ENTITY_SAFE_SEMI = re.compile(r"(?<!&amp)(?<!&lt)(?<!&gt)(?<!&quot)(?<!&apos);")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos);")


def _split(value: str | None) -> list[str]:
    """'a; b;' -> ['a', 'b'] (WoS lists: DE, ID, WC, SC, EM, RI, OI, C3); '&amp;' is not a separator."""
    if not value:
        return []
    # "Public, Environmental & Occupational Health": a bare "&" needs no care, only an entity's ";" does
    parts = _ENTITY_SAFE_SEMI.split(value) if "&" in value and _ENTITY.search(value) else value.split(";")
    return list(filter(None, map(str.strip, parts)))


def split_cell(tag: str, cell: str) -> list[str]:
    """A tab-delimited cell as the plain-text export's lines: one item per value for LINE_TAGS."""
    if tag not in LINE_TAGS:
        return [cell]
    if tag == "C1":
        return split_outside_brackets(cell)
    return _split(cell)


# --- names ---------------------------------------------------------------------------------------

_COMBINING = re.compile(r"[\u0300-\u036f]+")
_NON_ALNUM = re.compile(r"[\W_]+")
_PARENS = re.compile(r"\([^)]*\)")
_GIVEN_SPLIT = re.compile(r"[\s.\-]+")
_GIVEN_WORD = re.compile(r"[^\s.\-]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _fold(text: str) -> str:
    """Accents off, case folded: 'López' -> 'lopez'."""
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return text.casefold()


def _letters(text: str) -> str:
    return _NON_ALNUM.sub("", _fold(text))


def name_key(name: str) -> str:
    """The spelling-insensitive key of a name, parenthesised extras dropped: 'Qian, Zhen (Sean)' -> 'qianzhen'."""
    if "(" in name:
        name = _PARENS.sub("", name)
    return _letters(name)


def name_parts(name: str) -> tuple[str, str]:
    """('family key', 'initials'): 'Qian, Zhen (Sean)' -> ('qian', 'z'); 'Koerner, Pamela H.' -> ('koerner', 'ph')."""
    if "(" in name:
        name = _PARENS.sub(" ", name)
    family, _, given = name.partition(",")
    given = given.strip()
    if given and " " not in given and given.isupper() and given.isalpha() and len(given) <= 4:
        initials = given.casefold()  # already initials: "RJ"
    else:
        initials = "".join(w[0] for w in _GIVEN_SPLIT.split(_fold(given)) if w and w[0].isalpha())
    return _letters(family), initials


class NameIndex:
    """Finds the authors of one record that another field's spelling of a name refers to.

    Exact AF or AU first; then accents, case and punctuation ignored, parenthesised extras dropped
    ("Qian, Zhen (Sean)"); then the family name with compatible initials, if that leaves one author.
    The tolerant keys are only built when an exact look-up misses.
    """

    __slots__ = ("authors", "_exact", "_keys", "_parts")

    def __init__(self, authors: list[Author], exact: dict[str, list[int]] | None = None):
        self.authors = authors
        self._exact = exact_names(authors) if exact is None else exact
        self._keys: dict[str, list[int]] | None = None
        self._parts: list[list[tuple[str, str]]] = []

    def find(self, name: str) -> list[int]:
        hit = self._exact.get(name)
        if hit is not None:
            return hit
        name = name.strip()
        hit = self._exact.get(name)
        if hit is not None:
            return hit
        if not name:
            return []
        if self._keys is None:
            keys: dict[str, list[int]] = {}
            for i, a in enumerate(self.authors):
                forms = [f for f in (a.full_name, a.abbreviated) if f] or [a.name]
                for form in forms:
                    ids = keys.setdefault(name_key(form), [])
                    if i not in ids:
                        ids.append(i)
                self._parts.append([name_parts(f) for f in forms])
            self._keys = keys
        hit = self._keys.get(name_key(name))
        if hit:
            return hit
        family, initials = name_parts(name)
        if not family:
            return []
        found = []
        for i, forms in enumerate(self._parts):
            for fam, ini in forms:
                if fam == family and (
                    not initials or not ini or ini.startswith(initials) or initials.startswith(ini)
                ):
                    found.append(i)
                    break
        return found if len(found) == 1 else []


def exact_names(authors: list[Author]) -> dict[str, list[int]]:
    """Each author's name and abbreviated form -> the positions (0-based) of the authors written so."""
    exact: dict[str, list[int]] = {}
    for i, a in enumerate(authors):
        ids = exact.get(a.name)
        if ids is None:
            exact[a.name] = [i]
        else:
            ids.append(i)
        if a.abbreviated is not None and a.abbreviated != a.name:
            ids = exact.get(a.abbreviated)
            if ids is None:
                exact[a.abbreviated] = [i]
            elif i not in ids:
                ids.append(i)
    return exact


def _email_names(author: Author) -> tuple[str, str]:
    """(family, first given name) as letters, for matching e-mail local parts."""
    family, _, given = (author.full_name or author.name).partition(",")
    if "(" in given:
        given = _PARENS.sub(" ", given)
    first = _GIVEN_WORD.search(_fold(given))  # the first of the words _GIVEN_SPLIT would give
    return _letters(family), _NON_ALNUM.sub("", first.group()) if first else ""


def email_score(email: str, names: tuple[str, str]) -> float:
    """How well an address's local part names an author: family name 2, first given name 1.5."""
    return _local_score(_letters(email.partition("@")[0]), names)


def _local_score(local: str, names: tuple[str, str]) -> float:
    fam, first = names
    if not local:
        return 0.0
    score = 0.0
    if len(fam) >= 2 and fam in local:
        score += 2.0
    if len(first) >= 3 and first in local:
        score += 1.5
    elif score and first and local[0] == first[0]:
        score += 0.5  # "mgokalp"
    return score


def assign_emails(emails: list[str], authors: list[Author], corresponding: list[int]) -> None:
    """EM lists the corresponding authors' addresses in RP order: pair them when the counts agree;
    otherwise give an address to the one author whose name its local part spells best (or to nobody)."""
    if len(emails) == len(corresponding):
        for i, em in zip(corresponding, emails, strict=True):
            authors[i].email = em
        return
    if not emails:
        return
    names = [_email_names(a) for a in authors]
    for em in emails:
        local = _letters(em.partition("@")[0])
        scores = [_local_score(local, nm) if a.email is None else 0.0 for a, nm in zip(authors, names, strict=True)]
        best = max(scores)
        if best >= 1.5 and scores.count(best) == 1:
            authors[scores.index(best)].email = em


# --- corresponding authors (RP) ------------------------------------------------------------------

# a parenthesised marker closing the names of an RP entry: followed by ", address" or the end
_MARKER = re.compile(r"\s*\(([^()]*)\)\s*(?:,\s*|$)")
_MARKER_WORDS = ("author", "autor", "auteur", "corresp", "reprint", "通讯", "通信", "作者")


_DIGIT = re.compile(r"\d")
_MARKER_WORD = re.compile("|".join(_MARKER_WORDS))


def _namelike(text: str) -> bool:
    """'Xia, TS' or 'Marroquin Gavelan, Juan Patricio': one comma, short, no digits."""
    return 0 < len(text) <= 80 and text.count(",") == 1 and _DIGIT.search(text) is None


def _marked(tok: str, is_author) -> tuple[str, str, str] | None:
    """(name, marker, rest) if the token is 'Name (marker), address'."""
    m = _MARKER.search(tok) if "(" in tok else None
    if m is None:
        return None
    name, marker = tok[: m.start()].strip(), m.group(1).strip()
    if not _namelike(name):
        return None
    if _MARKER_WORD.search(marker.casefold()) or (is_author is not None and is_author(name)):
        return name, marker, tok[m.end():]
    return None


def split_rp(value: str, is_author=None) -> list[tuple[list[str], str | None, str | None]]:
    """An RP value -> [(names, marker, address)].

    'Xia, TS; Wang, S (corresponding author), Addr 1.; Xia, TS; Wang, S (corresponding author), Addr 2.'
    gives two entries of two names. The marker is localised and versioned ("(reprint author)",
    "(corresponding author)", "(autor correspondente)"): a marker with such a word counts, and so does any
    other parenthesised marker after the name of one of the record's authors (``is_author``). A new entry
    starts where names end in a marker; anything else after "; " continues the address. An RP without a
    marker is an address only.
    """
    if "; " not in value:  # the common case: one entry
        m = _marked(value.strip(), is_author)
        if m is None:
            return [([], None, _addr(value))]
        return [([m[0]], m[1], _addr(m[2]))]
    tokens = [t.strip() for t in value.split("; ")]
    marks = [_marked(t, is_author) for t in tokens]
    entries: list[tuple[list[str], str | None, str | None]] = []
    names: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        m = marks[i]
        if m is not None:
            names.append(m[0])
            addr = m[2]
            i += 1
            # the address runs on until a new entry (names ending in a marker) begins
            while i < n and not _starts_entry(tokens, marks, i):
                addr = f"{addr}; {tokens[i]}" if addr else tokens[i]
                i += 1
            entries.append((names, m[1], _addr(addr)))
            names = []
        elif _namelike(tokens[i]) and _starts_entry(tokens, marks, i):
            names.append(tokens[i])
            i += 1
        else:  # no marker follows: the rest is an address (an RP naming no person)
            entries.append(([], None, _addr("; ".join(names + tokens[i:]))))
            names = []
            break
    if names:
        entries.append((names, None, None))
    return entries


def _starts_entry(tokens: list[str], marks: list, i: int) -> bool:
    """Whether tokens[i:] are names followed by a marked name."""
    for j in range(i, len(tokens)):
        if marks[j] is not None:
            return True
        if not _namelike(tokens[j]):
            return False
    return False


def _addr(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip().rstrip(";").strip()
    return text or None


# --- the record ----------------------------------------------------------------------------------


def flatten(fields: dict[str, list[str]]) -> dict[str, str]:
    """tag -> the value as one string (wrapped lines joined with a space)."""
    return {t: v[0] if len(v) == 1 else " ".join(x.strip() for x in v) for t, v in fields.items()}


def _title_lang(title: str, la: str | None) -> tuple[str | None, bool]:
    """(lang, translated) of a WoS title. WoS writes titles in English whatever the paper's language
    (the samples' French, Spanish and Turkish papers all have English TI), so a title of a paper in
    another language is marked as WoS's translation; a title in Chinese characters is Chinese."""
    if not title.isascii() and _HAN.search(title):
        return "zh", False
    return "en", la is not None and la != "en"


def _int(value: str | None) -> int | None:
    if not value:
        return None
    return int(value) if value.isdecimal() else parse_int(value)


def _stripped(values: list[str] | None) -> list[str]:
    if not values:
        return []
    return list(filter(None, map(str.strip, values)))


def _authors(au: list[str], af: list[str]) -> list[Author]:
    """AU and AF in the same order; AF is the fuller form and the name (AU where AF is missing).
    A name in Chinese characters (CSCD) is also the author's Chinese name."""
    n = len(au)
    if n == len(af):
        authors = list(map(Author, range(1, n + 1), af, af, au))
    else:
        n = max(n, len(af))
        au = au + [None] * (n - len(au))  # type: ignore[list-item]
        af = af + [None] * (n - len(af))  # type: ignore[list-item]
        authors = list(map(Author, range(1, n + 1), [full or short for short, full in zip(au, af)], af, au))
    for a in authors:
        if not a.name.isascii() and _HAN.search(a.name):
            a.name_zh = a.name
    return authors


_CONTINUES = frozenset({"+", "&"})
_strip = str.strip
_none_if_empty = {"": None}.get  # (value, value) -> value, or None for ""
# the one-value fields of the record and its journal, trimmed, empty as None
_SIMPLE = ("SO", "J9", "JI", "SN", "EI", "PU", "PD", "VL", "IS", "BP", "EP", "AR", "DI", "PM", "FX", "DT", "PT")
_EMPTY = ("",) * len(_SIMPLE)
# Record's fields in their declared order: build_record passes them by position (a call with 40 keyword
# arguments costs five times as much, on files of 100,000 records); checked here against the model
_RECORD_ORDER = (
    "source", "source_id", "source_id_kind", "doc_type", "doc_type_raw", "titles", "authors", "affiliations",
    "corresponding_addresses", "corporate_authors", "journal", "conference", "year", "early_access_year",
    "pub_date", "volume", "issue", "first_page", "last_page", "article_number", "page_count", "doi", "pmid",
    "isbn", "keywords", "index_keywords", "abstract", "funding", "funding_text", "language", "times_cited",
    "categories", "research_areas", "classification_codes", "clc_codes", "editions", "database",
    "highly_cited", "hot_paper", "cross_ids", "url", "raw",
)
for _cls, _order in ((Record, _RECORD_ORDER), (Author, ("position", "name", "full_name", "abbreviated")),
                     (Affiliation, ("text", "organization", "country")), (Title, ("text", "lang", "translated")),
                     (Journal, ("title", "abbreviation", "iso_abbreviation", "issn", "eissn", "cn", "publisher"))):
    if tuple(f.name for f in dataclasses.fields(_cls))[: len(_order)] != _order:  # pragma: no cover
        raise ImportError(f"ir.model.{_cls.__name__} changed its fields: update the positional calls in {__name__}")


def build_record(
    fields: dict[str, list[str]], flat: dict[str, str] | None = None, source: str = "wos"
) -> Record | Problem:
    """One record's fields (tag -> lines) as the canonical record, or a Problem saying what is missing.

    ``flat`` (tag -> the lines joined with spaces) may be passed by a reader that built it faster.
    A record whose UT is a CSCD id ("CSCD:...") is a CSCD record, wherever it sits in the file.
    """
    if flat is None:
        flat = flatten(fields)
    f = flat.get
    ut = f("UT")
    ut = ut.strip() if ut else ""
    title = f("TI")
    title = title.strip() if title else ""
    if not ut and not title:
        return Problem(reason="record has neither UT (accession number) nor TI (title)", field="UT")
    simple = list(map(_strip, map(f, _SIMPLE, _EMPTY)))
    so, j9, ji, sn, ei, pu, pd, vl, issue, bp, ep, ar, di, pm, fx, dt, pt = map(_none_if_empty, simple, simple)
    if ep in _CONTINUES:  # older records: 'EP +' or 'EP &', the item continues on later pages, none named
        ep = None

    la_raw = f("LA")
    la = language(la_raw.partition(";")[0]) if la_raw else None

    get = fields.get
    au = _stripped(get("AU"))
    af = _stripped(get("AF"))
    if not au and not af:  # a book chapter may name only the book's authors (BA, BF)
        au = _stripped(get("BA"))
        af = _stripped(get("BF"))
    authors = _authors(au, af) if au or af else []
    c1 = get("C1")
    rp = f("RP")
    ri = f("RI")
    oi = f("OI")
    index = None
    exact: dict[str, list[int]] = {}
    if authors and (c1 or rp or ri or oi):
        n = len(authors)
        if len(au) == len(af) == n:  # the usual case: AU and AF name everyone, each in two distinct forms
            singles = [[i] for i in range(n)]
            exact = dict(zip(au, singles))
            exact.update(zip(af, singles))
            if len(exact) != 2 * n:
                exact = exact_names(authors)
        else:
            exact = exact_names(authors)
        index = NameIndex(authors, exact)
    find_exact = exact.get

    # addresses: "[Name; Name] Address" owns the named authors; an address without brackets, all of them
    affiliations: list[Affiliation] = []
    if c1:
        for line in _stripped(c1):
            names: list[str] | None = None
            text = line
            if line[0] == "[":
                close = line.find("]")
                if close > 0:
                    names = line[1:close].split(";")
                    text = line[close + 1 :].strip()
            if not text:
                continue
            k = len(affiliations)
            affiliations.append(Affiliation(text, None, country_of(text)))
            if index is None:
                continue
            if names is None:
                for a in authors:
                    a.affiliations.append(k)
                continue
            for nm in names:
                hit = find_exact(nm.strip())
                if hit is None:
                    hit = index.find(nm)
                for i in hit:
                    affs = authors[i].affiliations
                    if k not in affs:
                        affs.append(k)
        c3 = f("C3")
        if c3:
            orgs = _split(c3)
            if orgs and len(orgs) == len(affiliations):
                for aff, org in zip(affiliations, orgs, strict=True):
                    aff.organization = org

    # corresponding authors and their addresses
    corresponding: list[int] = []
    addresses: list[str] = []
    if rp:
        is_author = (lambda nm: bool(index.find(nm))) if index is not None else None
        for names, _marker, addr in split_rp(rp, is_author):
            if addr and addr not in addresses:
                addresses.append(addr)
            if index is None:
                continue
            for nm in names:
                for i in index.find(nm):
                    authors[i].corresponding = True
                    if i not in corresponding:
                        corresponding.append(i)

    if authors:
        em = f("EM")
        if em:
            assign_emails(_split(em), authors, corresponding)
        if index is not None:
            if ri:
                for nm, ident in _ids(ri):
                    hit = index.find(nm)
                    if len(hit) == 1 and authors[hit[0]].researcher_id is None:
                        authors[hit[0]].researcher_id = ident
            if oi:
                for nm, ident in _ids(oi):
                    hit = index.find(nm)
                    if len(hit) == 1 and authors[hit[0]].orcid is None:
                        authors[hit[0]].orcid = ident

    # document type: DT when given, else what PT implies
    if dt:
        dtype = doc_type(dt)
    elif pt:
        dtype = _PT_TYPES.get(pt.upper())
        if dtype is None and pt.upper() == "S" and f("CT"):
            dtype = "proceedings paper"
    else:
        dtype = None

    titles = [Title(title, *_title_lang(title, la))] if title else []

    editions: list[str] = []
    we = get("WE")
    if we:
        for v in we:
            code = edition_code(v)
            if code and code not in editions:
                editions.append(code)

    ct = f("CT")
    conference = None
    if ct:  # title, place, dates; a value given twice (two CT/CL/CY lines) once
        conference = ", ".join("; ".join(dict.fromkeys(_split(v))) for v in (ct, f("CL"), f("CY")) if v and v.strip())
    py = f("PY")
    year = parse_year(py) if py else None
    ea = f("EY") or f("EA")
    ea_year = parse_year(ea) if ea else None
    tc = f("TC") or f("Z9")
    isbn = f("BN")
    hc = f("HC")
    hp = f("HP")
    fu = f("FU")
    ab = get("AB")
    ca = get("CA")

    if ut:
        source_id, kind = ut, "native"
        database = ut.partition(":")[0].upper() if ":" in ut else None
        if database == "CSCD" and source == "wos":
            source = "cscd"
    else:
        source_id = fallback_id(title, year or ea_year, authors[0].name if authors else None, so)
        kind, database = "hash", None

    return Record(
        source, source_id, kind, dtype, dt or pt, titles, authors, affiliations, addresses,
        _stripped(ca) if ca else [],
        Journal(so, j9, ji, sn, ei, None, pu),
        conference or None, year, ea_year, pd, vl, issue, bp, ep, ar, _int(f("PG")), di, pm,
        isbn.partition(";")[0].strip() or None if isbn else None,
        _split(f("DE")), _split(f("ID")),
        ("\n".join(map(_strip, ab)).strip() or None) if ab else None,
        split_outside_brackets(fu) if fu else [],
        fx, la, _int(tc), _split(f("WC")), _split(f("SC")), [], [], editions, database,
        None if not hc or not hc.strip() else hc.strip().upper().startswith("Y"),
        None if not hp or not hp.strip() else hp.strip().upper().startswith("Y"),
        {}, None, fields,
    )


def _ids(value: str) -> list[tuple[str, str]]:
    """RI/OI 'Name/ID; Name/ID' -> [(name, id)]; an item without a slash or an id is left out."""
    out = []
    for pair in _split(value):
        nm, slash, ident = pair.rpartition("/")
        ident = ident.strip()
        if slash and ident:
            out.append((nm, ident))
    return out
