"""``ir harvest``: the public scholarly APIs (Crossref, OpenAlex, ORCID) into the store, incrementally.

    ir harvest run                 the institution's works (ROR id, affiliation) and every person's (ORCID iDs)
    ir harvest enrich              works with a DOI that lack what Crossref / OpenAlex know, by DOI
    ir harvest doi 10.1000/xyz     given DOIs, now
    ir harvest status              the last runs and every query's incremental state

Settings: the ``[harvest]`` section of the settings file (``--config``), checked with the rest before the
command runs. Each command holds the database's run lock while it harvests (a run of the pipeline on the
same database waits for it, and it for them). Harvested records are source records like any export's:
``ir consolidate`` (or ``ir run``) joins them to the works.
"""

from __future__ import annotations

import json
from typing import List, Optional

import typer

from ir.cli import locked, settings, store
from ir.cli.render import err, out, print_report, table

app = typer.Typer(help="Harvest Crossref, OpenAlex and ORCID into the store (incremental, resumable).",
                  no_args_is_help=True)


def _with(hs, **values):
    """The [harvest] section with the command's options on top, checked as the settings file is."""
    from rich.markup import escape

    from ir.settings import SettingsError, replace_section

    given = {k: v for k, v in values.items() if v}
    try:
        return replace_section(hs, "harvest", given, source="command line") if given else hs
    except SettingsError as exc:
        err.print(f"[red]error:[/] {escape(exc.explain())}", highlight=False)
        raise typer.Exit(2) from None


def _finish(report, as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, default=str))
    else:
        print_report(title, report)
        t = report.totals
        out.print(f"[b]{report.kind} run {report.run_id}[/] ({report.status}, {report.seconds:.1f} s): "
                  f"{t.fetched} fetched, {t.new} new, {t.updated} updated, {t.unchanged} unchanged, "
                  f"{t.skipped} skipped, {t.failed} failed")
    if report.results and report.status == "failed":
        raise typer.Exit(1)


@app.command("run")
def run_cmd(
    ctx: typer.Context,
    source: Optional[List[str]] = typer.Option(None, "--source", help="Only these sources (crossref, openalex, orcid)."),
    people: bool = typer.Option(True, "--people/--no-people", help="Each person of people.csv with an ORCID iD."),
    institution: bool = typer.Option(True, "--institution/--no-institution", help="The institution's queries."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's figures as one JSON object."),
) -> None:
    """Harvest the institution's works and each person's; says what it fetched, skipped and failed."""
    from ir.harvest import harvest, people_with_orcid

    cfg = settings(ctx)
    hs = _with(cfg.harvest, sources=source)
    st = store(ctx)
    with locked(st, "ir harvest run"):
        report = harvest(st, hs, people_with_orcid(cfg.dictionaries) if people else [], institution=institution)
    if not report.results:
        err.print("nothing to harvest: set [harvest] ror or affiliation_query, or give people ORCID iDs")
    _finish(report, as_json, "harvest")


@app.command("enrich")
def enrich_cmd(
    ctx: typer.Context,
    limit: Optional[int] = typer.Option(None, "--limit", help="DOIs per source (default: [harvest] max_enrich)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Look works that lack an abstract, ORCID iDs, funders, open-access status or licence up by DOI."""
    from ir.harvest import enrich

    st = store(ctx)
    with locked(st, "ir harvest enrich"):
        report = enrich(st, settings(ctx).harvest, limit)
    _finish(report, as_json, "enrich")


@app.command("doi")
def doi_cmd(
    ctx: typer.Context,
    dois: List[str] = typer.Argument(..., help="DOIs (any form: 10.x/y, https://doi.org/10.x/y)."),
    source: Optional[List[str]] = typer.Option(None, "--source", help="crossref and/or openalex."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Harvest the records of given DOIs now."""
    from ir.harvest import harvest_dois

    hs = _with(settings(ctx).harvest, enrich_sources=source)
    st = store(ctx)
    with locked(st, "ir harvest doi"):
        report = harvest_dois(st, hs, dois)
    _finish(report, as_json, "harvest by DOI")


@app.command("status")
def status_cmd(
    ctx: typer.Context,
    runs: int = typer.Option(10, "--runs", help="How many of the last runs."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The last harvest runs and each query's state: since when it asks, and a pass in progress."""
    from ir.harvest import status

    st = status(store(ctx), runs)
    if as_json:
        typer.echo(json.dumps(st, ensure_ascii=False, default=str))
        return
    out.print(table("harvest runs", [{k: r[k] for k in ("id", "kind", "status", "started_at", "fetched", "new",
                                                        "updated", "unchanged", "skipped", "failed")}
                                     for r in st["runs"]] or [{"runs": "none yet"}]))
    out.print(table("queries", [{"source": q["source"], "query": q["query_key"], "since": q["since"] or "-",
                                 "in progress": "yes" if q["cursor"] else "", "pass fetched": q["pass_fetched"],
                                 "completed": q["completed_at"]} for q in st["queries"]] or [{"queries": "none yet"}]))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="harvest")
