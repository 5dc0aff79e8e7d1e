"""Automatic aggregation: harvest and enrich from the public scholarly APIs.

Sources: Crossref REST (works by ROR id or affiliation text, and by DOI), OpenAlex (works by institution
ROR id, by author ORCID iD, by DOI) and the ORCID public API (a person's works). Each answer becomes an
ordinary source record (sources ``crossref``, ``openalex``, ``orcid``) that consolidates with the file
exports like any other, with its provenance.

    harvest(store, settings, people)    the institution's queries and every person's (people.csv ORCID iDs)
    enrich(store, settings)             works with a DOI that lack what Crossref / OpenAlex know, by DOI
    harvest_dois(store, settings, dois) given DOIs, now
    status(store)                       the runs and every query's incremental state

Mapping is pure (:mod:`ir.harvest.crossref`, :mod:`~ir.harvest.openalex`, :mod:`~ir.harvest.orcid`:
JSON in, records out); HTTP is :mod:`ir.harvest.client`; the store side :mod:`ir.harvest.storage`;
settings :class:`HarvestSettings` (``[harvest]``). :mod:`ir.harvest.fakeapi` is a FAKE of these outside
APIs, served on 127.0.0.1 for the tests and the demo.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ir.harvest.run import HarvestReport, Harvester, Query, QueryResult, plan
from ir.harvest.settings import HarvestSettings
from ir.store import Store

__all__ = ["HarvestReport", "HarvestSettings", "Query", "QueryResult", "enrich", "harvest", "harvest_dois",
           "people_with_orcid", "plan", "status"]


def people_with_orcid(dictionaries: Path | None) -> list[tuple[str, str]]:
    """(person_id, ORCID iD) of everyone in people.csv with an ORCID iD, once each."""
    if dictionaries is None or not (Path(dictionaries) / "people.csv").exists():
        return []
    from ir.dictionaries import load_dictionaries

    seen: dict[str, str] = {}
    for a in load_dictionaries(Path(dictionaries)).appointments:
        orcid = (a.orcid or "").rsplit("/", 1)[-1].upper()
        if orcid and a.person_id not in seen:
            seen[a.person_id] = orcid
    return sorted(seen.items())


def harvest(store: Store, settings: HarvestSettings, people: Iterable[tuple[str, str]] = (), *,
            sources: Iterable[str] | None = None, institution: bool = True) -> HarvestReport:
    """Harvest the institution's works and each person's: one run, incremental, bounded by the settings."""
    people = list(people)
    if settings.max_people and len(people) > settings.max_people:
        people = _least_recent(store, settings, people)[: settings.max_people]
    with Harvester(store, settings, "harvest") as h:
        h.run(plan(settings, people, sources, institution))
    return h.report


def enrich(store: Store, settings: HarvestSettings, limit: int | None = None) -> HarvestReport:
    from ir.harvest import doi as enrichment

    with Harvester(store, settings, "enrich") as h:
        enrichment.enrich(h, limit)
    return h.report


def harvest_dois(store: Store, settings: HarvestSettings, dois: Iterable[str],
                 sources: Iterable[str] | None = None) -> HarvestReport:
    from ir.harvest import doi as enrichment

    with Harvester(store, settings, "doi") as h:
        enrichment.by_doi(h, list(dois), list(sources or settings.enrich_sources))
    return h.report


def status(store: Store, runs: int = 10) -> dict:
    from ir.harvest import storage

    return {"runs": storage.runs(store, runs), "queries": storage.cursors(store)}


def _least_recent(store: Store, settings: HarvestSettings, people: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """People ordered by when their queries last moved (never first), so a bounded run takes turns."""
    from ir.harvest import storage

    moved = {c["query_key"]: c["updated_at"] for c in storage.cursors(store) if c["query_key"].startswith("orcid:")}
    return sorted(people, key=lambda p: (moved.get(f"orcid:{p[1]}") is not None, str(moved.get(f"orcid:{p[1]}")), p))
