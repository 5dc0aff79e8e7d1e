"""Who is asking: the signed-in account of a request, sign-in and sign-out, and the CSRF token.

- ``IR_AUTH=local``: the session cookie names a server-side session (:mod:`ir.web.sessions`); sign-in
  is throttled per account and per client address.
- ``IR_AUTH=header``: the name in ``IR_TRUSTED_HEADER``, only on requests that came through a trusted
  proxy (:mod:`ir.web.proxy` removes the header from every other request), and only for accounts
  without a password (:func:`ir.web.accounts.user_from_header`).

The CSRF token lives in the signed session cookie; forms send it in ``csrf_token``, API calls in the
``X-CSRF-Token`` header.
"""

from __future__ import annotations

import secrets

from fastapi import Request

from ir.web import accounts, sessions
from ir.web.accounts import User
from ir.web.errors import Forbidden


def client_address(request: Request) -> str:
    """The client's address: the peer, or what a trusted proxy forwarded (see ir.web.proxy)."""
    return (request.client.host if request.client else "") or "unknown"


def csrf_token(request: Request) -> str:
    tok = request.session.get("csrf")
    if not tok:
        tok = request.session["csrf"] = secrets.token_urlsafe(32)
    return tok


def check_csrf(request: Request, supplied: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not supplied or not secrets.compare_digest(str(expected), str(supplied)):
        raise Forbidden(403, "the form or request has no valid CSRF token: reload the page and try again")


def current_user(request: Request) -> User | None:
    if hasattr(request.state, "user"):
        return request.state.user
    cfg = request.app.state.web
    store = request.app.state.store
    user = None
    if cfg.auth == "header":
        if getattr(request.state, "via_proxy", False):
            user = accounts.user_from_header(store, request.headers.get(cfg.trusted_header), provision=cfg.provision)
    else:
        uid = sessions.session_user(store, request.session.get("sid"))
        if uid is not None:
            user = accounts.get_user(store, uid)
        if user is None and "sid" in request.session:
            request.session.pop("sid", None)
    request.state.user = user
    return user


def sign_in(request: Request, username: str, password: str) -> User:
    """Check the password (throttled) and open a session; raises :class:`Forbidden` 401 or 429."""
    cfg = request.app.state.web
    store = request.app.state.store
    if cfg.auth != "local":
        raise Forbidden(400, "this repository signs in through the institution's single sign-on")
    client = client_address(request)
    throttle: sessions.Throttle = cfg.throttle
    try:
        throttle.check(store, username, client)
    except sessions.Throttled as exc:
        raise Forbidden(429, exc.message, headers={"Retry-After": str(exc.retry_after)}) from None
    user = accounts.authenticate(store, username, password)
    if user is None:
        throttle.failed(store, username, client)
        raise Forbidden(401, "Wrong user name or password.")
    throttle.succeeded(store, username)
    start_session(request, user)
    return user


def start_session(request: Request, user: User) -> None:
    """A new session for ``user`` (a new token and CSRF token: no fixation of an earlier session)."""
    sessions.close_session(request.app.state.store, request.session.get("sid"))
    request.session.clear()
    request.session["sid"] = sessions.open_session(request.app.state.store, user.id, request.app.state.session_max_age,
                                                   client_address(request))
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.state.user = user


def sign_out(request: Request) -> None:
    sessions.close_session(request.app.state.store, request.session.get("sid"))
    request.session.clear()
    request.state.user = None
