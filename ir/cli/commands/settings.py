"""``ir settings``: the configuration in force, every key of every section, as checked at start (passwords,
tokens and API keys hidden)."""

from __future__ import annotations

import dataclasses
import json
import re

import typer
from rich.table import Table

from ir.cli import settings
from ir.cli.render import add_columns, out


SECRET = re.compile(r"(token|api_key|password|secret)$")  # keys whose values are never shown


def settings_rows(cfg) -> list[dict]:
    """(section, key, value, default?) for where things are and every section of the settings file."""
    from ir.settings import SECTIONS

    import sqlalchemy as sa

    shown = {"database_url": sa.engine.make_url(cfg.database_url).render_as_string(hide_password=True)}
    rows = [{"section": "", "key": k, "value": shown.get(k) or str(getattr(cfg, k) or ""), "set": ""}
            for k in ("database_url", "dictionaries", "search_url", "web_url", "config_file")]
    for sec in SECTIONS:
        current = getattr(cfg, sec.name)
        if sec.name == "report":
            values, defaults = current.as_dict(), sec.cls()().as_dict()
        else:
            values = {f.name: getattr(current, f.name) for f in dataclasses.fields(current)}
            defaults = {f.name: getattr(sec.cls()(), f.name) for f in dataclasses.fields(current)}
        rows += [{"section": sec.name, "key": k,
                  "value": '"***"' if v and SECRET.search(k) else json.dumps(v, ensure_ascii=False, default=str),
                  "set": "" if v == defaults.get(k) else "changed"} for k, v in values.items()]
    return rows


def settings_cmd(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="One JSON object.")) -> None:
    """Show the configuration in force: where things are, and every key of every section of the settings
    file with its value ("changed" where it is not the default). Example: ir --config ir.toml settings"""
    rows = settings_rows(settings(ctx))
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    t = Table(title="settings in force", title_justify="left")
    add_columns(t, ("section", "key", "value", "set"), [list(r.values()) for r in rows])
    out.print(t)


def register(app: typer.Typer) -> None:
    app.command("settings")(settings_cmd)
