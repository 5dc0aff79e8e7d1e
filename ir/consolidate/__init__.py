"""Consolidate: normalise and deduplicate source records into works, with provenance.

Layers (pure unless noted): :mod:`.features` (what is compared), :mod:`.blocking` (which pairs are
compared, declared rules), :mod:`.scoring` (points and evidence per pair, hard conflicts),
:mod:`.clustering` (linking with a chain guard), :mod:`.merge` (the work document with per-field
provenance), :mod:`.engine` (the matcher as one function) and :mod:`.storage` (the database edge).

    from ir.consolidate import consolidate
    report = consolidate(store)          # place new/changed records, obey librarians' decisions
"""

from __future__ import annotations

from ir.consolidate.settings import ConsolidateSettings
from ir.consolidate.storage import ConsolidateReport, WorkError, consolidate, get_work, merge, split



def load_settings(path=None) -> ConsolidateSettings:
    """The ``[consolidate]`` section of the pipeline settings file (defaults without one)."""
    return ConsolidateSettings.load(path)


__all__ = ["load_settings", "ConsolidateReport", "ConsolidateSettings", "WorkError", "consolidate", "get_work", "merge", "split"]
