"""What the research office sees before it takes an extract: the counts under the rules in force, the
rules in words, and how many works of the year are left out and why.

:func:`preview` builds the extract in memory (nothing is stored or written); :func:`summary` turns an
extract into the few numbers a page shows. A snapshot is taken on purpose, with :func:`ir.report.snapshot`.
"""

from __future__ import annotations

from ir.report.extract import Extract, build_extract
from ir.report.rules import Rules

# the columns a preview shows per department (measure keys of ir.report.counting.measures)
PREVIEW_MEASURES = ("works", "role:first", "role:corresponding", "jcr:Q1", "cas:1", "esi:highly_cited")


def summary(e: Extract) -> dict:
    cols = [m for m in e.measures() if m.key in PREVIEW_MEASURES]
    rows = e.department_rows()
    return {
        "year": e.year_label,
        "works": len(e.works),
        "authorships": len(e.links),
        "people": len({x["person_id"] for x in e.links}),
        "first_unit": sum(1 for w in e.works if (w.get("rank") or {}).get("first_unit")),
        "columns": [{"key": m.key, "label": m.label if m.group == m.label else f"{m.group}: {m.label}"} for m in cols],
        "departments": [{"dept_id": r["dept_id"], "department": r["department"],
                         "counts": {m.key: r["counts"].get(m.key, 0) for m in cols}} for r in rows],
        "left_out": dict(e.left_out),
        "left_out_total": sum(e.left_out.values()),
        "notes": list(e.notes),
        "rules": {"source": e.rules.source or "given in code", "digest": e.rules.digest[:16],
                  "count_statuses": list(e.rules.count_statuses), "institution_rank": e.rules.institution_rank,
                  "explain": e.rules.explain(), "text": e.rules.text},
        "data_version": e.data_version[:16],
    }


def preview(store, year: int, rules: Rules) -> dict:
    """The summary of ``year``'s extract under ``rules``, built now and stored nowhere."""
    return summary(build_extract(store, year, rules))
