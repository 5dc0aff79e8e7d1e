"""``ir ingest`` and ``ir quarantine``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ir.cli import locked, store

err = Console(stderr=True, soft_wrap=True)
out = Console()


def ingest_cmd(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(..., help="Export files or folders of them."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with per-file counts."),
) -> None:
    """Read export files (any supported format and encoding) into the store; bad records go to quarantine."""
    from ir.ingest import expand_paths

    st = store(ctx)
    with locked(st, "ir ingest"):
        results = run_ingest(st, expand_paths(paths), quiet=as_json)
    if as_json:
        typer.echo(json.dumps({"files": [r.as_json() for r in results]}, ensure_ascii=False))
    else:
        print_summary(results)
    if not results:
        err.print("[red]error:[/] no files found in the given paths")
        raise typer.Exit(1)
    if all(r.error for r in results):  # non-zero only when nothing at all could be read
        raise typer.Exit(1)


def run_ingest(st, files: list[Path], quiet: bool = False):
    """ir.ingest.ingest_paths with a progress bar and a one-line error per unreadable file."""
    from ir.ingest import ingest_paths

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=quiet or len(files) < 2, transient=True) as progress:
        task = progress.add_task("ingest", total=len(files))

        def done(res) -> None:
            if res.error:
                err.print(f"[red]error:[/] {res.path}: {res.error}")
            progress.update(task, advance=1, description=f"ingest {Path(res.path).name}")

        return ingest_paths(st, files, progress=done)


def print_summary(results) -> None:
    """The stage's report table and what needs attention (as ``ir run`` prints it), then the totals."""
    from ir.cli.render import print_report
    from ir.pipeline import IngestReport

    print_report("ingest", IngestReport(results))
    if len(results) > 1:
        out.print(f"[b]total[/]: {len(results)} files, {sum(r.records_read for r in results)} records read, "
                  f"{sum(r.stored for r in results)} stored, {sum(r.quarantined for r in results)} quarantined")


def quarantine_cmd(
    ctx: typer.Context,
    limit: int = typer.Option(100, help="Show at most this many rows (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """List the records that could not be read: file, record, line, field and reason."""
    from ir.ingest import list_quarantine

    rows = list_quarantine(store(ctx), limit or None)
    if as_json:
        for r in rows:
            typer.echo(json.dumps({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()
                                   if k != "raw"}, ensure_ascii=False))
        return
    table = Table(title=f"quarantine ({len(rows)} shown)")
    for col in ("file", "record", "line", "field", "reason"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["path"]), str(r["record_no"]), str(r["line"] or ""), r["field"] or "", r["reason"])
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_cmd)
    app.command("quarantine")(quarantine_cmd)
