"""One flow per stage. Each opens the store, runs the ir stage as a task with retries, publishes its table."""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow, task

from flows.common import RETRIES, RETRY_DELAYS, publish, retry_transient, settings_from, store_for
from ir import pipeline
from ir.config import Settings

TASK_OPTS = dict(retries=RETRIES, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=retry_transient)


@task(name="ingest-file", task_run_name="ingest {path}", **TASK_OPTS)
def ingest_file(path: str, settings: Settings):
    """One task per file (never per record): read, parse, store, quarantine."""
    from ir.ingest import read_file, store_file

    return store_file(store_for(settings), read_file(Path(path)))


def _stage_task(name: str):
    fn = dict(pipeline.STAGES)[name]

    @task(name=name, **TASK_OPTS)
    def run_stage(settings: Settings):
        start = time.perf_counter()
        report = fn(store_for(settings), settings)
        return report, time.perf_counter() - start

    return run_stage


STAGE_TASKS = {name: _stage_task(name) for name, _ in pipeline.STAGES}


@flow(name="ingest", log_prints=True)
def ingest_flow(paths: list[str], database_url: str | None = None) -> dict:
    """Ingest export files or folders: a task per file; the table lists every file's counts."""
    from ir.ingest import expand_paths

    settings = settings_from(database_url=database_url)
    start = time.perf_counter()
    results = [ingest_file(str(p), settings) for p in expand_paths(paths)]
    report = pipeline.IngestReport(results)
    publish("ingest", report, time.perf_counter() - start)
    return report.as_json()


def _stage_flow(name: str):
    @flow(name=name, log_prints=True)
    def stage_flow(database_url: str | None = None, search_url: str | None = None,
                   dictionaries: str | None = None, config_file: str | None = None):
        settings = settings_from(database_url, search_url, dictionaries, config_file)
        report, seconds = STAGE_TASKS[name](settings)
        publish(name, report, seconds)
        return report

    stage_flow.__doc__ = f"Run the {name} stage over the whole store (incremental)."
    return stage_flow


consolidate_flow = _stage_flow("consolidate")
attribute_flow = _stage_flow("attribute")
tag_flow = _stage_flow("tag")
index_flow = _stage_flow("index")
