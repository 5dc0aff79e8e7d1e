"""Consolidate: normalise and deduplicate source records into works, with provenance.

Layers (pure unless noted): :mod:`.features` (what is compared), :mod:`.blocking` (which pairs are
compared, declared rules), :mod:`.scoring` (points and evidence per pair, hard conflicts),
:mod:`.clustering` (linking with a chain guard), :mod:`.relations` (versions, notices and near misses
between works), :mod:`.merge` (the work document with per-field provenance), :mod:`.engine` (the matcher
as one function), :mod:`.partition` (a run split into independent partitions), :mod:`.storage` and
:mod:`.links` (the database edge).

    from ir.consolidate import consolidate
    report = consolidate(store)          # place new/changed records, obey librarians' decisions
    relations_of(conn, work_ids)         # versions, corrections, retractions between works (also in the export)
    duplicate_queue(store)               # pairs just short of a match; decide(store, a, b, "merge"|"keep_apart", ...)

    p = plan(store, settings, partitions=8)   # the same run in partitions (whole components of the
    results = [resolve_partition(part, settings) for part in p.parts]   # candidate graph), resolved
    report = apply(store, p, results, settings)  # anywhere: threads, a Dask cluster (flows/stages.py)
"""

from __future__ import annotations

from ir.consolidate.settings import ConsolidateSettings
from ir.consolidate.partition import Part, PartResult, Plan, resolve_partition
from ir.consolidate.storage import ConsolidateReport, WorkError, apply, consolidate, get_work, merge, plan, split
from ir.consolidate.links import DuplicatePair, QueueError, decide, duplicate_queue, export_fields, queue_size, relations_of


__all__ = ["ConsolidateReport", "ConsolidateSettings", "DuplicatePair", "Part", "PartResult", "Plan", "QueueError",
           "WorkError", "apply", "consolidate", "decide", "duplicate_queue", "export_fields", "get_work", "merge", "plan",
           "queue_size", "relations_of", "resolve_partition", "split"]
