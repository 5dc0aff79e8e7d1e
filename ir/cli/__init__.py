"""The ``ir`` command line: a thin mirror of the library.

Each module in :mod:`ir.cli.commands` defines ``register(app)`` and adds its commands; the global
options below are the CLI twins of the IR_* environment variables (see :mod:`ir.settings`). The whole
configuration is loaded and checked here, before any command runs: a bad settings file stops every
command with one message naming the file, line, section and key, before anything is written.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from ir.settings import Config, SettingsError


class _App(typer.Typer):
    """The Typer app, with the failures a person can fix (settings, an unreachable database or search
    engine) printed as one line and a non-zero exit instead of a traceback."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - explained below, or re-raised
            message, code = explain_failure(exc)
            if message is None:
                raise
            from ir.cli.render import err

            err.print(f"[red]error:[/] {escape(message)}", highlight=False)
            sys.exit(code)


def explain_failure(exc: BaseException) -> tuple[str | None, int]:
    """(one line for a person, exit code) for a failure they can act on; (None, 1) for a bug."""
    import sqlalchemy.exc as sa_exc

    from ir.search.backend import SearchConfigError, SearchUnavailable
    from ir.pipeline import PreflightError
    from ir.store.engine import RunLockError

    if isinstance(exc, SettingsError):
        return exc.explain(), 2
    if isinstance(exc, PreflightError):
        return str(exc), 2
    if isinstance(exc, SearchUnavailable | SearchConfigError):
        return f"search: {exc}", 1
    if isinstance(exc, RunLockError):
        return str(exc), 1
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        reason = (str(exc.orig) if exc.orig else str(exc)).strip().splitlines()[0]
        if CANNOT_CONNECT.search(reason):
            return f"database: {reason}", 1
    return None, 1


# what a database driver says when the server or file cannot be reached (not a bug in a statement)
CANNOT_CONNECT = re.compile(r"connect|unable to open database|could not translate host|authentication failed|"
                            r"database \"[^\"]+\" does not exist|database is locked|timeout expired|server closed", re.IGNORECASE)


app = _App(
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
    prefect_home()
    from ir.settings import load

    overrides = dict(database_url=database_url, dictionaries=dictionaries, search_url=search_url, path=config)
    try:
        ctx.obj = load(os.environ, **overrides)
    except SettingsError as exc:
        if {"--help", "-h"} & set(sys.argv[1:]):  # help is still shown; the command itself never runs
            ctx.obj = exc
            return
        from ir.cli.render import err

        err.print(f"[red]error:[/] {escape(exc.explain())}", highlight=False)
        raise typer.Exit(2) from None


def prefect_home(env=os.environ) -> None:
    """Prefect's home (its local database of runs and artifacts) under ``var/prefect`` of the project,
    unless PREFECT_HOME is set: two checkouts never share ``~/.prefect``. A profiles file the user keeps
    in ``~/.prefect`` (``prefect config set``) still applies."""
    if env.get("PREFECT_HOME"):
        return
    env["PREFECT_HOME"] = str(Path("var/prefect").resolve())
    profiles = Path.home() / ".prefect" / "profiles.toml"
    if not env.get("PREFECT_PROFILES_PATH") and profiles.is_file():
        env["PREFECT_PROFILES_PATH"] = str(profiles)


def settings(ctx: typer.Context) -> Config:
    """The configuration the callback loaded and checked."""
    obj = ctx.find_root().obj
    if isinstance(obj, SettingsError):
        raise obj
    if isinstance(obj, Config):
        return obj
    from ir.settings import load

    return load()


def store(ctx: typer.Context):
    from ir.store import open_store

    return open_store(settings(ctx).database_url)


def locked(st, what: str):
    """The database's run lock for a command that writes: a second run waits, saying for whom."""
    from ir.cli.render import err
    from ir.store.engine import run_lock

    return run_lock(st, what, on_wait=lambda message: err.print(f"[yellow]waiting:[/] {message}", highlight=False))


for _info in pkgutil.iter_modules(importlib.import_module("ir.cli.commands").__path__):
    if not _info.name.startswith("_"):
        importlib.import_module(f"ir.cli.commands.{_info.name}").register(app)
