"""ORCID public API v3.0 (pub.orcid.org): the works of one person's ORCID record.

``GET /{orcid}/works`` lists the record's works as groups of summaries (one group per work, one summary per
source that asserted it), with last-modified dates; ``GET /{orcid}/works/{put-code,put-code,...}`` (at
most 100) returns the full works (contributors, citation, language). :func:`to_record` maps a work or a
summary to a :class:`~ir.model.Record` with source ``orcid`` and ``{orcid}/{put-code}`` as its id; the
record's owner is kept in ``raw["orcid.owner"]``. Everything here is pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from ir.formats._util import doc_type as normalize_doc_type
from ir.formats._util import language as normalize_language
from ir.formats._util import text_lang
from ir.harvest.common import MappingError, doi_of, flat_raw, guarded, jats_text, orcid_of, text
from ir.model import Author, Journal, Problem, Record, Title

SOURCE = "orcid"
FORMAT = "orcid-api"
BULK = 100  # put-codes per bulk request, as the API allows

TYPES = {  # ORCID work types -> ir's document types
    "journal-article": "article", "conference-paper": "proceedings paper", "conference-abstract": "meeting abstract",
    "book-chapter": "book chapter", "book": "book", "edited-book": "book", "dissertation-thesis": "thesis",
    "dissertation": "thesis", "preprint": "preprint", "review": "review", "book-review": "book review",
    "report": "report", "working-paper": "working paper", "data-set": "dataset", "patent": "patent",
    "other": "other",
}


@dataclass(frozen=True)
class Summary:
    """One work of a person's record: the summary chosen for its group, and when the group last changed."""

    put_code: int
    last_modified: int  # ms since the epoch
    item: dict


def works_request(orcid: str) -> tuple[str, dict]:
    return f"{orcid}/works", {}


def bulk_request(orcid: str, put_codes: list[int]) -> tuple[str, dict]:
    return f"{orcid}/works/{','.join(str(p) for p in put_codes)}", {}


def parse_summaries(data) -> tuple[list[Summary], int | None]:
    """The groups of ``/works``: per group its first summary (the one ORCID displays), and the section's
    last-modified date."""
    if not isinstance(data, dict) or not isinstance(data.get("group"), list):
        raise MappingError("not an ORCID works response (no group array)", "group")
    out = []
    for g in data["group"]:
        summaries = [s for s in (g or {}).get("work-summary") or [] if isinstance(s, dict) and "put-code" in s]
        if summaries:
            s = summaries[0]
            out.append(Summary(int(s["put-code"]), _ms(g.get("last-modified-date")) or _ms(s.get("last-modified-date")),
                               s))
    return out, _ms(data.get("last-modified-date"))


def parse_bulk(data) -> list[Record | Problem]:
    """``{"bulk": [{"work": {...}} | {"error": {...}}]}``: each work mapped, each error a problem."""
    if not isinstance(data, dict) or not isinstance(data.get("bulk"), list):
        raise MappingError("not an ORCID bulk response (no bulk array)", "bulk")
    out: list[Record | Problem] = []
    for n, entry in enumerate(data["bulk"], 1):
        if isinstance(entry, dict) and isinstance(entry.get("work"), dict):
            out.extend(guarded(SOURCE, [entry["work"]], to_record, start=n))
        else:
            err = entry.get("error") if isinstance(entry, dict) else None
            reason = (err or {}).get("developer-message") or (err or {}).get("user-message") or "not a work"
            out.append(Problem(reason=f"{SOURCE}: {reason}", record_no=n, field="bulk", raw=str(entry)[:100_000]))
    return out


def _ms(value) -> int | None:
    v = value.get("value") if isinstance(value, dict) else value
    return int(v) if isinstance(v, (int, float)) else None


def _value(obj, *keys):
    """Nested ``{"value": ...}`` wrappers, as ORCID writes every scalar."""
    for k in keys:
        obj = obj.get(k) if isinstance(obj, dict) else None
    return text(obj.get("value")) if isinstance(obj, dict) else text(obj)


def to_record(w: dict) -> Record:
    path = text(w.get("path")) or ""
    owner = orcid_of(path)
    put_code = w.get("put-code")
    if not owner or put_code is None:
        raise MappingError("work without its record's path and put-code", "path")
    title = _value(w, "title", "title")
    subtitle = _value(w, "title", "subtitle")
    if title and subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title}: {subtitle}"
    lang = normalize_language(text(w.get("language-code")))
    titles = [Title(title, lang or text_lang(title))] if title else []
    translated = (w.get("title") or {}).get("translated-title")
    if isinstance(translated, dict) and text(translated.get("value")):
        titles.append(Title(text(translated["value"]), text(translated.get("language-code")), translated=True))
    rec = Record(source=SOURCE, source_id=f"{owner}/{put_code}", titles=titles, language=lang)
    kind = text(w.get("type"))
    rec.doc_type_raw = kind
    rec.doc_type = TYPES.get(kind or "") or normalize_doc_type(kind)
    ids: dict[str, list[str]] = {}
    for x in (w.get("external-ids") or {}).get("external-id") or []:
        if isinstance(x, dict) and x.get("external-id-relationship", "self") == "self":
            value = _value(x, "external-id-normalized") or text(x.get("external-id-value"))
            if value:
                ids.setdefault(text(x.get("external-id-type")) or "", []).append(value)
    rec.doi = next((d for d in (doi_of(v) for v in ids.get("doi", [])) if d), None)
    rec.pmid = (ids.get("pmid") or [None])[0]
    rec.isbn = (ids.get("isbn") or [None])[0]
    venue = _value(w, "journal-title")
    if rec.doc_type in ("proceedings paper", "meeting abstract"):
        rec.conference = venue
    rec.journal = Journal(title=venue)
    date = w.get("publication-date") if isinstance(w.get("publication-date"), dict) else {}
    year, month, day = (_value(date, k) for k in ("year", "month", "day"))
    rec.year = int(year) if year and year.isdigit() else None
    rec.pub_date = "-".join(p for p in (year, month, day) if p) or None
    rec.url = _value(w, "url")
    rec.abstract = jats_text(text(w.get("short-description")))
    for c in (w.get("contributors") or {}).get("contributor") or []:
        if not isinstance(c, dict):
            continue
        name = _value(c, "credit-name")
        attrs = c.get("contributor-attributes") if isinstance(c.get("contributor-attributes"), dict) else {}
        role = text(attrs.get("contributor-role")) or "author"
        if not name or not ("author" in role.lower() or role.startswith("http")):
            continue
        cid = c.get("contributor-orcid") if isinstance(c.get("contributor-orcid"), dict) else {}
        rec.authors.append(Author(position=len(rec.authors) + 1, name=name,
                                  orcid=orcid_of(cid.get("path") or cid.get("uri"))))
    source = w.get("source") if isinstance(w.get("source"), dict) else {}
    rec.raw = flat_raw({
        "orcid.owner": owner, "put-code": put_code, "type": kind,
        "source-name": _value(source, "source-name"),
        **{f"external-id.{k}": v for k, v in sorted(ids.items()) if k},
        "citation-type": _value(w, "citation", "citation-type"),
    })
    return rec
