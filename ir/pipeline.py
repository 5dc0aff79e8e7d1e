"""The pipeline: ingest, consolidate, attribute, tag, index — in that order.

This module names the stages once. ``ir run`` calls :func:`run`; the Prefect flows in ``flows/``
call the same stage functions as tasks. Every stage takes the store and the configuration
(:class:`ir.settings.Config`, loaded and checked before the run) and hands the stage its section;
it returns a report with ``as_table()`` (rows for a summary table or a Prefect artifact) and
``attention()`` (what needs a person).

A run holds the database's run lock (:func:`ir.store.engine.run_lock`): a second run on the same
database waits for it. Before writing anything it checks what would make it fail later (the
dictionaries folder, the search engine) and retires works no source record belongs to. After it,
:func:`ir.summary.summarize` gives the figures of this run (not running totals) for the run summary.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ir.settings import Config
from ir.store import Store


@dataclass
class IngestReport:
    files: list = field(default_factory=list)  # ir.ingest.FileResult

    def as_table(self) -> list[dict]:
        return [{"file": f.path, "format": f.format or "-", "encoding": f.encoding or "-",
                 "read": f.records_read, "stored": f.stored, "new": f.new, "quarantined": f.quarantined,
                 "duplicates": len(f.duplicates), "error": f.error or ""} for f in self.files]

    def attention(self) -> list[str]:
        """Per file: why it could not be read, how many of its records went to quarantine, the records
        that repeat an id of the same file, and a text that looks garbled or an encoding guessed."""
        notes = []
        for f in self.files:
            if f.error:
                notes.append(f"{f.path}: {f.error}")
            elif f.quarantined:
                notes.append(f"{f.path}: {f.quarantined} of {f.records_read} record(s) QUARANTINED, not stored: "
                             f"`ir quarantine {f.path}` lists them with line, field and reason")
            if f.duplicates:
                named = ", ".join(f"{d['source_id']} (record {d['record_no']} = record {d['first_record_no']})"
                                  for d in f.duplicates[:3])
                more = f" and {len(f.duplicates) - 3} more" if len(f.duplicates) > 3 else ""
                notes.append(f"{f.path}: {len(f.duplicates)} duplicate record(s), the same id and content twice "
                             f"in the file, stored once: {named}{more}")
            notes.extend(f"{f.path}: {w}" for w in f.warnings)
        q = sum(f.quarantined for f in self.files)
        if q:
            files = sum(1 for f in self.files if f.quarantined)
            notes.append(f"{q} record(s) of {files} file(s) quarantined in all: see `ir quarantine`")
        return notes

    @property
    def clean(self) -> bool:
        """Every file read and every record stored (duplicates aside), with no warning."""
        return all(not (f.error or f.quarantined or f.warnings) for f in self.files)

    def as_json(self) -> dict:
        return {"files": [f.as_json() for f in self.files]}


@dataclass
class StageResult:
    name: str
    report: object
    seconds: float


def ingest(store: Store, config: Config, paths: Iterable[str | Path]) -> IngestReport:
    from ir.ingest import ingest_paths

    return IngestReport(ingest_paths(store, paths))


def consolidate(store: Store, config: Config):
    from ir.consolidate import consolidate as run_consolidate

    return run_consolidate(store, config.consolidate)


def attribute(store: Store, config: Config):
    from ir.attribute import attribute as run_attribute

    return run_attribute(store, config.dictionaries, config.attribute)


def tag(store: Store, config: Config):
    from ir.tagging import tag as run_tag

    return run_tag(store, config.dictionaries, config.tag)


def index(store: Store, config: Config):
    from ir.search import index as run_index

    return run_index(store, config)


# The stages after ingest, in order. Each takes (store, config) and returns a report.
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


# ------------------------------------------------------------------------------ before and around a run

class PreflightError(RuntimeError):
    """Something the run would fail on later: found before it writes anything."""


def preflight(store: Store, config: Config) -> None:
    """Check what a run needs beyond its settings before it writes: the dictionaries folder and the
    search engine (raises :class:`PreflightError` or ``ir.search.SearchUnavailable``)."""
    if not Path(config.dictionaries).is_dir():
        raise PreflightError(f"the dictionaries folder {config.dictionaries} does not exist "
                             "(IR_DICTIONARIES or --dictionaries): attribute and tag need it")
    from ir.search import open_backend

    backend = open_backend(config, store)
    try:
        backend.check()
    finally:
        backend.close()


def prepare(store: Store) -> list[str]:
    """Repairs a run makes before its stages: works left without members are retired (their ids)."""
    from ir.store.integrity import retire_empty_works

    return retire_empty_works(store)


@dataclass
class Run:
    """What :func:`run` did: each stage's result (iterating a Run gives them), and this run's figures."""

    stages: list[StageResult]
    figures: object  # ir.summary.RunFigures

    def __iter__(self):
        return iter(self.stages)

    def __getitem__(self, i):
        return self.stages[i]


def run(store: Store, config: Config, paths: Iterable[str | Path],
        on_stage: Callable[[StageResult], None] | None = None,
        on_wait: Callable[[str], None] | None = None) -> Run:
    """Ingest the paths, then run every later stage over the whole store (each is incremental), holding
    the database's run lock (``on_wait`` hears who holds it when this run has to wait)."""
    from ir.store.engine import run_lock, utcnow
    from ir.summary import summarize

    paths = list(paths)
    preflight(store, config)
    results: list[StageResult] = []

    def step(name: str, fn: Callable, *args) -> None:
        start = time.perf_counter()
        res = StageResult(name, fn(store, config, *args), time.perf_counter() - start)
        results.append(res)
        if on_stage:
            on_stage(res)

    with run_lock(store, "ir run", on_wait=on_wait):
        started = utcnow()
        retired = prepare(store)
        step("ingest", ingest, paths)
        for name, fn in STAGES:
            step(name, fn)
        figures = summarize(store, started)
        figures.retired = retired
    return Run(results, figures)
