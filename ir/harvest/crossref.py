"""Crossref REST API (api.crossref.org): works of an institution (by ROR id or affiliation text) and by DOI.

A work is the ``message`` of ``GET /works/{doi}`` or an item of ``GET /works?filter=...&cursor=*``
(``message.items``, ``message.next-cursor``), in the shape of Crossref's "Metadata API JSON Format".
:func:`to_record` maps one to a :class:`~ir.model.Record` with source ``crossref`` and the DOI as its id.
Everything here is pure: JSON in, records out.
"""

from __future__ import annotations

from ir.formats._util import doc_type as normalize_doc_type
from ir.formats._util import language as normalize_language
from ir.formats._util import text_lang
from ir.harvest.common import (
    MappingError, Page, doi_of, first, flat_raw, funding_line, guarded, iso_date, jats_text, orcid_of, split_pages,
    text,
)
from ir.model import Affiliation, Author, Journal, Problem, Record, Title

SOURCE = "crossref"
FORMAT = "crossref-api"
FIRST_CURSOR = "*"

# Crossref's type ids (GET /types) -> ir's document types
TYPES = {
    "journal-article": "article", "proceedings-article": "proceedings paper", "book-chapter": "book chapter",
    "book-section": "book chapter", "book-part": "book chapter", "book": "book", "monograph": "book",
    "edited-book": "book", "reference-entry": "book chapter", "dissertation": "thesis", "posted-content": "preprint",
    "report": "report", "dataset": "dataset", "peer-review": "review report", "standard": "standard",
    "component": "component", "other": "other",
}


def list_request(kind: str, value: str, since: str | None, cursor: str, rows: int) -> tuple[str, dict]:
    """``GET /works`` of an institution: ``ror`` (filter ror-id) or ``affiliation`` (query.affiliation);
    ``since`` (a date) adds ``from-update-date``: what was deposited or changed since."""
    filters = []
    params: dict = {"rows": rows, "cursor": cursor}
    if kind == "ror":
        filters.append(f"ror-id:{value}")
    elif kind == "affiliation":
        params["query.affiliation"] = value
    elif kind == "orcid":
        filters.append(f"orcid:{value}")
    else:
        raise ValueError(f"crossref cannot list works by {kind!r}")
    if since:
        filters.append(f"from-update-date:{since}")
    if filters:
        params["filter"] = ",".join(filters)
    return "works", params


def doi_request(doi: str) -> tuple[str, dict]:
    return f"works/{doi}", {}


def parse_list(data) -> Page:
    """A ``work-list`` response: its items mapped, and the next cursor (None once a page comes back empty)."""
    msg = _message(data, "work-list")
    items = msg.get("items")
    if not isinstance(items, list):
        raise MappingError("work-list without an items array", "message.items")
    cursor = msg.get("next-cursor") if items else None
    return Page(guarded(SOURCE, items, to_record), cursor, msg.get("total-results"))


def parse_single(data) -> Record | Problem:
    return guarded(SOURCE, [_message(data, "work")], to_record)[0]


def _message(data, kind: str) -> dict:
    if not isinstance(data, dict) or data.get("status") != "ok" or not isinstance(data.get("message"), dict):
        raise MappingError(f"not a Crossref {kind} response (status {data.get('status')!r})"
                           if isinstance(data, dict) else f"not a Crossref {kind} response", "status")
    if data.get("message-type") not in (kind, None):
        raise MappingError(f"expected message-type {kind}, got {data.get('message-type')!r}", "message-type")
    return data["message"]


def to_record(w: dict) -> Record:
    doi = doi_of(w.get("DOI"))
    if not doi:
        raise MappingError("work without a DOI", "DOI")
    title = first(w.get("title"))
    subtitle = first(w.get("subtitle"))
    if title and subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title}: {subtitle}"
    lang = normalize_language(w.get("language"))
    titles = [Title(title, lang or text_lang(title))] if title else []
    titles += [Title(t, text_lang(t)) for t in (text(x) for x in w.get("original-title") or []) if t and t != title]
    rec = Record(source=SOURCE, source_id=doi, doi=doi, titles=titles)
    kind = w.get("type")
    rec.doc_type_raw = kind
    rec.doc_type = TYPES.get(kind) or normalize_doc_type(kind)
    _authors(rec, w.get("author") or [])
    container = [t for t in (text(x) for x in w.get("container-title") or []) if t]
    issn = {i.get("type"): i.get("value") for i in w.get("issn-type") or [] if isinstance(i, dict)}
    issns = [text(x) for x in w.get("ISSN") or []]
    rec.journal = Journal(
        title=container[0] if container else None,  # the journal, or the proceedings' (book's) title
        abbreviation=first(w.get("short-container-title")),
        issn=issn.get("print") or (issns[0] if issns and "electronic" not in issn else None),
        eissn=issn.get("electronic"),
        publisher=text(w.get("publisher")),
    )
    event = w.get("event") if isinstance(w.get("event"), dict) else {}
    rec.conference = text(event.get("name"))
    issued = iso_date((w.get("issued") or {}).get("date-parts"))
    rec.pub_date = issued
    rec.year = int(issued[:4]) if issued else None
    online = iso_date((w.get("published-online") or {}).get("date-parts"))
    printed = iso_date((w.get("published-print") or {}).get("date-parts"))
    if online and printed and online[:4] < printed[:4]:
        rec.early_access_year = int(online[:4])
    rec.volume, rec.issue = text(w.get("volume")), text(w.get("issue"))
    rec.first_page, rec.last_page = split_pages(text(w.get("page")))
    rec.article_number = text(w.get("article-number"))
    rec.isbn = first(w.get("ISBN"))
    rec.abstract = jats_text(w.get("abstract"))
    rec.categories = [t for t in (text(x) for x in w.get("subject") or []) if t]
    rec.language = lang
    rec.times_cited = w.get("is-referenced-by-count") if isinstance(w.get("is-referenced-by-count"), int) else None
    rec.url = text(w.get("URL")) or text(((w.get("resource") or {}).get("primary") or {}).get("URL"))
    funders = [f for f in w.get("funder") or [] if isinstance(f, dict)]
    rec.funding = [line for f in funders if (line := funding_line(f.get("name"), f.get("award") or []))]
    licences = [lic for lic in w.get("license") or [] if isinstance(lic, dict)]
    vor = [lic for lic in licences if lic.get("content-version") == "vor"] or licences
    rec.raw = flat_raw({
        "type": kind,
        "license": [text(lic.get("URL")) for lic in vor],
        "license.content-version": [lic.get("content-version") for lic in vor],
        "funder.DOI": [doi_of(f.get("DOI")) or text(f.get("DOI")) for f in funders],
        "funder.ror": [i.get("id") for f in funders for i in f.get("id") or [] if isinstance(i, dict)],
        "ror": sorted({i.get("id") for a in w.get("author") or [] for af in a.get("affiliation") or []
                       for i in af.get("id") or [] if isinstance(i, dict) and i.get("id-type") == "ROR"}),
        "update-to": [f"{u.get('type')}:{u.get('DOI')}" for u in w.get("update-to") or [] if isinstance(u, dict)],
        "deposited": (w.get("deposited") or {}).get("date-time"),
        "member": w.get("member"),
        "prefix": w.get("prefix"),
    })
    return rec


def _authors(rec: Record, people: list) -> None:
    """Crossref's contributors in byline order: persons become authors (with ORCID iD and affiliations),
    organisations (``name`` only) corporate authors."""
    addresses: dict[str, int] = {}
    for a in people:
        if not isinstance(a, dict):
            continue
        family, given = text(a.get("family")), text(a.get("given"))
        if not family and not given:
            if name := text(a.get("name")):
                rec.corporate_authors.append(name)
            continue
        name = f"{family}, {given}" if family and given else (family or given)
        author = Author(position=len(rec.authors) + 1, name=name, full_name=name, orcid=orcid_of(a.get("ORCID")))
        for af in a.get("affiliation") or []:
            label = text(af.get("name")) if isinstance(af, dict) else None
            if not label:
                continue
            if label not in addresses:
                addresses[label] = len(rec.affiliations)
                rec.affiliations.append(Affiliation(text=label))
            author.affiliations.append(addresses[label])
        rec.authors.append(author)
