"""Opening the database, bringing it up to date, the run lock, and the one upsert every stage uses.

Two processes may open one database at once (a cron job and a librarian): migrations are serialised
(PostgreSQL: a transaction-level advisory lock; SQLite: a lock on a file beside the database), and
a run that writes (ingest to index) holds the database's run lock (:func:`run_lock`): a second run
waits, saying who holds it. On PostgreSQL the locks are per schema, so two stores in two schemas of
one database never wait for each other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
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
    """Run Alembic's upgrade to head on this engine, one process at a time."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with _sqlite_file_lock(engine, "migrate"), engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # released when this transaction ends
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('ir-migrate'), hashtext(current_schema()))"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


# ------------------------------------------------------------------------------ the run lock

class RunLockError(RuntimeError):
    """The run lock is held by another run and the caller would not wait (longer)."""


def _sqlite_path(engine: sa.Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    db = engine.url.database
    return Path(db).resolve() if db and db != ":memory:" and not db.startswith("file:") else None


@contextlib.contextmanager
def _sqlite_file_lock(engine: sa.Engine, name: str, what: str = "", on_busy: Callable[[str], None] | None = None,
                      timeout: float | None = None) -> Iterator[None]:
    """An exclusive lock on ``<database>.<name>.lock`` beside a SQLite database (flock: released by the
    kernel if the process dies); nothing to lock for PostgreSQL or an in-memory database. When another
    holds it, ``on_busy`` hears what the holder wrote in the file (``what``, with :func:`holder_text`),
    then the caller waits, at most ``timeout`` seconds (:class:`RunLockError`)."""
    path = _sqlite_path(engine)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(f"{path}.{name}.lock", "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            if on_busy:
                on_busy(fh.read().strip())
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:  # flock has no timeout: poll when there is one
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise RunLockError(f"the database {path} stayed busy for {timeout:g} s (another run holds "
                                           "its run lock); try again when it has finished") from None
                    time.sleep(0.2)
        if what:
            fh.seek(0)
            fh.truncate()
            fh.write(holder_text(what) + "\n")
            fh.flush()
        try:
            yield
        finally:
            if what:
                fh.seek(0)
                fh.truncate()
                fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def holder_text(what: str, limit: int | None = None) -> str:
    """Who a lock holder is, for the message of whoever waits: the command, the process, the host, since
    when; within ``limit`` characters (PostgreSQL's application_name holds 63) by shortening the command."""
    who = f" (pid {os.getpid()} on {socket.gethostname()}, since {utcnow():%Y-%m-%d %H:%M} UTC)"
    if limit is not None and len(what) + len(who) > limit:
        what = what[:max(0, limit - len(who) - 3)] + "..."  # ASCII: application_name keeps no other
    return (what + who)[:limit] if limit else what + who


# a process holds a database's run lock once: runs nested in it (a flow and its sub-flows, ``ir demo`` and its
# flow, in whichever thread Prefect runs them) pass through while it is held
_held: dict[str, list[int]] = {}
_held_guard = threading.Lock()


def _store_key(store: Store) -> str:
    path = _sqlite_path(store.engine)
    if path is not None:
        return f"sqlite:{path}"
    with store.connect() as conn:
        schema = conn.execute(sa.text("SELECT current_database() || '.' || current_schema()")).scalar() \
            if store.dialect == "postgresql" else ""
    return f"{store.engine.url.render_as_string(hide_password=True)}#{schema}"


@contextlib.contextmanager
def run_lock(store: Store, what: str = "ir run", *, on_wait: Callable[[str], None] | None = None,
             timeout: float | None = None) -> Iterator[None]:
    """Hold the database's run lock while a run writes: one run at a time per database (per schema on
    PostgreSQL). A second run waits for it, after calling ``on_wait`` with a sentence saying who holds
    it; with ``timeout`` (seconds) it gives up with :class:`RunLockError`. Released when the block ends,
    and by the database or the kernel if the process dies, so a crashed run never blocks the next.
    Within one process the lock is taken once: nested holders pass through."""
    key = _store_key(store)
    with _held_guard:
        depth = _held.setdefault(key, [0])
        nested = depth[0] > 0
        if nested:
            depth[0] += 1
    if nested:
        try:
            yield
        finally:
            with _held_guard:
                depth[0] -= 1
        return
    lock = _pg_run_lock if store.dialect == "postgresql" else _sqlite_run_lock
    with lock(store, what, on_wait, timeout):
        with _held_guard:
            depth[0] += 1
        try:
            yield
        finally:
            with _held_guard:
                depth[0] -= 1


def _waited(store: Store, holder: str, on_wait, timeout: float | None) -> None:
    message = f"the database is busy: {holder or 'another ir run'} holds its run lock; waiting for it to finish"
    if timeout is not None and timeout <= 0:
        raise RunLockError(message.replace("; waiting for it to finish", "; try again when it has finished"))
    if on_wait:
        on_wait(message)


def _sqlite_run_lock(store: Store, what: str, on_wait, timeout: float | None):
    return _sqlite_file_lock(store.engine, "run", what, lambda holder: _waited(store, holder, on_wait, timeout),
                             timeout)


PG_RUN_LOCK = "hashtext('ir-run'), hashtext(current_schema())"


@contextlib.contextmanager
def _pg_run_lock(store: Store, what: str, on_wait, timeout: float | None) -> Iterator[None]:
    """A session-level advisory lock on a connection of its own (autocommit: no transaction held open);
    its application_name says who holds it."""
    conn = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        if not conn.execute(sa.text(f"SELECT pg_try_advisory_lock({PG_RUN_LOCK})")).scalar():
            holder = conn.execute(sa.text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                "AND l.classid = hashtext('ir-run')::bit(32)::bigint::oid "
                "AND l.objid = hashtext(current_schema())::bit(32)::bigint::oid")).scalar()
            _waited(store, holder or "", on_wait, timeout)
            if timeout is not None:
                conn.execute(sa.text(f"SET lock_timeout = '{int(timeout * 1000)}ms'"))
            try:
                conn.execute(sa.text(f"SELECT pg_advisory_lock({PG_RUN_LOCK})"))
            except sa.exc.OperationalError as exc:
                raise RunLockError(f"the database stayed busy for {timeout:g} s (another run holds its run "
                                   "lock); try again when it has finished") from exc
            conn.execute(sa.text("RESET lock_timeout"))
        conn.execute(sa.text("SELECT set_config('application_name', :v, false)"), {"v": holder_text(what, 63)})
        try:
            yield
        finally:
            conn.execute(sa.text(f"SELECT pg_advisory_unlock({PG_RUN_LOCK})"))
            conn.execute(sa.text("SELECT set_config('application_name', '', false)"))
    finally:
        conn.close()


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
