"""The research office's annual extract, the web side: the years, a preview under the rules in force,
the workbook, the snapshots and their comparison. The extract itself is :mod:`ir.report`.

Reading never changes anything: ``GET`` builds the workbook in memory and streams it (no snapshot row,
no temporary file). A snapshot (the extract stored so that the same workbook can be written again and
compared later) is taken on purpose, by a ``POST``.
"""

from __future__ import annotations

from ir.config import Settings
from ir.store import Store


class ExtractError(LookupError):
    pass


def rules(settings: Settings):
    """The counting rules in force: the ``[report]`` section, checked when the app's configuration was
    loaded (never the settings file read again on a request)."""
    return settings.report


def years(store: Store) -> list[int]:
    from ir.report import extract_years

    return sorted(extract_years(store), reverse=True)


def _check_year(store: Store, year: int) -> None:
    if year not in years(store):
        raise ExtractError(f"no works of {year} are linked to our people: nothing to extract")


def status(store: Store, settings: Settings) -> dict:
    r = rules(settings)
    return {"available": True, "years": years(store), "message": "",
            "rules": {"source": r.source or "given in code", "count_statuses": list(r.count_statuses),
                      "institution_rank": r.institution_rank, "explain": r.explain()}}


def preview(store: Store, settings: Settings, year: int) -> dict:
    from ir.report.preview import preview as build_preview

    _check_year(store, year)
    return build_preview(store, year, rules(settings))


def workbook(store: Store, settings: Settings, year: int) -> tuple[bytes, str]:
    """The workbook of ``year`` under the rules in force, in memory: (bytes, file name)."""
    from ir.report import xlsx_bytes

    _check_year(store, year)
    return xlsx_bytes(store, year, rules(settings)), f"extract-{year}.xlsx"


def take_snapshot(store: Store, settings: Settings, year: int, created_by: str, note: str | None = None) -> dict:
    from ir.report import build_extract, snapshot

    _check_year(store, year)
    e = build_extract(store, year, rules(settings))
    sid = snapshot(store, e, created_by=created_by, note=note)
    return {"snapshot_id": sid, "year": year, "works": len(e.works), "authorships": len(e.links)}


def snapshots(store: Store) -> list[dict]:
    from ir.report import list_snapshots

    return sorted(list_snapshots(store), key=lambda s: -s["snapshot_id"])


def snapshot_workbook(store: Store, snapshot_id: int) -> tuple[bytes, str]:
    """A stored snapshot's workbook, byte for byte as when it was taken."""
    from ir.report import SnapshotError, load_snapshot, workbook_bytes

    try:
        e = load_snapshot(store, snapshot_id)
    except SnapshotError as exc:
        raise ExtractError(str(exc)) from None
    return workbook_bytes(e), f"extract-{e.year_label}-snapshot-{snapshot_id}.xlsx"


def compare(store: Store, a: int, b: int) -> dict:
    from ir.report import SnapshotError, diff, load_snapshot

    try:
        ea, eb = load_snapshot(store, a), load_snapshot(store, b)
    except SnapshotError as exc:
        raise ExtractError(str(exc)) from None
    return diff(ea, eb).as_json() | {"a_year": ea.year_label, "b_year": eb.year_label,
                                     "a_works": len(ea.works), "b_works": len(eb.works)}
