"""Accounts: local users with argon2id password hashes, and the trusted-header mode behind single sign-on.

``IR_AUTH=local`` (default): people sign in with a user name and password kept here.
``IR_AUTH=header``: a front proxy that has authenticated the person (Shibboleth, CAS, Kerberos) passes
the user name in ``IR_TRUSTED_HEADER`` (default ``REMOTE_USER``); the app believes it only from the
addresses in ``IR_TRUSTED_PROXIES`` (see :mod:`ir.web.proxy`). The name maps to an account that signs
in through the proxy (``ir users add NAME --sso``), never to a local account with a password: the
header cannot make anyone the local admin. With ``IR_AUTH_PROVISION=1`` an unknown name that matches a
person of the dictionaries (by e-mail, person id, or e-mail local part) gets a faculty account for that
person on first visit.

Changing a password ends every session of the account (:func:`ir.web.sessions.close_all`).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ir import audit
from ir.store import Store
from ir.store.engine import utcnow
from ir.store.tables.repository import users

log = logging.getLogger(__name__)
ROLES = ("faculty", "librarian", "research_office", "admin")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# verified against when the user does not exist, so that timing does not reveal which names exist
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


class AccountError(ValueError):
    """A request the caller must correct: unknown role, duplicate user name, missing person."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    display_name: str | None = None
    email: str | None = None
    person_id: str | None = None
    auth_source: str = "local"
    active: bool = True

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def as_json(self) -> dict:
        return {"username": self.username, "role": self.role, "display_name": self.display_name,
                "email": self.email, "person_id": self.person_id, "auth_source": self.auth_source}


def _user(row) -> User:
    return User(id=row.id, username=row.username, role=row.role, display_name=row.display_name, email=row.email,
                person_id=row.person_id, auth_source=row.auth_source, active=bool(row.active))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(hashed: str | None, password: str) -> bool:
    try:
        return _hasher.verify(hashed or _DUMMY_HASH, password) and hashed is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def create_user(store: Store, username: str, role: str, *, password: str | None = None, person_id: str | None = None,
                display_name: str | None = None, email: str | None = None, auth_source: str = "local",
                actor: str = "cli", actor_role: str | None = "cli") -> User:
    username = (username or "").strip()
    if not username:
        raise AccountError("a user name is needed")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if role == "faculty" and not person_id:
        raise AccountError("a faculty account needs --person-id (the person in the dictionaries)")
    if auth_source == "local" and not password:
        raise AccountError("a local account needs a password")
    if password is not None:
        check_password_rules(password)
    with store.begin() as conn:
        if conn.execute(sa.select(users.c.id).where(users.c.username == username)).first():
            raise AccountError(f"user {username!r} exists already")
        if person_id and display_name is None:
            display_name = person_name(conn, person_id)
        values = dict(username=username, role=role, person_id=person_id or None, display_name=display_name,
                      email=email, password_hash=hash_password(password) if password else None,
                      auth_source=auth_source, active=True, created_at=utcnow())
        uid = conn.execute(users.insert().values(**values)).inserted_primary_key[0]
        audit.record(conn, actor=actor, role=actor_role, action="user_add", object_type="user", object_id=username,
                     after={k: values[k] for k in ("username", "role", "person_id", "auth_source")})
    return get_user(store, uid)


def set_password(store: Store, username: str, password: str, *, actor: str = "cli", actor_role: str | None = "cli") -> int:
    """Set the password and end every open session of the account; returns how many were ended."""
    from ir.web.sessions import close_all

    check_password_rules(password)
    with store.begin() as conn:
        n = conn.execute(users.update().where(users.c.username == username)
                         .values(password_hash=hash_password(password))).rowcount
        if not n:
            raise AccountError(f"no user {username!r}")
        ended = close_all(store, username, conn)
        audit.record(conn, actor=actor, role=actor_role, action="password_set", object_type="user", object_id=username,
                     after={"sessions_ended": ended})
    return ended


def check_password_rules(password: str) -> None:
    if len(password) < 8:
        raise AccountError("passwords have at least 8 characters")
    if len(password) > 1024:
        raise AccountError("passwords have at most 1024 characters")


def change_password(store: Store, user: User, old: str, new: str) -> int:
    """A person changes their own password (the old one is checked); every session ends."""
    with store.connect() as conn:
        row = conn.execute(sa.select(users.c.password_hash).where(users.c.id == user.id)).first()
    if row is None or not verify_password(row.password_hash, old or ""):
        raise AccountError("the current password is wrong")
    if new == old:
        raise AccountError("the new password is the same as the current one")
    return set_password(store, user.username, new, actor=user.username, actor_role=user.role)


def get_user(store: Store, user_id: int) -> User | None:
    with store.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    return _user(row) if row and row.active else None


def find_user(store: Store, username: str) -> User | None:
    with store.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    return _user(row) if row and row.active else None


def list_users(store: Store) -> list[User]:
    with store.connect() as conn:
        return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.role, users.c.username))]


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The account when the password is right (and the account is active and local), else None."""
    with store.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == (username or "").strip())).first()
    ok = verify_password(row.password_hash if row else None, password or "")
    if not (row and ok and row.active):
        return None
    with store.begin() as conn:
        values = {"last_login_at": utcnow()}
        if _hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = hash_password(password)
        conn.execute(users.update().where(users.c.id == row.id).values(**values))
    return _user(row)


def person_name(conn: sa.Connection, person_id: str) -> str | None:
    try:
        from ir.store.tables.attribution import dict_people as p
    except ImportError:  # pragma: no cover - the attribution tables are part of the schema
        return None
    row = conn.execute(sa.select(p.c.name_zh, p.c.name_en).where(p.c.person_id == person_id)
                       .order_by(p.c.appointment)).first()
    if not row:
        return None
    return " ".join(x for x in (row.name_en, row.name_zh) if x) or None


def _person_for_login(conn: sa.Connection, login: str) -> tuple[str, str | None] | None:
    """(person_id, email) of the person an SSO login names: by e-mail, person id, or e-mail local part."""
    from ir.store.tables.attribution import dict_people as p

    login = login.strip()
    low = login.lower()
    row = conn.execute(sa.select(p.c.person_id, p.c.email).where(sa.func.lower(p.c.email) == low)).first()
    if row is None:
        row = conn.execute(sa.select(p.c.person_id, p.c.email).where(p.c.person_id == login)).first()
    if row is None and "@" not in low:
        rows = conn.execute(sa.select(p.c.person_id, p.c.email).where(
            sa.func.lower(p.c.email).like(low.replace("%", "").replace("_", "\\_") + "@%", escape="\\"))).all()
        if len({r.person_id for r in rows}) == 1:
            row = rows[0]
    return (row.person_id, row.email) if row else None


def user_from_header(store: Store, login: str | None, *, provision: bool) -> User | None:
    """The account a trusted header names; provisioned as faculty on first sight when allowed and the
    login matches exactly one person of the dictionaries. A local account with a password is never
    signed in this way (None): the proxy vouches for its own users, not for ours."""
    login = (login or "").strip()
    if not login or len(login) > 120 or "\x00" in login:
        return None
    with store.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == login)).first()
    if row is not None:
        if row.password_hash is not None or row.auth_source != "header":
            log.warning("the trusted header names %r, a local account with a password: not signed in", login)
            return None
        return _user(row) if row.active else None
    if not provision:
        return None
    with store.connect() as conn:
        hit = _person_for_login(conn, login)
    if not hit:
        return None
    try:
        return create_user(store, login, "faculty", person_id=hit[0], email=hit[1], auth_source="header",
                           actor="sso", actor_role=None)
    except AccountError:  # created by a concurrent request
        return find_user(store, login)


def ensure_demo_accounts(store: Store, *, password: str | None = None) -> list[dict]:
    """Demo accounts for ``ir demo``: a faculty member who has suggestions, a librarian, a research-office
    user and an admin. Existing demo accounts are kept (their password is reset to the one returned).
    Returns [{username, role, person_id, password}]."""
    import sqlalchemy as sa

    from ir.store.tables.attribution import authorships as a

    pw = password or "demo-" + secrets.token_urlsafe(6)
    with store.connect() as conn:
        row = conn.execute(sa.select(a.c.person_id, sa.func.count().label("n"))
                           .where(a.c.status == "suggested", a.c.person_id.is_not(None))
                           .group_by(a.c.person_id).order_by(sa.desc("n"), a.c.person_id).limit(1)).first()
        if row is None:  # no suggestions at all: the person with the most attributed works
            row = conn.execute(sa.select(a.c.person_id, sa.func.count().label("n"))
                               .where(a.c.person_id.is_not(None))
                               .group_by(a.c.person_id).order_by(sa.desc("n"), a.c.person_id).limit(1)).first()
    wanted = [("librarian", "librarian", None), ("research", "research_office", None), ("admin", "admin", None)]
    if row is not None:
        wanted.insert(0, ("faculty", "faculty", row.person_id))
    out = []
    for username, role, person_id in wanted:
        existing = find_user(store, username)
        if existing is None:
            create_user(store, username, role, password=pw, person_id=person_id, actor="demo", actor_role=None)
        else:
            if role == "faculty" and existing.person_id != person_id:
                with store.begin() as conn:
                    conn.execute(users.update().where(users.c.username == username).values(
                        person_id=person_id, display_name=person_name(conn, person_id)))
            set_password(store, username, pw, actor="demo", actor_role=None)
        out.append({"username": username, "role": role, "person_id": person_id, "password": pw})
    return out
