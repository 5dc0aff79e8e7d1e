"""OpenAlex (api.openalex.org): works of an institution (by ROR id), of an author (by ORCID iD), by DOI.

A work is the body of ``GET /works/https://doi.org/{doi}`` or an item of ``GET /works?filter=...&cursor=*``
(``results``, ``meta.next_cursor``), in the shape of OpenAlex's documented Work object. :func:`to_record`
maps one to a :class:`~ir.model.Record` with source ``openalex`` and the OpenAlex id (``W...``) as its id.
Open-access status and licence, which the canonical record has no field for, are kept in ``raw``
(``oa_status``, ``is_oa``, ``oa_url``, ``license``). Everything here is pure.
"""

from __future__ import annotations

from ir.formats._util import doc_type as normalize_doc_type
from ir.formats._util import language as normalize_language
from ir.formats._util import text_lang
from ir.harvest.common import (
    MappingError, Page, doi_of, flat_raw, funding_line, guarded, inverted_index_text, orcid_of, text,
)
from ir.model import Affiliation, Author, Journal, Problem, Record, Title

SOURCE = "openalex"
FORMAT = "openalex-api"
FIRST_CURSOR = "*"

TYPES = {  # OpenAlex work types -> ir's document types ("article" is refined by its location below)
    "article": "article", "review": "review", "book-chapter": "book chapter", "book": "book",
    "dissertation": "thesis", "preprint": "preprint", "erratum": "correction", "retraction": "retraction",
    "letter": "letter", "editorial": "editorial", "paratext": "paratext", "dataset": "dataset",
    "report": "report", "standard": "standard", "peer-review": "review report", "other": "other",
}


def list_request(kind: str, value: str, since: str | None, cursor: str, rows: int,
                 since_field: str = "updated") -> tuple[str, dict]:
    """``GET /works``: ``ror`` (authorships.institutions.ror) or ``orcid`` (author.orcid). ``since`` adds
    ``from_updated_date`` (a premium key's filter) or, with ``since_field="publication"``,
    ``from_publication_date``."""
    field = {"ror": "authorships.institutions.ror", "orcid": "author.orcid"}.get(kind)
    if field is None:
        raise ValueError(f"openalex cannot list works by {kind!r}")
    filters = [f"{field}:{value}"]
    if since:
        filters.append(f"from_{'updated' if since_field == 'updated' else 'publication'}_date:{since}")
    return "works", {"filter": ",".join(filters), "per-page": min(rows, 200), "cursor": cursor}


def doi_request(doi: str) -> tuple[str, dict]:
    return f"works/https://doi.org/{doi}", {}


def parse_list(data) -> Page:
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise MappingError("not an OpenAlex list response (no results array)", "results")
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    results = data["results"]
    return Page(guarded(SOURCE, results, to_record), meta.get("next_cursor") if results else None, meta.get("count"))


def parse_single(data) -> Record | Problem:
    if not isinstance(data, dict) or "id" not in data:
        raise MappingError("not an OpenAlex work (no id)", "id")
    return guarded(SOURCE, [data], to_record)[0]


def short_id(value: str | None) -> str | None:
    """'https://openalex.org/W2741809807' -> 'W2741809807'."""
    value = text(value)
    return value.rsplit("/", 1)[-1] if value else None


def to_record(w: dict) -> Record:
    wid = short_id(w.get("id"))
    if not wid:
        raise MappingError("work without an id", "id")
    title = text(w.get("title") or w.get("display_name"))
    lang = normalize_language(w.get("language"))
    rec = Record(source=SOURCE, source_id=wid, titles=[Title(title, lang or text_lang(title))] if title else [])
    rec.doi = doi_of(w.get("doi"))
    ids = w.get("ids") if isinstance(w.get("ids"), dict) else {}
    pmid = text(ids.get("pmid"))
    rec.pmid = pmid.rstrip("/").rsplit("/", 1)[-1] if pmid else None
    primary = w.get("primary_location") if isinstance(w.get("primary_location"), dict) else {}
    venue = primary.get("source") if isinstance(primary.get("source"), dict) else {}
    kind = w.get("type")
    rec.doc_type_raw = kind
    rec.doc_type = TYPES.get(kind) or normalize_doc_type(kind)
    if kind == "article" and (venue.get("type") == "conference" or w.get("type_crossref") == "proceedings-article"):
        rec.doc_type = "proceedings paper"
    _authors(rec, w.get("authorships") or [])
    issns = [text(x) for x in venue.get("issn") or [] if text(x)]
    rec.journal = Journal(title=text(venue.get("display_name")), issn=issns[0] if issns else text(venue.get("issn_l")),
                          eissn=issns[1] if len(issns) > 1 else None,
                          publisher=text(venue.get("host_organization_name")))
    rec.year = w.get("publication_year") if isinstance(w.get("publication_year"), int) else None
    rec.pub_date = text(w.get("publication_date"))
    biblio = w.get("biblio") if isinstance(w.get("biblio"), dict) else {}
    rec.volume, rec.issue = text(biblio.get("volume")), text(biblio.get("issue"))
    rec.first_page, rec.last_page = text(biblio.get("first_page")), text(biblio.get("last_page"))
    rec.abstract = inverted_index_text(w.get("abstract_inverted_index"))
    rec.keywords = [k for k in (text(x.get("display_name") or x.get("keyword")) for x in w.get("keywords") or []
                                if isinstance(x, dict)) if k]
    rec.index_keywords = [t for t in (text(x.get("display_name")) for x in w.get("topics") or []
                                      if isinstance(x, dict)) if t]
    rec.language = lang
    rec.times_cited = w.get("cited_by_count") if isinstance(w.get("cited_by_count"), int) else None
    rec.url = text(primary.get("landing_page_url"))
    rec.funding = _funding(w)
    oa = w.get("open_access") if isinstance(w.get("open_access"), dict) else {}
    best = w.get("best_oa_location") if isinstance(w.get("best_oa_location"), dict) else {}
    rec.raw = flat_raw({
        "type": kind, "type_crossref": w.get("type_crossref"),
        "oa_status": oa.get("oa_status"), "is_oa": oa.get("is_oa"), "oa_url": oa.get("oa_url"),
        "license": primary.get("license") or best.get("license") or w.get("license"),
        "version": primary.get("version"),
        "ror": sorted({i.get("ror") for a in w.get("authorships") or [] for i in a.get("institutions") or []
                       if isinstance(i, dict) and i.get("ror")}),
        "is_retracted": w.get("is_retracted") or None,
        "mag": ids.get("mag"), "pmcid": ids.get("pmcid"),
    })
    return rec


def _funding(w: dict) -> list[str]:
    """``grants`` (funder_display_name, award_id), one line per funder with its award numbers."""
    awards: dict[str, list[str]] = {}
    for g in w.get("grants") or []:
        if isinstance(g, dict) and (name := text(g.get("funder_display_name"))):
            awards.setdefault(name, [])
            if award := text(g.get("award_id")):
                awards[name].append(award)
    return [line for name, ids in awards.items() if (line := funding_line(name, ids))]


def _authors(rec: Record, authorships: list) -> None:
    addresses: dict[str, int] = {}
    for a in authorships:
        if not isinstance(a, dict):
            continue
        person = a.get("author") if isinstance(a.get("author"), dict) else {}
        name = text(a.get("raw_author_name")) or text(person.get("display_name"))
        if not name:
            continue
        author = Author(position=len(rec.authors) + 1, name=name, full_name=text(person.get("display_name")),
                        orcid=orcid_of(person.get("orcid")), corresponding=a.get("is_corresponding") is True)
        institutions = [i for i in a.get("institutions") or [] if isinstance(i, dict)]
        raw = [t for t in (text(x) for x in a.get("raw_affiliation_strings") or []) if t]
        if not raw and text(a.get("raw_affiliation_string")):
            raw = [t.strip() for t in a["raw_affiliation_string"].split(";") if t.strip()]
        labels = raw or [t for t in (text(i.get("display_name")) for i in institutions) if t]
        for label in labels:
            if label not in addresses:
                addresses[label] = len(rec.affiliations)
                inst = institutions[0] if len(institutions) == 1 else {}
                rec.affiliations.append(Affiliation(text=label, organization=text(inst.get("display_name")),
                                                    country=text(inst.get("country_code"))))
            author.affiliations.append(addresses[label])
        rec.authors.append(author)
