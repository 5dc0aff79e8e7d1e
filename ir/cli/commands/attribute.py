"""``ir attribute``, ``ir review`` and ``ir dictionaries check``."""

from __future__ import annotations

import json
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from ir.cli import locked, settings, store
from ir.cli.render import add_columns

err = Console(stderr=True)
out = Console()
dictionaries_app = typer.Typer(help="The institution's dictionaries (organizations.csv, people.csv).",
                               no_args_is_help=True)


def _jsonable(v):
    return v.isoformat() if hasattr(v, "isoformat") else v


def attribute_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the counts as one JSON object."),
) -> None:
    """Attribute the authorships of every work to the institution's people and units."""
    from ir.attribute import attribute

    cfg = settings(ctx)
    st = store(ctx)
    with locked(st, "ir attribute"):
        rep = attribute(st, cfg.dictionaries, cfg.attribute)
    if as_json:
        typer.echo(json.dumps(rep.as_json(), ensure_ascii=False))
    else:
        out.print(rep.as_table())
        for p in rep.problems[:20]:
            err.print(f"dictionary: {p}", markup=False, highlight=False)
        if len(rep.problems) > 20:
            err.print(f"[yellow]dictionary:[/] ... {len(rep.problems) - 20} more (ir dictionaries check)")


def review_cmd(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", help="Show at most this many suggestions (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object: suggestions and unmatched authors."),
) -> None:
    """Suggestions waiting for a claim or a review (with their evidence), and our unmatched authors."""
    from ir.attribute import review_queue, unmatched_authors

    st = store(ctx)
    queue = review_queue(st, limit or None)
    unmatched = unmatched_authors(st, limit or None)
    if as_json:
        typer.echo(json.dumps({"suggestions": [{k: _jsonable(v) for k, v in q.items()} for q in queue],
                               "unmatched": unmatched}, ensure_ascii=False))
        return
    t = Table(title=f"suggestions ({len(queue)} shown, most doubtful first)")
    rows = []
    for q in queue:
        ev = q["evidence"] or {}
        top = (ev.get("candidates") or [{}])[0]
        pts = ", ".join(f"{k} {v:+g}" for k, v in (top.get("points") or {}).items())
        rows.append([q["work_id"], str(q["position"]), q["name"], q["person_id"] or "", q["org_id"] or "",
                     f"{q['score']:.2f}" if q["score"] is not None else "", ev.get("decision", ""), pts])
    add_columns(t, ("work", "#", "author", "person", "unit", "score", "why", "evidence"), rows,
                ids=("work", "person", "unit"), right=("#", "score"))
    out.print(t)
    u = Table(title=f"unmatched authors of ours ({len(unmatched)} names)")
    add_columns(u, ("name", "中文名", "unit", "authorships"),
                [[g["name"] or "", g["name_zh"] or "", g["org_id"] or "", str(g["count"])] for g in unmatched],
                ids=("unit",), right=("authorships",))
    out.print(u)


@dictionaries_app.command("check")
def dictionaries_check(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per problem."),
) -> None:
    """Check organizations.csv and people.csv: every problem with file, line, column, reason and what was done
    (the row refused, or loaded without the bad value)."""
    from ir.dictionaries import load_dictionaries

    folder = settings(ctx).dictionaries
    d = load_dictionaries(folder)
    if as_json:
        for p in d.problems:
            typer.echo(json.dumps(p.as_json(), ensure_ascii=False))
    else:
        for p in d.problems:
            typer.echo(f"{folder}/{p}")
        people = len({a.person_id for a in d.appointments})
        refused = len(d.refused)
        err.print(f"{len(d.organizations)} organisations, {people} people ({len(d.appointments)} appointments), "
                  f"{refused} row(s) refused, {len(d.problems) - refused} value(s) dropped")
    if d.problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("attribute")(attribute_cmd)
    app.command("review")(review_cmd)
    app.add_typer(dictionaries_app, name="dictionaries")
