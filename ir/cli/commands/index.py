"""``ir index`` (bring the search index in line with the database) and ``ir search``."""

from __future__ import annotations

import html
import json
import re
from typing import List

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ir.cli import locked, settings, store
from ir.cli.render import add_columns, err, print_report

out = Console(soft_wrap=True)


def index_cmd(
    ctx: typer.Context,
    rebuild: bool = typer.Option(False, "--rebuild", help="Build a fresh index from the database and swap it in."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Index the works: only changed ones (default), or everything into a new index (--rebuild)."""
    from ir.search import SearchConfigError, SearchUnavailable, index

    st = store(ctx)
    try:
        with locked(st, "ir index"):
            rep = index(st, settings(ctx), rebuild=rebuild)
    except (SearchUnavailable, SearchConfigError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(rep.as_json(), ensure_ascii=False))
    else:
        print_report("index", rep)


def _facets(values: list[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise typer.BadParameter(f"{item!r}: use name=value, e.g. --facet year=2021")
        filters.setdefault(name.strip(), []).append(value.strip())
    return filters


def _rich_marks(fragment: str | None) -> str | None:
    """An HTML highlight ('a <mark>b</mark>') as rich markup, everything else escaped."""
    if not fragment:
        return None
    pieces = re.split(r"(</?mark>)", fragment)
    return "".join("[b yellow]" if p == "<mark>" else "[/]" if p == "</mark>" else escape(html.unescape(p))
                   for p in pieces)


def search_cmd(
    ctx: typer.Context,
    query: str = typer.Argument("", help="Words or phrases (\"quoted\"); Chinese works as typed, e.g. 催化."),
    facet: List[str] = typer.Option([], "--facet", "-f", help="Filter name=value (repeatable): year, type, "
                                    "department, person, indexes, tiers, source, person_status, tags, journal."),
    sort: str = typer.Option("relevance", "--sort", help="relevance | year_desc | year_asc | title"),
    page: int = typer.Option(1, "--page", min=1),
    size: int = typer.Option(20, "--size", min=1, max=1000),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
) -> None:
    """Search the indexed works; prints hits and facet counts."""
    from ir.search import QueryError, SearchConfigError, SearchUnavailable, open_backend

    backend = open_backend(settings(ctx), store(ctx), interactive=True)
    try:
        res = backend.search(query, _facets(facet), sort, page, size)
    except QueryError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2)
    except (SearchUnavailable, SearchConfigError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1)
    finally:
        backend.close()
    if as_json:
        typer.echo(json.dumps(res.as_json(), ensure_ascii=False))
        return
    t = Table(title=f"{res.total} work(s) — page {res.page}, sorted by {res.sort}", title_justify="left")
    rows = [[h["work_id"], str(h.get("year") or ""), escape(h.get("type") or ""),
             _rich_marks((h.get("highlights") or {}).get("title")) or escape(h.get("title") or ""),
             escape(h.get("journal") or "")] for h in res.hits]
    add_columns(t, ("work", "year", "type", "title", "journal"), rows, ids=("work",))
    out.print(t)
    for name, values in res.facets.items():
        if values:
            labels = res.labels.get(name, {})
            shown = ", ".join(f"{labels.get(v, v)} ({n})" for v, n in values[:8])
            out.print(f"[b]{name}[/]: {shown}")


def register(app: typer.Typer) -> None:
    app.command("index")(index_cmd)
    app.command("search")(search_cmd)
