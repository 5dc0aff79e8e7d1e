"""The research office's annual extract ("one-table"): what each department and person published, in which tiers.

- :func:`build_extract` reads the store into an :class:`Extract` (counted works and authorships) under
  the counting :class:`Rules` (:mod:`ir.report.rules`, ``default_rules.toml``);
- :func:`write_xlsx` writes the workbook (cover with the rules, departments, people, works, authorships,
  chart) and a PNG of the chart beside it; :func:`write_csv` one CSV per sheet (folder or zip);
- :func:`snapshot` stores an extract so it can be written again byte for byte
  (:func:`load_snapshot`) and compared with another (:func:`diff`);
- for the web UI: :func:`xlsx_bytes`, :func:`extract_years`, :func:`annual_extract`; for ``ir demo``:
  :func:`demo_extract`.

Counting itself is pure (:mod:`ir.report.counting`): every number of the summaries is a count of rows
of the work list, under the rules printed on the cover.
"""

from __future__ import annotations

from pathlib import Path

from ir.report.csvout import write_csv
from ir.report.extract import Extract, build_extract, extract_years
from ir.report.rules import Rules, RulesError, load_rules, rules_from_settings
from ir.report.snapshots import Diff, SnapshotError, diff, list_snapshots, load_snapshot, snapshot
from ir.report.xlsx import chart_png_bytes, png_path, workbook_bytes, write_xlsx

__all__ = ["Diff", "Extract", "Rules", "RulesError", "SnapshotError", "annual_extract", "build_extract",
           "chart_png_bytes", "demo_extract", "diff", "extract_years", "list_snapshots", "load_rules",
           "load_snapshot", "png_path", "rules_from_settings", "snapshot", "workbook_bytes", "write_csv",
           "write_xlsx", "xlsx_bytes"]


def xlsx_bytes(store, year: int, rules: Rules | None = None) -> bytes:
    """The workbook of ``year`` as bytes, for streaming (not stored as a snapshot)."""
    return workbook_bytes(build_extract(store, year, rules))


def _rules_of(settings) -> Rules:
    """The counting rules of the configuration (``config.report``, checked when it was loaded)."""
    rules = getattr(settings, "report", None)
    return rules if isinstance(rules, Rules) else rules_from_settings(getattr(settings, "config_file", None))


def annual_extract(store, settings, year: int, out_dir: Path, *, created_by: str = "web") -> Path:
    """Build, snapshot and write the extract of ``year`` under the settings' rules (``[report]`` of the
    pipeline settings file, else the shipped rules) into ``out_dir``; returns the workbook's path.
    The web UI's download (research office) calls this."""
    rules = _rules_of(settings)
    e = build_extract(store, year, rules)
    snapshot(store, e, created_by=created_by)
    return write_xlsx(e, Path(out_dir) / f"extract-{e.year_label}.xlsx")


def demo_extract(store, settings, folder: Path) -> Path:
    """The demo institution's extract, written by ``ir demo`` into ``folder``: the latest year with
    works, counting the pipeline's automatic links too (nobody has claimed anything in a fresh demo)."""
    years = extract_years(store)
    if not years:
        raise LookupError("no works linked to our people: nothing to extract")
    base = _rules_of(settings)
    statuses = tuple(dict.fromkeys([*base.count_statuses, "auto"]))
    text = base.text.replace(
        f"count_statuses = {list(base.count_statuses)!r}".replace("'", '"'),
        f"count_statuses = {list(statuses)!r}".replace("'", '"'))
    rules = Rules.from_text(text, source=f"{base.source or 'rules'} (demo: auto links count too)")
    if rules.count_statuses != statuses:  # the rules text did not have the one-line form: say it plainly
        rules = Rules.from_dict({**base.as_dict(), "count_statuses": list(statuses)},
                                source=f"{base.source or 'rules'} (demo: auto links count too)")
    e = build_extract(store, years[-1], rules)
    snapshot(store, e, created_by="ir demo")
    return write_xlsx(e, Path(folder) / f"extract-{e.year_label}.xlsx")
