"""The ``ir`` command line: a thin mirror of the library.

Each module in :mod:`ir.cli.commands` defines ``register(app)`` and adds its commands; the global
options below are the CLI twins of the IR_* environment variables (see :mod:`ir.config`).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Optional

import typer

from ir.config import Settings

app = typer.Typer(
    name="ir",
    help="ir: the research-output pipeline and institutional repository.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    database_url: Optional[str] = typer.Option(None, "--database-url", help="Database URL.", envvar="IR_DATABASE_URL", show_envvar=True),
    dictionaries: Optional[Path] = typer.Option(None, "--dictionaries", help="Dictionaries folder.", envvar="IR_DICTIONARIES", show_envvar=True),
    search_url: Optional[str] = typer.Option(None, "--search-url", help="Elasticsearch URL.", envvar="IR_SEARCH_URL", show_envvar=True),
    config: Optional[Path] = typer.Option(None, "--config", help="Pipeline settings file (TOML).", envvar="IR_CONFIG", show_envvar=True),
) -> None:
    ctx.obj = Settings.from_env().with_overrides(
        database_url=database_url, dictionaries=dictionaries, search_url=search_url, config_file=config
    )


def settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings.from_env()


def store(ctx: typer.Context):
    from ir.store import open_store

    return open_store(settings(ctx).database_url)


for _info in pkgutil.iter_modules(importlib.import_module("ir.cli.commands").__path__):
    if not _info.name.startswith("_"):
        importlib.import_module(f"ir.cli.commands.{_info.name}").register(app)
