"""``ir tag``, ``ir journals check|import-list``, ``ir esi import``: a thin mirror of :mod:`ir.tagging`.

Examples::

    ir tag                                   # tag every work; per-list summary
    ir tag --json                            # the same as one JSON object (journals not found included)
    ir journals check                        # every bad row of the journal lists: file, line, column, reason
    ir journals import-list sci.csv --list jcr --year 2020     # -> dictionaries/journals/jcr-2020.csv
    ir esi import esi-hcp-2024-03.csv --date 2024-03-14        # an ESI highly-cited snapshot
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from ir.cli import locked, settings, store
from ir.cli.render import print_report

out = Console()
err = Console(stderr=True)

journals_app = typer.Typer(help="Journal lists: check them, import lists in other layouts.", no_args_is_help=True)
esi_app = typer.Typer(help="ESI highly cited / hot papers lists.", no_args_is_help=True)


def tag_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
    show: int = typer.Option(15, help="How many journals not found to list (0: none)."),
) -> None:
    """Tag every work with its journal's tiers (JCR, CAS, ESI, CSSCI, PKU core, CSCD, institution), subjects and indexes."""
    from ir.tagging import tag

    cfg = settings(ctx)
    st = store(ctx)
    with locked(st, "ir tag"):
        report = tag(st, cfg.dictionaries, cfg.tag)
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, default=str))
        return
    print_report("tag", report)
    if report.journals_not_found and show:
        table = Table(title=f"journals not found in any list (top {min(show, len(report.journals_not_found))} "
                            f"of {len(report.journals_not_found)})")
        for col in ("journal", "ISSN", "eISSN", "CN", "works"):
            table.add_column(col, justify="right" if col == "works" else "left")
        for j in report.journals_not_found[:show]:
            table.add_row(j["journal"] or "-", j["issn"] or "", j["eissn"] or "", j["cn"] or "", str(j["works"]))
        out.print(table)


def check_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per problem, per line."),
) -> None:
    """Validate the journal lists: every bad row with its file, line, column and reason. Exit 1 on errors."""
    from ir.tagging.journals import ListSummary, journal_files, load_journal_lists

    folder = settings(ctx).dictionaries
    entries, problems = load_journal_lists(folder)
    if as_json:
        for p in problems:
            typer.echo(json.dumps(p.as_json(), ensure_ascii=False))
    else:
        files = journal_files(folder)
        summary = Table(title=f"journal lists in {folder}: {len(files)} file(s), {len(entries)} entries")
        for col in ("list", "edition", "entries"):
            summary.add_column(col, justify="right" if col == "entries" else "left")
        for (lst, year), n in sorted(ListSummary.of(entries).counts.items()):
            summary.add_row(lst, str(year), str(n))
        out.print(summary)
        if problems:
            table = Table(title=f"{len(problems)} problem(s)")
            for col in ("file", "line", "column", "severity", "reason"):
                table.add_column(col)
            for p in problems:
                table.add_row(p.file, str(p.line), p.column or "", p.severity, p.reason)
            out.print(table)
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(1)


def import_list_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The list file (CSV)."),
    list_name: str = typer.Option(..., "--list", help="List name: jcr, cas, esi, cssci, pku_core, cscd, institution, ..."),
    year: int = typer.Option(..., "--year", min=1900, max=2200, help="The edition year."),
    fmt: Optional[str] = typer.Option(None, "--format", help="mrhelper-jcr | mrhelper-core (default: from the header)."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Where to write (default: <dictionaries>/journals/<list>-<year>.csv)."),
) -> None:
    """Convert a journal list in another layout to the journals.csv schema."""
    from ir.tagging.adapters import convert_list
    from ir.tagging.journals import canonical_list, write_journal_csv

    entries, problems, used = convert_list(file, list_name, year, fmt)
    for p in problems:
        err.print(f"[yellow]{p.severity}:[/] {p.file}:{p.line}: {p.column or ''} {p.reason}")
    if not entries:
        err.print("[red]error:[/] nothing to import")
        raise typer.Exit(1)
    target = out_path or settings(ctx).dictionaries / "journals" / f"{canonical_list(list_name)}-{year}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as fh:
        n = write_journal_csv(entries, fh)
    out.print(f"{n} entries ({used}) -> {target}; {len(problems)} row(s) skipped")


def esi_import_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="ESI list file (CSV with UT/Accession Number or DOI)."),
    date: str = typer.Option(..., "--date", help="The snapshot date, YYYY-MM-DD (ESI's data date)."),
    flag: Optional[str] = typer.Option(None, "--flag", help="hc (highly cited) or hp (hot paper); default: from the file."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record an ESI highly cited / hot papers list as a dated snapshot (history is kept)."""
    from ir.tagging import load_esi_list

    try:
        snapshot = dt.date.fromisoformat(date)
    except ValueError:
        err.print(f"[red]error:[/] --date must be YYYY-MM-DD, not {date!r}")
        raise typer.Exit(2) from None
    if flag not in (None, "hc", "hp"):
        err.print("[red]error:[/] --flag must be hc or hp")
        raise typer.Exit(2)
    report = load_esi_list(store(ctx), file, snapshot, flag)
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        out.print(f"{report.file}: {report.stored} paper(s) as {report.flag} on {report.snapshot_date}, "
                  f"{report.matched_works} matched to works; {len(report.problems)} problem(s)")
        for p in report.problems:
            err.print(f"[yellow]{p.severity}:[/] {p.file}:{p.line}: {p.reason}")
    if not report.stored:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("tag")(tag_cmd)
    journals_app.command("check")(check_cmd)
    journals_app.command("import-list")(import_list_cmd)
    esi_app.command("import")(esi_import_cmd)
    app.add_typer(journals_app, name="journals")
    app.add_typer(esi_app, name="esi")
