"""``ir serve-flows``: the deployments for a Prefect server: the watch folder and the harvest on their
schedules, every stage on demand."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ir.cli import settings
from ir.cli.render import err


def serve_flows_cmd(
    ctx: typer.Context,
    inbox: Path = typer.Option(Path("var/inbox"), "--inbox", help="The watch folder librarians drop exports into."),
    interval: int = typer.Option(300, "--interval", help="Seconds between runs over the inbox."),
    settle_seconds: float = typer.Option(5.0, "--settle", help="Skip files modified more recently than this."),
) -> None:
    """Serve the pipeline: the inbox on a schedule, and on-demand runs of every stage, from Prefect's UI."""
    from prefect import serve

    if not os.environ.get("PREFECT_API_URL"):
        err.print("[red]error:[/] schedules need a Prefect server: run `prefect server start` and set "
                  "PREFECT_API_URL=http://127.0.0.1:4200/api (see the README's section for librarians)")
        raise typer.Exit(2)
    inbox = inbox.resolve()
    inbox.mkdir(parents=True, exist_ok=True)
    hs = settings(ctx).harvest
    harvest_when = f"every {hs.schedule_interval} s" if hs.schedule_interval else f"on cron {hs.schedule_cron!r}"
    err.print(f"serving: inbox {inbox} every {interval} s; harvest {harvest_when}; stage flows on demand")
    serve(*deployments(settings(ctx), inbox, interval, settle_seconds))


def deployments(cfg, inbox: Path, interval: int, settle_seconds: float) -> list:
    """The deployments ``ir serve-flows`` serves: the inbox on a schedule, every flow on demand."""
    from flows.pipeline import inbox_flow, pipeline_flow
    from flows.report import report_flow
    from flows.stages import attribute_flow, consolidate_flow, index_flow, ingest_flow, tag_flow

    common = {"database_url": cfg.database_url, "search_url": cfg.search_url,
              "dictionaries": str(cfg.dictionaries.resolve()),
              "config_file": str(cfg.config_file.resolve()) if cfg.config_file else None}
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    # one inbox run at a time: a run still busy when the next is due makes the next one cancel itself
    # (the files wait for the following run) instead of runs piling up behind it
    one_at_a_time = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
    return [
        inbox_flow.to_deployment(name="inbox", interval=interval, tags=["ir"], concurrency_limit=one_at_a_time,
                                 parameters={"inbox": str(inbox), "settle_seconds": settle_seconds, **common}),
        pipeline_flow.to_deployment(name="on-demand", tags=["ir"], parameters=common),
        ingest_flow.to_deployment(name="on-demand", tags=["ir"], parameters={"database_url": cfg.database_url}),
        *[f.to_deployment(name="on-demand", tags=["ir"], parameters=common)
          for f in (consolidate_flow, attribute_flow, tag_flow, index_flow)],
        report_flow.to_deployment(name="on-demand", tags=["ir"], parameters={
            "database_url": cfg.database_url, "config_file": common["config_file"]}),
        *harvest_deployments(cfg, common, one_at_a_time),
    ]


def harvest_deployments(cfg, common: dict, one_at_a_time) -> list:
    """The harvest flow on the [harvest] schedule (``schedule_interval`` seconds when set, else
    ``schedule_cron``), one run at a time; also startable on demand from its deployment."""
    from flows.harvest import harvest_flow

    hs = cfg.harvest
    when = {"interval": hs.schedule_interval} if hs.schedule_interval else {"cron": hs.schedule_cron}
    return [harvest_flow.to_deployment(name="scheduled", tags=["ir"], parameters=common,
                                       concurrency_limit=one_at_a_time, **when)]


def register(app: typer.Typer) -> None:
    app.command("serve-flows")(serve_flows_cmd)
