"""Claim requests: a faculty member's claim of an author position the pipeline gave to someone else.

Such a claim changes nothing by itself: it waits in the librarians' review queue (``open``) until a
librarian accepts it (the position is reassigned to the claimant through :func:`ir.attribute.reassign`,
which locks and audits it) or declines it. Asking, accepting and declining are audit entries too
(object type ``claim_request``).
"""

from __future__ import annotations

import sqlalchemy as sa

from ir import audit
from ir.store import Store
from ir.store.engine import utcnow
from ir.store.tables.repository import claim_requests as cr


class ClaimRequestError(LookupError):
    pass


def request_claim(store: Store, work_id: str, position: int, person_id: str, actor: str, role: str | None,
                  note: str | None = None, holder: dict | None = None) -> dict:
    """Open a request (or return the one this person already has open for the position)."""
    with store.begin() as conn:
        row = conn.execute(sa.select(cr).where(cr.c.work_id == work_id, cr.c.position == position,
                                               cr.c.person_id == person_id, cr.c.status == "open")).mappings().first()
        if row is not None:
            return dict(row) | {"existing": True}
        values = dict(work_id=work_id, position=position, person_id=person_id, requested_by=actor,
                      requested_at=utcnow(), note=note, status="open")
        rid = conn.execute(cr.insert().values(**values)).inserted_primary_key[0]
        audit.record(conn, actor=actor, role=role, action="claim_request", object_type="authorship",
                     object_id=f"{work_id}:{position}", before=holder,
                     after={"claim_request": rid, "person_id": person_id, "status": "open"}, note=note)
    return values | {"id": rid, "existing": False}


def get_request(store: Store, request_id: int) -> dict:
    with store.connect() as conn:
        row = conn.execute(sa.select(cr).where(cr.c.id == request_id)).mappings().first()
    if row is None:
        raise ClaimRequestError(f"no claim request #{request_id}")
    return dict(row)


def open_requests(store: Store, person_id: str | None = None, limit: int = 500) -> list[dict]:
    q = sa.select(cr).where(cr.c.status == "open").order_by(cr.c.requested_at, cr.c.id).limit(limit)
    if person_id:
        q = q.where(cr.c.person_id == person_id)
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def close_request(store: Store, request_id: int, status: str, actor: str, role: str | None,
                  note: str | None = None) -> dict:
    """Mark an open request accepted or declined (the caller made the change an acceptance means)."""
    assert status in ("accepted", "declined")
    with store.begin() as conn:
        row = conn.execute(sa.select(cr).where(cr.c.id == request_id)).mappings().first()
        if row is None:
            raise ClaimRequestError(f"no claim request #{request_id}")
        if row["status"] != "open":
            raise ClaimRequestError(f"claim request #{request_id} is {row['status']} already")
        conn.execute(cr.update().where(cr.c.id == request_id).values(status=status, decided_by=actor,
                                                                     decided_at=utcnow()))
        audit.record(conn, actor=actor, role=role, action=f"claim_request_{status}", object_type="authorship",
                     object_id=f"{row['work_id']}:{row['position']}", before={"claim_request": request_id, "status": "open"},
                     after={"claim_request": request_id, "status": status, "person_id": row["person_id"]}, note=note)
    return dict(row) | {"status": status}
