"""Small helpers shared by the parsers: splitting, numbers, document types, languages, pages.

Parsers keep values as the database gave them (trimmed); normalisation for matching is the job of
:mod:`ir.normalize` (consolidation), not of the parsers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from ir.model import Author, Record, fallback_id

_WS = re.compile(r"\s+")


def clean(value: str | None) -> str | None:
    """Trim and fold inner runs of white space; empty becomes None."""
    if value is None:
        return None
    value = _WS.sub(" ", value).strip()
    return value or None


def split_list(value: str | None, seps: str = ";") -> list[str]:
    """Split on any of the separator characters, dropping empty items ("张三;李四;" -> 2 items)."""
    if not value:
        return []
    return [v for v in (clean(p) for p in separators(seps).split(value)) if v]


@lru_cache(maxsize=256)
def separators(seps: str) -> re.Pattern[str]:
    """A pattern matching any one of the characters of ``seps``."""
    return re.compile("[" + re.escape(seps) + "]")


_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d|21\d\d)(?!\d)")


def parse_year(value: str | None) -> int | None:
    if not value:
        return None
    m = _YEAR.search(value)
    return int(m.group(1)) if m else None


def parse_int(value: str | None) -> int | None:
    if not value:
        return None
    m = re.search(r"\d+", value.replace(",", ""))
    return int(m.group(0)) if m else None


def split_pages(value: str | None) -> tuple[str | None, str | None]:
    """'168-170' -> ('168', '170'); 'e1234' -> ('e1234', None). Abbreviated ranges are left as given."""
    value = clean(value)
    if not value:
        return None, None
    parts = re.split(r"\s*[-–—‐‑~～]\s*", value, maxsplit=1)
    first = clean(parts[0])
    last = clean(parts[1]) if len(parts) > 1 else None
    if last:
        last = last.split("+")[0].strip() or None
    return first, last


_DOCTYPES = {
    # WoS DT / PT, Scopus, EI, CNKI, RIS TY -> ir's document types
    "article": "article",
    "journal article": "article",
    "journal": "article",
    "jour": "article",
    "期刊": "article",
    "期刊论文": "article",
    "review": "review",
    "proceedings paper": "proceedings paper",
    "conference paper": "proceedings paper",
    "conference article": "proceedings paper",
    "conference proceeding": "proceedings paper",
    "conf": "proceedings paper",
    "cpaper": "proceedings paper",
    "会议": "proceedings paper",
    "会议论文": "proceedings paper",
    "国际会议": "proceedings paper",
    "editorial material": "editorial",
    "editorial": "editorial",
    "letter": "letter",
    "note": "note",
    "correction": "correction",
    "erratum": "correction",
    "correction, addition": "correction",
    "retraction": "retraction",
    "retracted publication": "retraction",
    "meeting abstract": "meeting abstract",
    "meeting": "meeting abstract",
    "book chapter": "book chapter",
    "chap": "book chapter",
    "book": "book",
    "thesis": "thesis",
    "dissertation": "thesis",
    "thes": "thesis",
    "硕士": "thesis",
    "博士": "thesis",
    "学位论文": "thesis",
    "报纸": "newspaper article",
    "newspaper article": "newspaper article",
    "patent": "patent",
    "专利": "patent",
    "data paper": "data paper",
    "early access": "article",
    "article in press": "article",
    "reprint": "reprint",
    "news item": "news",
    "book review": "book review",
    "biographical-item": "biography",
}


def doc_type(raw: str | None) -> str | None:
    """Normalise a document type. Of WoS's compound types a book chapter is a book chapter whatever its kind
    ("Article; Book Chapter", "Editorial Material; Book Chapter"); otherwise the first recognised part wins
    ("Article; Proceedings Paper" and "Article; Early Access" are articles)."""
    raw = clean(raw)
    if not raw:
        return None
    key = raw.casefold()
    if key in _DOCTYPES:
        return _DOCTYPES[key]
    parts = [_DOCTYPES[p] for p in (p.strip() for p in re.split(r"[;,/]", key)) if p in _DOCTYPES]
    if "book chapter" in parts:
        return "book chapter"
    return parts[0] if parts else key


_LANGS = {
    "english": "en", "eng": "en", "en": "en", "英文": "en", "英语": "en",
    "chinese": "zh", "chi": "zh", "zho": "zh", "zh": "zh", "中文": "zh", "汉语": "zh",
    "german": "de", "french": "fr", "spanish": "es", "portuguese": "pt", "japanese": "ja",
    "russian": "ru", "korean": "ko", "italian": "it",
}

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def language(raw: str | None) -> str | None:
    raw = clean(raw)
    if not raw:
        return None
    return _LANGS.get(raw.casefold(), raw.casefold())


def has_han(text: str | None) -> bool:
    """Whether the text contains Chinese characters (decides a title's or name's language)."""
    return bool(text and _HAN.search(text))


def text_lang(text: str | None) -> str | None:
    if not text:
        return None
    return "zh" if has_han(text) else "en"


_DOI = re.compile(r"10\.\d{4,9}/\S+")


def find_doi(value: str | None) -> str | None:
    """The DOI inside a value such as 'https://doi.org/10.1/x' or 'DOI: 10.1/x' (as written, not normalised)."""
    if not value:
        return None
    m = _DOI.search(value)
    return m.group(0).rstrip(".,;") if m else None


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def find_emails(value: str | None) -> list[str]:
    return _EMAIL.findall(value or "")


_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")


def find_orcid(value: str | None) -> str | None:
    m = _ORCID.search(value or "")
    return m.group(0) if m else None


_ISSN = re.compile(r"(?<![\dX])(\d{4})-?(\d{3}[\dXx])(?![\dX])")


def issns(value: str | None) -> list[str]:
    """Every ISSN in a value, hyphenated: Scopus and EV write '09659978' or '12345678; 8765432X'."""
    return [f"{a}-{b.upper()}" for a, b in _ISSN.findall(value or "")]


def name_key(name: str | None) -> str:
    """A spelling-insensitive key for matching one record's own name forms ('Govil, N.' ~ 'Govil N.')."""
    return re.sub(r"[\W_]+", "", (name or "").casefold())


_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,3}$")  # 'Y.', 'J.C.', 'J.-C.', 'YL'


@lru_cache(maxsize=65536)
def name_forms(name: str | None) -> frozenset[tuple[str, str]]:
    """The (family name key, first initial) readings of a personal name in the forms databases write:
    'Li, Yufei', 'Li Y.', 'Y. Li', 'J. Sadefo Kamdem' and, without initials, 'Yufei Li' read both ways."""
    name = clean(name) or ""
    if "," in name:
        family, _, given = name.partition(",")
        return frozenset({(name_key(family), name_key(given)[:1])})
    tokens = name.split(" ")
    if len(tokens) < 2:
        return frozenset({(name_key(name), "")})
    initial = [bool(_INITIALS.match(t)) for t in tokens]
    if initial[0] and not initial[-1]:  # 'Y. Li'
        k = initial.index(False)
        return frozenset({(name_key(" ".join(tokens[k:])), tokens[0][0].casefold())})
    if initial[-1] and not initial[0]:  # 'Li Y.'
        k = initial.index(True)
        return frozenset({(name_key(" ".join(tokens[:k])), tokens[k][0].casefold())})
    return frozenset({(name_key(tokens[-1]), name_key(tokens[0])[:1]), (name_key(tokens[0]), name_key(tokens[1])[:1])})


def find_author(authors: list[Author], name: str | None) -> Author | None:
    """The one author of a record that another field's spelling of a name refers to ('Y. Li' -> 'Li, Yufei'):
    the same letters first, then the same family name and first initial; None when no author or several fit."""
    key = name_key(name)
    if not key:
        return None
    exact = [a for a in authors if key in {name_key(a.name), name_key(a.full_name), name_key(a.abbreviated)}]
    if len(exact) == 1:
        return exact[0]
    forms = name_forms(name)
    fits = [a for a in authors
            if any(forms & name_forms(f) for f in (a.name, a.full_name, a.abbreviated) if f)]
    return fits[0] if len(fits) == 1 else None


def mark_corresponding(rec: Record, entries: Iterable[tuple[str | None, str | None, str | None]]) -> None:
    """Flag the corresponding authors a record names as (name, address, e-mail) and keep their addresses."""
    for name, address, email in entries:
        author = find_author(rec.authors, name)
        if author is not None:
            author.corresponding = True
            author.email = author.email or email
        if address and address not in rec.corresponding_addresses:
            rec.corresponding_addresses.append(address)


_US_STATE_ZIP = re.compile(r"^[A-Z]{2} \d{5}(?:-\d{4})?$")  # 'AL 35294', 'NC 27710'


def country_of(address: str | None) -> str | None:
    """The country an address ends with, as written ('..., Dalian, China' -> 'China'); 'Durham, NC 27710 USA'
    and older WoS's 'BIRMINGHAM,AL 35294' -> 'USA'; an all-capitals country in title case ('PEOPLES R CHINA')."""
    last = (address or "").rstrip(". ;").rpartition(",")[2].strip()
    return _country(last) if last else None


@lru_cache(maxsize=4096)
def _country(last: str) -> str | None:
    if last == "USA" or last.endswith(" USA") or _US_STATE_ZIP.match(last):
        return "USA"
    if any(ch.isdigit() for ch in last):
        return None  # a postcode or street, not a country
    return last.title() if last.isupper() and len(last) > 3 else last


def csv_header(head: str) -> list[str]:
    """The column names of a CSV file's first row (from the start of the content), or [] if unreadable."""
    try:
        return [c.strip() for c in next(csv.reader(io.StringIO(head.lstrip("\ufeff"))), [])]
    except csv.Error:
        return []


def csv_rows(
    text: str, widen: Callable[[list[str], list[str]], list[str] | None] | None = None
) -> Iterator[tuple[int, int, str, dict[str, str] | str]]:
    """A CSV export's data rows as (record_no, line, row text, {column: value}); quoted fields may span lines.

    A row whose cell count differs from the header's (trailing empty cells aside) gives a reason string
    instead of the dict, so that the parser can quarantine it, unless ``widen`` (header, cells) names the
    columns of a row longer than its header (Scopus writes a second funding-text column the header omits).
    A cell holding the literal ``NA`` (a file re-written by R) is empty. Empty rows, and the header repeated
    where exports were joined, are skipped.
    """
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))  # Scopus references can pass the 128 KiB default
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip() for c in next(reader)]
    except (StopIteration, csv.Error):
        return
    record_no, line = 0, reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            record_no += 1
            yield record_no, line, "\n".join(lines[line - 1 : reader.line_num]), f"unreadable CSV row: {exc}"
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        raw = "\n".join(lines[start - 1 : line - 1])
        if not any(c.strip() for c in cells) or [c.strip() for c in cells] == header:
            continue  # a blank row, or the header again (exports of several pages joined into one file)
        record_no += 1
        while len(cells) > len(header) and not cells[-1].strip():
            cells = cells[:-1]
        names = header
        if len(cells) > len(header) and widen is not None:
            names = widen(header, cells) or header
        if len(cells) != len(names):
            yield record_no, start, raw, f"row has {len(cells)} columns, the header has {len(header)}"
            continue
        yield record_no, start, raw, {n: ("" if c == "NA" else c) for n, c in zip(names, cells)}


def ensure_source_id(rec: Record) -> Record:
    """A record without a native id gets a content hash of (title, year, first author, journal)."""
    if not rec.source_id:
        first = rec.authors[0].name if rec.authors else None
        rec.source_id = fallback_id(rec.title, rec.year, first, rec.journal.title)
        rec.source_id_kind = "hash"
    return rec
