"""Harvest runs: list queries page by page, ORCID records person by person, look-ups by DOI.

Every query keeps its state in ``harvest_cursors``:

- ``since``: the day the last complete pass began. The next pass asks only for what changed from then
  (less ``overlap_days``): Crossref ``from-update-date``; OpenAlex ``from_updated_date`` with a premium key,
  else the works published from ``republish_days`` before (unchanged ones are recognised by their content
  and not written); ORCID the groups modified after the last one seen.
- ``cursor``: a pass in progress. It is saved with every page stored, so a run that stops (its
  ``max_records`` bound, a failure, a crash) is taken up by the next run at the next page. A cursor the API
  no longer accepts (Crossref's expire after minutes) restarts the pass with the same lower bound.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ir.harvest import crossref, openalex, orcid
from ir.harvest.client import ApiError, BadPayload, Client, HarvestError, Response
from ir.harvest.common import MappingError, guarded
from ir.harvest.settings import HarvestSettings
from ir.harvest.storage import Counts, Cursor
from ir.harvest import storage
from ir.model import Problem, Record
from ir.store import Store

MODULES = {"crossref": crossref, "openalex": openalex, "orcid": orcid}
STALE_CURSOR = (400, 404, 410, 422)  # what an API answers to a cursor it no longer knows


@dataclass(frozen=True)
class Query:
    """What one source is asked for: an institution (``ror``, ``affiliation``) or a person (``orcid``)."""

    source: str
    kind: str
    value: str
    label: str = ""  # the person's id in people.csv, for per-person queries

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "value": self.value, **({"person_id": self.label} if self.label else {})}


@dataclass
class QueryResult:
    source: str
    query: str
    label: str = ""
    status: str = "complete"  # complete | partial (bounded: goes on next run) | failed
    counts: Counts = field(default_factory=Counts)
    pages: int = 0
    requests: int = 0
    error: str | None = None
    gains: dict[str, int] = field(default_factory=dict)  # enrichment: works that gained each field

    def row(self) -> dict:
        return {"source": self.source, "query": self.query, **({"person": self.label} if self.label else {}),
                "status": self.status, **self.counts.as_dict(), "pages": self.pages,
                **({"gains": dict(self.gains)} if self.gains else {}), **({"error": self.error} if self.error else {})}


@dataclass
class HarvestReport:
    """What a run did, per query: fetched, new, updated, unchanged, skipped, failed."""

    run_id: int
    kind: str
    results: list[QueryResult] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def totals(self) -> Counts:
        total = Counts()
        for r in self.results:
            total.add(r.counts)
        return total

    @property
    def status(self) -> str:
        states = {r.status for r in self.results}
        return "failed" if states == {"failed"} else "partial" if states - {"complete"} else "complete"

    @property
    def changed(self) -> int:
        t = self.totals
        return t.new + t.updated

    def as_table(self) -> list[dict]:
        rows = []
        for r in self.results:
            row = r.row()
            row.pop("gains", None)
            if r.gains:
                row["gains"] = ", ".join(f"{k} {v}" for k, v in sorted(r.gains.items()))
            rows.append(row)
        return rows

    def by_source(self) -> list[dict]:
        """One row per source: its queries' figures added up (and what enrichment gained)."""
        rows: dict[str, dict] = {}
        for r in self.results:
            row = rows.setdefault(r.source, {"source": r.source, "queries": 0, **Counts().as_dict()})
            row["queries"] += 1
            for k, v in r.counts.as_dict().items():
                row[k] += v
            for k, v in r.gains.items():
                row[k] = row.get(k, 0) + v
        return list(rows.values())

    def attention(self) -> list[str]:
        notes = list(self.notes)
        notes += [f"{r.source} {r.query}: {r.error}" for r in self.results if r.status == "failed"]
        partial = [r for r in self.results if r.status == "partial"]
        if partial:
            notes.append(f"{len(partial)} query(ies) stopped at max_records; the next run goes on from their cursor")
        failed = sum(r.counts.failed for r in self.results)
        if failed:
            notes.append(f"{failed} item(s) or page(s) failed: see `ir quarantine` and `ir harvest status`")
        return notes

    def as_json(self) -> dict:
        return {"run": self.run_id, "kind": self.kind, "status": self.status, "seconds": round(self.seconds, 2),
                "totals": self.totals.as_dict(), "by_source": self.by_source(),
                "queries": [r.row() for r in self.results],
                "attention": self.attention()}


class Harvester:
    """One run: the store, the settings, one polite client per API."""

    def __init__(self, store: Store, settings: HarvestSettings, kind: str = "harvest"):
        self.store, self.settings, self.kind = store, settings, kind
        self._clients: dict[str, Client] = {}
        self.run_id = 0
        self.report: HarvestReport | None = None
        self._t0 = 0.0

    def __enter__(self) -> Harvester:
        self.run_id = storage.start_run(self.store, self.kind)
        self.report = HarvestReport(self.run_id, self.kind)
        if not self.settings.contact_email:
            self.report.notes.append("[harvest] contact_email is not set: the APIs ask for a contact address "
                                     "(their polite pools serve such requests first)")
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        rep = self.report
        rep.seconds = time.perf_counter() - self._t0
        status = "failed" if exc_type else (rep.status if rep.results else "complete")
        storage.finish_run(self.store, self.run_id, status, rep.totals, [r.row() for r in rep.results])
        for c in self._clients.values():
            c.close()

    # -------------------------------------------------------------------------------- clients
    def client(self, source: str) -> Client:
        if source not in self._clients:
            s = self.settings
            if source == "crossref":
                c = Client(s.crossref_url, s, params={"mailto": s.contact_email})
            elif source == "openalex":
                c = Client(s.openalex_url, s, params={"mailto": s.contact_email, "api_key": s.openalex_api_key})
            else:
                c = Client(s.orcid_url, s, headers={"Accept": "application/vnd.orcid+json", **(
                    {"Authorization": f"Bearer {s.orcid_token}"} if s.orcid_token else {})})
            self._clients[source] = c
        return self._clients[source]

    def since_field(self, source: str) -> str:
        return "publication" if source == "openalex" and not self.settings.openalex_api_key else "updated"

    def pass_since(self, source: str, since: str | None) -> str | None:
        """The lower bound of a new pass, from the day the last complete one began."""
        if not since:
            return None
        days = self.settings.republish_days if self.since_field(source) == "publication" else self.settings.overlap_days
        return (dt.date.fromisoformat(since[:10]) - dt.timedelta(days=days)).isoformat()

    # -------------------------------------------------------------------------------- queries
    def run(self, queries: Iterable[Query]) -> HarvestReport:
        for q in queries:
            fn = self.person_works if q.source == "orcid" else self.list_query
            res = QueryResult(q.source, q.key, q.label)
            before = self.client(q.source).requests
            try:
                fn(q, res)
            except HarvestError as exc:
                res.status, res.error = "failed", str(exc)
                res.counts.failed += 1
            res.requests = self.client(q.source).requests - before
            self.report.results.append(res)
        return self.report

    def list_query(self, q: Query, res: QueryResult) -> None:
        mod, s = MODULES[q.source], self.settings
        c = storage.load_cursor(self.store, q.source, q.key, q.as_dict())
        resumed = c.cursor is not None
        if not resumed:
            self._new_pass(c, mod.FIRST_CURSOR)
        batch = storage.open_batch(self.store, self.run_id, q.source, q.key, mod.FORMAT)
        extra = {"since_field": self.since_field(q.source)} if q.source == "openalex" else {}
        while True:
            if res.counts.fetched >= s.max_records:
                res.status = "partial"
                return
            path, params = mod.list_request(q.kind, q.value, c.pass_since, c.cursor, s.rows, **extra)
            try:
                resp, page = self.fetch(q.source, path, params, parse=mod.parse_list)
            except ApiError as exc:
                if resumed and res.pages == 0 and exc.status in STALE_CURSOR:
                    resumed = False  # the API forgot the cursor: the same pass again from its first page
                    c.cursor = mod.FIRST_CURSOR
                    continue
                raise
            except BadPayload as exc:
                self._quarantine_page(batch, mod.FORMAT, q, exc, res)
                return
            if page.next_cursor is not None and page.next_cursor == c.cursor:
                raise ApiError(f"{q.source} returned the cursor it was given: stopping", resp.url)
            c.pass_fetched += len(page.items)
            done = page.next_cursor is None
            if done:
                c.since, c.cursor, c.pass_since, c.pass_started, c.pass_fetched = c.pass_started, None, None, None, 0
            else:
                c.cursor = page.next_cursor
            res.counts.add(storage.write_items(self.store, batch, mod.FORMAT, page.items, cursor=c,
                                               run_id=self.run_id, completed=done, size=len(resp.content)))
            res.pages += 1
            if done:
                return

    def _new_pass(self, c: Cursor, first_cursor: str) -> None:
        c.pass_since = self.pass_since(c.source, c.since)
        c.pass_started = dt.datetime.now(dt.timezone.utc).date().isoformat()
        c.pass_fetched, c.cursor = 0, first_cursor

    def person_works(self, q: Query, res: QueryResult) -> None:
        """One ORCID record: the summaries, then the full works of the groups changed since last time."""
        c = storage.load_cursor(self.store, q.source, q.key, q.as_dict())
        resp, (summaries, _) = self.fetch("orcid", *orcid.works_request(q.value), parse=orcid.parse_summaries)
        res.pages += 1
        since = int(c.since) if c.since and c.since.isdigit() else None
        changed = [x for x in summaries if since is None or x.last_modified is None or x.last_modified > since]
        res.counts.skipped += len(summaries) - len(changed)
        if len(changed) > self.settings.max_records:  # the rest next run: `since` stays where it was
            changed, res.status = changed[: self.settings.max_records], "partial"
        batch = storage.open_batch(self.store, self.run_id, q.source, q.key, orcid.FORMAT)
        for start in range(0, len(changed), orcid.BULK):
            chunk = changed[start:start + orcid.BULK]
            try:
                bulk, items = self.fetch("orcid", *orcid.bulk_request(q.value, [x.put_code for x in chunk]),
                                         parse=orcid.parse_bulk)
                size = len(bulk.content)
            except (ApiError, BadPayload):  # the summaries are works too, if thinner: keep them
                items, size = _guard_summaries(chunk), 0
                res.counts.failed += 1
            res.pages += 1
            res.counts.add(storage.write_items(self.store, batch, orcid.FORMAT, items, size=size))
        seen = [x.last_modified for x in summaries if x.last_modified]
        if res.status == "complete" and seen:
            c.since = str(max(seen + ([since] if since else [])))
        storage.save_cursor(self.store, c, self.run_id, completed=res.status == "complete")

    def fetch(self, source: str, path: str, params: dict | None = None, *,
              parse: Callable[[object], object]) -> tuple[Response, object]:
        """GET and parse; a body that is not the JSON promised is asked for again (``page_attempts``)."""
        s, last = self.settings, None
        for attempt in range(1, s.page_attempts + 1):
            try:
                resp = self.client(source).get(path, params)
                return resp, parse(resp.data)
            except BadPayload as exc:  # the body was cut short, or is not JSON
                last = exc
            except MappingError as exc:  # JSON, but not the shape the API documents
                last = BadPayload(f"{exc} at {resp.url}", resp.url, 200, resp.text[:100_000])
            if attempt < s.page_attempts:
                time.sleep(min(s.backoff_factor * 2 ** (attempt - 1), s.backoff_max))
        raise last

    def _quarantine_page(self, batch, fmt: str, q: Query, exc: BadPayload, res: QueryResult) -> None:
        """A page that stays unreadable: its body goes to quarantine, the query stops (its cursor stays)."""
        problem = Problem(reason=f"{q.source} {q.key}: page unreadable after {self.settings.page_attempts} "
                                 f"attempt(s): {exc}", field="page", raw=exc.body)
        res.counts.add(storage.write_items(self.store, batch, fmt, [problem]))
        res.counts.fetched -= 1  # a page, not an item
        res.status, res.error = "failed", str(exc)


def _guard_summaries(chunk) -> list[Record | Problem]:
    return guarded(orcid.SOURCE, [x.item for x in chunk], orcid.to_record)


def plan(settings: HarvestSettings, people: list[tuple[str, str]] = (), sources: Iterable[str] | None = None,
         institution: bool = True) -> list[Query]:
    """The queries of a run: the institution's (ROR id, affiliation text), then every person's (ORCID iD)."""
    sources = [s for s in (sources or settings.sources)]
    out: list[Query] = []
    ror = settings.ror_url
    if institution:
        if "crossref" in sources:
            if ror:
                out.append(Query("crossref", "ror", ror))
            if settings.affiliation_query:
                out.append(Query("crossref", "affiliation", settings.affiliation_query))
        if "openalex" in sources and ror:
            out.append(Query("openalex", "ror", ror))
    for person_id, orcid_id in people:
        for src in settings.per_person:
            if src in sources:
                out.append(Query(src, "orcid", orcid_id, person_id))
    return out
