"""``ir consolidate``, ``ir works show|split|merge``, ``ir duplicates list|merge|keep-apart`` and ``ir export works``."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

from ir.cli import locked, store
from ir.cli import settings as cli_settings
from ir.cli.render import add_columns

err = Console(stderr=True)
out = Console()

works_app = typer.Typer(help="Look at works; split or merge them by hand (the decision survives later runs).",
                        no_args_is_help=True)
export_app = typer.Typer(help="Export data.", no_args_is_help=True)
duplicates_app = typer.Typer(help="The queue of likely duplicates: pairs of works scored just short of a match. "
                                  "Merge them or keep them apart (the decision survives later runs).",
                             no_args_is_help=True)


def _settings(ctx: typer.Context):
    return cli_settings(ctx).consolidate


def _actor() -> str:
    return os.environ.get("USER") or getpass.getuser()


def consolidate_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the counts as one JSON object."),
) -> None:
    """Deduplicate source records into works: new and changed records join or found works.

    Example: ir consolidate --json
    """
    from ir.consolidate import consolidate
    from ir.pipeline import prepare

    st = store(ctx)
    with locked(st, "ir consolidate"):
        prepare(st)  # works no source record belongs to are retired first
        report = consolidate(st, _settings(ctx))
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
        return
    table = Table(title="consolidate")
    table.add_column("")
    table.add_column("count", justify="right")
    for k, v in report.as_dict().items():
        table.add_row(k.replace("_", " "), str(v))
    out.print(table)


@works_app.command("show")
def show_cmd(ctx: typer.Context, work_id: str = typer.Argument(..., help="A work id (merged ids redirect)."),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Show a work: its fields, where each came from, and why each record is in it."""
    from ir.consolidate import get_work

    w = get_work(store(ctx), work_id)
    if w is None:
        err.print(f"[red]error:[/] no work {work_id}")
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(w, ensure_ascii=False, default=str))
        return
    d = w["data"]
    if w["work_id"] != work_id:
        out.print(f"[dim]{work_id} was merged into {w['work_id']}[/]")
    out.print(f"[b]{w['work_id']}[/]  {d.get('title')}")
    prov = d.get("provenance", {})
    table = Table(show_header=True)
    table.add_column("field")
    table.add_column("value")
    table.add_column("from")
    for k in ("year", "doc_type", "doi", "volume", "issue", "first_page", "last_page", "article_number"):
        if d.get(k) is not None:
            table.add_row(k, str(d[k]), prov.get(k, ""))
    j = d.get("journal") or {}
    for k in ("title", "issn", "eissn"):
        if j.get(k):
            table.add_row(f"journal.{k}", j[k], prov.get(f"journal.{k}", ""))
    table.add_row("indexes", ", ".join(d.get("indexes", [])), "")
    out.print(table)
    mt = Table(title="source records")
    rows = [[f"{m['source']}:{m['source_id']}", str((m.get("evidence") or {}).get("rule", "")),
             str((m.get("evidence") or {}).get("score", "") or ""), str((m.get("evidence") or {}).get("matched", ""))]
            for m in w["members"]]
    add_columns(mt, ("record", "rule", "score", "matched"), rows, ids=("record", "matched"))
    out.print(mt)
    from ir.consolidate import relations_of

    with store(ctx).connect() as conn:
        rels = relations_of(conn, [w["work_id"]]).get(w["work_id"], [])
    if rels:
        rt = Table(title="related works")
        for col in ("relation", "work", "year", "title"):
            rt.add_column(col)
        for x in rels:
            rt.add_row(x["relation"].replace("_", " "), x["work_id"], str(x["year"] or ""), x["title"] or "")
        out.print(rt)


def _parse_records(values: List[str]) -> list[tuple[str, str]]:
    out_ = []
    for v in values:
        if ":" not in v:
            err.print(f"[red]error:[/] {v!r}: expected SOURCE:SOURCE_ID, e.g. wos:WOS:000123")
            raise typer.Exit(2)
        src, sid = v.split(":", 1)
        out_.append((src, sid))
    return out_


@works_app.command("split")
def split_cmd(ctx: typer.Context, work_id: str = typer.Argument(...),
              records: List[str] = typer.Argument(..., help="SOURCE:SOURCE_ID of each record to move out."),
              note: Optional[str] = typer.Option(None, "--note", help="Why (kept with the decision).")) -> None:
    """Move records out of a work into a new one. Example: ir works split W1A2B... ei:20231234 --note 'erratum'"""
    from ir.consolidate import WorkError, split

    try:
        new_id = split(store(ctx), work_id, _parse_records(records), _actor(), note, _settings(ctx))
    except WorkError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1)
    typer.echo(new_id)


@works_app.command("merge")
def merge_cmd(ctx: typer.Context, work_ids: List[str] = typer.Argument(..., help="Two or more work ids."),
              note: Optional[str] = typer.Option(None, "--note", help="Why (kept with the decision).")) -> None:
    """Merge works into the oldest of them. Example: ir works merge W1... W2... --note 'same paper'"""
    from ir.consolidate import WorkError, merge

    try:
        target = merge(store(ctx), work_ids, _actor(), note, _settings(ctx))
    except WorkError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1)
    typer.echo(target)


@duplicates_app.command("list")
def duplicates_list_cmd(ctx: typer.Context, limit: int = typer.Option(20, "--limit", help="How many pairs."),
                        offset: int = typer.Option(0, "--offset", help="Skip this many pairs."),
                        as_json: bool = typer.Option(False, "--json", help="One JSON object per pair.")) -> None:
    """The pairs waiting for a decision, best first, the two records side by side. Example: ir duplicates list"""
    from ir.consolidate import duplicate_queue, queue_size

    st = store(ctx)
    pairs = duplicate_queue(st, limit=limit, offset=offset)
    if as_json:
        for p in pairs:
            typer.echo(json.dumps(p.as_json(), ensure_ascii=False, default=str))
        return
    out.print(f"{queue_size(st)} pair(s) of works waiting")
    for p in pairs:
        t = Table(title=f"score {p.score:.1f}: {p.evidence.get('reason', '')}", title_justify="left")
        t.add_column("")
        t.add_column(p.work_a, overflow="fold")
        t.add_column(p.work_b, overflow="fold")
        for label, a, b in p.rows:
            t.add_row(label, a, b)
        points = ", ".join(f"{k} {v:+.1f}" for k, v in (p.evidence.get("points") or {}).items())
        t.caption = f"points: {points}" + (f"; {p.other_pairs} more record pair(s)" if p.other_pairs else "")
        out.print(t)


def _decide(ctx: typer.Context, work_a: str, work_b: str, decision: str, note: Optional[str]) -> None:
    from ir.consolidate import QueueError, decide

    try:
        kept = decide(store(ctx), work_a, work_b, decision, _actor(), note, settings=_settings(ctx))
    except QueueError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1)
    typer.echo(kept)


@duplicates_app.command("merge")
def duplicates_merge_cmd(ctx: typer.Context, work_a: str = typer.Argument(...), work_b: str = typer.Argument(...),
                         note: Optional[str] = typer.Option(None, "--note", help="Why (kept with the decision).")) -> None:
    """Merge a queued pair into one work; prints the surviving id. Example: ir duplicates merge W1... W2..."""
    _decide(ctx, work_a, work_b, "merge", note)


@duplicates_app.command("keep-apart")
def duplicates_keep_apart_cmd(ctx: typer.Context, work_a: str = typer.Argument(...), work_b: str = typer.Argument(...),
                              note: Optional[str] = typer.Option(None, "--note", help="Why (kept with the decision).")
                              ) -> None:
    """Keep a queued pair apart for good. Example: ir duplicates keep-apart W1... W2... --note 'two studies'"""
    _decide(ctx, work_a, work_b, "keep_apart", note)


@export_app.command("works")
def export_works_cmd(ctx: typer.Context,
                     fmt: str = typer.Option("jsonl", "--format", help="Output format: jsonl."),
                     out_file: Optional[Path] = typer.Option(None, "--out", help="File to write (default: stdout).")) -> None:
    """Export every active work, one JSON object per line. Example: ir export works --format jsonl --out works.jsonl"""
    from ir.export import export_works

    if fmt != "jsonl":
        err.print(f"[red]error:[/] unknown format {fmt!r}; known: jsonl")
        raise typer.Exit(2)
    if out_file:
        with open(out_file, "w", encoding="utf-8") as fh:
            n = export_works(store(ctx), fh, fmt)
        err.print(f"{n} works written to {out_file}")
    else:
        export_works(store(ctx), sys.stdout, fmt)


def register(app: typer.Typer) -> None:
    app.command("consolidate")(consolidate_cmd)
    app.add_typer(works_app, name="works")
    app.add_typer(duplicates_app, name="duplicates")
    # `ir export` may be shared with later stages: add to it if it exists
    for group in app.registered_groups:
        if group.name == "export":
            group.typer_instance.registered_commands.extend(export_app.registered_commands)
            return
    app.add_typer(export_app, name="export")
