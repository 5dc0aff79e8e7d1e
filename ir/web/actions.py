"""Every change a person can make through the web UI or the API, with the permission check first.

Each action checks :mod:`ir.web.policies` against the row as it is in the database, calls the library
(:mod:`ir.attribute` for authorships, :mod:`ir.consolidate` for works; they write the audit entry in the
same transaction as the change) and re-indexes the works touched, so a claim is in search results when
the response arrives. Claims and rejections lock the row: later pipeline runs keep them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ir.config import Settings
from ir.store import Store
from ir.web import policies, views
from ir.web.accounts import User

log = logging.getLogger(__name__)


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

    def as_json(self) -> dict:
        out = {"ok": True, "message": self.message, "work_ids": self.work_ids, "after": self.after}
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

    try:
        rep = reindex_works(store, settings, work_ids)
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
    except (AttributionError, WorkError) as exc:
        raise ActionError(409, str(exc)) from None


def claim(store: Store, settings: Settings, user: User, work_id: str, position: int,
          person_id: str | None = None, note: str | None = None) -> Outcome:
    """Claim an author position: for oneself (faculty) or for a named person (librarians)."""
    from ir import attribute

    row = _authorship(store, work_id, position)
    person_id = person_id or (user.person_id if user and user.role == "faculty" else None)
    _check(policies.can_claim(user, row, person_id))
    if user.role != "faculty" and not views.person_exists(store, person_id):
        raise ActionError(404, f"no person {person_id} in the dictionaries")
    after = _library(attribute.claim, store, work_id, int(position), person_id, user.username, user.role, note=note)
    return Outcome(f"Claimed author #{position} of {work_id} for {person_id}.", [work_id], after,
                   _reindex(store, settings, [work_id]))


def reject(store: Store, settings: Settings, user: User, work_id: str, position: int, note: str | None = None) -> Outcome:
    """"Not mine" (faculty, for their own link) or a librarian's rejection of the linked person."""
    from ir import attribute

    row = _authorship(store, work_id, position)
    _check(policies.can_reject(user, row))
    person = user.person_id if user.role == "faculty" else row["person_id"]  # a faculty member rejects for themselves
    after = _library(attribute.reject, store, work_id, int(position), person, user.username, user.role,
                     note=note)
    return Outcome(f"{person} is no longer linked to author #{position} of {work_id}.", [work_id], after,
                   _reindex(store, settings, [work_id]))


def confirm(store: Store, settings: Settings, user: User, work_id: str, position: int, note: str | None = None) -> Outcome:
    from ir import attribute

    row = _authorship(store, work_id, position)
    _check(policies.can_confirm(user, row))
    after = _library(attribute.confirm, store, work_id, int(position), user.username, user.role, note=note)
    return Outcome(f"Confirmed {row['person_id']} as author #{position} of {work_id}.", [work_id], after,
                   _reindex(store, settings, [work_id]))


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
    return Outcome(f"Author #{position} of {work_id} is now {new_person_id}.", [work_id], after,
                   _reindex(store, settings, [work_id]))


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
