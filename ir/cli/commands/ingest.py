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


EXIT_STATUS = ("Exit status: 0 when the files were read (records may be quarantined: the summary says which); "
               "1 when no file was found or none could be read; 3 with --strict when a file could not be read, "
               "a record was quarantined, or a file's encoding was guessed or its text looks garbled (records that repeat an id and content "
               "of the same file, stored once, do not count).")


def ingest_cmd(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(..., help="Export files or folders of them."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with per-file counts."),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 3 unless every record of every file "
                                "was stored (see the exit status below)."),
    encoding: str = typer.Option(None, "--encoding", help="The files' encoding (e.g. gb18030, shift_jis) when "
                                 "detection gets it wrong: no detection, no garbled-text check."),
    workers: int = typer.Option(None, "--workers", min=1, help="Processes reading files at once (default: one "
                                "per core, up to 4, when there are several files to read)."),
) -> None:
    """Read export files (any supported format and encoding) into the store; bad records go to quarantine.

    Example: ir ingest --strict exports/
    """
    from ir.ingest import expand_paths
    from ir.pipeline import IngestReport

    if encoding:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise typer.BadParameter(f"unknown encoding {encoding!r}", param_hint="--encoding") from None
    st = store(ctx)
    with locked(st, "ir ingest"):
        results = run_ingest(st, expand_paths(paths), quiet=as_json, encoding=encoding, workers=workers)
    if as_json:
        typer.echo(json.dumps({"files": [r.as_json() for r in results]}, ensure_ascii=False))
    else:
        print_summary(results)
    if not results:
        err.print("[red]error:[/] no files found in the given paths")
        raise typer.Exit(1)
    if all(r.error for r in results):  # nothing at all could be read
        raise typer.Exit(1)
    if strict and not IngestReport(results).clean:
        err.print("[red]--strict:[/] not every record was stored (see above)")
        raise typer.Exit(3)


ingest_cmd.__doc__ += "\n\n" + EXIT_STATUS


def run_ingest(st, files: list[Path], quiet: bool = False, encoding: str | None = None, workers: int | None = None):
    """ir.ingest.ingest_paths with a progress bar and a one-line error per unreadable file."""
    from ir.ingest import ingest_paths

    # refreshed by hand, file by file: a refresh thread would keep ingest from forking its reading processes
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=quiet or len(files) < 2, transient=True, auto_refresh=False) as progress:
        task = progress.add_task("ingest", total=len(files))

        def done(res) -> None:
            if res.error:
                err.print(f"[red]error:[/] {res.path}: {res.error}")
            elif res.quarantined:
                err.print(f"[yellow]quarantined:[/] {res.path}: {res.quarantined} of {res.records_read} record(s)")
            progress.update(task, advance=1, description=f"ingest {Path(res.path).name}", refresh=True)

        return ingest_paths(st, files, progress=done, encoding=encoding, workers=workers)


def print_summary(results) -> None:
    """The stage's report table and what needs attention (as ``ir run`` prints it), then the totals."""
    from ir.cli.render import print_report
    from ir.pipeline import IngestReport

    print_report("ingest", IngestReport(results))
    if len(results) > 1:
        dup = sum(len(r.duplicates) for r in results)
        out.print(f"[b]total[/]: {len(results)} files, {sum(r.records_read for r in results)} records read, "
                  f"{sum(r.stored for r in results)} stored, {sum(r.quarantined for r in results)} quarantined"
                  + (f", {dup} duplicates" if dup else ""))


def quarantine_cmd(
    ctx: typer.Context,
    path: str = typer.Argument(None, help="Only the files whose path contains this."),
    limit: int = typer.Option(100, help="Show at most this many rows (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
    raw: bool = typer.Option(False, "--raw", help="With each record's text as read (bad bytes as \\xNN)."),
) -> None:
    """List the records that could not be read: file, record, line, field and reason.

    Example: ir quarantine savedrecs.txt --raw
    """
    from ir.ingest import list_quarantine

    rows = list_quarantine(store(ctx), limit or None, path=path)
    if as_json:
        for r in rows:
            typer.echo(json.dumps({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()
                                   if k != "raw" or raw}, ensure_ascii=False))
        return
    table = Table(title=f"quarantine ({len(rows)} shown)")
    for col in ("file", "record", "line", "field", "reason"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(str(r["path"]), str(r["record_no"]), str(r["line"] or ""), r["field"] or "", r["reason"])
        if raw and r["raw"]:
            table.add_row("", "", "", "", r["raw"][:2000], style="dim")
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_cmd)
    app.command("quarantine")(quarantine_cmd)
