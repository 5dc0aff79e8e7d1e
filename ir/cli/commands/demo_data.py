"""``ir demo-data``: write the demo institution's dictionaries, export files and truth."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

out = Console()


def demo_data_cmd(
    out_dir: Path = typer.Argument(..., help="Folder to write dictionaries/, exports/ and truth/ into."),
    works: int = typer.Option(300, "--works", min=1, help="Number of true works."),
    people: int = typer.Option(200, "--people", min=20, help="Number of people of the institution."),
    seed: int = typer.Option(7, "--seed", help="Random seed: the same seed writes byte-identical files."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Generate a fictional university's research output: exports from WoS, EI and CNKI with realistic
    noise, the dictionaries to attribute them, and the truth to score consolidation and attribution.

    Example: ir demo-data var/demo --works 1000 --people 500
    """
    from ir.demo import generate

    summary = generate(out_dir, works=works, people=people, seed=seed)
    if as_json:
        typer.echo(json.dumps(summary.as_json(), ensure_ascii=False))
        return
    table = Table(title=f"demo data in {out_dir} (seed {seed}, {summary.seconds:.1f} s)")
    for col in ("source", "records", "of which second records of a work", "files"):
        table.add_column(col, justify="left" if col == "source" else "right")
    by_dir: dict[str, int] = {}
    for p in summary.files:
        by_dir[p.parent.name] = by_dir.get(p.parent.name, 0) + 1
    for src, n in summary.records.items():
        table.add_row(src, str(n), str(summary.duplicates.get(src, 0)), str(by_dir.get(src, 0)))
    table.add_row("[b]total[/]", str(sum(summary.records.values())), str(sum(summary.duplicates.values())),
                  str(sum(by_dir.get(s, 0) for s in summary.records)))
    out.print(table)
    out.print(f"works {summary.works} · people {summary.people} ({summary.appointments} appointments) · "
              f"organizations {summary.organizations} · journals {summary.journals} "
              f"({summary.journal_list_rows} list rows)")
    out.print("works by sources: " + ", ".join(f"{k} {v}" for k, v in summary.works_by_sources.items()))
    out.print(f"files written: {len(summary.files)} — dictionaries/, exports/wos, exports/ei, exports/cnki, truth/")


def register(app: typer.Typer) -> None:
    app.command("demo-data")(demo_data_cmd)
