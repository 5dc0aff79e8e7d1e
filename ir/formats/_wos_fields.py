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

import html
import re
import unicodedata
from functools import lru_cache

from ir.formats import _util
from ir.formats._util import parse_int
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
    return [p for p in map(str.strip, parts) if p]


_ENTITY_SAFE_SEMI = re.compile(r"(?<!&amp)(?<!&lt)(?<!&gt)(?<!&quot)(?<!&apos);")


def _split(value: str | None) -> list[str]:
    """'a; b;' -> ['a', 'b'] (WoS lists: DE, ID, WC, SC, EM, RI, OI, C3); '&amp;' is not a separator."""
    if not value:
        return []
    parts = _ENTITY_SAFE_SEMI.split(value) if "&" in value else value.split(";")
    return [p for p in map(str.strip, parts) if p]


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
    """

    __slots__ = ("authors", "_exact", "_keys", "_parts")

    def __init__(self, authors: list[Author]):
        self.authors = authors
        exact: dict[str, list[int]] = {}
        for i, a in enumerate(authors):
            ids = exact.get(a.name)
            if ids is None:
                exact[a.name] = [i]
            elif i not in ids:
                ids.append(i)
            if a.abbreviated is not None and a.abbreviated != a.name:
                ids = exact.get(a.abbreviated)
                if ids is None:
                    exact[a.abbreviated] = [i]
                elif i not in ids:
                    ids.append(i)
        self._exact = exact
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


def _email_names(author: Author) -> tuple[str, str]:
    """(family, first given name) as letters, for matching e-mail local parts."""
    family, _, given = (author.full_name or author.name).partition(",")
    words = [w for w in _GIVEN_SPLIT.split(_fold(_PARENS.sub(" ", given))) if w]
    return _letters(family), _NON_ALNUM.sub("", words[0]) if words else ""


def email_score(email: str, names: tuple[str, str]) -> float:
    """How well an address's local part names an author: family name 2, first given name 1.5."""
    local = _letters(email.partition("@")[0])
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
    names = [_email_names(a) for a in authors]
    for em in emails:
        scores = [email_score(em, nm) if a.email is None else 0.0 for a, nm in zip(authors, names, strict=True)]
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
    m = _MARKER.search(tok)
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


def _country(address: str) -> str | None:
    last = address.rstrip(". ").rpartition(",")[2].strip()
    if not last:
        return None
    if last.endswith(" USA") or last == "USA":
        return "USA"
    return last


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
    return int(value) if value.isdigit() else parse_int(value)


def _stripped(values: list[str] | None) -> list[str]:
    if not values:
        return []
    return [s for s in map(str.strip, values) if s]


def build_record(
    fields: dict[str, list[str]], flat: dict[str, str] | None = None, source: str = "wos"
) -> Record | Problem:
    """One record's fields (tag -> lines) as the canonical record, or a Problem saying what is missing.

    ``flat`` (tag -> the lines joined with spaces) may be passed by a reader that built it faster.
    """
    if flat is None:
        flat = flatten(fields)
    f = flat.get
    ut = (f("UT") or "").strip()
    title = (f("TI") or "").strip()
    if not ut and not title:
        return Problem(reason="record has neither UT (accession number) nor TI (title)", field="UT")

    la_raw = f("LA")
    la = language(la_raw.partition(";")[0]) if la_raw else None

    # authors: AU and AF in the same order; AF is the fuller form
    au = _stripped(fields.get("AU"))
    af = _stripped(fields.get("AF"))
    authors: list[Author] = []
    if au or af:
        n = max(len(au), len(af))
        if len(au) != n:
            au = au + [None] * (n - len(au))  # type: ignore[list-item]
        if len(af) != n:
            af = af + [None] * (n - len(af))  # type: ignore[list-item]
        authors = [
            Author(position=i, name=full or short, full_name=full, abbreviated=short)
            for i, (short, full) in enumerate(zip(au, af, strict=True), 1)
        ]
    index = NameIndex(authors) if authors and (fields.get("C1") or f("RP") or f("RI") or f("OI")) else None

    # addresses: "[Name; Name] Address" owns the named authors; an address without brackets, all of them
    affiliations: list[Affiliation] = []
    for line in _stripped(fields.get("C1")):
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
        affiliations.append(Affiliation(text=text, country=_country(text)))
        if index is None:
            continue
        if names is None:
            for a in authors:
                a.affiliations.append(k)
        else:
            for nm in names:
                for i in index.find(nm):
                    if k not in authors[i].affiliations:
                        authors[i].affiliations.append(k)
    c3 = _split(f("C3"))
    if c3 and len(c3) == len(affiliations):
        for aff, org in zip(affiliations, c3, strict=True):
            aff.organization = org

    # corresponding authors and their addresses
    corresponding: list[int] = []
    addresses: list[str] = []
    rp = f("RP")
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

    em = f("EM")
    if em and authors:
        assign_emails(_split(em), authors, corresponding)

    if index is not None:
        for tag, attr in (("RI", "researcher_id"), ("OI", "orcid")):
            v = f(tag)
            if not v:
                continue
            for pair in _split(v):
                nm, slash, ident = pair.rpartition("/")
                ident = ident.strip()
                if not slash or not ident:
                    continue
                hit = index.find(nm)
                if len(hit) == 1 and getattr(authors[hit[0]], attr) is None:
                    setattr(authors[hit[0]], attr, ident)

    # document type: DT when given, else what PT implies
    dt = (f("DT") or "").strip() or None
    pt = (f("PT") or "").strip() or None
    if dt:
        dtype = doc_type(dt)
    elif pt:
        dtype = _PT_TYPES.get(pt.upper())
        if dtype is None and pt.upper() == "S" and f("CT"):
            dtype = "proceedings paper"
    else:
        dtype = None

    titles = []
    if title:
        lang, translated = _title_lang(title, la)
        titles.append(Title(text=title, lang=lang, translated=translated))

    editions: list[str] = []
    we = fields.get("WE")
    if we:
        for v in we:
            code = edition_code(v)
            if code and code not in editions:
                editions.append(code)

    journal = Journal(
        title=(f("SO") or "").strip() or None,
        abbreviation=(f("J9") or "").strip() or None,
        iso_abbreviation=(f("JI") or "").strip() or None,
        issn=(f("SN") or "").strip() or None,
        eissn=(f("EI") or "").strip() or None,
        publisher=(f("PU") or "").strip() or None,
    )
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
    hc, hp = f("HC"), f("HP")
    fu = f("FU")
    pg = f("PG")
    ab = fields.get("AB")

    if ut:
        source_id, kind = ut, "native"
        database = ut.partition(":")[0].upper() if ":" in ut else None
    else:
        source_id = fallback_id(title, year or ea_year, authors[0].name if authors else None, journal.title)
        kind, database = "hash", None

    return Record(
        source=source,
        source_id=source_id,
        source_id_kind=kind,
        doc_type=dtype,
        doc_type_raw=dt or pt,
        titles=titles,
        authors=authors,
        affiliations=affiliations,
        corresponding_addresses=addresses,
        corporate_authors=_stripped(fields.get("CA")),
        journal=journal,
        conference=conference or None,
        year=year,
        early_access_year=ea_year,
        pub_date=(f("PD") or "").strip() or None,
        volume=(f("VL") or "").strip() or None,
        issue=(f("IS") or "").strip() or None,
        first_page=(f("BP") or "").strip() or None,
        last_page=(f("EP") or "").strip() or None,
        article_number=(f("AR") or "").strip() or None,
        page_count=_int(pg),
        doi=(f("DI") or "").strip() or None,
        pmid=(f("PM") or "").strip() or None,
        isbn=isbn.partition(";")[0].strip() or None if isbn else None,
        keywords=_split(f("DE")),
        index_keywords=_split(f("ID")),
        abstract=("\n".join(map(str.strip, ab)).strip() or None) if ab else None,
        funding=split_outside_brackets(fu) if fu else [],
        funding_text=(f("FX") or "").strip() or None,
        language=la,
        times_cited=_int(tc),
        categories=_split(f("WC")),
        research_areas=_split(f("SC")),
        editions=editions,
        database=database,
        highly_cited=None if not hc or not hc.strip() else hc.strip().upper().startswith("Y"),
        hot_paper=None if not hp or not hp.strip() else hp.strip().upper().startswith("Y"),
        raw=fields,
    )
