"""Query semantics shared by both backends, so that Elasticsearch and the embedded index agree.

A query string becomes *parts*: a quoted phrase stays one part; otherwise each whitespace-separated
chunk splits into runs of Han characters and runs of anything else. Every part must match (AND), as a
phrase, in any searchable field. A Han run is a phrase of characters, so a two-character query such as
催化 finds exactly the texts where the two characters are adjacent, whatever the analyzer.

Filters are ``{facet: [values]}``: values of one facet are alternatives (OR), facets combine (AND).
Facet counts are taken over the filtered result set.
"""

from __future__ import annotations

import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_CHAR = re.compile(f"[{HAN}]")
_HAN_RUN = re.compile(f"([{HAN}]+)")
_QUOTED = re.compile(r'"([^"]*)"')
_WORDISH = re.compile(r"\w", re.UNICODE)

# facet name -> (document field to filter on, document field to count; "*_facet" fields hold "id\x1flabel")
FACETS: dict[str, tuple[str, str]] = {
    "year": ("year", "year"),
    "type": ("type", "type"),
    "department": ("departments", "department_facet"),
    "person": ("persons", "person_facet"),
    "indexes": ("indexes", "indexes"),
    "tiers": ("tiers", "tiers"),
    "source": ("sources", "sources"),
}
# filters that are not shown as facets
EXTRA_FILTERS: dict[str, str] = {"person_status": "person_status", "tags": "tags", "journal": "journal"}
FILTERS: dict[str, str] = {name: fields[0] for name, fields in FACETS.items()} | EXTRA_FILTERS
LABEL_SEP = "\x1f"

SORTS = ("relevance", "year_desc", "year_asc", "title")

# searchable text fields and their weights (the same in both backends)
TEXT_FIELDS: dict[str, float] = {
    "title_en": 3.0, "title_zh": 3.0, "abstract_en": 1.0, "abstract_zh": 1.0,
    "keywords_en": 2.0, "keywords_zh": 2.0, "authors": 2.0, "journal_text": 1.0,
}


class QueryError(ValueError):
    """A query the user must correct: unknown facet or sort, a non-numeric year, a page out of range."""


def has_han(text: str | None) -> bool:
    return bool(text) and HAN_CHAR.search(text) is not None


def parse_query(q: str | None) -> list[str]:
    """The phrases a query string asks for, in order; empty for a blank query (match everything)."""
    parts: list[str] = []
    if not q:
        return parts
    pos = 0
    for m in _QUOTED.finditer(q):
        parts += _chunks(q[pos:m.start()])
        phrase = " ".join(m.group(1).split())
        if _WORDISH.search(phrase):
            parts.append(phrase)
        pos = m.end()
    parts += _chunks(q[pos:].replace('"', " "))
    return list(dict.fromkeys(parts))


def _chunks(text: str) -> list[str]:
    out = []
    for chunk in text.split():
        for piece in _HAN_RUN.split(chunk):
            if piece and _WORDISH.search(piece):
                out.append(piece)
    return out


def space_han(text: str | None) -> str:
    """Han characters as separate tokens (for the embedded index): '催化剂A' -> '催 化 剂 A'."""
    if not text:
        return ""
    return " ".join(_HAN_RUN.sub(lambda m: " " + " ".join(m.group(1)) + " ", text).split())


def check_filters(filters: dict[str, list[str]] | None) -> dict[str, list[str]]:
    clean: dict[str, list[str]] = {}
    for name, values in (filters or {}).items():
        if name not in FILTERS:
            raise QueryError(f"unknown filter {name!r}; known: {', '.join(FILTERS)}")
        vals = [str(v) for v in ([values] if isinstance(values, str) else values) if str(v) != ""]
        if name == "year":
            bad = [v for v in vals if not re.fullmatch(r"-?\d{1,4}", v)]
            if bad:
                raise QueryError(f"year filter needs whole years, not {', '.join(bad)}")
        if vals:
            clean[name] = list(dict.fromkeys(vals))
    return clean


def check_paging(sort: str, page: int, size: int, max_window: int = 10000) -> None:
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}; known: {', '.join(SORTS)}")
    if page < 1 or size < 1 or size > 1000:
        raise QueryError("page must be >= 1 and size between 1 and 1000")
    if page * size > max_window:
        raise QueryError(f"results beyond the first {max_window} cannot be paged to; refine the query")


def effective_sort(parts: list[str], sort: str) -> str:
    """Relevance without a query means nothing: newest first instead."""
    return "year_desc" if sort == "relevance" and not parts else sort


def split_label(key: str) -> tuple[str, str | None]:
    value, _, label = str(key).partition(LABEL_SEP)
    return value, (label or None)
