"""The JSON API under ``/api``: the same reads and actions as the pages (see :mod:`ir.web.app` for
sign-in and the CSRF header)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from ir.search.query import FILTERS, QueryError
from ir.web import accounts, actions, extract, policies, views
from ir.web.accounts import User
from ir.web.app import (Forbidden, check_csrf, csrf_token, current_user, search_backend, settings_of, sign_in,
                        sign_out, store_of)

router = APIRouter(prefix="/api", tags=["api"])


def _user(request: Request) -> User | None:
    return current_user(request)


def _signed_in(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise Forbidden(401, "sign in first")
    return user


def _csrf(request: Request) -> None:
    check_csrf(request, request.headers.get("X-CSRF-Token"))


def _need(user: User | None, capability: str) -> None:
    v = policies.can(user, capability)
    if not v:
        raise Forbidden(v.status, v.reason)


def _run(fn, *args, **kwargs) -> dict:
    try:
        return fn(*args, **kwargs).as_json()
    except actions.ActionError as exc:
        raise Forbidden(exc.status, exc.message) from None


UserDep = Annotated[User | None, Depends(_user)]
SignedIn = Annotated[User, Depends(_signed_in)]
Csrf = Depends(_csrf)


class Credentials(BaseModel):
    username: str
    password: str


class Note(BaseModel):
    note: str | None = Field(None, description="Why, for the audit log")


class ClaimBody(Note):
    person_id: str | None = Field(None, description="The person claimed for; faculty may name only themselves "
                                                     "(and may leave it out)")


class ReassignBody(Note):
    person_id: str


class SplitBody(Note):
    records: list[str] = Field(..., description="Member records to move out, as source:source_id")


class MergeBody(Note):
    work_ids: list[str]


# ------------------------------------------------------------------------------ session

@router.get("/session", summary="Who is signed in, and the CSRF token for POST/DELETE")
def get_session(request: Request, user: UserDep) -> dict:
    return {"user": user.as_json() if user else None, "csrf_token": csrf_token(request),
            "auth": request.app.state.web.auth}


@router.post("/session", summary="Sign in with a local account (JSON body only)")
def post_session(request: Request, body: Credentials) -> dict:
    if request.app.state.web.auth != "local":
        raise Forbidden(400, "this repository signs in through the institution's single sign-on")
    user = accounts.authenticate(store_of(request), body.username, body.password)
    if user is None:
        raise Forbidden(401, "wrong user name or password")
    sign_in(request, user)
    return {"user": user.as_json(), "csrf_token": csrf_token(request)}


@router.delete("/session", summary="Sign out", dependencies=[Csrf])
def delete_session(request: Request) -> dict:
    sign_out(request)
    return {"ok": True}


# ------------------------------------------------------------------------------ search and works

@router.get("/search", summary="Search works: text, facet filters, sort and page")
def search(request: Request, q: str = "", sort: str = "relevance", page: int = 1, size: int = 20,
           year: list[str] = Query(default=[]), type: list[str] = Query(default=[]),  # noqa: A002
           department: list[str] = Query(default=[]), person: list[str] = Query(default=[]),
           indexes: list[str] = Query(default=[]), tiers: list[str] = Query(default=[]),
           source: list[str] = Query(default=[]), person_status: list[str] = Query(default=[]),
           tags: list[str] = Query(default=[]), journal: list[str] = Query(default=[])) -> dict:
    values = locals()
    filters = {name: values[name] for name in FILTERS if values.get(name)}
    try:
        res = search_backend(request).search(q, filters, sort, page, size)
    except QueryError as exc:
        raise Forbidden(422, str(exc)) from None
    return res.as_json()


@router.get("/works/{work_id}", summary="A work: metadata, source records, provenance, authors, history")
def work(request: Request, work_id: str, user: UserDep) -> dict:
    try:
        d = views.work_detail(store_of(request), work_id)
    except views.NotFound as exc:
        raise Forbidden(404, str(exc)) from None
    for a in d["authors"]:
        if not policies.can_see_evidence(user, a):
            a["evidence"] = None
    if not policies.can(user, "audit"):
        d["history"] = []
    if not policies.can(user, "evidence"):
        for r in d["records"]:
            r.pop("record", None)  # the verbatim source record is for librarians
    return _jsonable(d)


@router.get("/people", summary="Find people of the dictionaries by id or name")
def people(request: Request, user: SignedIn, q: str = "") -> list[dict]:
    return views.find_people(store_of(request), q)


# ------------------------------------------------------------------------------ faculty

@router.get("/me/outputs", summary="My outputs: suggestions with evidence, claimed works, rejections")
def my_outputs(request: Request, user: SignedIn) -> dict:
    _need(user, "my_outputs")
    return _jsonable(views.my_outputs(store_of(request), user.person_id))


@router.post("/authorships/{work_id}/{position}/claim", dependencies=[Csrf],
             summary="Claim an author position (faculty: for themselves only)")
def claim(request: Request, work_id: str, position: int, user: SignedIn, body: ClaimBody | None = None) -> dict:
    body = body or ClaimBody()
    return _run(actions.claim, store_of(request), settings_of(request), user, work_id, position, body.person_id,
                body.note)


@router.post("/authorships/{work_id}/{position}/reject", dependencies=[Csrf],
             summary='"Not mine" (faculty, their own link) or a librarian\'s rejection')
def reject(request: Request, work_id: str, position: int, user: SignedIn, body: Note | None = None) -> dict:
    return _run(actions.reject, store_of(request), settings_of(request), user, work_id, position,
                (body or Note()).note)


# ------------------------------------------------------------------------------ librarians

@router.post("/authorships/{work_id}/{position}/confirm", dependencies=[Csrf], summary="Confirm a suggestion")
def confirm(request: Request, work_id: str, position: int, user: SignedIn, body: Note | None = None) -> dict:
    return _run(actions.confirm, store_of(request), settings_of(request), user, work_id, position,
                (body or Note()).note)


@router.post("/authorships/{work_id}/{position}/reassign", dependencies=[Csrf],
             summary="Link the position to another person")
def reassign(request: Request, work_id: str, position: int, user: SignedIn, body: ReassignBody) -> dict:
    return _run(actions.reassign, store_of(request), settings_of(request), user, work_id, position, body.person_id,
                body.note)


@router.get("/review-queue", summary="Suggestions waiting for review, most doubtful first")
def review_queue(request: Request, user: SignedIn, limit: int = 100) -> list[dict]:
    _need(user, "review")
    return _jsonable(views.review_queue(store_of(request), limit))


@router.get("/unknown-authors", summary="Our authors no person fits, grouped by name and unit")
def unknown_authors(request: Request, user: SignedIn, limit: int = 200) -> list[dict]:
    _need(user, "unknown_authors")
    return _jsonable(views.unknown_authors(store_of(request), limit))


@router.post("/works/{work_id}/split", dependencies=[Csrf], summary="Move member records into a new work")
def split(request: Request, work_id: str, user: SignedIn, body: SplitBody) -> dict:
    return _run(actions.split, store_of(request), settings_of(request), user, work_id, body.records, body.note)


@router.post("/works/merge", dependencies=[Csrf], summary="Merge works into the oldest of them")
def merge(request: Request, user: SignedIn, body: MergeBody) -> dict:
    return _run(actions.merge, store_of(request), settings_of(request), user, body.work_ids, body.note)


@router.get("/audit", summary="The audit log, newest first")
def audit(request: Request, user: SignedIn, actor: str | None = None, object_type: str | None = None,
          action: str | None = None, page: int = 1, size: int = 50) -> dict:
    _need(user, "audit")
    rows, total = views.audit_entries(store_of(request), actor=actor, object_type=object_type, action=action,
                                      page=page, size=min(max(size, 1), 500))
    return {"total": total, "page": page, "entries": _jsonable(rows)}


@router.get("/extract", summary="The annual extract for the research office: what is available")
def extract_info(request: Request, user: SignedIn) -> dict:
    _need(user, "extract")
    return extract.status(store_of(request), settings_of(request))


def _jsonable(value: Any) -> Any:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(value)
