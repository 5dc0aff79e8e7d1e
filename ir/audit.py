"""Writing and reading the audit log (who, when, what, before and after)."""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.engine import utcnow
from ir.store.tables.audit import audit_log


def record(conn: sa.Connection, *, actor: str, role: str | None, action: str, object_type: str,
           object_id: str, before=None, after=None, note: str | None = None) -> None:
    """Add one entry, in the caller's transaction, so the change and its record commit together."""
    conn.execute(audit_log.insert().values(
        at=utcnow(), actor=actor, role=role, action=action, object_type=object_type,
        object_id=str(object_id), before=before, after=after, note=note,
    ))


def entries(conn: sa.Connection, *, object_type: str | None = None, object_id: str | None = None,
            actor: str | None = None, limit: int = 200) -> list[dict]:
    q = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if object_type:
        q = q.where(audit_log.c.object_type == object_type)
    if object_id:
        q = q.where(audit_log.c.object_id == str(object_id))
    if actor:
        q = q.where(audit_log.c.actor == actor)
    return [dict(r._mapping) for r in conn.execute(q)]
