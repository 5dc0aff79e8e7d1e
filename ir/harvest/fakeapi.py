"""A FAKE of the outside scholarly APIs (Crossref REST, OpenAlex, ORCID public API v3.0), for tests and the demo.

This is not part of ir's pipeline: these machines cannot reach the real APIs, so the tests and ``ir demo``
start this small HTTP server on 127.0.0.1 and point the ``[harvest]`` base URLs at it. It serves a corpus of
works in each API's documented response shapes (Crossref's "Metadata API JSON Format" work and work-list
envelopes with ``next-cursor``; OpenAlex's Work object and ``meta.next_cursor``; ORCID v3.0 works groups,
work summaries and bulk works), with their filters (``ror-id``, ``query.affiliation``, ``from-update-date``,
``orcid``; ``authorships.institutions.ror``, ``author.orcid``, ``from_updated_date``, ``from_publication_date``),
cursors that can expire, 404s in each API's manner, and injected faults: a status (429 with Retry-After,
5xx), a delay (timeouts), a malformed body; ``held()`` keeps every request waiting while a test needs a
harvest in progress. Every request is logged for the tests to inspect.

    with serve(corpus) as api:          # api.url = "http://127.0.0.1:PORT"
        settings = api.settings(contact_email="x@y.org", ror=DEMO_ROR)
        api.inject("/crossref/works", Fault.status(429, retry_after=1))

``python -m ir.harvest.fakeapi`` serves the demo institution's corpus until interrupted.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

DEMO_ROR = "https://ror.org/00hhut000"  # the synthetic demo institution's (made-up) ROR id
NSFC = ("National Natural Science Foundation of China", "10.13039/501100001809")
MOST = ("Ministry of Science and Technology of the People's Republic of China", "10.13039/501100002855")


@dataclass
class FakeAuthor:
    given: str
    family: str
    orcid: str | None = None
    affiliation: str | None = None  # as the publisher deposited it
    ror: str | None = None
    institution: str | None = None  # the institution's display name (OpenAlex)
    country: str | None = None
    corresponding: bool = False

    @property
    def display(self) -> str:
        return f"{self.given} {self.family}".strip()


@dataclass
class FakeWork:
    """One work of the corpus; rendered in each API's shape by the functions below."""

    key: str  # stable: ids and put-codes derive from it
    title: str
    year: int
    doi: str | None = None
    month: int = 1
    type: str = "journal-article"  # Crossref's type id
    journal: str | None = None
    issn: str | None = None
    eissn: str | None = None
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    article_number: str | None = None
    conference: str | None = None
    authors: list[FakeAuthor] = field(default_factory=list)
    abstract: str | None = None
    funders: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (name, funder DOI, awards)
    license: str | None = None  # a licence URL
    oa_status: str = "closed"
    language: str = "en"
    keywords: list[str] = field(default_factory=list)
    cited_by: int = 0
    updated: str = "2024-01-15"  # when the metadata last changed (deposited / updated_date / last-modified)

    @property
    def openalex_id(self) -> str:
        return "W" + str(int(hashlib.sha1(self.key.encode()).hexdigest()[:10], 16))

    def put_code(self, orcid: str) -> int:
        return int(hashlib.sha1(f"{orcid}/{self.key}".encode()).hexdigest()[:7], 16)

    @property
    def updated_ms(self) -> int:
        return int(dt.datetime.fromisoformat(self.updated).replace(tzinfo=dt.timezone.utc).timestamp() * 1000)

    @property
    def date_parts(self) -> list[int]:
        return [self.year, self.month]


# ------------------------------------------------------------------------------ Crossref's shape

def _date(day: str) -> dict:
    d = dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc)
    return {"date-parts": [[d.year, d.month, d.day]], "date-time": d.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timestamp": int(d.timestamp() * 1000)}


def crossref_work(w: FakeWork) -> dict:
    prefix = w.doi.split("/", 1)[0] if w.doi else ""
    page = "-".join(p for p in (w.first_page, w.last_page) if p) or None
    out = {
        "indexed": _date(w.updated) | {"version": "3.40.4"},
        "reference-count": 30,
        "publisher": w.publisher or "",
        "license": ([{"start": {"date-parts": [w.date_parts + [1]], "date-time": f"{w.year}-{w.month:02d}-01T00:00:00Z",
                                "timestamp": 0}, "content-version": "vor", "delay-in-days": 0, "URL": w.license}]
                    if w.license else []),
        "funder": [{"DOI": fdoi, "name": name, "doi-asserted-by": "publisher", "award": awards,
                    "id": [{"id": fdoi, "id-type": "DOI", "asserted-by": "publisher"}]} for name, fdoi, awards in w.funders],
        "content-domain": {"domain": [], "crossmark-restriction": False},
        "short-container-title": [w.journal] if w.journal else [],
        "abstract": f"<jats:title>Abstract</jats:title><jats:p>{w.abstract}</jats:p>" if w.abstract else None,
        "DOI": w.doi.upper() if w.doi else None,
        "type": w.type,
        "created": _date(f"{w.year}-{w.month:02d}-01"),
        "page": page,
        "source": "Crossref",
        "is-referenced-by-count": w.cited_by,
        "title": [w.title],
        "prefix": prefix,
        "volume": w.volume,
        "author": [_crossref_author(a, n) for n, a in enumerate(w.authors)],
        "member": "78",
        "container-title": [w.journal] if w.journal else [],
        "original-title": [],
        "language": w.language,
        "link": [{"URL": f"https://example.org/fulltext/{w.key}", "content-type": "text/xml",
                  "content-version": "vor", "intended-application": "text-mining"}],
        "deposited": _date(w.updated),
        "score": 1,
        "resource": {"primary": {"URL": f"https://example.org/article/{w.key}"}},
        "subtitle": [],
        "short-title": [],
        "issued": {"date-parts": [w.date_parts]},
        "references-count": 30,
        "journal-issue": {"issue": w.issue, "published-print": {"date-parts": [w.date_parts]}} if w.issue else None,
        "alternative-id": [w.key],
        "URL": f"https://doi.org/{w.doi}" if w.doi else None,
        "relation": {},
        "ISSN": [i for i in (w.issn, w.eissn) if i],
        "issn-type": [{"value": v, "type": t} for v, t in ((w.issn, "print"), (w.eissn, "electronic")) if v],
        "subject": [],
        "published": {"date-parts": [w.date_parts]},
        "published-print": {"date-parts": [w.date_parts]},
        "article-number": w.article_number,
    }
    if w.type == "proceedings-article" and w.conference:
        out["event"] = {"name": w.conference, "location": "Qingdao, China"}
    return {k: v for k, v in out.items() if v is not None}


def _crossref_author(a: FakeAuthor, n: int) -> dict:
    out = {"given": a.given, "family": a.family, "sequence": "first" if n == 0 else "additional",
           "affiliation": [{"name": a.affiliation, **({"id": [{"id": a.ror, "id-type": "ROR", "asserted-by": "publisher"}]}
                                                        if a.ror else {})}] if a.affiliation else []}
    if a.orcid:
        out |= {"ORCID": f"https://orcid.org/{a.orcid}", "authenticated-orcid": False}
    return out


# ------------------------------------------------------------------------------ OpenAlex's shape

def _inverted(text: str | None) -> dict | None:
    if not text:
        return None
    out: dict[str, list[int]] = {}
    for n, word in enumerate(text.split()):
        out.setdefault(word, []).append(n)
    return out


def _institution(a: FakeAuthor) -> dict:
    iid = "I" + str(int(hashlib.sha1((a.institution or "").encode()).hexdigest()[:8], 16))
    return {"id": f"https://openalex.org/{iid}", "display_name": a.institution, "ror": a.ror,
            "country_code": a.country, "type": "education", "lineage": [f"https://openalex.org/{iid}"]}


def openalex_work(w: FakeWork) -> dict:
    source_id = "S" + str(int(hashlib.sha1((w.journal or "").encode()).hexdigest()[:8], 16))
    venue = {"id": f"https://openalex.org/{source_id}", "display_name": w.journal, "issn_l": w.issn,
             "issn": [i for i in (w.issn, w.eissn) if i] or None, "is_oa": w.oa_status == "gold", "is_in_doaj": False,
             "is_core": True, "host_organization": "https://openalex.org/P4310320990",
             "host_organization_name": w.publisher,
             "type": "conference" if w.type == "proceedings-article" else "journal"} if w.journal else None
    is_oa = w.oa_status != "closed"
    licence = _licence_id(w.license)
    primary = {"is_oa": is_oa, "landing_page_url": f"https://doi.org/{w.doi}" if w.doi else None, "pdf_url": None,
               "source": venue, "license": licence, "license_id": f"https://openalex.org/licenses/{licence}" if licence
               else None, "version": "publishedVersion", "is_accepted": True, "is_published": True}
    doi_url = f"https://doi.org/{w.doi}" if w.doi else None
    ours = [a for a in w.authors if a.institution]
    return {
        "id": f"https://openalex.org/{w.openalex_id}", "doi": doi_url, "title": w.title, "display_name": w.title,
        "publication_year": w.year, "publication_date": f"{w.year}-{w.month:02d}-01",
        "ids": {"openalex": f"https://openalex.org/{w.openalex_id}", **({"doi": doi_url} if doi_url else {})},
        "language": w.language, "primary_location": primary,
        "type": "article" if w.type in ("journal-article", "proceedings-article") else w.type,
        "type_crossref": w.type, "indexed_in": ["crossref"] if w.doi else [],
        "open_access": {"is_oa": is_oa, "oa_status": w.oa_status, "oa_url": doi_url if is_oa else None,
                        "any_repository_has_fulltext": False},
        "authorships": [{
            "author_position": "first" if n == 0 else "last" if n == len(w.authors) - 1 else "middle",
            "author": {"id": "https://openalex.org/A5" + hashlib.sha1(a.display.encode()).hexdigest()[:9].upper(),
                       "display_name": a.display, "orcid": f"https://orcid.org/{a.orcid}" if a.orcid else None},
            "institutions": [_institution(a)] if a.institution else [],
            "countries": [a.country] if a.country else [], "is_corresponding": a.corresponding,
            "raw_author_name": a.display, "raw_affiliation_strings": [a.affiliation] if a.affiliation else [],
            "affiliations": [{"raw_affiliation_string": a.affiliation,
                              "institution_ids": [_institution(a)["id"]] if a.institution else []}] if a.affiliation else [],
        } for n, a in enumerate(w.authors)],
        "institutions_distinct_count": len({a.institution for a in ours}),
        "countries_distinct_count": len({a.country for a in w.authors if a.country}),
        "corresponding_author_ids": [], "corresponding_institution_ids": [],
        "apc_list": None, "apc_paid": None, "fwci": 1.2, "has_fulltext": False, "cited_by_count": w.cited_by,
        "biblio": {"volume": w.volume, "issue": w.issue, "first_page": w.first_page or w.article_number,
                   "last_page": w.last_page},
        "is_retracted": False, "is_paratext": False, "primary_topic": None, "topics": [],
        "keywords": [{"id": f"https://openalex.org/keywords/{k.replace(' ', '-')}", "display_name": k, "score": 0.5}
                     for k in w.keywords],
        "concepts": [], "mesh": [], "locations_count": 1, "locations": [primary],
        "best_oa_location": primary if is_oa else None, "sustainable_development_goals": [],
        "grants": [{"funder": "https://openalex.org/F4320321001", "funder_display_name": name, "award_id": award}
                   for name, _fdoi, awards in w.funders for award in (awards or [None])],
        "datasets": [], "versions": [], "referenced_works_count": 0, "referenced_works": [], "related_works": [],
        "abstract_inverted_index": _inverted(w.abstract),
        "cited_by_api_url": f"https://api.openalex.org/works?filter=cites:{w.openalex_id}", "counts_by_year": [],
        "updated_date": f"{w.updated}T00:00:00.000000", "created_date": f"{w.year}-{w.month:02d}-01",
    }


def _licence_id(url: str | None) -> str | None:
    if not url:
        return None
    parts = url.rstrip("/").split("/")
    return f"cc-{parts[-2]}" if "creativecommons.org" in url and len(parts) >= 2 else "other-oa"


# ------------------------------------------------------------------------------ ORCID's shape

def _orcid_ref(orcid: str) -> dict:
    return {"uri": f"https://orcid.org/{orcid}", "path": orcid, "host": "orcid.org"}


def _ext_ids(w: FakeWork) -> dict:
    if not w.doi:
        return {"external-id": []}
    return {"external-id": [{"external-id-type": "doi", "external-id-value": w.doi,
                             "external-id-normalized": {"value": w.doi.lower(), "transient": True},
                             "external-id-normalized-error": None,
                             "external-id-url": {"value": f"https://doi.org/{w.doi}"},
                             "external-id-relationship": "self"}]}


def orcid_summary(orcid: str, w: FakeWork) -> dict:
    return {
        "put-code": w.put_code(orcid), "created-date": {"value": w.updated_ms}, "last-modified-date": {"value": w.updated_ms},
        "source": {"source-orcid": None,
                   "source-client-id": {"uri": "https://orcid.org/client/0000-0001-9884-1913",
                                        "path": "0000-0001-9884-1913", "host": "orcid.org"},
                   "source-name": {"value": "Crossref"}, "assertion-origin-orcid": None,
                   "assertion-origin-client-id": None, "assertion-origin-name": None},
        "title": {"title": {"value": w.title}, "subtitle": None, "translated-title": None},
        "external-ids": _ext_ids(w), "url": {"value": f"https://doi.org/{w.doi}"} if w.doi else None,
        "type": "conference-paper" if w.type == "proceedings-article" else "journal-article",
        "publication-date": {"year": {"value": str(w.year)}, "month": {"value": f"{w.month:02d}"}, "day": None},
        "journal-title": {"value": w.conference or w.journal} if (w.conference or w.journal) else None,
        "visibility": "public", "path": f"/{orcid}/work/{w.put_code(orcid)}", "display-index": "0",
    }


def orcid_work(orcid: str, w: FakeWork) -> dict:
    s = orcid_summary(orcid, w)
    s.pop("display-index")
    return s | {
        "short-description": None,
        "citation": {"citation-type": "bibtex", "citation-value": f"@article{{{w.key}, title={{{w.title}}}}}"},
        "contributors": {"contributor": [{
            "contributor-orcid": _orcid_ref(a.orcid) if a.orcid else None, "credit-name": {"value": a.display},
            "contributor-email": None,
            "contributor-attributes": {"contributor-sequence": "first" if n == 0 else "additional",
                                       "contributor-role": "author"}} for n, a in enumerate(w.authors)]},
        "language-code": w.language, "country": None,
    }


# ------------------------------------------------------------------------------ faults and the server

@dataclass
class Fault:
    kind: str  # status | delay | malformed
    status: int = 200
    retry_after: float | None = None
    seconds: float = 0.0

    @classmethod
    def of_status(cls, status: int, retry_after: float | None = None) -> Fault:
        return cls("status", status, retry_after)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        return cls("delay", seconds=seconds)

    @classmethod
    def malformed(cls) -> Fault:
        return cls("malformed")


@dataclass
class Request:
    at: float  # time.monotonic()
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    status: int = 0


class FakeApi:
    """The corpus, the cursors handed out, the faults waiting, the requests seen."""

    def __init__(self, works: list[FakeWork]):
        self.works = list(works)
        self.lock = threading.Lock()
        self.faults: list[tuple[str, Fault]] = []
        self.requests: list[Request] = []
        self.cursors: dict[str, int] = {}
        self.url = ""
        self.answering = threading.Event()  # cleared: requests wait unanswered (see held)
        self.answering.set()

    # ------------------------------------------------------------------ what tests do
    def inject(self, path_prefix: str, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend((path_prefix, f) for f in faults)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Requests arriving during the block wait unanswered until it ends: a harvest caught in the middle
        of its run for as long as a test needs (below the client's read timeout)."""
        self.answering.clear()
        try:
            yield
        finally:
            self.answering.set()

    def change(self, key: str, updated: str | None = None, **values) -> FakeWork:
        """A record that changed since the last harvest: new values, a new update date (today by default)."""
        with self.lock:
            w = next(x for x in self.works if x.key == key)
            i = self.works.index(w)
            self.works[i] = dataclasses.replace(w, **values, updated=updated or dt.date.today().isoformat())
            return self.works[i]

    def expire_cursors(self) -> None:
        with self.lock:
            self.cursors.clear()

    def seen(self, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    def settings(self, **values):
        """``[harvest]`` pointing at this server, with ``values`` on top (checked as the settings file is)."""
        from ir.harvest.settings import HarvestSettings
        from ir.settings import replace_section

        return replace_section(HarvestSettings(), "harvest", {
            "crossref_url": f"{self.url}/crossref", "openalex_url": f"{self.url}/openalex",
            "orcid_url": f"{self.url}/orcid", **values}, source="the fake APIs' settings")

    # ------------------------------------------------------------------ serving
    def fault_for(self, path: str) -> Fault | None:
        with self.lock:
            for n, (prefix, f) in enumerate(self.faults):
                if path.startswith(prefix):
                    del self.faults[n]
                    return f
        return None

    def page(self, selected: list[FakeWork], cursor: str | None, rows: int, signature: str):
        """(the page's works, the next cursor); cursor '*' starts, unknown cursors raise KeyError."""
        with self.lock:
            offset = 0 if cursor in (None, "*") else self.cursors[cursor]
            end = offset + rows
            token = base64.urlsafe_b64encode(hashlib.sha1(f"{signature}:{end}:{time.time_ns()}".encode()).digest()
                                             ).decode().rstrip("=")
            self.cursors[token] = end
        return selected[offset:end], token


def _filters(value: str) -> dict[str, str]:
    out = {}
    for part in value.split(","):
        if ":" in part:
            k, v = part.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def _ror_match(a: FakeAuthor, value: str) -> bool:
    return bool(a.ror) and a.ror.rsplit("/", 1)[-1].lower() == value.rsplit("/", 1)[-1].lower()


class _Handler(BaseHTTPRequestHandler):
    api: FakeApi
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        req = Request(time.monotonic(), path, params, dict(self.headers.items()))
        with self.api.lock:
            self.api.requests.append(req)
        self.api.answering.wait()
        fault = self.api.fault_for(path)
        if fault and fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault and fault.kind == "status":
            headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after is not None else {}
            return self._send(req, fault.status, {"status": "error", "message": "fake fault"}, headers)
        try:
            status, body = self.route(path, params)
        except KeyError as exc:
            status, body = 400, {"status": "failed", "message-type": "validation-failure",
                                 "message": [{"type": "cursor-invalid", "value": str(exc), "message": "Unknown cursor"}]}
        if fault and fault.kind == "malformed":
            text = json.dumps(body)
            return self._send(req, status, text[: max(1, len(text) // 2)])
        self._send(req, status, body)

    def _send(self, req: Request, status: int, body, headers: dict | None = None) -> None:
        data = (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).encode("utf-8")
        req.status = status
        try:
            self.send_response(status)
            ctype = "text/plain" if isinstance(body, str) and status == 404 else "application/json;charset=UTF-8"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout): fine
            pass

    # ------------------------------------------------------------------ routes
    def route(self, path: str, params: dict) -> tuple[int, object]:
        api = self.api
        if path == "/crossref/works":
            return 200, self.crossref_list(params)
        if path.startswith("/crossref/works/"):
            doi = path[len("/crossref/works/"):].lower()
            w = next((x for x in api.works if x.doi and x.doi.lower() == doi), None)
            if w is None:
                return 404, "Resource not found."
            return 200, {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": crossref_work(w)}
        if path == "/openalex/works":
            return 200, self.openalex_list(params)
        if path.startswith("/openalex/works/"):
            ident = path[len("/openalex/works/"):]
            doi = ident.split("doi.org/", 1)[1] if "doi.org/" in ident else ident[4:] if ident.startswith("doi:") else None
            w = next((x for x in api.works if (doi and x.doi and x.doi.lower() == doi.lower())
                      or x.openalex_id == ident), None)
            if w is None:
                return 404, {"error": "404 Not Found", "message": f"The requested URL {path} was not found."}
            return 200, openalex_work(w)
        if path.startswith("/orcid/"):
            return self.orcid(path[len("/orcid/"):].strip("/").split("/"))
        return 404, {"error": "not found", "path": path}

    def crossref_list(self, params: dict) -> dict:
        f = _filters(params.get("filter", ""))
        since = f.get("from-update-date")
        words = params.get("query.affiliation", "").lower().split()
        selected = [w for w in self.api.works if w.doi
                    and ("ror-id" not in f or any(_ror_match(a, f["ror-id"]) for a in w.authors))
                    and ("orcid" not in f or any(a.orcid == f["orcid"].rsplit("/", 1)[-1] for a in w.authors))
                    and (not words or any(all(x in (a.affiliation or "").lower() for x in words) for a in w.authors))
                    and (not since or w.updated >= since)]
        items, nxt = self.api.page(selected, params.get("cursor"), int(params.get("rows", 20)), "crossref" + str(f))
        return {"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                "message": {"facets": {}, "next-cursor": nxt, "total-results": len(selected),
                            "items": [crossref_work(w) for w in items], "items-per-page": int(params.get("rows", 20)),
                            "query": {"start-index": 0, "search-terms": None}}}

    def openalex_list(self, params: dict) -> dict:
        f = _filters(params.get("filter", ""))
        ror = f.get("authorships.institutions.ror") or f.get("institutions.ror")
        orcid = (f.get("author.orcid") or "").rsplit("/", 1)[-1]
        since, published = f.get("from_updated_date"), f.get("from_publication_date")
        selected = [w for w in self.api.works
                    if (not ror or any(_ror_match(a, ror) for a in w.authors))
                    and (not orcid or any(a.orcid == orcid for a in w.authors))
                    and (not since or w.updated >= since)
                    and (not published or f"{w.year}-{w.month:02d}-01" >= published)]
        per_page = int(params.get("per-page", 25))
        items, nxt = self.api.page(selected, params.get("cursor"), per_page, "openalex" + str(f))
        return {"meta": {"count": len(selected), "db_response_time_ms": 12, "page": None, "per_page": per_page,
                         "next_cursor": nxt if items and len(items) == per_page else None, "groups_count": None},
                "results": [openalex_work(w) for w in items], "group_by": []}

    def orcid(self, parts: list[str]) -> tuple[int, object]:
        orcid = parts[0]
        mine = [w for w in self.api.works if any(a.orcid == orcid for a in w.authors)]
        if len(parts) == 2 and parts[1] == "works":
            groups = [{"last-modified-date": {"value": w.updated_ms}, "external-ids": _ext_ids(w),
                       "work-summary": [orcid_summary(orcid, w)]} for w in mine]
            return 200, {"last-modified-date": {"value": max((w.updated_ms for w in mine), default=0)},
                         "group": groups, "path": f"/{orcid}/works"}
        if len(parts) == 3 and parts[1] == "works":
            by_code = {w.put_code(orcid): w for w in mine}
            bulk = []
            for code in parts[2].split(","):
                w = by_code.get(int(code)) if code.isdigit() else None
                bulk.append({"work": orcid_work(orcid, w)} if w else {"error": {
                    "response-code": 404, "developer-message": f"404 Not Found: no work with put-code {code}",
                    "user-message": "The resource was not found.", "error-code": 9016,
                    "more-info": "https://members.orcid.org/api/resources/troubleshooting"}})
            return 200, {"bulk": bulk}
        return 404, {"response-code": 404, "developer-message": f"404 Not Found: /{'/'.join(parts)}",
                     "user-message": "The resource was not found.", "error-code": 9016}


@contextlib.contextmanager
def serve(works: list[FakeWork], host: str = "127.0.0.1", port: int = 0) -> Iterator[FakeApi]:
    """Serve the fake APIs on a free port of 127.0.0.1 (in a thread) for the duration of the block."""
    api = FakeApi(works)
    handler = type("Handler", (_Handler,), {"api": api})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    api.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-scholarly-apis", daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------------------ the demo institution's corpus

def demo_corpus(works: int = 300, people: int = 200, seed: int = 7, extra: int = 12) -> list[FakeWork]:
    """What the APIs would know of the synthetic demo institution (``ir demo``): its works with a DOI as
    the demo generator wrote them (the exports hold most of them), and ``extra`` works no export has."""
    from ir.demo.institution import generate_people
    from ir.demo.journals import generate_journals
    from ir.demo.works import generate_works

    pp, jj = generate_people(people, seed), generate_journals(seed)
    out = []
    for w in generate_works(works + extra, pp, jj, seed):
        if not w.ours or not w.doi or w.lang != "en":
            continue
        out.append(_from_demo(w))
    return out


def _from_demo(w) -> FakeWork:
    authors = []
    for a in w.authors:
        aff = a.affils[0] if a.affils else None
        if aff is not None and aff.kind == "ours" and aff.org is not None:
            place = ("Huanghai University of Technology", DEMO_ROR, "CN")
            label = f"{aff.org.name_en}, Huanghai University of Technology, Qingdao 266042, China"
            if aff.org.kind == "university":
                label = "Huanghai University of Technology, Qingdao 266042, China"
        elif aff is not None and aff.inst is not None:
            place = (aff.inst.name_en, None, "CN" if aff.inst.country_en == "China" else None)
            label = f"{aff.inst.name_en}, {aff.inst.city}, {aff.inst.country_en}"
        else:
            place, label = (None, None, None), None
        orcid = a.orcid or (a.person.orcid if a.person is not None else None)
        authors.append(FakeAuthor(given=a.name.given_en, family=a.name.family_en, orcid=orcid, affiliation=label,
                                  ror=place[1], institution=place[0], country=place[2], corresponding=a.corresponding))
    j = w.journal
    n = w.idx
    return FakeWork(
        key=w.key, title=w.title_en, year=w.year, doi=w.doi, month=w.month,
        type="proceedings-article" if w.conference else "journal-article",
        journal=j.title_en if j else (w.conference.proceedings if w.conference else None),
        issn=j.issn if j else None, eissn=j.eissn if j and j.eissn else None,
        publisher=j.publisher[0] if j else None, volume=w.volume or None, issue=w.issue or None,
        first_page=w.first_page or None, last_page=w.last_page or None, article_number=w.article_no or None,
        conference=w.conference.name if w.conference else None, authors=authors, abstract=w.abstract_en or None,
        funders=[(NSFC[0], NSFC[1], [f"2{n % 9}{(n * 7919) % 1000000:06d}"])] + ([(MOST[0], MOST[1], [f"2021YFB{n % 10000:04d}"])]
                                                                             if n % 3 == 0 else []),
        license="https://creativecommons.org/licenses/by/4.0/" if n % 3 == 0 else None,
        oa_status="gold" if n % 3 == 0 else ("green" if n % 5 == 0 else "closed"),
        keywords=[en for en, _zh in w.keywords[:4]], cited_by=(n * 37) % 90,
        updated=f"{w.year + (1 if w.month > 10 else 0)}-{(w.month % 12) + 1:02d}-15",
    )


def main() -> None:  # pragma: no cover - a manual tool
    import argparse

    ap = argparse.ArgumentParser(description="Serve a FAKE of Crossref, OpenAlex and ORCID on 127.0.0.1.")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--works", type=int, default=300)
    ap.add_argument("--people", type=int, default=200)
    args = ap.parse_args()
    with serve(demo_corpus(args.works, args.people), port=args.port) as api:
        print(f"fake APIs at {api.url}: /crossref, /openalex, /orcid (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":  # pragma: no cover
    main()
