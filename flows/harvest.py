"""The harvest flow: the public scholarly APIs, then the pipeline over what they brought.

    harvest   the institution's queries and every person's with an ORCID iD (people.csv), incremental
    consolidate   the harvested records join the works of the file exports (or found new ones)
    enrich    works with a DOI that lack what Crossref / OpenAlex know, looked up by DOI; consolidated again
    attribute, tag, index   as after an ingest

Like the inbox's, a run loads and checks the whole configuration at entry (``[harvest]``, with the
``overrides`` parameter on top, checked the same way), holds the database's run lock while it writes
(an inbox run on the same database waits for it, and it for an inbox run), and ends with the run
summary (``ir-run-summary``). ``ir serve-flows`` deploys it as ``harvest/scheduled``, on
``[harvest] schedule_interval`` seconds when set, else ``schedule_cron``.
"""

from __future__ import annotations

import time

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.common import (RETRIES, RETRY_DELAYS, locked, publish, publish_summary, retry_transient, settings_from,
                          store_for)
from flows.stages import STAGE_TASKS
from ir import pipeline as stages
from ir.settings import replace_section
from ir.store.engine import utcnow
from ir.summary import RunSummary, stage_notes, summarize

TASK_OPTS = dict(retries=RETRIES, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=retry_transient,
                 cache_policy=NO_CACHE)


@task(name="harvest-apis", **TASK_OPTS)
def harvest_apis(settings, hs, people: bool, institution: bool):
    """One harvest run: every query, each bounded and resumable (a retry goes on from the saved cursors)."""
    from ir.harvest import harvest, people_with_orcid

    start = time.perf_counter()
    report = harvest(store_for(settings), hs, people_with_orcid(settings.dictionaries) if people else [],
                     institution=institution)
    return report, time.perf_counter() - start


@task(name="enrich-by-doi", **TASK_OPTS)
def enrich_by_doi(settings, hs):
    from ir.harvest import enrich

    start = time.perf_counter()
    report = enrich(store_for(settings), hs)
    return report, time.perf_counter() - start


@flow(name="harvest", log_prints=True)
def harvest_flow(database_url: str | None = None, search_url: str | None = None, dictionaries: str | None = None,
                 config_file: str | None = None, overrides: dict | None = None, people: bool = True,
                 institution: bool = True, enrich: bool = True, pipeline: bool = True) -> dict:
    """Harvest Crossref, OpenAlex and ORCID (settings ``[harvest]``, ``overrides`` on top), enrich by DOI,
    and run the later stages over what changed."""
    settings = settings_from(database_url, search_url, dictionaries, config_file)
    hs = replace_section(settings.harvest, "harvest", overrides, source="the flow's overrides") if overrides \
        else settings.harvest
    store = store_for(settings)  # bring the database up to date once, before the tasks
    if pipeline:
        stages.preflight(store, settings)
    timings: dict[str, float] = {}
    notes: dict[str, list[str]] = {}
    reports = {}

    def step(name: str, fn, *args):
        report, timings[name] = fn(*args)
        publish(name, report, timings[name])
        notes[name] = stage_notes(name, report)
        reports[name] = report
        return report

    with locked(settings, "harvest flow"):
        started = utcnow()
        retired = stages.prepare(store) if pipeline else []
        harvested = step("harvest", harvest_apis, settings, hs, people, institution)
        if pipeline:
            step("consolidate", STAGE_TASKS["consolidate"], settings)
        if enrich:
            enriched = step("enrich", enrich_by_doi, settings, hs)
            if pipeline and enriched.changed:
                step("consolidate-enriched", STAGE_TASKS["consolidate"], settings)
        if pipeline:
            for name in ("attribute", "tag", "index"):
                step(name, STAGE_TASKS[name], settings)
        figures = summarize(store, started)
        figures.retired = retired
        summary = RunSummary(f"ir harvest: {harvested.changed} new or changed record(s)", [], figures,
                             settings.web_url, timings=timings, notes={k: v for k, v in notes.items() if v})
        publish_summary(summary)
    return {"harvest": harvested.as_json(), "enrich": reports["enrich"].as_json() if "enrich" in reports else None,
            "timings": timings, "figures": figures.as_json(), "attention": summary.attention()}
