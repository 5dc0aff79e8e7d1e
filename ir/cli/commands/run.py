"""``ir run``: the whole pipeline on the given exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import typer

from ir.cli import settings, store
from ir.cli.render import err, out, print_report, rows_of


def run_cmd(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(..., help="Export files or folders of them."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with every stage's figures."),
) -> None:
    """Ingest the exports, then consolidate, attribute, tag and index (each stage is incremental).

    One run at a time per database: a second `ir run` (or a flow run) waits for the first, saying so.
    Checked before anything is written: the settings file, the dictionaries folder, the search engine.
    """
    from ir import pipeline
    from ir.summary import RunSummary, stage_notes

    cfg = settings(ctx)
    st = store(ctx)

    def show(res: pipeline.StageResult) -> None:
        if not as_json:
            print_report(f"{res.name} ({res.seconds:.1f} s)", res.report)
        else:
            err.print(f"{res.name}: done in {res.seconds:.1f} s")

    results = pipeline.run(st, cfg, paths, on_stage=show,
                           on_wait=lambda message: err.print(f"[yellow]waiting:[/] {message}", highlight=False))
    ingest, figures = results[0].report, results.figures
    if as_json:
        typer.echo(json.dumps({**{r.name: {"seconds": round(r.seconds, 3), "table": rows_of(r.report)}
                                  for r in results}, "run": figures.as_json()}, ensure_ascii=False, default=str))
    else:
        from rich.markdown import Markdown

        summary = RunSummary("ir run", ingest.files, figures, cfg.web_url,
                             notes={r.name: n for r in results if (n := stage_notes(r.name, r.report))})
        out.print(f"[b]this run[/]: {figures.works_new} works new, {figures.works_changed} changed "
                  f"({figures.works_total} in the repository); authorships of ours: "
                  + ", ".join(f"{figures.decided.get(s, 0)} {s}" for s in ("auto", "suggested", "unmatched")))
        notes = summary.attention()
        if notes:
            out.print(Markdown("\n".join(f"- {n}" for n in notes)))
    if not ingest.files or all(f.error for f in ingest.files):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("run")(run_cmd)
