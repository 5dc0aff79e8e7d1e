"""Opening the database, bringing it up to date, and the one upsert every stage uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ir.store import tables

MIGRATIONS = Path(__file__).with_name("migrations")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Store:
    engine: sa.Engine
    url: str

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def begin(self):
        return self.engine.begin()

    def connect(self):
        return self.engine.connect()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 60})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def migrate(engine: sa.Engine) -> None:
    """Run Alembic's upgrade to head on this engine."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(url: str, *, upgrade: bool = True) -> Store:
    tables.load()
    engine = make_engine(url)
    if upgrade:
        migrate(engine)
    return Store(engine=engine, url=url)


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict],
    key: Iterable[str],
    update: Iterable[str] | None = None,
    *,
    where_changed: str | None = None,
    where_not_less: str | None = None,
) -> None:
    """Insert rows, or update the named columns of the rows whose key exists.

    ``where_changed`` names a column (a content hash): an existing row is touched only when that
    column differs, so re-running on the same input changes nothing. ``where_not_less`` names a column
    (a rank) that an update may not lower. Duplicate keys within one
    batch keep the last row (PostgreSQL refuses a statement that updates one row twice).
    """
    if not rows:
        return
    key = list(key)
    rows = list({tuple(r[k] for k in key): r for r in rows}.values())
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[conn.dialect.name]
    stmt = insert(table)
    update = [c for c in (update if update is not None else rows[0].keys()) if c not in key]
    if update:
        conditions = []
        if where_changed:
            conditions.append(table.c[where_changed].is_distinct_from(stmt.excluded[where_changed]))
        if where_not_less:
            conditions.append(stmt.excluded[where_not_less] >= table.c[where_not_less])
        where = sa.and_(*conditions) if conditions else None
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c[k] for k in key],
            set_={c: stmt.excluded[c] for c in update},
            where=where,
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=[table.c[k] for k in key])
    for start in range(0, len(rows), 2000):
        conn.execute(stmt, rows[start : start + 2000])
