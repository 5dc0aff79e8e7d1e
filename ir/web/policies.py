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
    review: bool = False  # allowed as a request that waits in the librarians' queue, not as a change

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
    if holder and holder != user.person_id and authorship.get("status") in (*HELD, "suggested") and not (
            authorship.get("status") == "suggested" and user.person_id in (authorship.get("suggested_to") or ())):
        # the pipeline (or a person) gave this position to someone else: a librarian decides
        return Verdict(True, "this author position is attributed to another person: your claim goes to the "
                             "librarians' review queue", 202, review=True)
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


def can_decide_claim_requests(user: User | None) -> Verdict:
    return can(user, "review")


def can_see_evidence(user: User | None, authorship: dict) -> bool:
    if user is None:
        return False
    if user.role in CAPABILITIES["evidence"]:
        return True
    return user.role == "faculty" and bool(user.person_id) and authorship.get("person_id") == user.person_id


# What of a work each audience sees. Readers (anonymous, faculty, research office) see the record;
# the librarians also see where every value came from, the files, the scores and the evidence.
PRIVATE_WORK_FIELDS = ("provenance", "history")
PRIVATE_RECORD_FIELDS = ("file", "record_no", "format", "evidence", "record", "added_at", "updated_at")
PRIVATE_AUTHOR_FIELDS = ("score", "evidence", "decision_hash", "rejected_ids", "decided_by", "decided_at", "locked")


def sees_provenance(user: User | None) -> bool:
    return bool(user) and user.role in CAPABILITIES["evidence"]


def redact_work(detail: dict, user: User | None) -> dict:
    """The work as ``user`` may see it (a copy of :func:`ir.web.views.work_detail`'s dict): the record
    for readers; provenance, source files, scores and evidence for librarians (and a faculty member's
    own authorships' evidence for them)."""
    if sees_provenance(user):
        return detail
    out = dict(detail)
    for k in PRIVATE_WORK_FIELDS:
        out[k] = {} if k == "provenance" else []
    out["data"] = {k: v for k, v in (detail.get("data") or {}).items() if k not in ("provenance", "founder")}
    out["export"] = {k: v for k, v in (detail.get("export") or {}).items() if k != "provenance"}
    out["records"] = [{k: v for k, v in r.items() if k not in PRIVATE_RECORD_FIELDS} for r in detail.get("records") or []]
    authors = []
    for a in detail.get("authors") or []:
        own = can_see_evidence(user, a)
        authors.append({k: v for k, v in a.items() if own or k not in PRIVATE_AUTHOR_FIELDS})
    out["authors"] = authors
    return out


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
