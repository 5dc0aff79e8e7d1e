"""The pipeline: ingest, consolidate, attribute, tag, index — in that order.

This module names the stages once. ``ir run`` calls :func:`run`; the Prefect flows in ``flows/``
call the same stage functions as tasks. Every stage returns a report with ``as_table()`` (rows
for a summary table or a Prefect artifact) and ``attention()`` (what needs a person).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ir.config import Settings
from ir.store import Store


@dataclass
class IngestReport:
    files: list = field(default_factory=list)  # ir.ingest.FileResult

    def as_table(self) -> list[dict]:
        return [{"file": f.path, "format": f.format or "-", "encoding": f.encoding or "-",
                 "read": f.records_read, "stored": f.stored, "quarantined": f.quarantined,
                 "error": f.error or ""} for f in self.files]

    def attention(self) -> list[str]:
        notes = [f"{f.path}: {f.error}" for f in self.files if f.error]
        q = sum(f.quarantined for f in self.files)
        if q:
            notes.append(f"{q} record(s) quarantined: see `ir quarantine`")
        return notes

    def as_json(self) -> dict:
        return {"files": [f.as_json() for f in self.files]}


@dataclass
class StageResult:
    name: str
    report: object
    seconds: float


def ingest(store: Store, settings: Settings, paths: Iterable[str | Path]) -> IngestReport:
    from ir.ingest import ingest_paths

    return IngestReport(ingest_paths(store, paths))


def consolidate(store: Store, settings: Settings):
    from ir.consolidate import consolidate as run_consolidate
    from ir.consolidate import load_settings

    return run_consolidate(store, load_settings(settings.config_file))


def attribute(store: Store, settings: Settings):
    from ir.attribute import AttributeSettings
    from ir.attribute import attribute as run_attribute

    return run_attribute(store, settings.dictionaries, AttributeSettings.load(settings.config_file))


def tag(store: Store, settings: Settings):
    from ir.tagging import load_settings
    from ir.tagging import tag as run_tag

    return run_tag(store, settings.dictionaries, load_settings(settings.config_file))


def index(store: Store, settings: Settings):
    from ir.search import index as run_index

    return run_index(store, settings)


# The stages after ingest, in order. Each takes (store, settings) and returns a report.
STAGES: list[tuple[str, Callable]] = [
    ("consolidate", consolidate),
    ("attribute", attribute),
    ("tag", tag),
    ("index", index),
]


def attention(report) -> list[str]:
    """What in a stage's report needs a person: the stage's own notes, and for attribution the review
    queue, the authors of ours nobody in the dictionary fits, and the dictionary rows refused."""
    notes = list(getattr(report, "attention", lambda: [])())
    if hasattr(report, "suggested") and hasattr(report, "unmatched"):
        if report.suggested:
            notes.append(f"{report.suggested} suggested link(s) wait for a claim or a librarian's review (`ir review`)")
        if report.unmatched:
            notes.append(f"{report.unmatched} authorship(s) of ours fit nobody in the dictionary: "
                         "unknown authors, for dictionary upkeep")
        if getattr(report, "problems", None):
            refused = sum(1 for p in report.problems if getattr(p, "refused", True))
            notes.append(f"{len(report.problems)} dictionary problem(s), {refused} row(s) refused: `ir dictionaries check`")
    return notes


def run(store: Store, settings: Settings, paths: Iterable[str | Path],
        on_stage: Callable[[StageResult], None] | None = None) -> list[StageResult]:
    """Ingest the paths, then run every later stage over the whole store (each is incremental)."""
    results = []

    def step(name: str, fn: Callable, *args) -> None:
        start = time.perf_counter()
        res = StageResult(name, fn(store, settings, *args), time.perf_counter() - start)
        results.append(res)
        if on_stage:
            on_stage(res)

    step("ingest", ingest, list(paths))
    for name, fn in STAGES:
        step(name, fn)
    return results
