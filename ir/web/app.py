"""The web application: ``create_app(settings)`` -> FastAPI.

Pages are server-rendered (Jinja2, autoescaped) and work without JavaScript; the JSON API under ``/api``
offers the same actions (OpenAPI at ``/api/docs``). Configuration, beyond :class:`ir.config.Settings`:

| variable            | meaning                                                                 | default        |
|---------------------|-------------------------------------------------------------------------|----------------|
| IR_AUTH             | ``local`` (accounts with passwords) or ``header`` (single sign-on proxy) | local          |
| IR_TRUSTED_HEADER   | the header the proxy sets to the signed-in user name (header mode)       | REMOTE_USER    |
| IR_AUTH_PROVISION   | ``1``: give an unknown SSO user who matches one person a faculty account | 0              |
| IR_SECRET_KEY       | signs the session cookie; unset: a random key kept in var/web-secret.key |                |
| IR_COOKIE_SECURE    | ``1``: the session cookie is sent over HTTPS only                        | 0              |

Security: the session is a signed cookie (starlette's SessionMiddleware, itsdangerous) holding the account
id and a per-session CSRF token. Every state-changing request must carry that token: forms in the hidden
field ``csrf_token``, API calls in the ``X-CSRF-Token`` header (``GET /api/session`` returns it). The only
exception is ``POST /api/session`` (sign-in), which accepts ``application/json`` only, which browsers do
not send across sites without a CORS preflight that this app never grants. In header mode, the header
is trusted only because the proxy in front strips it from clients: never expose the app directly then.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from ir.config import Settings
from ir.store import Store, open_store
from ir.web import accounts
from ir.web.accounts import User

HERE = Path(__file__).resolve().parent
SESSION_MAX_AGE = 12 * 3600


@dataclass(frozen=True)
class WebConfig:
    auth: str = "local"  # local | header
    trusted_header: str = "REMOTE_USER"
    provision: bool = False
    secret_key: str = ""
    cookie_secure: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> WebConfig:
        env = os.environ if env is None else env
        auth = (env.get("IR_AUTH") or "local").strip().lower()
        if auth not in ("local", "header"):
            raise ValueError(f"IR_AUTH must be local or header, not {auth!r}")
        return cls(auth=auth, trusted_header=env.get("IR_TRUSTED_HEADER") or "REMOTE_USER",
                   provision=(env.get("IR_AUTH_PROVISION") or "0").lower() in ("1", "true", "yes"),
                   secret_key=env.get("IR_SECRET_KEY") or "",
                   cookie_secure=(env.get("IR_COOKIE_SECURE") or "0").lower() in ("1", "true", "yes"))


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


class Forbidden(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# ------------------------------------------------------------------------------ request helpers

def store_of(request: Request) -> Store:
    return request.app.state.store


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


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
    cfg: WebConfig = request.app.state.web
    store = store_of(request)
    user = None
    if cfg.auth == "header":
        login = request.headers.get(cfg.trusted_header)
        user = accounts.user_from_header(store, login, provision=cfg.provision)
    else:
        uid = request.session.get("uid")
        if isinstance(uid, int):
            user = accounts.get_user(store, uid)
            if user is None:
                request.session.pop("uid", None)
    request.state.user = user
    return user


def sign_in(request: Request, user: User) -> None:
    request.session.clear()  # a new session on sign-in: no fixation of an earlier one
    request.session["uid"] = user.id
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.state.user = user


def sign_out(request: Request) -> None:
    request.session.clear()
    request.state.user = None


# ------------------------------------------------------------------------------ the factory

def create_app(settings: Settings | None = None, *, web: WebConfig | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    web = web or WebConfig.from_env()
    store = store or open_store(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        backend = getattr(app.state, "backend", None)
        if backend is not None:
            backend.close()

    app = FastAPI(lifespan=lifespan, title="ir repository", version="1", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="The institutional repository's JSON API: search, works, claims and reviews. "
                              "Sign in with POST /api/session; send the returned csrf_token in the "
                              "X-CSRF-Token header on every POST and DELETE.")
    app.state.settings = settings
    app.state.store = store
    app.state.web = web
    app.add_middleware(SessionMiddleware, secret_key=_secret(web), session_cookie="ir_session",
                       max_age=SESSION_MAX_AGE, same_site="lax", https_only=web.cookie_secure)

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

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from ir.web import api, duplicates, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(duplicates.router)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        return pages.error_page(request, exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return pages.error_page(request, exc.status_code, str(exc.detail))

    return app


def search_backend(request: Request):
    """One search backend per application (Elasticsearch client or the embedded index), opened lazily."""
    app = request.app
    backend = getattr(app.state, "backend", None)
    if backend is None:
        from ir.search import open_backend

        backend = app.state.backend = open_backend(app.state.settings, app.state.store)
    return backend
