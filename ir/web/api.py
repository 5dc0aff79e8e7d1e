"""The JSON API under ``/api``: the same reads and actions as the pages (see :mod:`ir.web.app` for
sign-in and the CSRF header). Every parameter carries its bounds (:mod:`ir.web.validation`): bad input
answers 422 with a message."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ir.search.query import FILTERS, QueryError
from ir.web import accounts, actions, citations, extract, policies, views
from ir.web.accounts import User
from ir.web.app import Forbidden, check_csrf, csrf_token, current_user, search_backend, settings_of, sign_in, sign_out, store_of
from ir.web.validation import MAX_ID, MAX_PAGE, MAX_PAGE_SIZE, MAX_POSITION, YEAR_MAX, YEAR_MIN, Ident, Note, SearchText

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
WorkId = Annotated[str, Path(min_length=1, max_length=MAX_ID, description="A work id, W…")]
PositionP = Annotated[int, Path(ge=1, le=MAX_POSITION, description="1-based author position in the byline")]
YearP = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX)]
SnapshotP = Annotated[int, Path(ge=1, le=2**31 - 1)]
Filter = Annotated[list[Annotated[str, Field(max_length=200)]], Query(max_length=50)]
CitationFormat = Literal["bibtex", "ris", "csl-json"]


class Credentials(BaseModel):
    username: str = Field(..., max_length=120)
    password: str = Field(..., max_length=1024)


class NoteBody(BaseModel):
    note: Note = Field(None, description="Why, for the audit log")


class ClaimBody(NoteBody):
    person_id: Ident | None = Field(None, description="The person claimed for; faculty may name only themselves "
                                                      "(and may leave it out)")


class ReassignBody(NoteBody):
    person_id: Ident


class SplitBody(NoteBody):
    records: list[Annotated[str, Field(max_length=200)]] = Field(..., max_length=1000,
                                                                description="Member records to move out, as source:source_id")


class MergeBody(NoteBody):
    work_ids: list[Ident] = Field(..., max_length=100)


class Position(BaseModel):
    work_id: Ident
    position: int = Field(..., ge=1, le=MAX_POSITION)


class BulkBody(NoteBody):
    action: Literal["claim", "reject", "confirm"]
    items: list[Position] = Field(..., min_length=1, max_length=actions.MAX_BULK)


class PasswordBody(BaseModel):
    current_password: str = Field(..., max_length=1024)
    new_password: str = Field(..., min_length=8, max_length=1024)


class SnapshotBody(NoteBody):
    pass


# ------------------------------------------------------------------------------ session

@router.get("/session", summary="Who is signed in, and the CSRF token for POST/DELETE")
def get_session(request: Request, user: UserDep) -> dict:
    return {"user": user.as_json() if user else None, "csrf_token": csrf_token(request),
            "auth": request.app.state.web.auth}


@router.post("/session", summary="Sign in with a local account (JSON body only); 429 after repeated failures")
def post_session(request: Request, body: Credentials) -> dict:
    user = sign_in(request, body.username, body.password)
    return {"user": user.as_json(), "csrf_token": csrf_token(request)}


@router.delete("/session", summary="Sign out (the session ends on the server)", dependencies=[Csrf])
def delete_session(request: Request) -> dict:
    sign_out(request)
    return {"ok": True}


@router.post("/session/password", summary="Change my password: every session of the account ends",
             dependencies=[Csrf])
def change_password(request: Request, user: SignedIn, body: PasswordBody) -> dict:
    if request.app.state.web.auth != "local":
        raise Forbidden(400, "passwords are kept by the institution's single sign-on")
    try:
        ended = accounts.change_password(store_of(request), user, body.current_password, body.new_password)
    except accounts.AccountError as exc:
        raise Forbidden(422, str(exc)) from None
    from ir.web.auth import start_session

    start_session(request, user)
    return {"ok": True, "sessions_ended": ended, "csrf_token": csrf_token(request)}


# ------------------------------------------------------------------------------ search and works

def _search(request: Request, q: str, sort: str, page: int, size: int, values: dict, facets: bool = True):
    filters = {name: values[name] for name in FILTERS if values.get(name)}
    try:
        return search_backend(request).search(q, filters, sort, page, size, facets=facets)
    except QueryError as exc:
        raise Forbidden(422, str(exc)) from None


@router.get("/search", summary="Search works: text, facet filters, sort and page")
def search(request: Request, q: SearchText = "", sort: Annotated[str, Query(max_length=20)] = "relevance",
           page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1, size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
           year: Filter = [], type: Filter = [], department: Filter = [], person: Filter = [],  # noqa: A002,B006
           indexes: Filter = [], tiers: Filter = [], source: Filter = [], person_status: Filter = [],  # noqa: B006
           tags: Filter = [], journal: Filter = []) -> dict:  # noqa: B006
    return _search(request, q, sort, page, size, locals()).as_json()


@router.get("/search/citations", summary="The citations of a search result set (up to 1000 works)",
            response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def search_citations(request: Request, format: CitationFormat = "bibtex", q: SearchText = "",  # noqa: A002
                     sort: Annotated[str, Query(max_length=20)] = "relevance",
                     size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 1000,
                     year: Filter = [], type: Filter = [], department: Filter = [], person: Filter = [],  # noqa: A002,B006
                     indexes: Filter = [], tiers: Filter = [], source: Filter = [], person_status: Filter = [],  # noqa: B006
                     tags: Filter = [], journal: Filter = []) -> Response:  # noqa: B006
    res = _search(request, q, sort, 1, size, locals(), facets=False)
    return citation_response(views.citation_records(store_of(request), [h["work_id"] for h in res.hits]), format,
                             "works")


def citation_response(records: list[dict], fmt: str, name: str) -> Response:
    media, ext = citations.FORMATS[fmt]
    return Response(citations.render(records, fmt), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'})


@router.get("/works/{work_id}", summary="A work: metadata, source records, authors (provenance, files, scores, "
                                        "evidence and history for librarians)")
def work(request: Request, work_id: WorkId, user: UserDep) -> dict:
    try:
        d = views.work_detail(store_of(request), work_id)
    except views.NotFound as exc:
        raise Forbidden(404, str(exc)) from None
    if not policies.can(user, "audit"):
        d["history"] = []
    return _jsonable(policies.redact_work(d, user))


@router.get("/works/{work_id}/citation", summary="The work's citation: BibTeX, RIS or CSL-JSON",
            response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def work_citation(request: Request, work_id: WorkId, format: CitationFormat = "bibtex") -> Response:  # noqa: A002
    records = views.citation_records(store_of(request), [work_id])
    if not records:
        raise Forbidden(404, f"no work {work_id}")
    return citation_response(records, format, work_id)


@router.get("/people", summary="Find people of the dictionaries by id or name")
def people(request: Request, user: SignedIn, q: SearchText = "") -> list[dict]:
    return views.find_people(store_of(request), q)


@router.get("/people/{person_id}", summary="A researcher's public profile: department, ORCID, claimed and "
                                           "confirmed works by year")
def person(request: Request, person_id: Annotated[str, Path(max_length=MAX_ID)]) -> dict:
    try:
        return _jsonable(views.person_profile(store_of(request), person_id))
    except views.NotFound as exc:
        raise Forbidden(404, str(exc)) from None


# ------------------------------------------------------------------------------ faculty

@router.get("/me/outputs", summary="My outputs: suggestions with evidence, claimed works, rejections, open claims")
def my_outputs(request: Request, user: SignedIn) -> dict:
    _need(user, "my_outputs")
    data = views.my_outputs(store_of(request), user.person_id)
    data["claim_requests"] = views.claim_requests(store_of(request), user.person_id)
    return _jsonable(data)


@router.post("/authorships/{work_id}/{position}/claim", dependencies=[Csrf],
             summary="Claim an author position (faculty: for themselves only; a position the pipeline gave to "
                     "someone else becomes a request for the librarians, answered with pending_review)")
def claim(request: Request, work_id: WorkId, position: PositionP, user: SignedIn, body: ClaimBody | None = None) -> dict:
    body = body or ClaimBody()
    return _run(actions.claim, store_of(request), settings_of(request), user, work_id, position, body.person_id,
                body.note)


@router.post("/authorships/{work_id}/{position}/reject", dependencies=[Csrf],
             summary='"Not mine" (faculty, their own link) or a librarian\'s rejection')
def reject(request: Request, work_id: WorkId, position: PositionP, user: SignedIn, body: NoteBody | None = None) -> dict:
    return _run(actions.reject, store_of(request), settings_of(request), user, work_id, position,
                (body or NoteBody()).note)


@router.post("/authorships/bulk", dependencies=[Csrf],
             summary="One action (claim, reject, confirm) on several author positions, each checked and audited")
def bulk(request: Request, user: SignedIn, body: BulkBody) -> dict:
    return _run(actions.bulk, store_of(request), settings_of(request), user, body.action,
                [(i.work_id, i.position) for i in body.items], body.note)


# ------------------------------------------------------------------------------ librarians

@router.post("/authorships/{work_id}/{position}/confirm", dependencies=[Csrf], summary="Confirm a suggestion")
def confirm(request: Request, work_id: WorkId, position: PositionP, user: SignedIn, body: NoteBody | None = None) -> dict:
    return _run(actions.confirm, store_of(request), settings_of(request), user, work_id, position,
                (body or NoteBody()).note)


@router.post("/authorships/{work_id}/{position}/reassign", dependencies=[Csrf],
             summary="Link the position to another person")
def reassign(request: Request, work_id: WorkId, position: PositionP, user: SignedIn, body: ReassignBody) -> dict:
    return _run(actions.reassign, store_of(request), settings_of(request), user, work_id, position, body.person_id,
                body.note)


@router.get("/review-queue", summary="Suggestions waiting for review, most doubtful first")
def review_queue(request: Request, user: SignedIn, limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> list[dict]:
    _need(user, "review")
    return _jsonable(views.review_queue(store_of(request), limit))


@router.get("/claim-requests", summary="Faculty claims of positions given to someone else, waiting for a librarian")
def claim_requests(request: Request, user: SignedIn) -> list[dict]:
    _need(user, "review")
    return _jsonable(views.claim_requests(store_of(request)))


@router.post("/claim-requests/{request_id}/{decision}", dependencies=[Csrf],
             summary="Accept (the position goes to the claimant) or decline a claim request")
def decide_claim_request(request: Request, request_id: SnapshotP, decision: Literal["accept", "decline"],
                         user: SignedIn, body: NoteBody | None = None) -> dict:
    return _run(actions.decide_claim_request, store_of(request), settings_of(request), user, request_id,
                decision == "accept", (body or NoteBody()).note)


@router.get("/unknown-authors", summary="Our authors no person fits, grouped by name and unit")
def unknown_authors(request: Request, user: SignedIn, limit: Annotated[int, Query(ge=1, le=10_000)] = 200) -> list[dict]:
    _need(user, "unknown_authors")
    return _jsonable(views.unknown_authors(store_of(request), limit))


@router.post("/works/{work_id}/split", dependencies=[Csrf], summary="Move member records into a new work")
def split(request: Request, work_id: WorkId, user: SignedIn, body: SplitBody) -> dict:
    return _run(actions.split, store_of(request), settings_of(request), user, work_id, body.records, body.note)


@router.post("/works/merge", dependencies=[Csrf], summary="Merge works into the oldest of them")
def merge(request: Request, user: SignedIn, body: MergeBody) -> dict:
    return _run(actions.merge, store_of(request), settings_of(request), user, body.work_ids, body.note)


@router.get("/audit", summary="The audit log, newest first")
def audit(request: Request, user: SignedIn, actor: Annotated[str | None, Query(max_length=120)] = None,
          object_type: Annotated[str | None, Query(max_length=40)] = None,
          action: Annotated[str | None, Query(max_length=40)] = None,
          page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1, size: Annotated[int, Query(ge=1, le=500)] = 50) -> dict:
    _need(user, "audit")
    rows, total = views.audit_entries(store_of(request), actor=actor, object_type=object_type, action=action,
                                      page=page, size=size)
    return {"total": total, "page": page, "entries": _jsonable(rows)}


# ------------------------------------------------------------------------------ research office

def _extract(fn, *args):
    try:
        return fn(*args)
    except extract.ExtractError as exc:
        raise Forbidden(404, str(exc)) from None


@router.get("/extract", summary="The annual extract: years, the rules in force, the snapshots")
def extract_info(request: Request, user: SignedIn) -> dict:
    _need(user, "extract")
    return _jsonable(extract.status(store_of(request), settings_of(request))
                     | {"snapshots": extract.snapshots(store_of(request))})


@router.get("/extract/{year}/preview", summary="The year's counts under the rules in force, and what is left out "
                                               "and why (nothing is stored)")
def extract_preview(request: Request, year: YearP, user: SignedIn) -> dict:
    _need(user, "extract")
    return _jsonable(_extract(extract.preview, store_of(request), settings_of(request), year))


@router.post("/extract/{year}/snapshots", dependencies=[Csrf], summary="Take a snapshot of the year's extract")
def extract_snapshot(request: Request, year: YearP, user: SignedIn, body: SnapshotBody | None = None) -> dict:
    _need(user, "extract")
    return _jsonable(_extract(extract.take_snapshot, store_of(request), settings_of(request), year, user.username,
                              (body or SnapshotBody()).note))


@router.get("/extract/compare", summary="Compare two snapshots: works added, removed, changed; per department")
def extract_compare(request: Request, user: SignedIn, a: Annotated[int, Query(ge=1, le=2**31 - 1)],
                    b: Annotated[int, Query(ge=1, le=2**31 - 1)]) -> dict:
    _need(user, "extract")
    return _jsonable(_extract(extract.compare, store_of(request), a, b))


def _jsonable(value: Any) -> Any:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(value)

