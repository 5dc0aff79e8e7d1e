"""``ir run``: the whole pipeline on the given exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import typer

from ir.cli import settings, store
from ir.cli.render import err, print_report, rows_of


def run_cmd(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(..., help="Export files or folders of them."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with every stage's figures."),
) -> None:
    """Ingest the exports, then consolidate, attribute, tag and index (each stage is incremental)."""
    from ir import pipeline

    cfg = settings(ctx)
    st = store(ctx)

    def show(res: pipeline.StageResult) -> None:
        if not as_json:
            print_report(f"{res.name} ({res.seconds:.1f} s)", res.report)
        else:
            err.print(f"{res.name}: done in {res.seconds:.1f} s")

    results = pipeline.run(st, cfg, paths, on_stage=show)
    if as_json:
        typer.echo(json.dumps({r.name: {"seconds": round(r.seconds, 3), "table": rows_of(r.report)}
                               for r in results}, ensure_ascii=False, default=str))
    ingest = results[0].report
    if not ingest.files or all(f.error for f in ingest.files):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("run")(run_cmd)
