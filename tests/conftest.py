"""Shared fixtures: the store on SQLite and on the real PostgreSQL that ``make test`` starts.

Real-service tests are never skipped when CI is set: a missing server is a failure there.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from ir.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IR_SHARED", ROOT.parent / "shared"))
SAMPLES = SHARED / "samples"
IN_CI = bool(os.environ.get("CI"))


def need_service(name: str, value: str | None) -> str:
    if value:
        return value
    if IN_CI:
        pytest.fail(f"{name} is not available but CI is set: make test must start it")
    pytest.skip(f"{name} not available (run make test to start it)")


@pytest.fixture(scope="session")
def samples() -> Path:
    if not SAMPLES.is_dir():
        need_service("shared/samples", None)
    return SAMPLES


@pytest.fixture(scope="session")
def pg_url() -> str:
    return need_service("PostgreSQL (IR_TEST_POSTGRES_URL)", os.environ.get("IR_TEST_POSTGRES_URL"))


def _pg_store(pg_url: str):
    """A store in a schema of its own, so that tests never see each other's rows."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in pg_url else "?"
    st = open_store(f"{pg_url}{sep}options=-csearch_path%3D{schema}")
    try:
        yield st
    finally:
        st.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    """The store on both databases: every test using it runs twice."""
    if request.param == "sqlite":
        st = open_store(f"sqlite:///{tmp_path / 'ir.sqlite'}")
        yield st
        st.dispose()
    else:
        yield from _pg_store(request.getfixturevalue("pg_url"))


@pytest.fixture
def sqlite_store(tmp_path):
    st = open_store(f"sqlite:///{tmp_path / 'ir.sqlite'}")
    yield st
    st.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 1.0, log: Path | list[Path] | None = None):
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds naming ``what``
    (and the tail of each ``log``, the services' output)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    logs = log if isinstance(log, list) else [log] if log else []
    tails = "".join(f"\n--- {p}:\n{p.read_text(errors='replace')[-3000:]}" for p in logs if p.exists())
    pytest.fail(f"{what}: not after {timeout:.0f} s{tails}")


@dataclass(frozen=True)
class PrefectServer:
    url: str  # the API: http://127.0.0.1:PORT/api
    log: Path  # the server's output


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """A real Prefect server (``prefect server start``) on 127.0.0.1 and a free port, with a home of its own
    and a scheduler that looks every 2 s. Started once per test session; never skipped."""
    import requests

    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false",
               PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2", PREFECT_LOGGING_LEVEL="WARNING")
    log = home / "server.log"
    prefect = shutil.which("prefect", path=str(Path(sys.executable).parent)) or "prefect"
    with open(log, "wb") as out:
        proc = subprocess.Popen([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"

    def healthy():
        if proc.poll() is not None:
            pytest.fail(f"prefect server start exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            return requests.get(f"{url}/health", timeout=2).ok
        except requests.RequestException:
            return False

    try:
        wait_for(healthy, 180, "the Prefect server answering /api/health", log=log)
        yield PrefectServer(url, log)
    finally:
        stop_process_group(proc)


def stop_process_group(proc: subprocess.Popen, grace: float = 20) -> None:
    """Stop a process started with start_new_session=True, and whatever it started."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            continue
        try:  # the leader is gone; its children may linger a moment
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(1)
