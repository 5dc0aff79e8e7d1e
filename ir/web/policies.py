"""Who may do what: every permission of the web UI and the API, in one place.

Roles: ``faculty`` (their own outputs), ``librarian`` (review, unknown authors, split/merge, likely
duplicates, audit log),
``research_office`` (the annual extract), ``admin`` (everything, and accounts). Routes ask these
functions and never test roles themselves. Object-level rules (a faculty member claims or rejects only
for themselves) take the authorship as it is in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from ir.web.accounts import User

# page/section permissions: capability -> roles that have it
CAPABILITIES: dict[str, frozenset[str]] = {
    "my_outputs": frozenset({"faculty"}),
    "review": frozenset({"librarian", "admin"}),
    "unknown_authors": frozenset({"librarian", "admin"}),
    "split_merge": frozenset({"librarian", "admin"}),
    "duplicates": frozenset({"librarian", "admin"}),  # the queue of likely duplicates: merge or keep apart
    "audit": frozenset({"librarian", "admin"}),
    "extract": frozenset({"research_office", "librarian", "admin"}),
    "evidence": frozenset({"librarian", "admin"}),  # the evidence of any authorship (faculty see their own)
    "users": frozenset({"admin"}),
}
STAFF = frozenset({"librarian", "admin"})
HELD = ("auto", "claimed")  # statuses that attribute a position to a person


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""
    status: int = 200  # the HTTP status a refusal maps to: 401, 403, 409

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Verdict(True)


def _deny(reason: str, status: int = 403) -> Verdict:
    return Verdict(False, reason, status)


def can(user: User | None, capability: str) -> Verdict:
    if capability not in CAPABILITIES:
        raise KeyError(capability)
    if user is None:
        return _deny("sign in first", 401)
    if user.role in CAPABILITIES[capability]:
        return ALLOW
    return _deny(f"the {user.role.replace('_', ' ')} role cannot use {capability.replace('_', ' ')}")


def can_claim(user: User | None, authorship: dict, person_id: str | None) -> Verdict:
    """Claim position ``authorship`` of a work for ``person_id``."""
    if user is None:
        return _deny("sign in first", 401)
    if user.role in STAFF:
        return ALLOW if person_id else _deny("name the person to claim for", 409)
    if user.role != "faculty" or not user.person_id:
        return _deny("only faculty members and librarians claim works")
    if person_id != user.person_id:
        return _deny("faculty members claim works only for themselves")
    holder = authorship.get("person_id")
    if authorship.get("status") in HELD and holder and holder != user.person_id:
        return _deny("this author position is attributed to another person; ask a librarian to review it", 409)
    return ALLOW


def can_reject(user: User | None, authorship: dict) -> Verdict:
    """Say "not mine" to (or, for staff, reject) the person linked to this position."""
    if user is None:
        return _deny("sign in first", 401)
    if not authorship.get("person_id"):
        return _deny("no person is linked to this author position", 409)
    if user.role in STAFF:
        return ALLOW
    if user.role == "faculty" and user.person_id and (authorship.get("person_id") == user.person_id or (
            authorship.get("status") == "suggested" and user.person_id in (authorship.get("suggested_to") or ()))):
        return ALLOW  # their own link, or a suggestion that also goes to them
    return _deny("faculty members reject only what is linked to themselves")


def can_confirm(user: User | None, authorship: dict) -> Verdict:
    v = can(user, "review")
    if not v:
        return v
    if not authorship.get("person_id"):
        return _deny("no person is linked to this author position: reassign it instead", 409)
    return ALLOW


def can_reassign(user: User | None, authorship: dict) -> Verdict:
    return can(user, "review")


def can_see_evidence(user: User | None, authorship: dict) -> bool:
    if user is None:
        return False
    if user.role in CAPABILITIES["evidence"]:
        return True
    return user.role == "faculty" and bool(user.person_id) and authorship.get("person_id") == user.person_id


def nav(user: User | None) -> list[tuple[str, str]]:
    """The menu a user sees: (path, label) for each section they may open."""
    items = [("/", "Search")]
    if user is None:
        return items
    for cap, path, label in (("my_outputs", "/me", "My outputs"), ("review", "/review", "Review queue"),
                             ("unknown_authors", "/unknown-authors", "Unknown authors"),
                             ("split_merge", "/works-admin", "Split / merge"),
                             ("duplicates", "/duplicates", "Likely duplicates"), ("audit", "/audit", "Audit log"),
                             ("extract", "/extract", "Annual extract"), ("users", "/users", "Accounts")):
        if can(user, cap):
            items.append((path, label))
    return items
