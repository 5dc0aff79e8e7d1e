"""Server-side sessions and sign-in throttling for local accounts.

A session is a row of ``web_sessions``: the cookie (signed by starlette) carries a random token, the
table keeps its SHA-256, the account and the expiry. :func:`open_session` makes one at sign-in,
:func:`session_user` checks one on every request, :func:`close_session` (sign-out) and
:func:`close_all` (password change, account disabled) delete them: a copied or replayed cookie then
signs in no one.

Throttling (:class:`Throttle`): failed sign-ins are counted per account and per client address over a
window; past the limit, sign-in is refused (without checking the password) until the oldest failure
in the window is older than the window, and the refusal says how long to wait. A successful sign-in
clears the account's failures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from ir.store import Store
from ir.store.engine import utcnow
from ir.store.tables.repository import login_failures, users, web_sessions

TOUCH_EVERY = dt.timedelta(minutes=5)  # last_seen_at is written at most this often per session


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)  # SQLite returns naive UTC


def open_session(store: Store, user_id: int, max_age: int, client: str | None = None) -> str:
    """A new session for the account; returns the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.begin() as conn:
        conn.execute(web_sessions.delete().where(web_sessions.c.expires_at < now))  # housekeeping
        conn.execute(web_sessions.insert().values(token_hash=_hash(token), user_id=user_id, created_at=now,
                                                  expires_at=now + dt.timedelta(seconds=max_age),
                                                  last_seen_at=now, client=(client or "")[:64] or None))
    return token


def session_user(store: Store, token: str | None) -> int | None:
    """The account id of a live session, or None (unknown, closed or expired token)."""
    if not token or not isinstance(token, str):
        return None
    h = _hash(token)
    now = utcnow()
    with store.connect() as conn:
        row = conn.execute(sa.select(web_sessions.c.user_id, web_sessions.c.expires_at, web_sessions.c.last_seen_at)
                           .where(web_sessions.c.token_hash == h)).first()
    if row is None or _aware(row.expires_at) <= now:
        return None
    if now - _aware(row.last_seen_at) > TOUCH_EVERY:
        with store.begin() as conn:
            conn.execute(web_sessions.update().where(web_sessions.c.token_hash == h).values(last_seen_at=now))
    return row.user_id


def close_session(store: Store, token: str | None) -> None:
    if token and isinstance(token, str):
        with store.begin() as conn:
            conn.execute(web_sessions.delete().where(web_sessions.c.token_hash == _hash(token)))


def close_all(store: Store, username: str, conn: sa.Connection | None = None) -> int:
    """End every session of the account (after a password change); returns how many were open."""
    def run(c: sa.Connection) -> int:
        uid = sa.select(users.c.id).where(users.c.username == username).scalar_subquery()
        return c.execute(web_sessions.delete().where(web_sessions.c.user_id == uid)).rowcount or 0

    if conn is not None:
        return run(conn)
    with store.begin() as c:
        return run(c)


# ------------------------------------------------------------------------------ throttling


class Throttled(Exception):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Throttle:
    per_account: int = 5  # failed sign-ins of one account within the window
    per_client: int = 20  # failed sign-ins from one address within the window (any accounts)
    window: int = 900  # seconds

    def check(self, store: Store, username: str, client: str) -> None:
        """Raise :class:`Throttled` when the account or the address has failed too often lately."""
        since = utcnow() - dt.timedelta(seconds=self.window)
        f = login_failures.c
        with store.connect() as conn:
            for col, value, limit, what in ((f.username, _key(username), self.per_account, "this account"),
                                            (f.client, client, self.per_client, "your address")):
                n, oldest = conn.execute(sa.select(sa.func.count(), sa.func.min(f.at))
                                         .where(col == value, f.at >= since)).one()
                if n >= limit:
                    wait = max(1, math.ceil((_aware(oldest) - since).total_seconds()))
                    minutes = math.ceil(wait / 60)
                    raise Throttled(f"Too many failed sign-ins for {what}: try again in {minutes} minute"
                                    f"{'' if minutes == 1 else 's'}.", wait)

    def failed(self, store: Store, username: str, client: str) -> None:
        now = utcnow()
        with store.begin() as conn:
            conn.execute(login_failures.delete().where(login_failures.c.at < now - dt.timedelta(seconds=self.window)))
            conn.execute(login_failures.insert().values(username=_key(username), client=client[:64], at=now))

    def succeeded(self, store: Store, username: str) -> None:
        with store.begin() as conn:
            conn.execute(login_failures.delete().where(login_failures.c.username == _key(username)))


def _key(username: str) -> str:
    return (username or "").strip()[:120]
