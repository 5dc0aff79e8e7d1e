"""The web application: ``create_app(settings)`` -> FastAPI.

Pages are server-rendered (Jinja2, autoescaped) and work without JavaScript; the JSON API under ``/api``
offers the same actions (OpenAPI at ``/api/docs``). Configuration, beyond :class:`ir.config.Settings`
(:class:`WebConfig`, read once from the environment and checked before the app starts):

| variable              | meaning                                                                  | default        |
|-----------------------|--------------------------------------------------------------------------|----------------|
| IR_AUTH               | ``local`` (accounts with passwords) or ``header`` (single sign-on proxy)  | local          |
| IR_TRUSTED_PROXIES    | addresses/networks of the front proxies (``127.0.0.1, 10.1.2.0/24``): only | (none)         |
|                       | from them are IR_TRUSTED_HEADER, X-Forwarded-For and -Proto believed      |                |
| IR_TRUSTED_HEADER     | the header the proxy sets to the signed-in user name (header mode)        | REMOTE_USER    |
| IR_AUTH_PROVISION     | ``1``: give an unknown SSO user who matches one person a faculty account  | 0              |
| IR_SECRET_KEY         | signs the session cookie; unset: a random key kept in var/web-secret.key  |                |
| IR_COOKIE_SECURE      | ``1``: the cookie is marked Secure on every response; otherwise it is     | auto           |
|                       | marked Secure whenever the request came over HTTPS (directly or through a |                |
|                       | trusted proxy that says so in X-Forwarded-Proto)                          |                |
| IR_LOGIN_MAX_FAILURES | failed sign-ins per account in IR_LOGIN_WINDOW before sign-in is refused  | 5              |
|                       | (per client address: four times as many)                                  |                |
| IR_LOGIN_WINDOW       | seconds over which failed sign-ins count                                  | 900            |

Security: the session cookie (starlette's SessionMiddleware, signed with itsdangerous) holds a session
token and a CSRF token; the session itself is a database row (:mod:`ir.web.sessions`), ended by sign-out
and by a password change. Every state-changing request must carry the CSRF token: forms in the hidden
field ``csrf_token``, API calls in the ``X-CSRF-Token`` header (``GET /api/session`` returns it). The
only exception is ``POST /api/session`` (sign-in), which accepts ``application/json`` only, which
browsers do not send across sites without a CORS preflight that this app never grants. In header mode,
the header is believed only on requests from IR_TRUSTED_PROXIES (:mod:`ir.web.proxy`); without that list
nobody is signed in, and the app warns at start.

Routers: :func:`routers` lists the route modules in order; a new page or API module adds its router there.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ir.config import Settings
from ir.search.backend import SearchUnavailable
from ir.store import Store, open_store
from ir.web.auth import check_csrf, client_address, csrf_token, current_user, sign_in, sign_out  # noqa: F401
from ir.web.errors import Forbidden
from ir.web.proxy import HttpsAwareSessions, TrustedProxy, parse_networks
from ir.web.sessions import Throttle
from ir.web.validation import LimitBody, RejectControlCharacters, validation_message

HERE = Path(__file__).resolve().parent
SESSION_MAX_AGE = 12 * 3600
log = logging.getLogger(__name__)


def _flag(value: str | None) -> bool:
    return (value or "0").strip().lower() in ("1", "true", "yes", "on")


def _whole(env, name: str, default: int, lo: int = 1) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < lo:
        raise ValueError(f"{name} must be a whole number of at least {lo}, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class WebConfig:
    auth: str = "local"  # local | header
    trusted_header: str = "REMOTE_USER"
    provision: bool = False
    secret_key: str = ""
    cookie_secure: bool = False  # True: Secure on every response; False: Secure whenever the request is HTTPS
    trusted_proxies: tuple[str, ...] = ()
    throttle: Throttle = field(default_factory=Throttle)

    def __post_init__(self) -> None:
        if self.auth not in ("local", "header"):
            raise ValueError(f"IR_AUTH must be local or header, not {self.auth!r}")
        parse_networks(self.trusted_proxies)  # a bad address is an error now, not at the first request

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> WebConfig:
        env = os.environ if env is None else env
        per_account = _whole(env, "IR_LOGIN_MAX_FAILURES", Throttle.per_account)
        return cls(auth=(env.get("IR_AUTH") or "local").strip().lower(),
                   trusted_header=env.get("IR_TRUSTED_HEADER") or "REMOTE_USER",
                   provision=_flag(env.get("IR_AUTH_PROVISION")), secret_key=env.get("IR_SECRET_KEY") or "",
                   cookie_secure=_flag(env.get("IR_COOKIE_SECURE")),
                   trusted_proxies=tuple((env.get("IR_TRUSTED_PROXIES") or "").replace(",", " ").split()),
                   throttle=Throttle(per_account=per_account, per_client=4 * per_account,
                                     window=_whole(env, "IR_LOGIN_WINDOW", Throttle.window)))

    def warnings(self) -> list[str]:
        """What an operator must hear at start."""
        out = []
        if self.auth == "header" and not self.trusted_proxies:
            out.append(f"IR_AUTH=header without IR_TRUSTED_PROXIES: the {self.trusted_header} header is believed "
                       "from no address, so nobody is signed in. Set IR_TRUSTED_PROXIES to the front proxy's "
                       "address (127.0.0.1 when it runs on this machine).")
        return out


def _secret(cfg: WebConfig) -> str:
    if cfg.secret_key:
        return cfg.secret_key
    path = Path("var/web-secret.key")
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


# ------------------------------------------------------------------------------ request helpers

def store_of(request: Request) -> Store:
    return request.app.state.store


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


# ------------------------------------------------------------------------------ the factory

def routers() -> list:
    """The route modules, in order (the pages' catch-alls last)."""
    from ir.web import api, duplicates, oai, pages

    # oai: OAI-PMH 2.0 at /oai, public; duplicates: the librarians' queue of likely duplicates
    return [api.router, oai.router, duplicates.router, pages.router]


def _security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy",
                                        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                        "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
        return response


def _error_handlers(app: FastAPI) -> None:
    from ir.web import pages

    def answer(request: Request, status: int, message: str, headers: dict | None = None):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=status, headers=headers)
        resp = pages.error_page(request, status, message)
        for k, v in (headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        return answer(request, exc.status, exc.message, exc.headers)

    @app.exception_handler(SearchUnavailable)
    async def search_down(request: Request, exc: SearchUnavailable):
        message = "search is unavailable just now (the search engine does not answer); please try again in a minute"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=503, headers={"Retry-After": "60"})
        return pages.error_page(request, 503, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return pages.error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": validation_message(exc.errors()), "errors": _plain(exc.errors())},
                                status_code=422)
        return pages.error_page(request, 422, validation_message(exc.errors()))


def _plain(errors) -> list[dict]:
    return [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in errors]


def create_app(settings: Settings | None = None, *, web: WebConfig | None = None, store: Store | None = None,
               session_max_age: int = SESSION_MAX_AGE) -> FastAPI:
    settings = settings or Settings.from_env()  # the whole configuration, checked (ir.settings.load)
    web = web or WebConfig.from_env()
    store = store or open_store(settings.database_url)
    for message in web.warnings():
        log.warning(message)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        backend = getattr(app.state, "backend", None)
        if backend is not None:
            backend.close()

    app = FastAPI(lifespan=lifespan, title="ir repository", version="1", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="The institutional repository's JSON API: search, works, citations, claims and "
                              "reviews. Sign in with POST /api/session; send the returned csrf_token in the "
                              "X-CSRF-Token header on every POST and DELETE.")
    app.state.settings = settings
    app.state.oai = settings.oai  # the [oai] section, checked with the rest: taken once, here
    app.state.store = store
    app.state.web = web
    app.state.session_max_age = session_max_age
    # middleware: the last added runs first. Order of a request: proxy rule, limits, session, headers
    _security_headers(app)
    app.add_middleware(HttpsAwareSessions, always_secure=web.cookie_secure, secret_key=_secret(web),
                       session_cookie="ir_session", max_age=session_max_age, same_site="lax")
    app.add_middleware(LimitBody)
    app.add_middleware(RejectControlCharacters)
    app.add_middleware(TrustedProxy, networks=parse_networks(web.trusted_proxies), user_header=web.trusted_header)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in routers():
        app.include_router(router)
    _error_handlers(app)
    return app


def search_backend(request: Request):
    """One search backend per application (Elasticsearch client or the embedded index), opened lazily,
    with the bounded timeouts of ``[search] query_timeout`` and ``query_retries``."""
    app = request.app
    backend = getattr(app.state, "backend", None)
    if backend is None:
        from ir.search import open_backend

        backend = app.state.backend = open_backend(app.state.settings, app.state.store, interactive=True)
    return backend
