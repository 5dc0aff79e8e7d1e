"""``ir serve`` (the repository's web UI and JSON API) and ``ir users`` (its accounts)."""

from __future__ import annotations

import json
import secrets
from typing import Optional

import typer
from rich.markup import escape

from ir.cli import settings, store
from ir.cli.render import err, out, table

users_app = typer.Typer(help="Accounts of the web UI: faculty, librarian, research_office, admin.",
                        no_args_is_help=True)


def serve_cmd(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo", help="Create (or reset) the demo accounts and print them."),
    workers: int = typer.Option(1, "--workers", help="Worker processes."),
) -> None:
    """Start the repository: search, work pages, My outputs, review; the JSON API under /api (docs at /api/docs).

    Sign-in: IR_AUTH=local (accounts made with `ir users add`) or IR_AUTH=header behind single sign-on
    (IR_TRUSTED_HEADER, default REMOTE_USER, believed only from IR_TRUSTED_PROXIES). Example: ir serve --port 8000
    """
    import uvicorn

    from ir.web.accounts import ensure_demo_accounts, list_users
    from ir.web.app import WebConfig, create_app

    cfg = settings(ctx)
    try:
        web = WebConfig.from_env()
    except ValueError as exc:  # a bad IR_AUTH: said before anything starts
        err.print(f"[red]error:[/] settings: environment: {escape(str(exc))}")
        raise typer.Exit(2) from None
    for warning in web.warnings():
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    st = store(ctx)
    if demo:
        print_accounts(ensure_demo_accounts(st))
    elif not list_users(st) and web.auth == "local":
        out.print("[yellow]no accounts yet:[/] add one with `ir users add NAME --role librarian`, "
                  "or start with `ir serve --demo` after `ir demo`")
    app = create_app(cfg, web=web, store=st)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    out.print(f"repository: [b]http://{shown}:{port}[/b]  (API docs: http://{shown}:{port}/api/docs; "
              f"sign-in: {web.auth}{' via ' + web.trusted_header if web.auth == 'header' else ''})")
    if workers > 1:
        err.print("[yellow]note:[/] --workers > 1 needs IR_SECRET_KEY set, or every worker shares var/web-secret.key")
    # X-Forwarded-* are believed only from IR_TRUSTED_PROXIES, by the app itself (ir.web.proxy)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def print_accounts(accounts: list[dict]) -> None:
    rows = [{"user": a["username"], "role": a["role"], "person": a.get("person_id") or "", "password": a["password"]}
            for a in accounts]
    out.print(table("demo accounts", rows))


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name (for single sign-on: the name the proxy passes)."),
    role: str = typer.Option(..., "--role", help="faculty, librarian, research_office or admin."),
    person_id: Optional[str] = typer.Option(None, "--person-id", help="The faculty member's person id."),
    password: Optional[str] = typer.Option(None, "--password", help="Password; omitted: a random one is printed."),
    sso: bool = typer.Option(False, "--sso", help="An account that signs in only through the trusted header."),
) -> None:
    """Add an account. Example: ir users add wang.li --role faculty --person-id P000123"""
    from ir.web.accounts import AccountError, create_user

    generated = None
    if not sso and not password:
        password = generated = secrets.token_urlsafe(12)
    try:
        user = create_user(store(ctx), name, role, password=None if sso else password, person_id=person_id,
                           auth_source="header" if sso else "local")
    except AccountError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2)
    out.print(f"added {escape(user.username)} ({user.role}{', ' + user.person_id if user.person_id else ''})")
    if generated:
        out.print(f"password: {generated}")


@users_app.command("passwd")
def users_passwd(ctx: typer.Context, name: str = typer.Argument(...),
                 password: Optional[str] = typer.Option(None, "--password", help="Omitted: a random one is printed.")) -> None:
    """Set an account's password."""
    from ir.web.accounts import AccountError, set_password

    new = password or secrets.token_urlsafe(12)
    try:
        ended = set_password(store(ctx), name, new)
    except AccountError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2)
    out.print(f"password of {escape(name)} set" + ("" if password else f": {new}")
              + (f"; {ended} open session(s) ended" if ended else ""))


@users_app.command("list")
def users_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="One JSON array.")) -> None:
    """List the accounts."""
    from ir.web.accounts import list_users

    users = list_users(store(ctx))
    if as_json:
        typer.echo(json.dumps([u.as_json() for u in users], ensure_ascii=False))
        return
    out.print(table("accounts", [{"user": u.username, "role": u.role, "person": u.person_id or "",
                                  "name": u.display_name or "", "sign-in": u.auth_source} for u in users]))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
    app.add_typer(users_app, name="users")
