"""What every flow shares: settings, retries on transient failures, and the artifacts librarians read."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace
from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.tasks import exponential_backoff

from ir import settings_file
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


TASK_RUNNERS = ("threads", "dask")


@dataclass(frozen=True)
class FlowSettings:
    """The [flows] section of the settings file: where the CPU-heavy stages run their batches."""

    task_runner: str = "threads"  # threads | dask (env IR_TASK_RUNNER overrides)
    dask_address: str = ""  # an existing Dask scheduler ("tcp://host:8786"); empty: a local cluster
    dask_workers: int = 2  # workers of the local cluster (threads: the thread pool's size)
    dask_processes: bool = True  # local cluster of processes (False: threads, for tests)
    attribute_batch_size: int = 5000  # works per attribute task (one task per batch, never per work)

    @classmethod
    def load(cls, path: Path | None = None, data: dict | None = None) -> FlowSettings:
        fs = settings_file.section(cls, "flows", path, data)
        if os.environ.get("IR_TASK_RUNNER"):
            fs = replace(fs, task_runner=os.environ["IR_TASK_RUNNER"].strip().lower())
        if fs.task_runner not in TASK_RUNNERS:
            raise settings_file.SettingsError(
                f"[flows] task_runner = {fs.task_runner!r}: expected one of {', '.join(TASK_RUNNERS)}")
        return fs


def make_task_runner(fs: FlowSettings):
    """The task runner the settings select: Prefect's thread pool, or Dask (a local cluster or the
    scheduler at ``dask_address``)."""
    if fs.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if fs.dask_address:
            return DaskTaskRunner(address=fs.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": fs.dask_workers, "threads_per_worker": 1,
                                              "processes": fs.dask_processes})
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=max(1, fs.dask_workers))


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
