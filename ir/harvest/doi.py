"""Enrichment by DOI: ask Crossref and OpenAlex about works that lack what they know.

A work with a DOI that has no member record from an enrichment source yet is looked up there by DOI. The
answer is stored as an ordinary source record (``crossref:10.x/y``, ``openalex:W...``); consolidation
joins it to the work by its DOI, so every field it brings carries its provenance like any other member's:
the abstract (when no export had one), the authors' ORCID iDs (attribution reads them), funders and grant
numbers (``funding``), open-access status and licence (``raw``: ``oa_status``, ``license``). The report
counts, per source, the works that gained each of these. A DOI that no API knows is asked again only after
``retry_not_found_days``.
"""

from __future__ import annotations

import sqlalchemy as sa

from ir.harvest import storage
from ir.harvest.client import ApiError, BadPayload, NotFound
from ir.harvest.run import MODULES, Harvester, QueryResult
from ir.model import Record
from ir.normalize import normalize_doi
from ir.store import Store
from ir.store.tables.works import work_members, works

GAINS = ("abstract", "orcid", "funding", "oa_status", "license")


def works_lacking(store: Store, source: str, limit: int, not_found_days: int) -> list[tuple[str, str, dict]]:
    """(work_id, doi, work document) of active works with a DOI and no member from ``source``, not looked up
    there recently; at most ``limit``, oldest works first."""
    has = sa.select(work_members.c.work_id).where(work_members.c.source == source)
    q = (sa.select(works.c.work_id, works.c.doi).where(works.c.status == "active", works.c.doi.isnot(None),
                                                       works.c.work_id.not_in(has))
         .order_by(works.c.created_at, works.c.work_id))
    with store.connect() as conn:
        rows = [(w, normalize_doi(d)) for w, d in conn.execute(q) if normalize_doi(d)]
    done = storage.recent_lookups(store, source, [d for _, d in rows], not_found_days)
    picked = [(w, d) for w, d in rows if d not in done][:limit]
    if not picked:
        return []
    with store.connect() as conn:
        docs = dict(conn.execute(sa.select(works.c.work_id, works.c.data)
                                 .where(works.c.work_id.in_([w for w, _ in picked]))).all())
    return [(w, d, docs.get(w) or {}) for w, d in picked]


def gains(doc: dict, rec: Record) -> list[str]:
    """What a looked-up record brings that the work lacks."""
    out = []
    if rec.abstract and not doc.get("abstract"):
        out.append("abstract")
    if any(a.orcid for a in rec.authors):
        out.append("orcid")
    if rec.funding:
        out.append("funding")
    out += [k for k in ("oa_status", "license") if rec.raw.get(k)]
    return out


def lookup(h: Harvester, source: str, wanted: list[tuple[str, str, dict]], label: str = "doi") -> QueryResult:
    """Look each DOI up in ``source``; store what is found; count what the works gain."""
    mod = MODULES[source]
    res = QueryResult(source, label)
    batch = storage.open_batch(h.store, h.run_id, source, label, mod.FORMAT) if wanted else None
    before = h.client(source).requests
    for _work_id, doi, doc in wanted:
        try:
            resp, item = h.fetch(source, *mod.doi_request(doi), parse=mod.parse_single)
        except NotFound:
            storage.save_lookup(h.store, source, doi, "not_found")
            res.counts.skipped += 1
            res.gains["not found"] = res.gains.get("not found", 0) + 1
            continue
        except (ApiError, BadPayload) as exc:
            storage.save_lookup(h.store, source, doi, "failed")
            res.counts.failed += 1
            res.error = str(exc)
            continue
        res.pages += 1
        res.counts.add(storage.write_items(h.store, batch, mod.FORMAT, [item], size=len(resp.content)))
        if isinstance(item, Record):
            storage.save_lookup(h.store, source, doi, "found", item.source_id)
            for g in gains(doc, item):
                res.gains[g] = res.gains.get(g, 0) + 1
    res.requests = h.client(source).requests - before
    if res.counts.failed and res.counts.failed == len(wanted):
        res.status = "failed"
    return res


def enrich(h: Harvester, limit: int | None = None) -> None:
    s = h.settings
    for source in s.enrich_sources:
        wanted = works_lacking(h.store, source, s.max_enrich if limit is None else limit, s.retry_not_found_days)
        h.report.results.append(lookup(h, source, wanted))


def by_doi(h: Harvester, dois: list[str], sources: list[str]) -> None:
    """Look given DOIs up (``ir harvest doi``), whatever was known before."""
    wanted = [("", d, {}) for d in dict.fromkeys(normalize_doi(x) for x in dois) if d]
    for source in sources:
        h.report.results.append(lookup(h, source, wanted, label="doi"))
