"""The server-rendered pages. Every form posts its CSRF token; every action goes through
:mod:`ir.web.actions` (the same functions as the API)."""

from __future__ import annotations

import json
import math
from html import unescape
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import jinja2
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path as PathParam, Query as QueryParam, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from ir.search.query import FACETS, FILTERS, SORTS, QueryError
from ir.web import accounts, actions, display, extract, policies, views
from ir.web.accounts import User
from ir.web.app import (Forbidden, check_csrf, csrf_token, current_user, search_backend, settings_of, sign_in,
                        sign_out, store_of)
from ir.web.validation import (MAX_ID, MAX_NOTE, MAX_PAGE, MAX_PAGE_SIZE, MAX_POSITION, MAX_QUERY, YEAR_MAX, YEAR_MIN,
                               bounded_int, form_text)

router = APIRouter(include_in_schema=False)
WorkId = Annotated[str, PathParam(min_length=1, max_length=MAX_ID)]
PositionP = Annotated[int, PathParam(ge=1, le=MAX_POSITION)]
YearP = Annotated[int, PathParam(ge=YEAR_MIN, le=YEAR_MAX)]
IdP = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
Text = Annotated[str, QueryParam(max_length=MAX_QUERY)]
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
env.filters["chem"] = display.chem
env.filters["doi_url"] = display.doi_url
env.filters["tier_label"] = display.tier_key_label
env.globals["display"] = display


def render(request: Request, name: str, status_code: int = 200, headers: dict | None = None, **ctx) -> HTMLResponse:
    user = current_user(request)
    flashes = request.session.pop("flash", []) if "flash" in request.session else []
    html = env.get_template(name).render(request=request, user=user, csrf=csrf_token(request),
                                         nav=policies.nav(user), flashes=flashes, path=request.url.path,
                                         auth_mode=request.app.state.web.auth, policies=policies, **ctx)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store", **(headers or {})})


def error_page(request: Request, status: int, message: str):
    if status == 401 and request.method == "GET":
        return RedirectResponse("/login?" + urlencode({"next": _safe_next(str(request.url.path) + (
            "?" + request.url.query if request.url.query else ""))}), status_code=303)
    titles = {400: "Check the address", 401: "Please sign in", 403: "Not allowed", 404: "Not found",
              409: "Cannot do that", 413: "Too large", 422: "Check the input", 429: "Too many attempts"}
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
    token = form.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)


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
def login_form(request: Request, next: Text = "/"):
    return render(request, "login.html", next=_safe_next(next), header_mode=request.app.state.web.auth == "header")


@router.post("/login", dependencies=[Depends(form_csrf)])
async def login(request: Request):
    form = await request.form()
    nxt = _safe_next(form_text(form, "next", 2000))
    username = form_text(form, "username", 120) or ""
    try:
        user = sign_in(request, username, _password(form, "password"))
    except Forbidden as exc:
        if exc.status not in (401, 429):
            raise
        return render(request, "login.html", status_code=exc.status, headers=exc.headers, next=nxt, header_mode=False,
                      error=exc.message, username=username)
    if nxt == "/" and user.role == "faculty":
        nxt = "/me"
    return RedirectResponse(nxt, status_code=303)


def _password(form, name: str) -> str:
    """A password field as typed (not stripped), at most 1024 characters."""
    raw = form.get(name)
    if not isinstance(raw, str):
        return ""
    if len(raw) > 1024:
        raise Forbidden(422, f"{name}: at most 1024 characters")
    return raw


@router.post("/logout", dependencies=[Depends(form_csrf)])
def logout(request: Request):
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request):
    _signed_in(request)
    return render(request, "password.html", local=request.app.state.web.auth == "local")


@router.post("/account/password", dependencies=[Depends(form_csrf)])
async def password_change(request: Request):
    user = _signed_in(request)
    if request.app.state.web.auth != "local":
        raise Forbidden(400, "passwords are kept by the institution's single sign-on")
    form = await request.form()
    new = _password(form, "new_password")
    if new != _password(form, "repeat_password"):
        return render(request, "password.html", status_code=422, local=True, error="The two new passwords differ.")
    try:
        ended = accounts.change_password(store_of(request), user, _password(form, "current_password"), new)
    except accounts.AccountError as exc:
        return render(request, "password.html", status_code=422, local=True, error=str(exc).capitalize() + ".")
    from ir.web.auth import start_session

    start_session(request, user)
    flash(request, f"Password changed. {ended} session{'' if ended == 1 else 's'} of {user.username} ended "
                   "(other browsers must sign in again).")
    return RedirectResponse("/", status_code=303)


# ------------------------------------------------------------------------------ search

class Query:
    """The search page's parameters (bounded: see ir.web.validation), and links that change one of them."""

    def __init__(self, request: Request):
        p = request.query_params
        self.q = (p.get("q") or "").strip()
        if len(self.q) > MAX_QUERY:
            raise Forbidden(422, f"the search is longer than {MAX_QUERY} characters: shorten it")
        self.sort = p.get("sort") if p.get("sort") in SORTS else "relevance"
        size = bounded_int(p.get("size"), 20, 1, MAX_PAGE_SIZE)
        self.size = size if size in PAGE_SIZES else 20
        self.page = bounded_int(p.get("page"), 1, 1, MAX_PAGE + 1)  # beyond the last page: the engine says so
        self.filters = {name: [v[:200] for v in p.getlist(name)[:50] if v] for name in FILTERS if p.getlist(name)}
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

    def citations_url(self, fmt: str) -> str:
        return "/api/search/citations?" + urlencode([("format", fmt)] + self.params(size=20))

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


def _ranks(request: Request, work_ids: list[str]) -> dict[str, dict]:
    """The institution's rank on each of these works (ir.report.rank), for the lists."""
    from ir.report.rank import work_ranks

    if not work_ids:
        return {}
    with store_of(request).connect() as conn:
        return {w: r.as_json() for w, r in work_ranks(conn, work_ids, _org_index(request, conn)).items()}


def _org_index(request: Request, conn):
    """The organisations snapshot as an OrgIndex, rebuilt when the attribute stage rewrote it."""
    from ir.report.rank import org_index
    from ir.store.tables.attribution import dict_organizations as o

    stamp = conn.execute(sa.select(sa.func.max(o.c.loaded_at), sa.func.count())).one()
    cached = getattr(request.app.state, "org_index", None)
    if cached is None or cached[0] != tuple(stamp):
        cached = request.app.state.org_index = (tuple(stamp), org_index(conn))
    return cached[1]


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request):
    query = Query(request)
    user = current_user(request)
    error = None
    result = None
    status = 200
    try:
        result = search_backend(request).search(query.q, query.filters, query.sort, query.page, query.size)
    except QueryError as exc:
        error, status = str(exc), 422
    except Exception as exc:  # noqa: BLE001 - the index down: say so on the page, not a stack trace
        from ir.search import SearchUnavailable

        if not isinstance(exc, SearchUnavailable):
            raise
        error, status = f"The search index is not reachable right now ({exc}).", 503
    pages = math.ceil(result.total / query.size) if result else 0
    if result and result.facets.get("year"):  # years read best in order, newest first
        result.facets["year"] = sorted(result.facets["year"], key=lambda vc: str(vc[0]), reverse=True)
    if result and result.facets.get("tiers"):  # tiers with the lists' own labels
        result.labels.setdefault("tiers", {}).update({v: display.tier_key_label(v) for v, _ in result.facets["tiers"]})
    ids = [h["work_id"] for h in result.hits] if result else []
    mine = _my_statuses(request, user, ids)
    return render(request, "search.html", status_code=status, query=query, result=result, error=error,
                  pages=min(pages, 10000 // query.size), ranks=_ranks(request, ids),
                  facet_names=[f for f in FACETS if f in (result.facets if result else {})], mine=mine,
                  sorts=SORTS, page_sizes=PAGE_SIZES)


# ------------------------------------------------------------------------------ work page

@router.get("/works/{work_id}", response_class=HTMLResponse)
def work_page(request: Request, work_id: WorkId):
    user = current_user(request)
    try:
        work = views.work_detail(store_of(request), work_id)
    except views.NotFound as exc:
        raise Forbidden(404, str(exc)) from None
    if work["redirected_from"]:
        return RedirectResponse(f"/works/{work['work_id']}", status_code=301)
    staff = policies.sees_provenance(user)
    shown = policies.redact_work(work, user)
    d = shown["data"]
    j = d.get("journal") or {}
    tags = (work["export"] or {}).get("tags") or {}
    view = {
        "title": display.best_cased(work["title"], [t.get("text") for t in d.get("titles") or []]
                                    + [r.get("title") for r in work["records"]]),
        "journal": display.best_cased(j.get("title"), [r.get("journal") for r in work["records"]]),
        "date": display.display_date(d.get("pub_date"), work["year"]),
        "doi_url": display.doi_url(work["doi"]),
        "badges": display.badges((work["export"] or {}).get("indexes") or d.get("indexes"), tags,
                                 [r["source"] for r in work["records"]]),
        "tiers": [display.tier_label(lst, v) for lst, v in display.tiers_of(tags)],
        "rank": _ranks(request, [work["work_id"]]).get(work["work_id"]),
    }
    return render(request, "work.html", work=shown, d=d, j=j, view=view, staff=staff,
                  can_split=bool(policies.can(user, "split_merge")), can_audit=bool(policies.can(user, "audit")))


# ------------------------------------------------------------------------------ people

@router.get("/people/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, person_id: Annotated[str, PathParam(max_length=MAX_ID)]):
    try:
        profile = views.person_profile(store_of(request), person_id)
    except views.NotFound as exc:
        raise Forbidden(404, str(exc)) from None
    ids = [r["work_id"] for _, rows in profile["years"] for r in rows]
    return render(request, "person.html", p=profile, ranks=_ranks(request, ids))


# ------------------------------------------------------------------------------ authorship actions

AUTHORSHIP_ACTIONS = ("claim", "reject", "confirm", "reassign")


def _done(request: Request, nxt: str, out) -> RedirectResponse:
    flash(request, out.message, "warn" if getattr(out, "status", 200) == 202 else "ok")
    if out.index_warning:
        flash(request, out.index_warning, "warn")
    return RedirectResponse(nxt, status_code=303)


@router.post("/authorships/bulk", dependencies=[Depends(form_csrf)])
async def authorship_bulk(request: Request):
    user = _signed_in(request)
    form = await request.form()
    nxt = _safe_next(form_text(form, "next", 2000), "/me")
    action = form_text(form, "action", 20) or ""
    items = []
    for raw in form.getlist("items")[: actions.MAX_BULK + 1]:
        wid, _, pos = str(raw).rpartition(":")
        if not wid or not pos.isdigit() or len(pos) > 6 or len(wid) > MAX_ID:
            raise Forbidden(422, f"items: {str(raw)[:80]!r} is not work_id:position")
        items.append((wid, int(pos)))
    try:
        out = actions.bulk(store_of(request), settings_of(request), user, action, items, form_text(form, "note", MAX_NOTE))
    except actions.ActionError as exc:
        flash(request, exc.message, "error")
        return RedirectResponse(nxt, status_code=303)
    flash(request, out.message, "ok" if not out.failed else "warn")
    for d in out.done:
        flash(request, d["message"], "warn" if d["pending_review"] else "ok")
    for f in out.failed:
        flash(request, f"Author #{f['position']} of {f['work_id']}: {f['message']}", "error")
    if out.index_warning:
        flash(request, out.index_warning, "warn")
    return RedirectResponse(nxt, status_code=303)


@router.post("/authorships/{work_id}/{position}/{action}", dependencies=[Depends(form_csrf)])
async def authorship_action(request: Request, work_id: WorkId, position: PositionP, action: str):
    user = _signed_in(request)
    if action not in AUTHORSHIP_ACTIONS:
        raise Forbidden(404, f"no action {action[:40]!r}")
    form = await request.form()
    nxt = _safe_next(form_text(form, "next", 2000), f"/works/{work_id}")
    note = form_text(form, "note", MAX_NOTE)
    person_id = form_text(form, "person_id", MAX_ID)
    store, settings = store_of(request), settings_of(request)
    try:
        if action == "claim":
            out = actions.claim(store, settings, user, work_id, position, person_id, note)
        elif action == "reject":
            out = actions.reject(store, settings, user, work_id, position, note)
        elif action == "confirm":
            out = actions.confirm(store, settings, user, work_id, position, note)
        else:
            out = actions.reassign(store, settings, user, work_id, position, person_id or "", note)
    except actions.ActionError as exc:
        if exc.status in (401, 403):
            raise Forbidden(exc.status, exc.message) from None
        flash(request, exc.message, "error")
        return RedirectResponse(nxt, status_code=303)
    return _done(request, nxt, out)


@router.post("/claim-requests/{request_id}/{decision}", dependencies=[Depends(form_csrf)])
async def claim_request_decision(request: Request, request_id: IdP, decision: str):
    user = _need(request, "review")
    if decision not in ("accept", "decline"):
        raise Forbidden(404, f"no decision {decision[:40]!r}")
    form = await request.form()
    nxt = _safe_next(form_text(form, "next", 2000), "/review")
    try:
        out = actions.decide_claim_request(store_of(request), settings_of(request), user, request_id,
                                           decision == "accept", form_text(form, "note", MAX_NOTE))
    except actions.ActionError as exc:
        flash(request, exc.message, "error")
        return RedirectResponse(nxt, status_code=303)
    return _done(request, nxt, out)


# ------------------------------------------------------------------------------ faculty

@router.get("/me", response_class=HTMLResponse)
def my_outputs(request: Request, q: Text = ""):
    user = _need(request, "my_outputs")
    data = views.my_outputs(store_of(request), user.person_id)
    data["claim_requests"] = views.claim_requests(store_of(request), user.person_id)
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
    return render(request, "me.html", data=data, q=q, found=found, error=error,
                  ranks=_ranks(request, [s["work_id"] for s in data["suggestions"]]))


# ------------------------------------------------------------------------------ librarians

@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, limit: Annotated[int, QueryParam(ge=1, le=10_000)] = 100, person_q: Text = ""):
    _need(request, "review")
    rows = views.review_queue(store_of(request), limit)
    people = views.find_people(store_of(request), person_q) if person_q else []
    return render(request, "review.html", rows=rows, limit=limit, person_q=person_q, people=people,
                  requests=views.claim_requests(store_of(request)))


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
    ids = [w for w in (form_text(form, "work_ids", 5000) or "").replace(",", " ").split() if w]
    try:
        out = actions.merge(store_of(request), settings_of(request), user, ids, form_text(form, "note", MAX_NOTE))
    except actions.ActionError as exc:
        flash(request, exc.message, "error")
        return RedirectResponse("/works-admin", status_code=303)
    flash(request, out.message)
    return RedirectResponse(f"/works/{out.after['work_id']}", status_code=303)


@router.get("/works/{work_id}/split", response_class=HTMLResponse)
def split_form(request: Request, work_id: WorkId):
    _need(request, "split_merge")
    try:
        work = views.work_detail(store_of(request), work_id)
    except views.NotFound as exc:
        raise Forbidden(404, str(exc)) from None
    return render(request, "split.html", work=work)


@router.post("/works/{work_id}/split", dependencies=[Depends(form_csrf)])
async def split_post(request: Request, work_id: WorkId):
    user = _need(request, "split_merge")
    form = await request.form()
    try:
        out = actions.split(store_of(request), settings_of(request), user, work_id,
                            [str(k)[:200] for k in form.getlist("records")[:1000]], form_text(form, "note", MAX_NOTE))
    except actions.ActionError as exc:
        flash(request, exc.message, "error")
        return RedirectResponse(f"/works/{work_id}/split", status_code=303)
    flash(request, out.message)
    return RedirectResponse(f"/works/{work_id}", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, actor: Annotated[str, QueryParam(max_length=120)] = "",
               object_type: Annotated[str, QueryParam(max_length=40)] = "",
               action: Annotated[str, QueryParam(max_length=40)] = "",
               page: Annotated[int, QueryParam(ge=1, le=MAX_PAGE)] = 1):
    _need(request, "audit")
    size = 50
    rows, total = views.audit_entries(store_of(request), actor=actor or None, object_type=object_type or None,
                                      action=action or None, page=page, size=size)
    base = {k: v for k, v in (("actor", actor), ("object_type", object_type), ("action", action)) if v}
    return render(request, "audit.html", rows=rows, total=total, page=page, pages=max(1, math.ceil(total / size)),
                  filters=base, qs=lambda **kw: "/audit?" + urlencode({**base, **kw}))


# ------------------------------------------------------------------------------ research office

def _xlsx(body: bytes, filename: str) -> Response:
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@router.get("/extract", response_class=HTMLResponse)
def extract_page(request: Request, year: Annotated[int | None, QueryParam(ge=YEAR_MIN, le=YEAR_MAX)] = None):
    _need(request, "extract")
    store, settings = store_of(request), settings_of(request)
    info = extract.status(store, settings)
    year = year or (info["years"][0] if info["years"] else None)
    preview = None
    if year is not None:
        try:
            preview = extract.preview(store, settings, year)
        except extract.ExtractError as exc:
            flash(request, str(exc), "error")
    return render(request, "extract.html", info=info, year=year, preview=preview, snapshots=extract.snapshots(store))


@router.get("/extract/compare", response_class=HTMLResponse)
def extract_compare(request: Request, a: Annotated[int, QueryParam(ge=1, le=2**31 - 1)],
                    b: Annotated[int, QueryParam(ge=1, le=2**31 - 1)]):
    _need(request, "extract")
    try:
        cmp = extract.compare(store_of(request), a, b)
    except extract.ExtractError as exc:
        raise Forbidden(404, str(exc)) from None
    return render(request, "extract_compare.html", cmp=cmp)


@router.get("/extract/snapshots/{snapshot_id}")
def extract_snapshot_download(request: Request, snapshot_id: IdP):
    _need(request, "extract")
    try:
        return _xlsx(*extract.snapshot_workbook(store_of(request), snapshot_id))
    except extract.ExtractError as exc:
        raise Forbidden(404, str(exc)) from None


@router.get("/extract/{year}")
def extract_download(request: Request, year: YearP):
    """The workbook under the rules in force, built in memory: nothing is stored."""
    _need(request, "extract")
    try:
        return _xlsx(*extract.workbook(store_of(request), settings_of(request), year))
    except extract.ExtractError as exc:
        raise Forbidden(404, str(exc)) from None


@router.post("/extract/{year}/snapshots", dependencies=[Depends(form_csrf)])
async def extract_snapshot(request: Request, year: YearP):
    user = _need(request, "extract")
    form = await request.form()
    try:
        snap = extract.take_snapshot(store_of(request), settings_of(request), year, user.username,
                                     form_text(form, "note", MAX_NOTE))
    except extract.ExtractError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(f"/extract?year={year}", status_code=303)
    flash(request, f"Snapshot #{snap['snapshot_id']} of {year} taken: {snap['works']} works, "
                   f"{snap['authorships']} authorships.")
    return RedirectResponse(f"/extract?year={year}#snapshots", status_code=303)


# ------------------------------------------------------------------------------ accounts (admin)

@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request):
    _need(request, "users")
    return render(request, "users.html", users=accounts.list_users(store_of(request)), roles=accounts.ROLES)


@router.post("/users", dependencies=[Depends(form_csrf)])
async def users_add(request: Request):
    admin = _need(request, "users")
    form = await request.form()
    username = form_text(form, "username", 120) or ""
    try:
        accounts.create_user(store_of(request), username, form_text(form, "role", 40) or "",
                             password=form_text(form, "password", 1024),
                             person_id=form_text(form, "person_id", MAX_ID),
                             auth_source="header" if request.app.state.web.auth == "header" else "local",
                             actor=admin.username, actor_role=admin.role)
        flash(request, f"Account {username} created.")
    except accounts.AccountError as exc:
        flash(request, str(exc), "error")
    return RedirectResponse("/users", status_code=303)


@router.get("/works-admin/split")
def split_lookup(request: Request, work_id: Annotated[str, QueryParam(max_length=MAX_ID)] = ""):
    _need(request, "split_merge")
    return RedirectResponse(f"/works/{work_id.strip()}/split" if work_id.strip() else "/works-admin", status_code=303)
