"""The pipeline flow: ingest, then every later stage, with a summary of what needs a person.

    pipeline_flow(paths)      the files or folders given
    inbox_flow(inbox)         the settled files of a watch folder, moved afterwards to processed/ or rejected/
"""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow

from flows.common import publish, publish_summary, settings_from, store_for
from flows.stages import STAGE_TASKS, ingest_file
from ir import inbox as inbox_lib
from ir import pipeline
from ir.ingest import expand_paths


def _run(paths: list[Path], settings, title: str) -> dict:
    timings: dict[str, float] = {}
    attention: dict[str, list[str]] = {}
    store_for(settings)  # bring the database up to date once, before the tasks
    start = time.perf_counter()
    results = [ingest_file(str(p), settings) for p in paths]
    ingest = pipeline.IngestReport(results)
    timings["ingest"] = time.perf_counter() - start
    attention["ingest"] = publish("ingest", ingest, timings["ingest"])
    for name, _ in pipeline.STAGES:
        report, timings[name] = STAGE_TASKS[name](settings)
        attention[name] = publish(name, report, timings[name])
    publish_summary(title, timings, attention)
    return {"files": ingest.as_json()["files"], "timings": timings,
            "attention": {k: v for k, v in attention.items() if v}}


@flow(name="ir-pipeline", log_prints=True)
def pipeline_flow(paths: list[str], database_url: str | None = None, search_url: str | None = None,
                  dictionaries: str | None = None, config_file: str | None = None) -> dict:
    """Ingest the given exports, then consolidate, attribute, tag and index."""
    settings = settings_from(database_url, search_url, dictionaries, config_file)
    return _run(expand_paths(paths), settings, f"ir pipeline: {len(paths)} path(s)")


@flow(name="ir-inbox", log_prints=True)
def inbox_flow(inbox: str, settle_seconds: float = 5.0, database_url: str | None = None,
               search_url: str | None = None, dictionaries: str | None = None,
               config_file: str | None = None) -> dict:
    """Process the settled files of a watch folder, then move them to processed/ or rejected/."""
    folder = Path(inbox)
    settings = settings_from(database_url, search_url, dictionaries, config_file)
    files = inbox_lib.pending(folder, settle_seconds)
    if not files:
        return {"files": [], "moved": []}
    summary = _run(files, settings, f"ir inbox {folder}: {len(files)} new file(s)")
    results = [_result(f) for f in summary["files"]]
    moves = inbox_lib.settle(folder, results)
    summary["moved"] = [{"from": str(m.source), "to": str(m.target), "rejected": m.rejected} for m in moves]
    return summary


def _result(row: dict):
    from ir.ingest import FileResult

    return FileResult(**{k: row.get(k) for k in ("path", "format", "encoding", "error")},
                      records_read=row["records_read"], stored=row["stored"], quarantined=row["quarantined"])
