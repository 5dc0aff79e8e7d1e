"""The pipeline flow: ingest, then every later stage, with a summary of what this run did and what needs
a person.

    pipeline_flow(paths)      the files or folders given
    inbox_flow(inbox)         the settled files of a watch folder, moved afterwards to processed/ or rejected/

Each loads and checks the whole configuration at entry, then holds the database's run lock while it
writes (a second run waits; its log says for whom).
"""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow

from flows.common import locked, publish, publish_summary, settings_from, store_for
from flows.stages import STAGE_TASKS, ingest_file
from ir import inbox as inbox_lib
from ir import pipeline
from ir.ingest import expand_paths
from ir.store.engine import utcnow
from ir.summary import RunSummary, stage_notes, summarize


def _run(settings, title: str, files, folder: Path | None = None) -> dict:
    """Under the run lock: repairs, ingest (a task per file), every stage, the moves of an inbox's files,
    then the run summary. ``files`` is a list, or (for an inbox) a function giving the files to take;
    ``{n}`` in the title becomes their number."""
    store = store_for(settings)  # bring the database up to date once, before the tasks
    pipeline.preflight(store, settings)
    with locked(settings, title.partition(":")[0] + " flow"):
        started = utcnow()
        paths = files() if callable(files) else files
        if not paths:
            return {"files": [], "moved": [], "timings": {}, "attention": []}
        title = title.replace("{n}", str(len(paths)))
        retired = pipeline.prepare(store)
        timings: dict[str, float] = {}
        notes: dict[str, list[str]] = {}
        start = time.perf_counter()
        results = [ingest_file(str(p), settings) for p in paths]
        timings["ingest"] = time.perf_counter() - start
        publish("ingest", pipeline.IngestReport(results), timings["ingest"])
        for name, _ in pipeline.STAGES:
            report, timings[name] = STAGE_TASKS[name](settings)
            publish(name, report, timings[name])
            notes[name] = stage_notes(name, report)
        moves = {str(m.source): m for m in inbox_lib.settle(folder, results)} if folder is not None else {}
        figures = summarize(store, started)
        figures.retired = retired
        summary = RunSummary(title, results, figures, settings.web_url, moves, timings,
                             {k: v for k, v in notes.items() if v}, folder)
        publish_summary(summary)
    return {"files": [r.as_json() for r in results], "timings": timings, "figures": figures.as_json(),
            "attention": summary.attention(),
            "moved": [{"from": str(m.source), "to": str(m.target), "rejected": m.rejected} for m in moves.values()]}


@flow(name="ir-pipeline", log_prints=True)
def pipeline_flow(paths: list[str], database_url: str | None = None, search_url: str | None = None,
                  dictionaries: str | None = None, config_file: str | None = None) -> dict:
    """Ingest the given exports, then consolidate, attribute, tag and index."""
    settings = settings_from(database_url, search_url, dictionaries, config_file)
    return _run(settings, f"ir pipeline: {len(paths)} path(s), " + "{n} file(s)", expand_paths(paths))


@flow(name="ir-inbox", log_prints=True)
def inbox_flow(inbox: str, settle_seconds: float = 5.0, database_url: str | None = None,
               search_url: str | None = None, dictionaries: str | None = None,
               config_file: str | None = None) -> dict:
    """Process the settled files of a watch folder, then move them to processed/<date>/ or rejected/."""
    folder = Path(inbox)
    settings = settings_from(database_url, search_url, dictionaries, config_file)
    if not inbox_lib.pending(folder, settle_seconds):  # nothing new: no lock, no artifacts
        return {"files": [], "moved": [], "timings": {}, "attention": []}
    return _run(settings, f"ir inbox {folder}: " + "{n} new file(s)",
                lambda: inbox_lib.pending(folder, settle_seconds), folder)
