"""Every change a person can make through the web UI or the API, with the permission check first.

Each action checks :mod:`ir.web.policies` against the row as it is in the database, calls the library
(:mod:`ir.attribute` for authorships, :mod:`ir.consolidate` for works; they write the audit entry in the
same transaction as the change) and re-indexes the works touched, so a claim is in search results when
the response arrives. Claims and rejections lock the row: later pipeline runs keep them. A faculty
member's claim of a position the pipeline gave to someone else is a claim request
(:mod:`ir.web.claims`) for the librarians' queue, not a change.

:func:`bulk` applies one action to several authorships: each is checked, applied and audited on its
own (one failing does not stop the others), and the works are re-indexed once at the end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ir.config import Settings
from ir.store import Store
from ir.web import claims, policies, views
from ir.web.accounts import User

log = logging.getLogger(__name__)
BULK_ACTIONS = ("claim", "reject", "confirm")
MAX_BULK = 200


class ActionError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Outcome:
    message: str
    work_ids: list[str]
    after: dict = field(default_factory=dict)
    index_warning: str | None = None
    status: int = 200  # 202: a request waits for a librarian

    def as_json(self) -> dict:
        out = {"ok": True, "message": self.message, "work_ids": self.work_ids, "after": self.after}
        if self.status == 202:
            out["pending_review"] = True
        if self.index_warning:
            out["index_warning"] = self.index_warning
        return out


def _check(verdict: policies.Verdict) -> None:
    if not verdict:
        raise ActionError(verdict.status, verdict.reason)


def _authorship(store: Store, work_id: str, position: int) -> dict:
    try:
        return views.authorship(store, work_id, int(position))
    except (views.NotFound, ValueError) as exc:
        raise ActionError(404, str(exc)) from None


def _reindex(store: Store, settings: Settings, work_ids: list[str]) -> str | None:
    """Bring the search index up to date for these works now. The database change stands either way; a
    failure is reported, and the next ``ir index`` (or pipeline run) catches the index up."""
    from ir.search import reindex_works

    if not work_ids:
        return None
    try:
        rep = reindex_works(store, settings, list(dict.fromkeys(work_ids)))
    except Exception as exc:  # noqa: BLE001 - the index being down must not undo a committed decision
        log.warning("re-indexing %s failed: %s", work_ids, exc)
        return f"saved, but the search index could not be updated now ({exc}); it will catch up on the next index run"
    if rep.errors:
        return "saved, but the search index refused: " + "; ".join(f"{w}: {r}" for w, r in rep.errors)
    return None


def _library(fn, *args, **kwargs):
    from ir.attribute import AttributionError
    from ir.consolidate import WorkError

    try:
        return fn(*args, **kwargs)
    except (AttributionError, WorkError, claims.ClaimRequestError) as exc:
        raise ActionError(409, str(exc)) from None


def _names(store: Store, work_id: str, *person_ids: str | None) -> tuple[str, dict[str, str]]:
    """The work's title (quoted, shortened) and the people's names, for messages a person reads."""
    with store.connect() as conn:
        brief = views.work_brief(conn, [work_id]).get(work_id) or {}
        people = views.person_labels(conn, person_ids)
    title = brief.get("title") or work_id
    title = title if len(title) <= 90 else title[:87].rstrip() + "…"
    return f"“{title}”", {p: f"{people.get(p, p)} ({p})" for p in person_ids if p}


# ------------------------------------------------------------------------------ authorships


def _claim(store: Store, user: User, work_id: str, position: int, person_id: str | None, note: str | None) -> Outcome:
    from ir import attribute

    row = _authorship(store, work_id, position)
    person_id = person_id or (user.person_id if user and user.role == "faculty" else None)
    verdict = policies.can_claim(user, row, person_id)
    _check(verdict)
    if user.role != "faculty" and not views.person_exists(store, person_id):
        raise ActionError(404, f"no person {person_id} in the dictionaries")
    title, who = _names(store, work_id, person_id, row.get("person_id"))
    if verdict.review:
        req = _library(claims.request_claim, store, work_id, int(position), person_id, user.username, user.role,
                       note=note, holder={k: row.get(k) for k in ("person_id", "status")})
        holder = who.get(row.get("person_id"), row.get("person_id"))
        again = " (already waiting)" if req.get("existing") else ""
        return Outcome(f"Your claim of author #{position} ({row['name']}) of {title} went to the librarians' review "
                       f"queue{again}: the pipeline gave this position to {holder}.", [],
                       {"claim_request": req["id"], "status": "open"}, status=202)
    after = _library(attribute.claim, store, work_id, int(position), person_id, user.username, user.role, note=note)
    return Outcome(f"Claimed author #{position} ({row['name']}) of {title} for {who[person_id]}.", [work_id], after)


def _reject(store: Store, user: User, work_id: str, position: int, note: str | None) -> Outcome:
    from ir import attribute

    row = _authorship(store, work_id, position)
    _check(policies.can_reject(user, row))
    person = user.person_id if user.role == "faculty" else row["person_id"]  # a faculty member rejects for themselves
    after = _library(attribute.reject, store, work_id, int(position), person, user.username, user.role, note=note)
    title, who = _names(store, work_id, person)
    return Outcome(f"{who[person]} is no longer linked to author #{position} ({row['name']}) of {title}.",
                   [work_id], after)


def _confirm(store: Store, user: User, work_id: str, position: int, note: str | None) -> Outcome:
    from ir import attribute

    row = _authorship(store, work_id, position)
    _check(policies.can_confirm(user, row))
    after = _library(attribute.confirm, store, work_id, int(position), user.username, user.role, note=note)
    title, who = _names(store, work_id, row["person_id"])
    return Outcome(f"Confirmed {who[row['person_id']]} as author #{position} ({row['name']}) of {title}.",
                   [work_id], after)


def _finish(store: Store, settings: Settings, out: Outcome) -> Outcome:
    out.index_warning = _reindex(store, settings, out.work_ids)
    return out


def claim(store: Store, settings: Settings, user: User, work_id: str, position: int,
          person_id: str | None = None, note: str | None = None) -> Outcome:
    """Claim an author position: for oneself (faculty) or for a named person (librarians)."""
    return _finish(store, settings, _claim(store, user, work_id, position, person_id, note))


def reject(store: Store, settings: Settings, user: User, work_id: str, position: int, note: str | None = None) -> Outcome:
    """"Not mine" (faculty, for their own link) or a librarian's rejection of the linked person."""
    return _finish(store, settings, _reject(store, user, work_id, position, note))


def confirm(store: Store, settings: Settings, user: User, work_id: str, position: int, note: str | None = None) -> Outcome:
    return _finish(store, settings, _confirm(store, user, work_id, position, note))


def reassign(store: Store, settings: Settings, user: User, work_id: str, position: int, new_person_id: str,
             note: str | None = None) -> Outcome:
    from ir import attribute

    row = _authorship(store, work_id, position)
    _check(policies.can_reassign(user, row))
    new_person_id = (new_person_id or "").strip()
    if not new_person_id or not views.person_exists(store, new_person_id):
        raise ActionError(404, f"no person {new_person_id or '(empty)'} in the dictionaries")
    after = _library(attribute.reassign, store, work_id, int(position), new_person_id, user.username, user.role,
                     note=note)
    title, who = _names(store, work_id, new_person_id)
    return _finish(store, settings, Outcome(f"Author #{position} ({row['name']}) of {title} is now "
                                            f"{who[new_person_id]}.", [work_id], after))


@dataclass
class BulkOutcome:
    done: list[dict] = field(default_factory=list)  # {work_id, position, message, pending_review}
    failed: list[dict] = field(default_factory=list)  # {work_id, position, status, message}
    index_warning: str | None = None

    @property
    def message(self) -> str:
        parts = []
        applied = [d for d in self.done if not d.get("pending_review")]
        pending = [d for d in self.done if d.get("pending_review")]
        if applied:
            parts.append(f"{len(applied)} done")
        if pending:
            parts.append(f"{len(pending)} sent to the librarians' review queue")
        if self.failed:
            parts.append(f"{len(self.failed)} not done")
        return ", ".join(parts) + "." if parts else "Nothing selected."

    def as_json(self) -> dict:
        out = {"ok": not self.failed, "message": self.message, "done": self.done, "failed": self.failed}
        if self.index_warning:
            out["index_warning"] = self.index_warning
        return out


def bulk(store: Store, settings: Settings, user: User, action: str, items: list[tuple[str, int]],
         note: str | None = None) -> BulkOutcome:
    """Apply ``action`` (claim, reject, confirm) to several authorships, each checked and audited alone."""
    if action not in BULK_ACTIONS:
        raise ActionError(422, f"bulk action is one of {', '.join(BULK_ACTIONS)}, not {action!r}")
    items = list(dict.fromkeys((str(w), int(p)) for w, p in items))
    if not items:
        raise ActionError(422, "select at least one author position")
    if len(items) > MAX_BULK:
        raise ActionError(422, f"at most {MAX_BULK} author positions at once ({len(items)} selected)")
    one = {"claim": lambda w, p: _claim(store, user, w, p, None, note),
           "reject": lambda w, p: _reject(store, user, w, p, note),
           "confirm": lambda w, p: _confirm(store, user, w, p, note)}[action]
    out = BulkOutcome()
    touched: list[str] = []
    for wid, pos in items:
        try:
            res = one(wid, pos)
        except ActionError as exc:
            out.failed.append({"work_id": wid, "position": pos, "status": exc.status, "message": exc.message})
            continue
        touched += res.work_ids
        out.done.append({"work_id": wid, "position": pos, "message": res.message,
                         "pending_review": res.status == 202})
    out.index_warning = _reindex(store, settings, touched)
    return out


# ------------------------------------------------------------------------------ claim requests


def decide_claim_request(store: Store, settings: Settings, user: User, request_id: int, accept: bool,
                         note: str | None = None) -> Outcome:
    """A librarian accepts (the position goes to the claimant) or declines a claim request."""
    from ir import attribute

    _check(policies.can_decide_claim_requests(user))
    req = _library(claims.get_request, store, int(request_id))
    if req["status"] != "open":
        raise ActionError(409, f"claim request #{request_id} is {req['status']} already")
    title, who = _names(store, req["work_id"], req["person_id"])
    claimant = who[req["person_id"]]
    if not accept:
        _library(claims.close_request, store, req["id"], "declined", user.username, user.role, note)
        return Outcome(f"Declined the claim of {claimant} to author #{req['position']} of {title}.", [],
                       {"claim_request": req["id"], "status": "declined"})
    after = _library(attribute.reassign, store, req["work_id"], req["position"], req["person_id"], user.username,
                     user.role, note=note or f"claim request #{req['id']} by {req['requested_by']}")
    _library(claims.close_request, store, req["id"], "accepted", user.username, user.role, note)
    return _finish(store, settings, Outcome(f"Accepted: author #{req['position']} of {title} is now {claimant}.",
                                            [req["work_id"]], after | {"claim_request": req["id"]}))


# ------------------------------------------------------------------------------ works


def split(store: Store, settings: Settings, user: User, work_id: str, records: list[str], note: str | None = None) -> Outcome:
    """Move the named member records (``source:source_id``) out of a work into a new one."""
    from ir.consolidate import split as split_work

    _check(policies.can(user, "split_merge"))
    pairs = []
    for key in records:
        src, _, sid = str(key).partition(":")
        if not sid:
            raise ActionError(422, f"a record is named source:source_id, not {key!r}")
        pairs.append((src, sid))
    new_id = _library(split_work, store, work_id, pairs, user.username, note)
    return Outcome(f"Split {len(pairs)} record(s) out of {work_id} into {new_id}.", [work_id, new_id],
                   {"work_id": work_id, "new_work_id": new_id}, _reindex(store, settings, [work_id, new_id]))


def merge(store: Store, settings: Settings, user: User, work_ids: list[str], note: str | None = None) -> Outcome:
    from ir.consolidate import merge as merge_works

    _check(policies.can(user, "split_merge"))
    ids = [w.strip() for w in work_ids if w and w.strip()]
    target = _library(merge_works, store, ids, user.username, note)
    return Outcome(f"Merged {', '.join(w for w in ids if w != target)} into {target}.", [target],
                   {"work_id": target, "merged": [w for w in ids if w != target]}, _reindex(store, settings, ids))
