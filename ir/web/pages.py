"""The server-rendered pages. Every form posts its CSRF token; every action goes through
:mod:`ir.web.actions` (the same functions as the API)."""

from __future__ import annotations

import json
import math
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from markupsafe import Markup, escape

from ir.search.query import FACETS, FILTERS, SORTS, QueryError
from ir.web import accounts, actions, extract, policies, views
from ir.web.accounts import User
from ir.web.app import (Forbidden, check_csrf, csrf_token, current_user, search_backend, settings_of, sign_in,
                        sign_out, store_of)

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parent / "templates"

FACET_LABELS = {"year": "Year", "type": "Document type", "department": "Department", "person": "Person",
                "indexes": "Indexed in", "tiers": "Journal tier", "source": "Source database"}
SORT_LABELS = {"relevance": "Relevance", "year_desc": "Newest first", "year_asc": "Oldest first", "title": "Title A–Z"}
PAGE_SIZES = (10, 20, 50, 100)


def highlight(fragment: str | None) -> Markup:
    """A search highlight ('<mark>' around escaped text, from either backend) made safe: everything but
    the mark tags is escaped again, whatever the backend sent."""
    if not fragment:
        return Markup("")
    out = []
    for i, part in enumerate(str(fragment).replace("</mark>", "<mark>").split("<mark>")):
        text = escape(unescape(part))
        out.append(Markup("<mark>") + text + Markup("</mark>") if i % 2 else text)
    return Markup("").join(out)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str, sort_keys=True)


def _datetime(value) -> str:
    if value is None:
        return ""
    try:
        return value.strftime("%Y-%m-%d %H:%M")
    except AttributeError:
        return str(value)[:16].replace("T", " ")


def changes(before, after) -> list[tuple[str, str, str]]:
    """(field, before, after) for the fields an audit entry changed; whole values for non-dict entries."""
    before = {} if before is None else before
    after = {} if after is None else after
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    out = []
    for k in sorted(set(before) | set(after)):
        if before.get(k) != after.get(k):
            show = [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
                    for v in (before.get(k), after.get(k))]
            out.append((k, show[0], show[1]))
    return out


env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                         undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
env.filters["highlight"] = highlight
env.filters["tojson_pretty"] = _json
env.filters["dt"] = _datetime
env.globals["changes"] = changes
env.globals["FACET_LABELS"] = FACET_LABELS
env.globals["SORT_LABELS"] = SORT_LABELS
env.globals["STATUS_LABELS"] = views.STATUS_LABELS


def render(request: Request, name: str, status_code: int = 200, **ctx) -> HTMLResponse:
    user = current_user(request)
    flashes = request.session.pop("flash", []) if "flash" in request.session else []
    html = env.get_template(name).render(request=request, user=user, csrf=csrf_token(request),
                                         nav=policies.nav(user), flashes=flashes, path=request.url.path,
                                         auth_mode=request.app.state.web.auth, policies=policies, **ctx)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def error_page(request: Request, status: int, message: str):
    if status == 401 and request.method == "GET":
        return RedirectResponse("/login?" + urlencode({"next": _safe_next(str(request.url.path) + (
            "?" + request.url.query if request.url.query else ""))}), status_code=303)
    titles = {401: "Please sign in", 403: "Not allowed", 404: "Not found", 409: "Cannot do that", 422: "Check the input"}
    return render(request, "error.html", status_code=status, title=titles.get(status, "Something went wrong"),
                  message=message, status=status)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", [])
    request.session["flash"] = request.session["flash"] + [[kind, message]]


def _safe_next(value: str | None, default: str = "/") -> str:
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


async def form_csrf(request: Request) -> None:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))


def _signed_in(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise Forbidden(401, "sign in first")
    return user


def _need(request: Request, capability: str) -> User:
    user = current_user(request)
    v = policies.can(user, capability)
    if not v:
        raise Forbidden(v.status, v.reason)
    return user


# ------------------------------------------------------------------------------ sign in / out

@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    if request.app.state.web.auth == "header":
        return render(request, "login.html", next=_safe_next(next), header_mode=True)
    return render(request, "login.html", next=_safe_next(next), header_mode=False)


@router.post("/login", dependencies=[Depends(form_csrf)])
async def login(request: Request):
    form = await request.form()
    nxt = _safe_next(form.get("next"))
    if request.app.state.web.auth != "local":
        raise Forbidden(400, "this repository signs in through the institution's single sign-on")
    user = accounts.authenticate(store_of(request), str(form.get("username") or ""), str(form.get("password") or ""))
    if user is None:
        return render(request, "login.html", status_code=401, next=nxt, header_mode=False,
                      error="Wrong user name or password.", username=form.get("username") or "")
    sign_in(request, user)
    if nxt == "/" and user.role == "faculty":
        nxt = "/me"
    return RedirectResponse(nxt, status_code=303)


@router.post("/logout", dependencies=[Depends(form_csrf)])
def logout(request: Request):
    sign_out(request)
    return RedirectResponse("/", status_code=303)


# ------------------------------------------------------------------------------ search

class Query:
    """The search page's parameters, and links that change one of them."""

    def __init__(self, request: Request):
        p = request.query_params
        self.q = (p.get("q") or "").strip()
        self.sort = p.get("sort") if p.get("sort") in SORTS else "relevance"
        self.size = int(p.get("size")) if (p.get("size") or "").isdigit() and int(p.get("size")) in PAGE_SIZES else 20
        self.page = max(1, int(p.get("page"))) if (p.get("page") or "").isdigit() else 1
        self.filters = {name: [v for v in p.getlist(name) if v] for name in FILTERS if p.getlist(name)}
        self.filters = {k: v for k, v in self.filters.items() if v}

    def params(self, **change) -> list[tuple[str, str]]:
        q = change.get("q", self.q)
        out = [("q", q)] if q else []
        filters = change.get("filters", self.filters)
        for name, vals in filters.items():
            out += [(name, v) for v in vals]
        sort = change.get("sort", self.sort)
        if sort != "relevance":
            out.append(("sort", sort))
        size = change.get("size", self.size)
        if size != 20:
            out.append(("size", str(size)))
        page = change.get("page", 1)
        if page != 1:
            out.append(("page", str(page)))
        return out

    def url(self, **change) -> str:
        ps = self.params(**change)
        return "/" + ("?" + urlencode(ps) if ps else "")

    def toggle(self, name: str, value) -> str:
        vals = list(self.filters.get(name, []))
        value = str(value)
        vals = [v for v in vals if v != value] if value in vals else vals + [value]
        filters = {k: v for k, v in self.filters.items() if k != name}
        if vals:
            filters[name] = vals
        return self.url(filters=filters)

    def active(self, name: str, value) -> bool:
        return str(value) in self.filters.get(name, [])


def _my_statuses(request: Request, user: User | None, work_ids: list[str]) -> dict[str, str]:
    if not user or not user.person_id or not work_ids:
        return {}
    from ir.store.tables.attribution import authorships as a

    with store_of(request).connect() as conn:
        rows = conn.execute(sa.select(a.c.work_id, a.c.status).where(
            a.c.person_id == user.person_id, a.c.work_id.in_(work_ids))).all()
    order = {"claimed": 0, "auto": 1, "suggested": 2, "rejected": 3}
    out: dict[str, str] = {}
    for wid, st in rows:
        if wid not in out or order.get(st, 9) < order.get(out[wid], 9):
            out[wid] = st
    return out


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request):
    query = Query(request)
    user = current_user(request)
    error = None
    result = None
    try:
        result = search_backend(request).search(query.q, query.filters, query.sort, query.page, query.size)
    except QueryError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - the index down: say so on the page, not a stack trace
        from ir.search import SearchUnavailable

        if not isinstance(exc, SearchUnavailable):
            raise
        error = f"The search index is not reachable right now ({exc})."
    pages = math.ceil(result.total / query.size) if result else 0
    if result and result.facets.get("year"):  # years read best in order, newest first
        result.facets["year"] = sorted(result.facets["year"], key=lambda vc: str(vc[0]), reverse=True)
    mine = _my_statuses(request, user, [h["work_id"] for h in result.hits]) if result else {}
    return render(request, "search.html", query=query, result=result, error=error, pages=min(pages, 10000 // query.size),
                  facet_names=[f for f in FACETS if f in (result.facets if result else {})], mine=mine,
                  sorts=SORTS, page_sizes=PAGE_SIZES)


# ------------------------------------------------------------------------------ work page

@router.get("/works/{work_id}", response_class=HTMLResponse)
def work_page(request: Request, work_id: str):
    user = current_user(request)
    try:
        work = views.work_detail(store_of(request), work_id)
    except views.NotFound as exc:
        raise Forbidden(404, str(exc)) from None
    if work["redirected_from"]:
        return RedirectResponse(f"/works/{work['work_id']}", status_code=301)
    return render(request, "work.html", work=work, d=work["data"], can_split=bool(policies.can(user, "split_merge")),
                  can_audit=bool(policies.can(user, "audit")))


# ------------------------------------------------------------------------------ authorship actions

@router.post("/authorships/{work_id}/{position}/{action}", dependencies=[Depends(form_csrf)])
async def authorship_action(request: Request, work_id: str, position: int, action: str):
    user = _signed_in(request)
    form = await request.form()
    nxt = _safe_next(form.get("next"), f"/works/{work_id}")
    note = (form.get("note") or "").strip() or None
    store, settings = store_of(request), settings_of(request)
    try:
        if action == "claim":
            out = actions.claim(store, settings, user, work_id, position, form.get("person_id") or None, note)
        elif action == "reject":
            out = actions.reject(store, settings, user, work_id, position, note)
        elif action == "confirm":
            out = actions.confirm(store, settings, user, work_id, position, note)
        elif action == "reassign":
            out = actions.reassign(store, settings, user, work_id, position, str(form.get("person_id") or ""), note)
        else:
            raise Forbidden(404, f"no action {action!r}")
    except actions.ActionError as exc:
        if exc.status in (401, 403):
            raise Forbidden(exc.status, exc.message) from None
        flash(request, exc.message, "error")
        return RedirectResponse(nxt, status_code=303)
    flash(request, out.message)
    if out.index_warning:
        flash(request, out.index_warning, "warn")
    return RedirectResponse(nxt, status_code=303)


# ------------------------------------------------------------------------------ faculty

@router.get("/me", response_class=HTMLResponse)
def my_outputs(request: Request, q: str = ""):
    user = _need(request, "my_outputs")
    data = views.my_outputs(store_of(request), user.person_id)
    found = []
    error = None
    if q.strip():
        try:
            res = search_backend(request).search(q, None, "relevance", 1, 10, facets=False)
            with store_of(request).connect() as conn:
                for h in res.hits:
                    found.append({"hit": h, "authors": views.work_authorships(conn, h["work_id"])})
        except QueryError as exc:
            error = str(exc)
    return render(request, "me.html", data=data, q=q, found=found, error=error)


# ------------------------------------------------------------------------------ librarians

@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, limit: int = 100, person_q: str = ""):
    _need(request, "review")
    rows = views.review_queue(store_of(request), max(1, min(limit, 1000)))
    people = views.find_people(store_of(request), person_q) if person_q else []
    return render(request, "review.html", rows=rows, limit=limit, person_q=person_q, people=people)


@router.get("/unknown-authors", response_class=HTMLResponse)
def unknown_page(request: Request):
    _need(request, "unknown_authors")
    return render(request, "unknown.html", groups=views.unknown_authors(store_of(request)))


@router.get("/works-admin", response_class=HTMLResponse)
def works_admin(request: Request):
    _need(request, "split_merge")
    return render(request, "works_admin.html")


@router.post("/works-admin/merge", dependencies=[Depends(form_csrf)])
async def merge_post(request: Request):
    user = _need(request, "split_merge")
    form = await request.form()
    ids = [w for w in str(form.get("work_ids") or "").replace(",", " ").split() if w]
    try:
        out = actions.merge(store_of(request), settings_of(request), user, ids, (form.get("note") or "").strip() or None)
    except actions.ActionError as exc:
        flash(request, exc.message, "error")
        return RedirectResponse("/works-admin", status_code=303)
    flash(request, out.message)
    return RedirectResponse(f"/works/{out.after['work_id']}", status_code=303)


@router.get("/works/{work_id}/split", response_class=HTMLResponse)
def split_form(request: Request, work_id: str):
    _need(request, "split_merge")
    try:
        work = views.work_detail(store_of(request), work_id)
    except views.NotFound as exc:
        raise Forbidden(404, str(exc)) from None
    return render(request, "split.html", work=work)


@router.post("/works/{work_id}/split", dependencies=[Depends(form_csrf)])
async def split_post(request: Request, work_id: str):
    user = _need(request, "split_merge")
    form = await request.form()
    try:
        out = actions.split(store_of(request), settings_of(request), user, work_id,
                            [str(k) for k in form.getlist("records")], (form.get("note") or "").strip() or None)
    except actions.ActionError as exc:
        flash(request, exc.message, "error")
        return RedirectResponse(f"/works/{work_id}/split", status_code=303)
    flash(request, out.message)
    return RedirectResponse(f"/works/{work_id}", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, actor: str = "", object_type: str = "", action: str = "", page: int = 1):
    _need(request, "audit")
    size = 50
    rows, total = views.audit_entries(store_of(request), actor=actor or None, object_type=object_type or None,
                                      action=action or None, page=max(page, 1), size=size)
    base = {k: v for k, v in (("actor", actor), ("object_type", object_type), ("action", action)) if v}
    return render(request, "audit.html", rows=rows, total=total, page=max(page, 1), pages=max(1, math.ceil(total / size)),
                  filters=base, qs=lambda **kw: "/audit?" + urlencode({**base, **kw}))


# ------------------------------------------------------------------------------ research office

@router.get("/extract", response_class=HTMLResponse)
def extract_page(request: Request):
    _need(request, "extract")
    return render(request, "extract.html", info=extract.status(store_of(request), settings_of(request)))


@router.get("/extract/{year}")
def extract_download(request: Request, year: int):
    user = _need(request, "extract")
    try:
        path = extract.build(store_of(request), settings_of(request), year, created_by=user.username)
    except LookupError as exc:
        raise Forbidden(404, str(exc)) from None
    return FileResponse(path, filename=path.name)


# ------------------------------------------------------------------------------ accounts (admin)

@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request):
    _need(request, "users")
    return render(request, "users.html", users=accounts.list_users(store_of(request)), roles=accounts.ROLES)


@router.post("/users", dependencies=[Depends(form_csrf)])
async def users_add(request: Request):
    admin = _need(request, "users")
    form = await request.form()
    try:
        accounts.create_user(store_of(request), str(form.get("username") or ""), str(form.get("role") or ""),
                             password=str(form.get("password") or "") or None,
                             person_id=str(form.get("person_id") or "").strip() or None,
                             auth_source="header" if request.app.state.web.auth == "header" else "local",
                             actor=admin.username, actor_role=admin.role)
        flash(request, f"Account {form.get('username')} created.")
    except accounts.AccountError as exc:
        flash(request, str(exc), "error")
    return RedirectResponse("/users", status_code=303)


@router.get("/works-admin/split")
def split_lookup(request: Request, work_id: str = ""):
    _need(request, "split_merge")
    return RedirectResponse(f"/works/{work_id.strip()}/split" if work_id.strip() else "/works-admin", status_code=303)
