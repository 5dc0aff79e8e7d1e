"""BibTeX, as Engineering Village (and Scopus, WoS) export it: ``@article{20214210997362, author = {...}, ...}``.

A small practical reader: braced values with nested braces, quoted values, bare numbers, ``@string``
macros and ``#`` concatenation; ``@comment`` and ``@preamble`` are skipped. Common LaTeX accents and
escapes are turned into Unicode. The database is read from the content as for RIS
(:func:`ir.formats.ris.detect_source`): a note/copyright naming Compendex or Engineering Village -> "ei",
``Unique-ID = {WOS:...}`` -> "wos", a Scopus link -> "scopus", else "ris". The native id is the EV
accession number (the cite key or ``key``), the WoS Unique-ID, the Scopus EID, else a content hash.
"""

from __future__ import annotations

import re
import unicodedata

from ir.formats import Format, Parsed, register
from ir.formats._ei_fields import split_affiliations, split_authors
from ir.formats._util import (
    clean,
    country_of,
    doc_type,
    ensure_source_id,
    find_doi,
    issns,
    language,
    mark_corresponding,
    parse_int,
    parse_year,
    split_list,
    split_pages,
    text_lang,
)
from ir.formats._wos_fields import build_record
from ir.formats.ris import detect_source, native_id
from ir.formats.scopus_csv import split_correspondence
from ir.model import Affiliation, Author, Journal, Problem, Record, Title

_AT = re.compile(r"(?m)^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*([{(])")
_NAME = re.compile(r"[^\s=,{}()\"#]+")  # a bare value or macro name
_FIELD_NAME = re.compile(r"[^\s=,{}()\"#][^\s=,{}\"#]*")  # WoS writes 'Usage-Count-(Last-180-days)'
_PREAMBLE_LINES = 5  # lines of text an export may put before its first entry (Scopus: 'Scopus', 'EXPORT DATE: ...')
_ACCESSION = re.compile(r"^\d{10,}$")
_NEXT_ENTRY = re.compile(r"\n[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]")


class BibError(ValueError):
    def __init__(self, reason: str, pos: int, field: str | None = None):
        super().__init__(reason)
        self.reason, self.pos, self.field = reason, pos, field


def sniff(head: str | bytes) -> bool:
    """An entry ('@article{') on the first line of text, or after a few lines of an export's preamble."""
    if not isinstance(head, str):
        return False
    seen = 0
    for line in head.lstrip("\ufeff").split("\n"):
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        if re.match(r"@\s*[A-Za-z]+\s*[{(]", s):
            return True
        seen += 1
        if seen >= _PREAMBLE_LINES or s.startswith("@"):
            return False
    return False


# ---------------------------------------------------------------------------- reading


_SPECIAL = re.compile(r'[\\{}"]')


def _delimited(text: str, pos: int) -> tuple[str, int]:
    """The content of the {...} or "..." value opening at pos (nested braces kept), and the position after it.

    A quoted value ends at the first '"' outside braces; a braced one where its braces balance."""
    quoted = text[pos] == '"'
    depth = 0 if quoted else 1
    search = _SPECIAL.search
    m = search(text, pos + 1)
    while m is not None:
        c, i = m.group(), m.start()
        if c == "\\":
            m = search(text, i + 2)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and not quoted:
                return text[pos + 1 : i], i + 1
        elif quoted and depth <= 0:  # '"'
            return text[pos + 1 : i], i + 1
        m = search(text, i + 1)
    raise BibError("unterminated quoted value" if quoted else "unbalanced braces: the value is never closed", pos)


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _value(text: str, i: int, macros: dict[str, str], field: str) -> tuple[str, int]:
    parts = []
    while True:
        i = _skip_ws(text, i)
        if i >= len(text):
            raise BibError("file ends inside a value", i, field)
        c = text[i]
        if c in '{"':
            start = i
            part, i = _delimited(text, i)
            if _NEXT_ENTRY.search(part):
                raise BibError(f"the value of {field!r} is not closed before the next entry", start, field)
        else:
            m = _NAME.match(text, i)
            if not m:
                raise BibError(f"no value after '{field} ='", i, field)
            word, i = m.group(0), m.end()
            part = word if word.isdigit() else macros.get(word.casefold(), word)
        parts.append(part)
        i = _skip_ws(text, i)
        if i < len(text) and text[i] == "#":
            i += 1
            continue
        return "".join(parts), i


def _entry_body(text: str, i: int, close: str, macros: dict[str, str]) -> tuple[str, list[tuple[str, str]], int]:
    """The cite key and (field, raw value) pairs of an entry whose body starts at i."""
    entry = i
    m = re.compile(r"\s*([^,\s{}()=]*)\s*,").match(text, i)
    key = ""
    if m and "=" not in m.group(0):
        key, i = m.group(1), m.end()
    fields: list[tuple[str, str]] = []
    while True:
        i = _skip_ws(text, i)
        while i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
        if i >= len(text):
            raise BibError("file ends inside the entry (missing closing brace)", i)
        if text[i] == close:
            return key, fields, i + 1
        if text[i] == "@" and _NEXT_ENTRY.match(text, text.rfind("\n", 0, i)):
            raise BibError("the entry is not closed before the next one (a '{' lacks its '}')", entry, None)
        m = _FIELD_NAME.match(text, i)
        if not m:
            raise BibError(f"unexpected {text[i]!r} where a field name should be", i)
        name, i = m.group(0), _skip_ws(text, m.end())
        if i >= len(text) or text[i] != "=":
            raise BibError(f"field {name!r} has no '='", i, name)
        value, i = _value(text, i + 1, macros, name)
        fields.append((name, value))


_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "k": "\u0328"}
_ACCENT = re.compile(r"\\([\"'`^~=.])\s*\{?\s*([A-Za-z]|\\i)\s*\}?|\\([cvuHk])\s*(?:\{\s*([A-Za-z])\s*\}|\s([A-Za-z]))")
_SYMBOLS = {r"\ss": "ß", r"\o": "ø", r"\O": "Ø", r"\ae": "æ", r"\AE": "Æ", r"\l": "ł", r"\L": "Ł", r"\aa": "å"}
_SYMBOL = re.compile("(" + "|".join(re.escape(c) for c in sorted(_SYMBOLS, key=len, reverse=True)) + r")(?![A-Za-z])\s?")
_ESCAPE = re.compile(r"\\([&%$#_{}])")
_LATEX = re.compile(r"[\\{}~]")


def latex_to_text(value: str) -> str:
    """'M{\\\"u}ller \\& Co' -> 'Müller & Co': accents, escapes and grouping braces."""

    def accent(m: re.Match) -> str:
        cmd = m.group(1) or m.group(3)
        letter = m.group(2) or m.group(4) or m.group(5)
        letter = "i" if letter == "\\i" else letter
        return unicodedata.normalize("NFC", letter + _ACCENTS[cmd])

    if not _LATEX.search(value):
        return clean(value) or ""
    if "\\" in value:
        value = _ACCENT.sub(accent, value)
        value = _SYMBOL.sub(lambda m: _SYMBOLS[m.group(1)], value)
        value = _ESCAPE.sub(r"\1", value)
    value = value.replace("~", " ").replace("{", "").replace("}", "")
    return clean(value) or ""


def split_names(value: str) -> list[str]:
    """'Zhang, San and {World Health Organization} and Li, Wei' -> three names ('and' inside braces kept)."""
    out, depth, last = [], 0, 0
    for m in re.finditer(r"[{}]|\s+and\s+", value, re.I):
        tok = m.group(0)
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif depth == 0:
            out.append(value[last : m.start()])
            last = m.end()
    out.append(value[last:])
    return [n for n in (latex_to_text(p) for p in out) if n]


def _entries(text: str):
    """(record_no, line, type, key, [(field, raw value)], raw text) per entry, or a Problem."""
    macros: dict[str, str] = {}
    record_no, pos = 0, 0
    counted, lines = 0, 1  # line numbers counted incrementally: entries come in file order

    def line_at(offset: int) -> int:
        nonlocal counted, lines
        if offset >= counted:
            lines += text.count("\n", counted, offset)
            counted = offset
            return lines
        return lines - text.count("\n", offset, counted)

    while True:
        m = _AT.search(text, pos)
        if not m:
            return
        kind, close = m.group(1).casefold(), ")" if m.group(2) == "(" else "}"
        start_line = line_at(m.start())
        if kind in ("comment", "preamble"):
            try:
                _, pos = _delimited(text, m.end() - 1) if close == "}" else (None, text.index(")", m.end()) + 1)
            except (BibError, ValueError):
                pos = m.end()
            continue
        try:
            key, fields, end = _entry_body(text, m.end(), close, macros)
        except BibError as exc:
            nxt = _AT.search(text, m.end())
            end = nxt.start() if nxt else len(text)
            if kind != "string":
                record_no += 1
                yield Problem(exc.reason, record_no=record_no, line=line_at(exc.pos),
                              field=exc.field, raw=text[m.start() : end].strip())
            pos = end
            continue
        pos = end
        if kind == "string":
            for name, value in fields:
                macros[name.casefold()] = value
            continue
        record_no += 1
        yield record_no, start_line, kind, key, fields, text[m.start() : end]


# ---------------------------------------------------------------------------- mapping


def _record(kind: str, key: str, fields: list[tuple[str, str]], record_no: int, line: int, raw_text: str) -> Record | Problem:
    raw: dict[str, list[str]] = {}
    for name, value in fields:
        raw.setdefault(name.casefold(), []).append(value)

    def first(*names: str) -> str | None:
        for n in names:
            for v in raw.get(n, []):
                v = latex_to_text(v)
                if v:
                    return v
        return None

    def every(*names: str) -> list[str]:
        return [latex_to_text(v) for n in names for v in raw.get(n, []) if latex_to_text(v)]

    unique_id = first("unique-id") or ""
    if unique_id.upper().startswith(("WOS:", "ISI:")):
        return _wos_record(kind, key, raw, record_no, line, raw_text)
    title = first("title")
    urls = every("url", "link")
    accession = next((k for k in (key, first("key"), first("accession-number", "an")) if k and _ACCESSION.match(k)), None)
    ids = [i for i in (accession, unique_id, first("eid")) if i]
    source = detect_source(ids, every("note", "copyright", "source", "database", "db"), urls)
    sid = native_id(source, ids, urls)
    if not sid and not title:
        return Problem("entry has neither an id nor a title", record_no=record_no, line=line, field="title",
                       raw=raw_text)
    rec = Record(source=source, source_id=sid or "")
    rec.raw = {"@type": [kind], **({"@key": [key]} if key else {}), **raw}
    rec.doc_type_raw = first("document_type", "type") or kind
    rec.doc_type = doc_type(rec.doc_type_raw) if first("document_type", "type") else _KIND_TYPES.get(kind, kind)
    if title:
        rec.titles.append(Title(title, text_lang(title)))

    by_number: dict[int, int] = {}
    aff_values = every("affiliation", "affiliations")
    aff_values += [a for a in every("address") if split_affiliations(a) and split_affiliations(a)[0][0] is not None]
    for value in aff_values:
        pieces = split_affiliations(value)
        if len(pieces) == 1 and pieces[0][0] is None and ";" in value:  # Scopus: 'A; B'
            pieces = [(None, p) for p in split_list(value, ";")]
        for num, text in pieces:
            texts = [a.text for a in rec.affiliations]
            if text not in texts:
                rec.affiliations.append(Affiliation(text, country=country_of(text)))
                texts.append(text)
            if num is not None:
                by_number.setdefault(num, texts.index(text))
    lettered = [n for v in raw.get("author", []) for n in scopus_authors(latex_to_text(v))]
    if lettered:  # Scopus: 'D'Ambrosio, A.a , Aria, M.b': the letters name the affiliations in order
        for pos, (name, letters) in enumerate(lettered, 1):
            links = [ord(c) - ord("a") for c in letters if ord(c) - ord("a") < len(rec.affiliations)]
            rec.authors.append(Author(pos, name, affiliations=links))
    else:
        names = [split_authors(n) for v in raw.get("author", []) for n in split_names(v)]
        for pos, parsed in enumerate((p[0] for p in names if p), 1):
            name, nums, email = parsed
            rec.authors.append(Author(pos, name, email=email,
                                      affiliations=[by_number[n] for n in nums if n in by_number]))
    if len(rec.affiliations) == 1 and not any(a.affiliations for a in rec.authors):
        for a in rec.authors:  # one address and nothing to say whose: every author's
            a.affiliations = [0]
    mark_corresponding(rec, split_correspondence(first("correspondence_address1")))

    issn_list = [i for v in every("issn") for i in issns(v)]
    rec.journal = Journal(
        title=first("journal", "journaltitle", "booktitle"),
        abbreviation=first("journal-iso", "abbrev_source_title", "shortjournal"),
        issn=issn_list[0] if issn_list else None,
        eissn=issn_list[1] if len(issn_list) > 1 else None,
        publisher=first("publisher"),
    )
    note = first("note") or ""
    scopus_conference = _SCOPUS_CONFERENCE.search(note) if source == "scopus" else None
    if kind in ("inproceedings", "conference") or scopus_conference:
        rec.conference = first("booktitle") or (scopus_conference.group(1) if scopus_conference else None)
    rec.year = parse_year(first("year", "date"))
    rec.pub_date = first("month")
    rec.volume = first("volume")
    rec.issue = first("number", "issue")
    rec.first_page, rec.last_page = split_pages((first("pages") or "").replace("--", "-"))
    rec.article_number = first("art_number", "article-number", "eid") if source != "scopus" else first("art_number")
    rec.doi = find_doi(first("doi")) or find_doi(" ".join(u for u in urls if "doi.org/" in u))
    rec.isbn = first("isbn")
    rec.url = urls[0] if urls else None
    rec.abstract = first("abstract")
    author_kw = first("author_keywords", "author-keywords")
    kw = first("keywords")
    if source == "scopus":  # 'keywords' are Scopus's index terms, its groups joined with ', '
        rec.keywords, rec.index_keywords = _terms(author_kw), _terms(kw, groups=True)
    else:
        rec.keywords = _terms(author_kw or kw)
        rec.index_keywords = _terms(kw if author_kw else first("keywords-plus"))
    if source == "ei":
        heading = first("key")
        if heading and not _ACCESSION.match(heading):  # EV puts the main heading in 'key'
            rec.index_keywords = [heading] + [k for k in rec.index_keywords if k != heading]
    rec.language = language(first("language"))
    cited = _SCOPUS_CITED.search(note) if source == "scopus" else None
    rec.times_cited = parse_int(first("times-cited")) if not cited else int(cited.group(1))
    return ensure_source_id(rec)


_SCOPUS_CONFERENCE = re.compile(r"\bConference of (.+?)\s*(?:;|$)")  # note={cited By 2; Conference of X ; ...}
_SCOPUS_CITED = re.compile(r"\bcited By (\d+)", re.I)


_SCOPUS_AUTHOR = re.compile(r"\s*(?P<family>[^,]+?),\s*(?P<initials>(?:[A-Z][\w'’]{0,2}\.[\s-]*)+?)"
                            r"(?P<letters>(?:[a-z](?![\w.])\s*)*)(?:,\s*|$)")


def scopus_authors(value: str) -> list[tuple[str, str]]:
    """Scopus's BibTeX author list -> [(name, affiliation letters)]:
    "D'Ambrosio, A.a , Aria, M.a , Iorio, C.b  c" -> [("D'Ambrosio, A.", 'a'), ('Aria, M.', 'a'), ('Iorio, C.', 'bc')].
    Lists in that form only (comma-separated 'Family, I.' names, no ' and '); otherwise []."""
    if not value or re.search(r"\sand\s", value):
        return []
    out, pos = [], 0
    while pos < len(value):
        m = _SCOPUS_AUTHOR.match(value, pos)
        if not m or m.end() == pos:
            return []
        out.append((f"{m.group('family').strip()}, {m.group('initials').strip()}", re.sub(r"\s", "", m.group("letters"))))
        pos = m.end()
    return out if len(out) > 1 or out and out[0][1] else out


# WoS's BibTeX field names -> the tags of its plain-text export (read by ir.formats._wos_fields)
_WOS_TAGS = {
    "author": "AU", "title": "TI", "journal": "SO", "booktitle": "SO", "series": "SE", "year": "PY", "month": "PD",
    "volume": "VL", "number": "IS", "article-number": "AR", "abstract": "AB", "publisher": "PU", "address": "PA",
    "type": "DT", "language": "LA", "doi": "DI", "issn": "SN", "eissn": "EI", "isbn": "BN", "keywords": "DE",
    "keywords-plus": "ID", "research-areas": "SC", "web-of-science-categories": "WC", "author-email": "EM",
    "orcid-numbers": "OI", "researcherid-numbers": "RI", "cited-references": "CR",
    "number-of-cited-references": "NR", "times-cited": "TC", "usage-count-(last-180-days)": "U1",
    "usage-count-since-2013": "U2", "journal-iso": "JI", "doc-delivery-number": "GA", "unique-id": "UT",
    "note": "CT", "organization": "SP", "funding-acknowledgement": "FU", "funding-text": "FX", "editor": "BE",
    "book-group-author": "CA", "early-access-date": "EA", "pubmed-id": "PM", "oa": "OA",
}
_REPRINT = re.compile(r"\((?:reprint|corresponding) author\)", re.I)


def _lines(value: str) -> list[str]:
    """A WoS BibTeX value of one item per line (addresses, cited references): lines that do not end with '.'
    wrap onto the next one."""
    out: list[str] = []
    for line in value.split("\n"):
        line = latex_to_text(line)
        if not line:
            continue
        if out and not out[-1].endswith("."):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _wos_record(kind: str, key: str, raw: dict[str, list[str]], record_no: int, line: int, raw_text: str) -> Record | Problem:
    """A WoS BibTeX entry read as WoS reads its plain text: the fields become WoS tags. 'Affiliation' holds one
    address per line, the reprint (corresponding) author's first: that line is the RP, the others C1."""
    fields: dict[str, list[str]] = {}
    for name, values in raw.items():
        tag = _WOS_TAGS.get(name)
        if tag is None and name not in ("affiliation", "pages"):
            continue
        for v in values:
            if name == "author":
                fields.setdefault("AU", []).extend(split_names(v))
            elif name == "affiliation":
                for address in dict.fromkeys(_lines(v)):
                    fields.setdefault("RP" if _REPRINT.search(address) else "C1", []).append(address)
            elif name == "pages":
                bp, ep = split_pages(latex_to_text(v).replace("--", "-"))
                fields.update({t: [p] for t, p in (("BP", bp), ("EP", ep)) if p})
            elif tag == "CR":
                fields.setdefault(tag, []).extend(_lines(v))
            elif tag in ("RI", "OI", "EM"):  # one 'Name/ID' (or address) per line
                fields.setdefault(tag, []).append("; ".join(filter(None, map(latex_to_text, v.split("\n")))))
            elif latex_to_text(v):
                fields.setdefault(tag, []).append(latex_to_text(v))
    if "RP" in fields:
        fields["RP"] = ["; ".join(fields["RP"])]
    ut = fields.get("UT", [""])[0]
    if ut.upper().startswith("ISI:"):  # WoS's older prefix of the same accession number
        fields["UT"] = ["WOS:" + ut[4:]]
    rec = build_record(fields)
    if isinstance(rec, Problem):
        rec.record_no, rec.line, rec.raw = record_no, line, raw_text
        return rec
    rec.raw = {"@type": [kind], **({"@key": [key]} if key else {}), **raw}
    if rec.doc_type is None:  # no 'Type' field: the entry type says what it is
        rec.doc_type, rec.doc_type_raw = _KIND_TYPES.get(kind, kind), kind
    return rec


_KIND_TYPES = {"article": "article", "inproceedings": "proceedings paper", "conference": "proceedings paper",
               "incollection": "book chapter", "inbook": "book chapter", "book": "book",
               "phdthesis": "thesis", "mastersthesis": "thesis"}


def _terms(value: str | None, groups: bool = False) -> list[str]:
    if not value:
        return []
    if groups and ";" in value:
        return [t for part in split_list(value, ";") for t in split_list(re.sub(r",\s+(?=[A-Z])", ";", part), ";")]
    return split_list(value, ";" if ";" in value else ",")


def parse(text: str | bytes) -> Parsed:
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", "replace")
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    for item in _entries(text):
        if isinstance(item, Problem):
            yield item
        else:
            record_no, line, kind, key, fields, raw_text = item
            yield _record(kind, key, fields, record_no, line, raw_text)


register(Format("bibtex", "ris", "BibTeX (@article{...}), any database", False, sniff, parse, priority=190, fidelity=50))
