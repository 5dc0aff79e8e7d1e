"""What every flow shares: settings, retries on transient failures, and the artifacts librarians read."""

from __future__ import annotations

import functools

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.tasks import exponential_backoff

from ir.cli.render import rows_of
from ir.pipeline import attention
from ir.config import Settings
from ir.store import open_store

# Transient failures are worth a retry with backoff; a bug or bad data is not.
RETRIES = 3
RETRY_DELAYS = exponential_backoff(backoff_factor=2)


def is_transient(exc: BaseException) -> bool:
    import sqlalchemy.exc as sa_exc

    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    try:
        import elasticsearch

        if isinstance(exc, elasticsearch.ConnectionError | elasticsearch.ConnectionTimeout):
            return True
        if isinstance(exc, elasticsearch.ApiError) and exc.meta.status in (429, 502, 503, 504):
            return True
    except ImportError:  # pragma: no cover - the client is a dependency
        pass
    return isinstance(exc, ConnectionError | TimeoutError)


def retry_transient(task, task_run, state) -> bool:
    """Prefect retry_condition_fn: retry only what a retry can fix."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - the state's own exception, inspected
        return is_transient(exc)
    return False


def settings_from(database_url: str | None = None, search_url: str | None = None,
                  dictionaries: str | None = None, config_file: str | None = None) -> Settings:
    """Flow parameters are plain strings (deployments need JSON); unset ones come from IR_* variables."""
    from pathlib import Path

    return Settings.from_env().with_overrides(
        database_url=database_url, search_url=search_url,
        dictionaries=Path(dictionaries) if dictionaries else None,
        config_file=Path(config_file) if config_file else None,
    )


@functools.lru_cache(maxsize=8)
def _store(url: str):
    return open_store(url)


def store_for(settings: Settings):
    """One store (engine, migrated once) per database per process, shared by the tasks."""
    return _store(settings.database_url)


def publish(stage: str, report, seconds: float | None = None) -> list[str]:
    """A table artifact for the stage; returns the attention notes for the run summary."""
    rows = rows_of(report) or [{"result": "nothing to do"}]
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    create_table_artifact(key=f"ir-{stage}", table=rows, description=f"{stage}{took}")
    return attention(report)


def publish_summary(title: str, timings: dict[str, float], attention: dict[str, list[str]]) -> str:
    lines = [f"# {title}", "", "| stage | seconds |", "|---|---:|"]
    lines += [f"| {name} | {secs:.1f} |" for name, secs in timings.items()]
    lines += ["", "## Needs a person's attention", ""]
    notes = [(stage, n) for stage, ns in attention.items() for n in ns]
    lines += [f"- **{stage}**: {note}" for stage, note in notes] or ["Nothing: every stage finished cleanly."]
    markdown = "\n".join(lines) + "\n"
    create_markdown_artifact(key="ir-run-summary", markdown=markdown, description=title)
    return markdown
