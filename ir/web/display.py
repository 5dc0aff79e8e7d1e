"""How a work reads on a page: pure functions from stored values to display values (table-tested).

- :func:`best_cased`: a mixed-case title (or journal name) from another source beats an ALL-CAPS one
  (Web of Science writes ``ANTIBIOTICS IN AQUACULTURE...``; Ei and Scopus the same title in mixed case).
- :func:`display_date`: ``"NOV"`` with year 2023 -> ``"November 2023"``; ``"NOV 2"`` -> ``"2 November 2023"``.
- :func:`tier_label`: a journal tier with the list's own label: ``("cas", "1")`` -> ``"中科院 1区"``,
  ``("cscd", "core")`` -> ``"CSCD 核心库"``, ``("jcr", "Q1")`` -> ``"JCR Q1"``.
- :func:`badges`: the index and tier badges of a work, each database once.
- :func:`chem`: ``CO_2`` -> ``CO₂`` (digits and signs as Unicode sub/superscripts, anything else in
  ``<sub>``/``<sup>``), HTML-escaped.
- :func:`doi_url`: the resolver link of a DOI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from markupsafe import Markup, escape

# ------------------------------------------------------------------------------ case
# (defined with the search documents, whose display title and journal they choose)
from ir.search.documents import best_cased, is_shouting  # noqa: E402,F401

# ------------------------------------------------------------------------------ dates

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_MONTH = {m[:3].upper(): i for i, m in enumerate(MONTHS, 1)} | {m.upper(): i for i, m in enumerate(MONTHS, 1)}
_MONTH |= {"SEPT": 9}
SEASONS = {"SPR": "Spring", "SPRING": "Spring", "SUM": "Summer", "SUMMER": "Summer", "FAL": "Autumn",
           "FALL": "Autumn", "AUT": "Autumn", "AUTUMN": "Autumn", "WIN": "Winter", "WINTER": "Winter"}


def display_date(pub_date: str | None, year: int | None = None) -> str | None:
    """A readable publication date from what the sources write (``DEC``, ``NOV 2``, ``MAY-JUN``,
    ``SPR``, ``November 2022``, ``2023-05-04``, ``2023 MAY 12``), completed with the work's year."""
    if not pub_date or not str(pub_date).strip():
        return str(year) if year else None
    raw = " ".join(str(pub_date).replace(",", " ").split())
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", raw)
    if m and 1 <= int(m.group(2)) <= 12:
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        return f"{int(d)} {MONTHS[mo - 1]} {y}" if d else f"{MONTHS[mo - 1]} {y}"
    tokens = raw.upper().replace("-", " - ").split()
    found_year = next((int(t) for t in tokens if re.fullmatch(r"\d{4}", t)), None)
    y = found_year or year
    words = [t for t in tokens if not re.fullmatch(r"\d{4}", t)]
    months = [_MONTH[t] for t in words if t in _MONTH]
    days = [int(t) for t in words if re.fullmatch(r"\d{1,2}", t) and 1 <= int(t) <= 31]
    seasons = [SEASONS[t] for t in words if t in SEASONS]
    unknown = [t for t in words if t not in _MONTH and t not in SEASONS and t != "-" and not re.fullmatch(r"\d{1,2}", t)]
    tail = f" {y}" if y else ""
    if unknown or len(days) > 1:
        return raw + ("" if found_year or not year else f" {year}")
    if len(months) == 2 and not days:
        return f"{MONTHS[months[0] - 1]}–{MONTHS[months[1] - 1]}{tail}"
    if len(months) == 1:
        return (f"{days[0]} " if days else "") + MONTHS[months[0] - 1] + tail
    if len(seasons) == 1 and not days:
        return seasons[0] + tail
    return raw + ("" if found_year or not year else f" {year}")


# ------------------------------------------------------------------------------ tiers and indexes

LIST_NAMES = {"jcr": "JCR", "cas": "中科院", "esi": "ESI", "cssci": "CSSCI", "pku_core": "北大核心", "cscd": "CSCD",
              "institution": "Institution tier"}
LIST_ORDER = tuple(LIST_NAMES)
_VALUE_LABELS = {
    "cssci": {"core": "CSSCI 来源期刊", "extended": "CSSCI 扩展版"},
    "pku_core": {"core": "北大核心"},
    "cscd": {"core": "CSCD 核心库", "extended": "CSCD 扩展库"},
}
# an index code shown as a tier of the same list instead (one badge per database)
_INDEX_OF_LIST = {"cscd": "CSCD", "cssci": "CSSCI", "pku_core": "PKU"}


def tier_label(lst: str, value: str | None) -> str:
    """The tier as the list itself names it."""
    lst = (lst or "").strip()
    value = "" if value is None else str(value).strip()
    special = _VALUE_LABELS.get(lst, {}).get(value.casefold())
    if special:
        return special
    if lst == "cas":
        return f"中科院 {value}区" if value.isdigit() else f"中科院 {value}".strip()
    name = LIST_NAMES.get(lst, lst)
    return f"{name} {value}".strip()


def tier_key_label(key: str) -> str:
    """``"jcr:Q1"`` (the search index's form) -> ``"JCR Q1"``."""
    lst, _, value = str(key).partition(":")
    return tier_label(lst, value) if value else LIST_NAMES.get(lst, lst)


def tiers_of(tags) -> list[tuple[str, str]]:
    """(list, value) pairs from ``{"jcr": "Q1"}`` or ``["jcr:Q1"]``, in the lists' order."""
    pairs: list[tuple[str, str]] = []
    if isinstance(tags, dict):
        pairs = [(str(k), str(v)) for k, v in tags.items() if v not in (None, "")]
    else:
        for t in tags or []:
            if isinstance(t, str) and ":" in t:
                k, _, v = t.partition(":")
                pairs.append((k, v))
            elif isinstance(t, dict) and (t.get("list") or t.get("scheme")):
                pairs.append((str(t.get("list") or t.get("scheme")), str(t.get("value") or t.get("tier") or "")))
    pairs = list(dict.fromkeys(pairs))
    return sorted(pairs, key=lambda p: (LIST_ORDER.index(p[0]) if p[0] in LIST_ORDER else len(LIST_ORDER), p[0]))


def _index_code(value: str) -> str:
    from ir.tagging.indexes import index_code

    v = " ".join(str(value).split())
    known = index_code(v)
    return known[0] if known else v


def badges(indexes: Iterable[str] | None, tags=None, sources: Iterable[str] | None = None) -> list[dict]:
    """Badges for a work, each database once: ``{"kind": "tier"|"index"|"source", "label": ...}``.
    An index that a tier of the same list names (CSCD and ``CSCD 核心库``) shows as the tier; a source
    database that an index already names (``ei`` and ``EI``) is not repeated."""
    tiers = tiers_of(tags)
    shown_by_tier = {_INDEX_OF_LIST[lst] for lst, _ in tiers if lst in _INDEX_OF_LIST}
    out: list[dict] = []
    seen: set[str] = set()
    for code in (_index_code(i) for i in indexes or [] if i):
        if code.casefold() in seen or code in shown_by_tier or code.upper() in ("WOS", "WEB OF SCIENCE"):
            continue
        seen.add(code.casefold())
        out.append({"kind": "index", "label": code})
    out += [{"kind": "tier", "label": tier_label(lst, v)} for lst, v in tiers]
    covered = seen | {c.casefold() for c in shown_by_tier}
    wos = any(c.upper() in ("SCIE", "SSCI", "AHCI", "ESCI", "CPCI-S", "CPCI-SSH") for c in seen)
    for s in sources or []:
        key = str(s).casefold()
        if key in covered or (key == "wos" and wos) or key in {b["label"].casefold() for b in out if b["kind"] == "source"}:
            continue
        out.append({"kind": "source", "label": SOURCE_NAMES.get(key, str(s))})
    return out


SOURCE_NAMES = {"wos": "Web of Science", "ei": "Ei Compendex", "scopus": "Scopus", "cnki": "CNKI",
                "wanfang": "Wanfang", "cssci": "CSSCI", "cscd": "CSCD", "pubmed": "PubMed"}


# ------------------------------------------------------------------------------ text

_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SUP = str.maketrans("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾")
_SCRIPT = re.compile(r"(?<=[\w)\]])([_^])(?:\{([^{}]{1,12})\}|(\d{1,3}[+-]?|[+-]))")


def chem_text(text: str | None) -> str:
    """``CO_2`` -> ``CO₂``, ``Fe^{3+}`` -> ``Fe³⁺`` where Unicode has the characters; other scripts stay."""
    if not text:
        return text or ""

    def sub(m: re.Match) -> str:
        body = m.group(2) or m.group(3)
        table = _SUB if m.group(1) == "_" else _SUP
        if all(c in "0123456789+-=()" for c in body):
            return body.translate(table)
        return m.group(0)
    return _SCRIPT.sub(sub, text)


def chem(text: str | None) -> Markup:
    """:func:`chem_text`, escaped, with the remaining ``_{x}`` / ``^{x}`` as ``<sub>`` / ``<sup>``."""
    text = chem_text(text)
    out: list = []
    pos = 0
    for m in _SCRIPT.finditer(text):
        out.append(escape(text[pos:m.start()]))
        tag = "sub" if m.group(1) == "_" else "sup"
        out.append(Markup(f"<{tag}>") + escape(m.group(2) or m.group(3)) + Markup(f"</{tag}>"))
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def doi_url(doi: str | None) -> str | None:
    if not doi:
        return None
    doi = str(doi).strip()
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
    return "https://doi.org/" + quote(doi, safe="/:;()._-<>[]") if doi.startswith("10.") else None
