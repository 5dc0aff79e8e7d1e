"""Printing stage reports: one table per report, from its ``as_table()`` rows."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def rows_of(report) -> list[dict]:
    """A report's rows: ``as_table()`` giving a list of dicts, or a dict of figures (``as_dict()``)."""
    rows = report.as_table() if hasattr(report, "as_table") else report
    if isinstance(rows, Table):
        cols = [(str(c.header), [str(v) for v in c.cells]) for c in rows.columns]
        return [{h: cells[i] for h, cells in cols} for i in range(rows.row_count)]
    if not isinstance(rows, (list, dict)) and hasattr(report, "as_dict"):
        rows = report.as_dict()
    if isinstance(rows, dict):
        return [{"measure": k, "value": v} for k, v in rows.items()]
    return list(rows or [])


def add_columns(t: Table, names, rows: list[list[str]], ids=(), right=()) -> None:
    """Add the columns and the rows. Columns named in ``ids`` (work, person, record ids) are never cut nor
    wrapped, so they can be pasted into the next command (``ir works show W…``); the others fold long
    values onto more lines instead of cutting them."""
    for i, name in enumerate(names):
        if name in ids:
            width = max([len(name), *(len(str(r[i])) for r in rows)])
            t.add_column(name, no_wrap=True, min_width=width, overflow="fold")
        else:
            t.add_column(name, justify="right" if name in right else "left", overflow="fold")
    for r in rows:
        t.add_row(*r)


def table(title: str, rows: list[dict]) -> Table:
    t = Table(title=title, title_justify="left")
    cols = list(dict.fromkeys(k for r in rows for k in r))
    for c in cols:
        numeric = all(isinstance(r.get(c), (int, float)) for r in rows if r.get(c) is not None)
        t.add_column(str(c), justify="right" if numeric else "left", overflow="fold")  # never cut a path
    for r in rows:
        t.add_row(*["" if r.get(c) is None else (f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c])) for c in cols])
    return t


def print_report(title: str, report) -> None:
    from ir.pipeline import attention

    out.print(table(title, rows_of(report)))
    for note in attention(report):
        out.print(f"  [yellow]attention:[/] {note}")
