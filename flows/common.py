"""What every flow shares: the configuration, the run lock, retries on transient failures, and the
artifacts librarians read."""

from __future__ import annotations

import contextlib
import functools
import os

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.tasks import exponential_backoff

from ir.cli.render import rows_of
from ir.pipeline import attention
from ir.settings import Config, FlowSettings, load
from ir.store import open_store

__all__ = ["FlowSettings", "RETRIES", "RETRY_DELAYS", "is_transient", "locked", "make_task_runner", "publish",
           "publish_summary", "retry_transient", "settings_from", "store_for"]

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
                  dictionaries: str | None = None, config_file: str | None = None) -> Config:
    """The whole configuration at flow entry, checked before the flow writes anything: flow parameters
    are plain strings (deployments need JSON); the unset ones come from the IR_* variables."""
    return load(os.environ, path=config_file, database_url=database_url, search_url=search_url,
                dictionaries=dictionaries)


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


def store_for(settings: Config):
    """One store (engine, migrated once) per database per process, shared by the tasks."""
    return _store(settings.database_url)


@contextlib.contextmanager
def locked(settings: Config, what: str):
    """The database's run lock for a flow: a second flow run (or ``ir run``) on the same database waits,
    and its log says who it waits for."""
    from ir.store.engine import run_lock

    with run_lock(store_for(settings), what, on_wait=lambda message: print(f"waiting: {message}")):
        yield


def publish(stage: str, report, seconds: float | None = None) -> list[str]:
    """A table artifact for the stage; returns the attention notes of its report."""
    rows = rows_of(report) or [{"result": "nothing to do"}]
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    create_table_artifact(key=f"ir-{stage}", table=rows, description=f"{stage}{took}")
    return attention(report)


def publish_summary(summary) -> str:
    """The run summary (:class:`ir.summary.RunSummary`) as the ``ir-run-summary`` markdown artifact."""
    markdown = summary.markdown()
    create_markdown_artifact(key="ir-run-summary", markdown=markdown, description=summary.title)
    return markdown
