"""What the API mappings share: pure helpers from JSON values to the canonical record's values."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field

from ir.formats._util import clean, find_orcid, split_pages  # noqa: F401 - the mappings' shared helpers
from ir.model import Problem, Record
from ir.normalize import normalize_doi

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_ABSTRACT_HEADING = re.compile(r"^\s*<(?:jats:)?title>\s*(?:abstract|summary|摘要)\s*</(?:jats:)?title>", re.I)
_SECTION = re.compile(r"</(?:jats:)?(?:p|title|sec)>", re.I)


@dataclass
class Page:
    """One page of a list response: the records (or problems), and where the next page starts."""

    items: list[Record | Problem] = field(default_factory=list)
    next_cursor: str | None = None  # None: this was the last page
    total: int | None = None  # what the API says the whole query holds


def jats_text(value: str | None) -> str | None:
    """A JATS (or HTML) abstract as plain text: the heading 'Abstract' dropped, paragraphs joined."""
    if not value or not value.strip():
        return None
    text = _ABSTRACT_HEADING.sub("", value)
    text = _SECTION.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    paragraphs = [_SPACE.sub(" ", p).strip() for p in text.split("\n")]
    return "\n".join(p for p in paragraphs if p) or None


def inverted_index_text(index: dict | None) -> str | None:
    """OpenAlex's abstract_inverted_index ({"word": [positions]}) back to its text."""
    if not index:
        return None
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for p in positions or ():
            if isinstance(p, int):
                slots[p] = word
    return " ".join(slots[p] for p in sorted(slots)) or None


def orcid_of(value: str | None) -> str | None:
    """'https://orcid.org/0000-0002-1825-000x' -> '0000-0002-1825-000X'."""
    found = find_orcid((value or "").upper())
    return found


def doi_of(value: str | None) -> str | None:
    return normalize_doi(value) if value else None


_NEEDS_FOLD = re.compile(r"\s\s|[^\S ]")  # two spaces in a row, or white space other than a space


def text(value) -> str | None:
    """A clean one-line string (numbers too), or None. Most API values are clean already: they are only
    stripped; the others are folded by the parsers' ``clean``."""
    if value is None:
        return None
    s = str(value).strip()
    if _NEEDS_FOLD.search(s):
        return clean(s)
    return s or None


def first(values) -> str | None:
    """The first non-empty string of a list (Crossref gives titles as lists)."""
    if isinstance(values, str):
        return text(values)
    for v in values or ():
        if (t := text(v)) is not None:
            return t
    return None


def funding_line(funder: str | None, awards: list[str]) -> str | None:
    """'National Natural Science Foundation of China [21776030, 21978034]', as WoS writes FU."""
    funder = text(funder)
    awards = [a for a in (text(x) for x in awards) if a]
    if not funder and not awards:
        return None
    return f"{funder or 'unnamed funder'} [{', '.join(awards)}]" if awards else funder


def iso_date(parts) -> str | None:
    """[[2021, 3, 15]] (or [2021, 3]) -> '2021-03-15' / '2021-03'."""
    if parts and isinstance(parts[0], list):
        parts = parts[0]
    nums = [p for p in (parts or []) if isinstance(p, int)]
    if not nums:
        return None
    return "-".join([f"{nums[0]:04d}", *[f"{n:02d}" for n in nums[1:3]]])


def raw_json(item) -> str:
    """An item as JSON text, for quarantine (a problem's raw is kept whole, up to 100,000 characters)."""
    return json.dumps(item, ensure_ascii=False, sort_keys=True)[:100_000]


def guarded(source: str, items: list, to_record, start: int = 1) -> list[Record | Problem]:
    """Map every item; an item that cannot be mapped becomes a problem with its JSON, never an exception."""
    out: list[Record | Problem] = []
    for n, item in enumerate(items, start):
        try:
            out.append(to_record(item))
        except MappingError as exc:
            out.append(Problem(reason=f"{source}: {exc}", record_no=n, field=exc.field, raw=raw_json(item)))
        except Exception as exc:  # noqa: BLE001 - a mapping bug on odd data is a quarantined record
            out.append(Problem(reason=f"{source}: cannot read item: {type(exc).__name__}: {exc}", record_no=n,
                               raw=raw_json(item)))
    return out


class MappingError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def flat_raw(pairs: dict[str, object]) -> dict[str, list[str]]:
    """Record.raw: every kept value as a list of strings, empty ones left out."""
    out: dict[str, list[str]] = {}
    for key, value in pairs.items():
        values = value if isinstance(value, list) else [value]
        kept = [str(v) for v in values if v not in (None, "", [])]
        if kept:
            out[key] = kept
    return out
