"""What the web app believes about a request's origin: the trusted-proxy rule, in one ASGI layer.

The app is reached either directly or through a front proxy (nginx, Apache with Shibboleth or CAS).
Only a peer whose address is in ``IR_TRUSTED_PROXIES`` is a proxy; from it, and only from it, the app
takes the signed-in user's name (``IR_TRUSTED_HEADER``), the client's address (``X-Forwarded-For``)
and the scheme (``X-Forwarded-Proto``). From any other peer those headers are removed before the app
sees them, so a client that reaches the app directly cannot sign in as anyone by sending
``REMOTE_USER: admin``.

:class:`TrustedProxy` rewrites the ASGI scope (``client``, ``scheme``) and records in
``scope["state"]`` whether the request came through a trusted proxy (``via_proxy``) and the direct
peer (``peer``). :class:`HttpsAwareSessions` sets the session cookie's ``Secure`` flag whenever the
request came over HTTPS (directly, or to the trusted proxy), using starlette's session middleware.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str | Iterable[str] | None) -> tuple[Network, ...]:
    """``"127.0.0.1, 10.0.0.0/8 ::1"`` -> networks; a bad entry is an error naming it."""
    if text is None:
        return ()
    items = text.replace(",", " ").split() if isinstance(text, str) else [str(t) for t in text]
    out = []
    for item in items:
        try:
            out.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ValueError(f"IR_TRUSTED_PROXIES: {item!r} is not an IP address or network") from None
    return tuple(out)


def _address(value: str | None):
    try:
        return ipaddress.ip_address((value or "").strip().strip("[]"))
    except ValueError:
        return None


def is_trusted(host: str | None, networks: tuple[Network, ...]) -> bool:
    addr = _address(host)
    return addr is not None and any(addr in net for net in networks)


class TrustedProxy:
    """Pure ASGI middleware; the outermost layer of the app (see module docstring)."""

    def __init__(self, app: ASGIApp, networks: tuple[Network, ...], user_header: str):
        self.app = app
        self.networks = networks
        self.user_header = user_header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        peer = (scope.get("client") or (None, None))[0]
        trusted = bool(self.networks) and is_trusted(peer, self.networks)
        forwarded = {b"x-forwarded-for", b"x-forwarded-proto", b"forwarded", self.user_header}
        headers = scope.get("headers") or []
        if trusted:
            values = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers}
            chain = [h.strip() for h in values.get("x-forwarded-for", "").split(",") if h.strip()]
            # the nearest address that is not itself one of our proxies is the client
            client = next((h for h in reversed(chain) if not is_trusted(h, self.networks)), None)
            if client and _address(client) is not None:
                scope["client"] = (client, 0)
            proto = values.get("x-forwarded-proto", "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto if scope["type"] == "http" else ("wss" if proto == "https" else "ws")
        else:  # not from our proxy: nobody may assert an identity, an address or a scheme
            scope["headers"] = [(k, v) for k, v in headers if k.lower() not in forwarded]
        state = scope.setdefault("state", {})
        state["via_proxy"] = trusted
        state["peer"] = peer
        await self.app(scope, receive, send)


class HttpsAwareSessions:
    """starlette's signed-cookie sessions, with ``Secure`` on the cookie for every HTTPS request
    (``always_secure``: on every request, for a deployment that is only ever served over HTTPS)."""

    def __init__(self, app: ASGIApp, *, always_secure: bool = False, **options):
        self.plain = SessionMiddleware(app, https_only=always_secure, **options)
        self.secure = SessionMiddleware(app, https_only=True, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        https = scope.get("scheme") in ("https", "wss")
        await (self.secure if https else self.plain)(scope, receive, send)
