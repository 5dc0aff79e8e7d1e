"""What a run checks in the store before it starts, and repairs: works that no source record belongs to.

Such a work (active, no members) can be left by a crash or by runs that overlapped before runs took the
run lock (:func:`ir.store.engine.run_lock`); it would be exported, indexed and counted although nothing
supports it. :func:`retire_empty_works` retires each (status ``split``, like a work whose records all
left) and writes an audit entry saying why.
"""

from __future__ import annotations

import sqlalchemy as sa

from ir.store import Store
from ir.store.engine import utcnow


def retire_empty_works(store: Store) -> list[str]:
    """Retire the active works without members; returns their ids (the next index run removes them)."""
    from ir import audit
    from ir.store.tables.works import work_members, works

    empty = (sa.select(works.c.work_id).where(works.c.status == "active")
             .where(~sa.exists().where(work_members.c.work_id == works.c.work_id)))
    with store.begin() as conn:
        ids = list(conn.execute(empty).scalars())
        now = utcnow()
        for start in range(0, len(ids), 1000):
            conn.execute(works.update().where(works.c.work_id.in_(ids[start:start + 1000]),
                                              works.c.status == "active")
                         .values(status="split", merged_into=None, updated_at=now))
        for wid in ids:
            audit.record(conn, actor="pipeline", role=None, action="retire-empty", object_type="work", object_id=wid,
                         before={"status": "active"}, after={"status": "split"},
                         note="no source record belongs to this work any more")
    return ids
