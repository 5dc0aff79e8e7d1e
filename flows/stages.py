"""One flow per stage. Each opens the store, runs the ir stage as a task with retries, publishes its table."""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE

from flows.common import RETRIES, RETRY_DELAYS, locked, make_task_runner, publish, retry_transient, settings_from, store_for
from ir import pipeline
from ir.settings import Config

TASK_OPTS = dict(retries=RETRIES, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=retry_transient)


@task(name="ingest-file", task_run_name="ingest {path}", **TASK_OPTS)
def ingest_file(path: str, settings: Config):
    """One task per file (never per record): read, parse, store, quarantine."""
    from ir.ingest import ingest_file as ingest

    return ingest(store_for(settings), Path(path))


def _stage_task(name: str):
    fn = dict(pipeline.STAGES)[name]

    @task(name=name, **TASK_OPTS)
    def run_stage(settings: Config):
        start = time.perf_counter()
        report = fn(store_for(settings), settings)
        return report, time.perf_counter() - start

    return run_stage


# ------------------------------------------------------------------------------ consolidate, in partitions

PARTITIONS_PER_WORKER = 3  # a few partitions per worker: a slow one does not hold the rest back


@task(name="consolidate-partition", task_run_name="consolidate partition {part.index}", cache_policy=NO_CACHE,
      **TASK_OPTS)
def consolidate_partition(part, settings):
    """One partition (whole components of the candidate graph, thousands of records): its clusters."""
    from ir.consolidate import resolve_partition

    return resolve_partition(part, settings)


@flow(name="consolidate-partitions", log_prints=True)
def consolidate_partitions(database_url: str, config_file: str | None = None) -> dict:
    """Plan (the store's state, records, partitions), resolve every partition as a task, apply (work ids,
    writes). The same works as ``ir consolidate`` whichever task runner."""
    from ir.consolidate import apply, plan

    settings = settings_from(database_url, None, None, config_file)
    fs, cs = settings.flows, settings.consolidate
    start = time.perf_counter()
    store = store_for(settings)
    p = plan(store, cs, partitions=PARTITIONS_PER_WORKER * max(1, fs.dask_workers))
    results = [f.result() for f in consolidate_partition.map(p.parts, unmapped(cs))] if p.parts else []
    report = apply(store, p, results, cs)
    report.seconds = round(time.perf_counter() - start, 2)
    return {"report": report, "partitions": len(p.parts), "task_runner": fs.task_runner}


def _on_task_runner(subflow, settings: Config, **params):
    """Run a stage's partitioned sub-flow on the task runner of the [flows] settings: (report, seconds)."""
    start = time.perf_counter()
    sub = subflow.with_options(task_runner=make_task_runner(settings.flows))
    out = sub(database_url=settings.database_url,
              config_file=str(settings.config_file) if settings.config_file else None, **params)
    return out["report"], time.perf_counter() - start


def run_consolidate(settings: Config):
    """The consolidate stage for the flows: its partitions on the configured task runner."""
    return _on_task_runner(consolidate_partitions, settings)


# ------------------------------------------------------------------------------ attribute, in batches


@task(name="attribute-batch", task_run_name="attribute batch {batch.index}", cache_policy=NO_CACHE, **TASK_OPTS)
def attribute_batch(settings: Config, context, batch):
    """One batch of works (thousands, never one work): its records read (pass 1), then decided."""
    from ir.attribute import decide_batch, fill_batch

    if batch.works is None and batch.pending is None:
        batch = fill_batch(store_for(settings), batch)
    return decide_batch(context, batch)


@flow(name="attribute-batches", log_prints=True)
def attribute_batches(database_url: str, dictionaries: str, config_file: str | None = None) -> dict:
    """Plan, decide every batch as a task (pass 1, then the passes adding co-author evidence, with the
    global merge between them here), apply. Same rows as ``ir attribute`` whichever task runner."""
    from ir.attribute import apply, plan, run_passes

    settings = settings_from(database_url, None, dictionaries, config_file)
    fs = settings.flows
    start = time.perf_counter()
    store = store_for(settings)
    p = plan(store, settings.dictionaries, settings.attribute, batch_size=fs.attribute_batch_size)

    def run(batches):
        return [f.result() for f in attribute_batch.map(unmapped(settings), unmapped(p.context), batches)]

    results = run_passes(p, run([p.batch(i) for i in range(len(p.batches))]), run)
    report = apply(store, p, results)
    report.seconds = round(time.perf_counter() - start, 2)
    return {"report": report, "batches": len(p.batches), "task_runner": fs.task_runner}


def run_attribute(settings: Config):
    """The attribute stage for the flows: its batches on the configured task runner."""
    return _on_task_runner(attribute_batches, settings, dictionaries=str(settings.dictionaries))


STAGE_TASKS = {name: _stage_task(name) for name, _ in pipeline.STAGES}
STAGE_TASKS["consolidate"] = run_consolidate
STAGE_TASKS["attribute"] = run_attribute


@flow(name="ingest", log_prints=True)
def ingest_flow(paths: list[str], database_url: str | None = None) -> dict:
    """Ingest export files or folders: a task per file; the table lists every file's counts."""
    from ir.ingest import expand_paths

    settings = settings_from(database_url=database_url)
    with locked(settings, "ingest flow"):
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
        with locked(settings, f"{name} flow"):
            if name == "consolidate":  # works no source record belongs to are retired first
                pipeline.prepare(store_for(settings))
            report, seconds = STAGE_TASKS[name](settings)
            publish(name, report, seconds)
        return report

    stage_flow.__doc__ = f"Run the {name} stage over the whole store (incremental)."
    return stage_flow


consolidate_flow = _stage_flow("consolidate")
attribute_flow = _stage_flow("attribute")
tag_flow = _stage_flow("tag")
index_flow = _stage_flow("index")
