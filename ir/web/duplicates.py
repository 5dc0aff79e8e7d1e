"""The queue of likely duplicates (librarians): pairs of works a consolidation run scored just short of a match,
the two records side by side with the evidence; a librarian merges them or keeps them apart.

Pages: ``GET /duplicates`` (the queue), ``POST /duplicates/decide`` (a form: ``work_a``, ``work_b``,
``decision`` = merge | keep_apart, ``note``). API: ``GET /api/duplicates``, ``POST /api/duplicates/decide``
(JSON, with the ``X-CSRF-Token`` header). Who may: :func:`ir.web.policies.can` ``duplicates``. The decision
is :func:`ir.consolidate.decide`: a merge or cannot-links that every later run obeys, in the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from ir.web import actions, policies
from ir.web.accounts import User
from ir.web.app import Forbidden, check_csrf, current_user, settings_of, store_of

router = APIRouter()
PAGE_SIZE = 20


def _need(request: Request) -> User:
    user = current_user(request)
    v = policies.can(user, "duplicates")
    if not v:
        raise Forbidden(v.status, v.reason)
    return user


def decide(request: Request, user: User, work_a: str, work_b: str, decision: str, note: str | None) -> actions.Outcome:
    """The decision, then the search index brought up to date for the works touched."""
    from ir.consolidate import QueueError
    from ir.consolidate import decide as decide_pair

    store, settings = store_of(request), settings_of(request)
    try:
        kept = decide_pair(store, work_a, work_b, decision, user.username, note, role=user.role)
    except QueueError as exc:
        raise actions.ActionError(409, str(exc)) from None
    if decision == "merge":
        gone = work_b if kept == work_a else work_a
        message = f"Merged {gone} into {kept}."
    else:
        message = f"{work_a} and {work_b} are kept apart; later runs will not merge them."
    touched = [work_a, work_b]
    return actions.Outcome(message, [kept] if decision == "merge" else touched,
                           {"decision": decision, "work_id": kept, "works": touched},
                           actions._reindex(store, settings, touched))


# ------------------------------------------------------------------------------ pages


@router.get("/duplicates", response_class=HTMLResponse, include_in_schema=False)
def queue_page(request: Request, page: int = 1):
    from ir.consolidate import duplicate_queue, queue_size
    from ir.web.pages import render

    _need(request)
    page = max(1, page)
    store = store_of(request)
    total = queue_size(store)
    pairs = duplicate_queue(store, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(request, "duplicates.html", pairs=pairs, total=total, page=page,
                  pages=max(1, -(-total // PAGE_SIZE)))


async def _form_csrf(request: Request) -> None:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))


@router.post("/duplicates/decide", dependencies=[Depends(_form_csrf)], include_in_schema=False)
async def decide_post(request: Request):
    from ir.web.pages import flash

    user = _need(request)
    form = await request.form()
    page = str(form.get("page") or "1")
    back = f"/duplicates?page={page}" if page.isdigit() and page != "1" else "/duplicates"
    try:
        out = decide(request, user, str(form.get("work_a") or ""), str(form.get("work_b") or ""),
                     str(form.get("decision") or ""), (form.get("note") or "").strip() or None)
    except actions.ActionError as exc:
        flash(request, exc.message, "error")
        return RedirectResponse(back, status_code=303)
    flash(request, out.message)
    if out.index_warning:
        flash(request, out.index_warning, "warn")
    return RedirectResponse(back, status_code=303)


# ------------------------------------------------------------------------------ API


class Decision(BaseModel):
    work_a: str
    work_b: str
    decision: str = Field(..., description="merge | keep_apart")
    note: str | None = Field(None, description="Why, for the audit log")


def _api_csrf(request: Request) -> None:
    check_csrf(request, request.headers.get("X-CSRF-Token"))


@router.get("/api/duplicates", tags=["api"], summary="Pairs of works scored just short of a match (librarians)")
def queue_api(request: Request, limit: int = 50, offset: int = 0) -> dict:
    from ir.consolidate import duplicate_queue, queue_size

    _need(request)
    store = store_of(request)
    pairs = duplicate_queue(store, limit=max(1, min(limit, 500)), offset=max(0, offset))
    return {"total": queue_size(store), "pairs": [p.as_json() for p in pairs]}


@router.post("/api/duplicates/decide", tags=["api"], dependencies=[Depends(_api_csrf)],
             summary="Merge a queued pair of works, or keep them apart")
def decide_api(request: Request, body: Decision) -> dict:
    user = _need(request)
    try:
        return decide(request, user, body.work_a, body.work_b, body.decision, body.note).as_json()
    except actions.ActionError as exc:
        raise Forbidden(exc.status, exc.message) from None
