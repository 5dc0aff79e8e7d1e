"""People's decisions on authorships, and the review queries the web UI and ``ir review`` read.

Each decision locks the row (re-runs never overwrite it) and writes an audit entry in the same
transaction. A suggestion may go to several people tied for it (``authorship_candidates``): a claim by
one of them settles it for all; a rejection by one removes only that person, and the row stays a
suggestion for the others (the next of them becomes the row's person). Who may do what is the web layer's business: these functions take the actor as given.
"""

from __future__ import annotations

import sqlalchemy as sa

from ir import audit
from ir.store import Store
from ir.store.engine import utcnow
from ir.store.tables.attribution import authorship_candidates, authorships, dict_people
from ir.store.tables.works import works


class AttributionError(ValueError):
    pass


_STATE = ("person_id", "org_id", "status", "locked", "decided_by", "rejected_ids")


def _get(conn, work_id: str, position: int) -> dict:
    row = conn.execute(sa.select(authorships).where(
        (authorships.c.work_id == work_id) & (authorships.c.position == position))).mappings().first()
    if row is None:
        raise AttributionError(f"no authorship {work_id} #{position}")
    return dict(row)


def _person_org(conn, person_id: str, year: int | None) -> str:
    appts = conn.execute(sa.select(dict_people.c.org_id, dict_people.c.start_year, dict_people.c.end_year)
                         .where(dict_people.c.person_id == person_id).order_by(dict_people.c.appointment)).all()
    if not appts:
        raise AttributionError(f"unknown person {person_id!r} (not in the dictionaries snapshot)")
    if year is not None:
        for org_id, start, end in appts:
            if (start is None or start <= year) and (end is None or year <= end):
                return org_id
    return appts[-1][0]


def _work_year(conn, work_id: str) -> int | None:
    return conn.execute(sa.select(works.c.year).where(works.c.work_id == work_id)).scalar()


def _apply(store: Store, work_id: str, position: int, action: str, actor: str, role: str | None,
           person_id: str | None, status: str, note: str | None = None, reject: str | None = None) -> dict:
    with store.begin() as conn:
        row = _get(conn, work_id, position)
        before = {k: row[k] for k in _STATE}
        rejected = list(row["rejected_ids"] or [])
        if reject and reject not in rejected:
            rejected.append(reject)
        if person_id and person_id in rejected and not reject:
            rejected.remove(person_id)  # a person's own later claim overrides an earlier rejection
        org_id = row["org_id"]
        if person_id:
            org_id = _person_org(conn, person_id, _work_year(conn, work_id))
        values = {"person_id": person_id, "org_id": org_id, "status": status, "locked": True,
                  "decided_by": actor, "decided_at": utcnow(), "rejected_ids": rejected or None, "is_ours": True}
        conn.execute(authorships.update().where(
            (authorships.c.work_id == work_id) & (authorships.c.position == position)).values(**values))
        conn.execute(authorship_candidates.delete().where(  # settled: no longer anyone's suggestion
            (authorship_candidates.c.work_id == work_id) & (authorship_candidates.c.position == position)))
        after = {k: values.get(k, row[k]) for k in _STATE}
        audit.record(conn, actor=actor, role=role, action=action, object_type="authorship",
                     object_id=f"{work_id}:{position}", before=before, after=after, note=note)
        return after


def claim(store: Store, work_id: str, position: int, person_id: str, actor: str, role: str | None = None,
          note: str | None = None) -> dict:
    """A person claims an authorship as theirs (or a librarian on their behalf): claimed, locked."""
    return _apply(store, work_id, position, "claim", actor, role, person_id, "claimed", note)


def candidates_of(conn: sa.Connection, work_id: str, position: int) -> list[dict]:
    """The people a suggestion goes to, best first (empty when it goes to its row's person only)."""
    ac = authorship_candidates.c
    return [dict(r) for r in conn.execute(
        sa.select(ac.person_id, ac.score, ac.org_id, ac.evidence).where((ac.work_id == work_id) & (ac.position == position))
        .order_by(ac.rank)).mappings()]


def reject(store: Store, work_id: str, position: int, person_id: str, actor: str, role: str | None = None,
           note: str | None = None) -> dict:
    """``person_id`` is not this author: never suggested for it again. When the suggestion also goes to
    other people, only this person is removed (the next becomes the row's person); otherwise the row is
    locked as rejected."""
    with store.begin() as conn:
        row = _get(conn, work_id, position)
        shared = candidates_of(conn, work_id, position)
        others = [c for c in shared if c["person_id"] != person_id]
        concerned = row["person_id"] == person_id or len(others) < len(shared)
        if not row["locked"] and row["status"] == "suggested" and others and concerned:
            before = {k: row[k] for k in _STATE}
            rejected = list(row["rejected_ids"] or [])
            if person_id not in rejected:
                rejected.append(person_id)
            values = {"rejected_ids": rejected, "decided_by": actor, "decided_at": utcnow()}
            if row["person_id"] == person_id:
                values.update(person_id=others[0]["person_id"], org_id=others[0]["org_id"], score=others[0]["score"])
            conn.execute(authorships.update().where(
                (authorships.c.work_id == work_id) & (authorships.c.position == position)).values(**values))
            conn.execute(authorship_candidates.delete().where(
                (authorship_candidates.c.work_id == work_id) & (authorship_candidates.c.position == position)
                & (authorship_candidates.c.person_id == person_id)))
            after = {k: values.get(k, row[k]) for k in _STATE}
            audit.record(conn, actor=actor, role=role, action="reject", object_type="authorship",
                         object_id=f"{work_id}:{position}", before=before | {"person_id": person_id}, after=after,
                         note=note)
            return after
    return _apply(store, work_id, position, "reject", actor, role, person_id, "rejected", note, reject=person_id)


def confirm(store: Store, work_id: str, position: int, actor: str, role: str | None = None,
            note: str | None = None) -> dict:
    """A librarian confirms the pipeline's link (a suggestion or an auto link): claimed, locked."""
    with store.connect() as conn:
        row = _get(conn, work_id, position)
    if not row["person_id"] or row["status"] not in ("suggested", "auto"):
        raise AttributionError(f"{work_id} #{position} has no suggestion to confirm (status {row['status']})")
    return _apply(store, work_id, position, "confirm", actor, role, row["person_id"], "claimed", note)


def reassign(store: Store, work_id: str, position: int, new_person_id: str, actor: str, role: str | None = None,
             note: str | None = None) -> dict:
    """Link the authorship to another person; the person it pointed to is rejected for it."""
    with store.connect() as conn:
        old = _get(conn, work_id, position)["person_id"]
    with store.begin() as conn:
        if old and old != new_person_id:
            row = _get(conn, work_id, position)
            rejected = list(row["rejected_ids"] or [])
            if old not in rejected:
                rejected.append(old)
                conn.execute(authorships.update().where(
                    (authorships.c.work_id == work_id) & (authorships.c.position == position)).values(rejected_ids=rejected))
    return _apply(store, work_id, position, "reassign", actor, role, new_person_id, "claimed", note)


# ------------------------------------------------------------------------------------------ queries

_LIST_COLS = (authorships.c.work_id, authorships.c.position, authorships.c.name, authorships.c.name_zh,
              authorships.c.person_id, authorships.c.org_id, authorships.c.status, authorships.c.score,
              authorships.c.evidence, authorships.c.is_first, authorships.c.is_corresponding,
              works.c.title, works.c.year)


def _select():
    return sa.select(*_LIST_COLS).select_from(
        authorships.outerjoin(works, works.c.work_id == authorships.c.work_id))


def suggestions_for_person(store: Store, person_id: str) -> list[dict]:
    """The authorships suggested to one person (as the row's person or as one of the people tied for
    it) or auto-linked to them and not yet confirmed, newest first. ``suggested_to`` lists everyone the
    suggestion goes to."""
    open_rows = authorships.c.status.in_(("suggested", "auto")) & (authorships.c.locked == sa.false())
    ac = authorship_candidates.c
    own = _select().where((authorships.c.person_id == person_id) & open_rows)
    shared = _select().join(authorship_candidates, (ac.work_id == authorships.c.work_id)
                            & (ac.position == authorships.c.position)).where((ac.person_id == person_id) & open_rows)
    out: dict[tuple[str, int], dict] = {}
    with store.connect() as conn:
        for q in (own, shared):
            for r in conn.execute(q).mappings():
                out[(r["work_id"], r["position"])] = dict(r)
        keys = list(out)
        for start in range(0, len(keys), 500):
            wids = sorted({k[0] for k in keys[start:start + 500]})
            for wid, pos, pid in conn.execute(sa.select(ac.work_id, ac.position, ac.person_id)
                                              .where(ac.work_id.in_(wids)).order_by(ac.work_id, ac.position, ac.rank)):
                if (wid, pos) in out:
                    out[(wid, pos)].setdefault("suggested_to", []).append(pid)
    rows = list(out.values())
    for r in rows:
        r.setdefault("suggested_to", [r["person_id"]])
    rows.sort(key=lambda r: r["work_id"])
    rows.sort(key=lambda r: -(r["year"] or 0))
    return rows


def review_queue(store: Store, limit: int | None = 100) -> list[dict]:
    """Suggestions waiting for a claim or a review, the most doubtful (lowest score) first."""
    q = _select().where((authorships.c.status == "suggested") & (authorships.c.locked == sa.false())).order_by(
        authorships.c.score, authorships.c.work_id, authorships.c.position)
    if limit:
        q = q.limit(limit)
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def unmatched_authors(store: Store, limit: int | None = None) -> list[dict]:
    """Our authors no person fits, grouped by name and unit (most frequent first): dictionary upkeep."""
    q = sa.select(authorships.c.name, authorships.c.name_zh, authorships.c.org_id, authorships.c.work_id,
                  authorships.c.position).where(authorships.c.status == "unmatched")
    groups: dict[tuple, dict] = {}
    with store.connect() as conn:
        for name, name_zh, org_id, wid, pos in conn.execute(q):
            g = groups.setdefault((name, name_zh, org_id), {"name": name, "name_zh": name_zh, "org_id": org_id,
                                                           "count": 0, "authorships": []})
            g["count"] += 1
            if len(g["authorships"]) < 10:
                g["authorships"].append({"work_id": wid, "position": pos})
    out = sorted(groups.values(), key=lambda g: (-g["count"], g["name"] or ""))
    return out[:limit] if limit else out
