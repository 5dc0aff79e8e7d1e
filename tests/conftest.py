"""Shared fixtures: the store on SQLite and on the real PostgreSQL that ``make test`` starts.

Real-service tests are never skipped when CI is set: a missing server is a failure there.
"""

from __future__ import annotations

import os
import uuid
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
