"""``ir report``: the research office's annual extract, its snapshots and their comparison.

Examples::

    ir report --year 2023 --out extract-2023.xlsx          # workbook + extract-2023-chart.png; stored as a snapshot
    ir report --year 2023 --out extract-2023.zip --format csv   # one CSV per sheet, zipped (a folder without .zip)
    ir report --year 2021-2023 --rules office-rules.toml --out three-years.xlsx --no-snapshot
    ir report list                                        # stored snapshots
    ir report --from-snapshot 4 --out again.xlsx          # the same file, byte for byte
    ir report diff 3 4                                    # works added/removed/changed, per-department deltas
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ir.cli import settings, store
from ir.cli.render import add_columns, err, out

report_app = typer.Typer(help="The research office's annual extract (workbook or CSV), snapshots and comparisons.",
                         invoke_without_command=True)


def _years(text: str) -> int | tuple[int, int]:
    try:
        if "-" in text:
            a, b = text.split("-", 1)
            return int(a), int(b)
        return int(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: give a year (2023) or a range (2021-2023)") from None


@report_app.callback()
def report_cmd(
    ctx: typer.Context,
    year: Optional[str] = typer.Option(None, "--year", help="The year (2023) or an inclusive range (2021-2023)."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="The file to write (.xlsx; for csv a folder or a .zip)."),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx or csv."),
    rules_file: Optional[Path] = typer.Option(None, "--rules", help="Counting rules (TOML). Default: [report] of "
                                              "the settings file, else ir/report/default_rules.toml."),
    keep: bool = typer.Option(True, "--snapshot/--no-snapshot", help="Store the extract as a snapshot."),
    from_snapshot: Optional[int] = typer.Option(None, "--from-snapshot", help="Write a stored snapshot again."),
    note: Optional[str] = typer.Option(None, "--note", help="A note kept with the snapshot."),
) -> None:
    """Write the annual extract: department summary, person detail, the counted works, a chart."""
    if ctx.invoked_subcommand:
        return
    from ir import report as R

    if fmt not in ("xlsx", "csv"):
        raise typer.BadParameter(f"--format {fmt!r}: xlsx or csv")
    if out_path is None or (year is None and from_snapshot is None):
        err.print("[red]error:[/] give --year YYYY --out FILE (or --from-snapshot ID --out FILE); "
                  "see also `ir report list` and `ir report diff A B`")
        raise typer.Exit(2)
    st = store(ctx)
    try:
        if from_snapshot is not None:
            e = R.load_snapshot(st, from_snapshot)
        else:
            rules = R.load_rules(rules_file) if rules_file else settings(ctx).report
            e = R.build_extract(st, _years(year), rules)
            if keep:
                R.snapshot(st, e, created_by="cli", note=note)
    except (R.RulesError, R.SnapshotError, ValueError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    if fmt == "csv":
        path = R.write_csv(e, out_path)
        written = [path]
    else:
        path = R.write_xlsx(e, out_path)
        written = [path, R.png_path(path)]
    dept = e.department_rows()
    out.print(f"extract {e.year_label}: {len(e.works)} works, {len(e.links)} authorships of "
              f"{len({x['person_id'] for x in e.links})} people in {len(dept) - 1} departments"
              + (f"; snapshot #{e.snapshot_id}" if e.snapshot_id else "; not stored")
              + f"; data version {e.data_version[:16]}")
    for note_line in e.notes:
        out.print(f"  [yellow]note:[/] {note_line}")
    for p in written:
        out.print(f"  wrote {p}")


@report_app.command("list")
def list_cmd(
    ctx: typer.Context,
    year: Optional[int] = typer.Option(None, "--year", help="Only snapshots covering this year."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per snapshot, per line."),
) -> None:
    """The stored extract snapshots."""
    from ir.report import list_snapshots

    rows = list_snapshots(store(ctx), year)
    if as_json:
        for r in rows:
            typer.echo(json.dumps(r, default=str, ensure_ascii=False))
        return
    t = Table(title=f"report snapshots ({len(rows)})", title_justify="left")
    for col in ("id", "date (UTC)", "years", "works", "authorships", "data version", "rules", "by", "note"):
        t.add_column(col, justify="right" if col in ("id", "works", "authorships") else "left")
    for r in rows:
        years = str(r["year_from"]) if r["year_from"] == r["year_to"] else f"{r['year_from']}-{r['year_to']}"
        t.add_row(str(r["snapshot_id"]), r["created_at"].strftime("%Y-%m-%d %H:%M:%S"), years, str(r["works"]),
                  str(r["links"]), r["data_version"][:16], r["rules_digest"][:12], r["created_by"], r["note"] or "")
    out.print(t)


@report_app.command("diff")
def diff_cmd(
    ctx: typer.Context,
    a: int = typer.Argument(..., help="The earlier snapshot id."),
    b: int = typer.Argument(..., help="The later snapshot id."),
    as_json: bool = typer.Option(False, "--json", help="The comparison as one JSON object."),
    show: int = typer.Option(30, help="How many works to list per kind of change (0: all)."),
) -> None:
    """What changed between two snapshots: works added, removed, changed; per-department deltas."""
    from ir.report import SnapshotError, diff, load_snapshot

    st = store(ctx)
    try:
        d = diff(load_snapshot(st, a), load_snapshot(st, b))
    except SnapshotError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(d.as_json(), ensure_ascii=False, default=str))
        return
    out.print(f"snapshot #{a} -> #{b}: {len(d.added)} works added, {len(d.removed)} removed, "
              f"{len(d.changed)} changed" + ("; [yellow]the counting rules differ[/]" if d.rules_changed else ""))
    limit = show or None
    for title, rows in (("added", d.added), ("removed", d.removed)):
        if rows:
            t = Table(title=f"works {title} ({len(rows)})", title_justify="left")
            add_columns(t, ("work", "title", "departments"),
                        [[r["work_id"], r["title"] or "", ", ".join(r["departments"])] for r in rows[:limit]],
                        ids=("work",))
            out.print(t)
    if d.changed:
        t = Table(title=f"works changed ({len(d.changed)})", title_justify="left")
        add_columns(t, ("work", "title", "change"),
                    [[r["work_id"], r["title"] or "", "; ".join(f"{k}: {v[0]} -> {v[1]}" for k, v in r["changes"].items())]
                     for r in d.changed[:limit]], ids=("work",))
        out.print(t)
    if d.departments:
        t = Table(title="per department", title_justify="left")
        for col in ("department", "column", "before", "after", "change"):
            t.add_column(col, justify="right" if col in ("before", "after", "change") else "left")
        for r in d.departments:
            for k, (x, y, delta) in r["changes"].items():
                t.add_row(r["department"], k, str(x), str(y), f"{delta:+d}")
        out.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
