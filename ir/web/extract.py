"""The research office's annual extract: the web side only. The extract itself is built by
:mod:`ir.report` (a later stage); until that module is installed, the page says it is not available.

The contract used here: ``ir.report.extract_years(store) -> list[int]`` (years that can be extracted)
and ``ir.report.annual_extract(store, settings, year, out_dir) -> Path`` (writes the file, returns it).
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

from ir.config import Settings
from ir.store import Store


def _report():
    try:
        return importlib.import_module("ir.report")
    except ImportError as exc:
        if exc.name and "ir.report".startswith(exc.name):
            return None
        raise


def status(store: Store, settings: Settings) -> dict:
    rep = _report()
    if rep is None or not callable(getattr(rep, "annual_extract", None)):
        return {"available": False, "years": [],
                "message": "The annual extract is not available yet: the reporting stage is not installed."}
    years = list(rep.extract_years(store)) if callable(getattr(rep, "extract_years", None)) else []
    return {"available": True, "years": sorted(years, reverse=True), "message": ""}


def build(store: Store, settings: Settings, year: int, created_by: str = "web") -> Path:
    rep = _report()
    if rep is None or not callable(getattr(rep, "annual_extract", None)):
        raise LookupError("the annual extract is not available yet")
    out = Path(tempfile.mkdtemp(prefix="ir-extract-"))
    return Path(rep.annual_extract(store, settings, year, out, created_by=created_by))
