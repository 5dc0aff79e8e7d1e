"""The harvest flow: the public scholarly APIs, then the pipeline over what they brought.

    harvest   the institution's queries and every person's with an ORCID iD (people.csv), incremental
    consolidate   the harvested records join the works of the file exports (or found new ones)
    enrich    works with a DOI that lack what Crossref / OpenAlex know, looked up by DOI; consolidated again
    attribute, tag, index   as after an ingest

``ir serve-flows`` deploys it on the ``[harvest] schedule_cron`` schedule (``harvest/scheduled``).
"""

from __future__ import annotations

import time

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.common import RETRIES, RETRY_DELAYS, publish, publish_summary, retry_transient, settings_from, store_for
from flows.stages import STAGE_TASKS

TASK_OPTS = dict(retries=RETRIES, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=retry_transient,
                 cache_policy=NO_CACHE)


@task(name="harvest-apis", **TASK_OPTS)
def harvest_apis(settings, hs, people: bool, institution: bool):
    """One harvest run: every query, each bounded and resumable (a retry goes on from the saved cursors)."""
    from ir.harvest import harvest, people_with_orcid

    return harvest(store_for(settings), hs, people_with_orcid(settings.dictionaries) if people else [],
                   institution=institution)


@task(name="enrich-by-doi", **TASK_OPTS)
def enrich_by_doi(settings, hs):
    from ir.harvest import enrich

    return enrich(store_for(settings), hs)


@flow(name="harvest", log_prints=True)
def harvest_flow(database_url: str | None = None, search_url: str | None = None, dictionaries: str | None = None,
                 config_file: str | None = None, overrides: dict | None = None, people: bool = True,
                 institution: bool = True, enrich: bool = True, pipeline: bool = True) -> dict:
    """Harvest Crossref, OpenAlex and ORCID (settings ``[harvest]``, ``overrides`` on top), enrich by DOI,
    and run the later stages over what changed."""
    from ir.harvest import HarvestSettings

    settings = settings_from(database_url, search_url, dictionaries, config_file)
    hs = HarvestSettings.load(settings.config_file, overrides=overrides)
    store_for(settings)  # bring the database up to date once, before the tasks
    timings: dict[str, float] = {}
    attention: dict[str, list[str]] = {}
    reports = {}

    def step(name: str, fn, *args):
        start = time.perf_counter()
        out = fn(*args)
        report = out[0] if isinstance(out, tuple) else out
        timings[name] = out[1] if isinstance(out, tuple) else time.perf_counter() - start
        attention[name] = publish(name, report, timings[name])
        reports[name] = report
        return report

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
    publish_summary(f"ir harvest: {harvested.changed} new or changed record(s)", timings, attention)
    return {"harvest": harvested.as_json(), "enrich": reports["enrich"].as_json() if "enrich" in reports else None,
            "timings": timings, "attention": {k: v for k, v in attention.items() if v}}
