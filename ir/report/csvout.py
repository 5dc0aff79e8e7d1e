"""Writing an extract as CSV: one file per sheet, in a folder or in a zip.

``write_csv(extract, "extract-2023.zip")`` writes a zip; any other path is a folder (created). The files:
``cover.csv`` (key, value: the facts, the rules in words, the rules file line by line),
``departments.csv``, ``people.csv`` (one column per measure, named by its key, e.g. ``jcr:Q1``),
``works.csv``, ``authorships.csv``, ``chart.csv`` (the chart's data) and ``chart.png``. UTF-8 with a
byte-order mark, so that Excel opens the Chinese names correctly. Zip members carry the extract's date,
so the same extract gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from ir.report.extract import Extract
from ir.report.xlsx import AUTHORSHIP_COLUMNS, authorship_table, chart_png_bytes, trend_table, work_columns, work_table


def _csv(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def csv_files(e: Extract) -> dict[str, bytes]:
    """File name -> content, in a fixed order."""
    cols = e.measures()
    cover = [["year", e.year_label], ["extract_date_utc", e.created_at.strftime("%Y-%m-%d %H:%M:%S")],
             ["snapshot", e.snapshot_id or ""], ["data_version", e.data_version],
             ["institution", e.institution.get("name") or ""], ["counted_works", len(e.works)],
             ["counted_authorships", len(e.links)], ["rules_source", e.rules.source or "given in code"],
             ["rules_sha256", e.rules.digest]]
    cover += [[f"latest_change_{k}", v or ""] for k, v in sorted(e.data_stamps.items())]
    cover += [["rule_in_words", line] for line in e.rules.explain()]
    cover += [["note", line] for line in e.notes]
    cover += [["rules_line", line] for line in e.rules.text.splitlines()]
    dept = [[r["dept_id"] or "", r["department"], *[r["counts"][m.key] for m in cols]] for r in e.department_rows()]
    people = [[r["person_id"], r["name"], r["name_zh"], r["role"], r["dept_id"], r["department"],
               *[r["counts"][m.key] for m in cols]] for r in e.person_rows()]
    keys = [m.key for m in cols]
    chart_header, chart_rows = trend_table(e)
    return {
        "cover.csv": _csv(["key", "value"], cover),
        "departments.csv": _csv(["dept_id", "department", *keys], dept),
        "people.csv": _csv(["person_id", "name", "name_zh", "role", "dept_id", "department", *keys], people),
        "works.csv": _csv(work_columns(e), work_table(e)),
        "authorships.csv": _csv(AUTHORSHIP_COLUMNS, authorship_table(e)),
        "chart.csv": _csv(chart_header, chart_rows),
        "chart.png": chart_png_bytes(e),
    }


def write_csv(e: Extract, path: Path | str) -> Path:
    """A zip when ``path`` ends in .zip, else a folder of CSV files. Returns ``path``."""
    path = Path(path)
    files = csv_files(e)
    if path.suffix.lower() == ".zip":
        path.parent.mkdir(parents=True, exist_ok=True)
        when = e.created_at
        date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in files.items():
                zi = zipfile.ZipInfo(f"extract-{e.year_label}/{name}", date_time=date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o644 << 16
                z.writestr(zi, data)
        path.write_bytes(buf.getvalue())
    else:
        path.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (path / name).write_bytes(data)
    return path
