"""``ir demo``: the whole pipeline on a generated demo institution, then where to look."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import typer

from ir.cli import locked, settings
from ir.cli.render import out, print_report, table


def demo_cmd(
    ctx: typer.Context,
    folder: Path = typer.Option(Path("var/demo"), "--out", help="Where the demo institution's files go."),
    works: int = typer.Option(300, help="Number of true works to generate."),
    people: int = typer.Option(200, help="Number of people in the demo dictionaries."),
    fresh: bool = typer.Option(False, "--fresh", help="Start from an empty database and new demo files."),
    with_prefect: bool = typer.Option(True, "--prefect/--no-prefect",
                                      help="Run as a Prefect flow (ephemeral mode without a server)."),
) -> None:
    """Generate the demo institution's exports, run the whole pipeline on them, and say where to look.

    Two demos at once on one database take turns: the second waits for the first, saying so.
    """
    from ir.store.engine import Store, make_engine

    cfg = settings(ctx)
    folder = folder.resolve()
    with locked(Store(make_engine(cfg.database_url), cfg.database_url), "ir demo"):
        _demo(cfg, folder, works, people, fresh, with_prefect)


def _demo(cfg, folder: Path, works: int, people: int, fresh: bool, with_prefect: bool) -> None:
    from ir.demo import generate

    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
        if cfg.database_url.startswith("sqlite:///"):
            db = Path(cfg.database_url.removeprefix("sqlite:///"))
            for f in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                f.unlink(missing_ok=True)
    if not (folder / "exports").is_dir():
        generate(folder, works=works, people=people)
    cfg = cfg.with_overrides(dictionaries=folder / "dictionaries")
    exports = folder / "exports"

    if with_prefect:
        from flows.pipeline import pipeline_flow

        summary = pipeline_flow(paths=[str(exports)], database_url=cfg.database_url, search_url=cfg.search_url,
                                dictionaries=str(cfg.dictionaries),
                                config_file=str(cfg.config_file) if cfg.config_file else None)
        files = summary["files"]
        out.print(f"pipeline: {len(files)} files, {sum(f['stored'] for f in files)} records stored, "
                  f"{sum(f['quarantined'] for f in files)} quarantined; stage seconds: "
                  + ", ".join(f"{k} {v:.1f}" for k, v in summary["timings"].items()))
    else:
        from ir import pipeline
        from ir.store import open_store

        for res in pipeline.run(open_store(cfg.database_url), cfg, [exports]):
            print_report(f"{res.name} ({res.seconds:.1f} s)", res.report)

    _harvest(cfg, works, people, with_prefect)
    results = _after_pipeline(cfg, folder)
    _where_to_look(cfg, folder, results)


def _harvest(cfg, works: int, people: int, with_prefect: bool) -> None:
    """A harvest run from Crossref, OpenAlex and ORCID, here a local FAKE of them (ir.harvest.demo)."""
    from ir.harvest import demo as harvest_demo

    out.print("\n[b]Harvest[/b] from a local fake of Crossref, OpenAlex and ORCID (these machines reach no API):")
    for name, report in harvest_demo.run(cfg, works, people, prefect=with_prefect):
        if name in ("harvest", "enrich"):
            rows = report["by_source"] if isinstance(report, dict) else report.by_source()
            out.print(table(f"{name} (per source)", rows))


def _after_pipeline(cfg, folder: Path) -> dict:
    """The demo's products beyond the stores: the works export and, when available, the annual extract."""
    from ir.store import open_store

    store = open_store(cfg.database_url)
    products = {}
    try:
        from ir.export import export_works

        path = folder / "works.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            export_works(store, fh)
        products["works export"] = path
    except ImportError:
        pass
    try:
        from ir.report import demo_extract

        products["annual extract"] = demo_extract(store, cfg, folder)
    except ImportError:
        pass
    from ir.web.accounts import ensure_demo_accounts

    products["accounts"] = ensure_demo_accounts(store, password="demo-pass")
    return products


def _where_to_look(cfg, folder: Path, products: dict) -> None:
    out.print("\n[b]Where to look[/b]")
    url = cfg.database_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):  # a relative file: say where it is
        url = f"sqlite:///{Path(url.removeprefix('sqlite:///')).resolve()}"
    out.print(f"  database:        {url}")
    out.print(f"  demo files:      {folder} (exports/, dictionaries/, truth/)")
    accounts = products.pop("accounts", [])
    for name, path in products.items():
        out.print(f"  {name + ':':<16} {path}")
    ir = bin_path("ir")
    out.print(f"  quarantine:      {ir} quarantine")
    out.print(f"  review queue:    {ir} review")
    out.print(f"  harvest state:   {ir} harvest status   (OAI-PMH for aggregators: {cfg.web_url}/oai?verb=Identify)")
    out.print(f"  repository:      {ir} serve   then open {cfg.web_url} and sign in as")
    for acc in accounts:
        who = f" (person {acc['person_id']})" if acc.get("person_id") else ""
        out.print(f"                   {acc['role']:<16} {acc['username']} / {acc['password']}{who}")
    home = os.environ.get("PREFECT_HOME", "~/.prefect")
    out.print(f"  Prefect runs:    PREFECT_HOME={shlex.quote(home)} {bin_path('prefect')} server start   "
              "then open http://127.0.0.1:4200 (the demo's runs and artifacts)")
    venv = Path(sys.prefix)
    if sys.prefix != sys.base_prefix:
        out.print(f"\n  In a new shell, first: [b]source {shlex.quote(str(venv / 'bin' / 'activate'))}[/b]  "
                  f"(or run ir as {bin_path('ir')})")


def bin_path(name: str) -> str:
    """The full path of a command of this installation (the venv's bin), as a new shell needs it."""
    exe = Path(sys.prefix) / "bin" / name
    return shlex.quote(str(exe)) if exe.exists() else name


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)
