"""Extract snapshots: stored, listed, read back (to write the same file again), and compared.

A snapshot row keeps the extract's payload as canonical JSON text (see :meth:`Extract.payload_text`);
:func:`load_snapshot` checks its digest before use. :func:`diff` compares two extracts: works added and
removed, works whose tiers or departments changed, and per department the change of every column.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import sqlalchemy as sa

from ir.report.extract import Extract
from ir.store import Store
from ir.store.tables.reports import report_snapshots as snaps


class SnapshotError(LookupError):
    pass


def snapshot(store: Store, extract: Extract, *, created_by: str = "cli", note: str | None = None) -> int:
    """Store the extract; returns the snapshot id (also set on the extract, so its cover names it).

    Write the workbook after this call: its cover then names the snapshot, and :func:`load_snapshot`
    gives back the same extract with the same id, so writing it again gives the very same bytes."""
    text = extract.payload_text()
    with store.begin() as conn:
        sid = conn.execute(snaps.insert().values(
            created_at=extract.created_at, year_from=extract.year_from, year_to=extract.year_to,
            rules_text=extract.rules.text, rules_digest=extract.rules.digest, data_version=extract.data_version,
            data_stamps=extract.data_stamps, works=len(extract.works), links=len(extract.links), payload=text,
            payload_digest=hashlib.sha256(text.encode("utf-8")).hexdigest(), created_by=created_by, note=note,
        ).returning(snaps.c.snapshot_id)).scalar_one()
    extract.snapshot_id = sid
    return sid


def load_snapshot(store: Store, snapshot_id: int) -> Extract:
    with store.connect() as conn:
        row = conn.execute(sa.select(snaps.c.payload, snaps.c.payload_digest)
                           .where(snaps.c.snapshot_id == int(snapshot_id))).first()
    if row is None:
        raise SnapshotError(f"no report snapshot #{snapshot_id} (see `ir report list`)")
    if hashlib.sha256(row.payload.encode("utf-8")).hexdigest() != row.payload_digest:
        raise SnapshotError(f"report snapshot #{snapshot_id} does not match its digest: it was altered")
    return Extract.from_payload(json.loads(row.payload), snapshot_id=int(snapshot_id))


def list_snapshots(store: Store, year: int | None = None) -> list[dict]:
    q = sa.select(snaps.c.snapshot_id, snaps.c.created_at, snaps.c.year_from, snaps.c.year_to, snaps.c.works,
                  snaps.c.links, snaps.c.data_version, snaps.c.rules_digest, snaps.c.created_by, snaps.c.note
                  ).order_by(snaps.c.snapshot_id)
    if year is not None:
        q = q.where(snaps.c.year_from <= year, snaps.c.year_to >= year)
    with store.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


# ------------------------------------------------------------------------------ comparison


@dataclass
class Diff:
    a: int | None
    b: int | None
    added: list[dict] = field(default_factory=list)  # works in B only: work_id, title, departments
    removed: list[dict] = field(default_factory=list)  # works in A only
    changed: list[dict] = field(default_factory=list)  # works in both: work_id, title, what -> (before, after)
    departments: list[dict] = field(default_factory=list)  # dept_id, department, {column: (a, b, delta)}
    rules_changed: bool = False

    def as_json(self) -> dict:
        return {"a": self.a, "b": self.b, "rules_changed": self.rules_changed, "added": self.added,
                "removed": self.removed, "changed": self.changed, "departments": self.departments}


def _work_view(e: Extract) -> dict[str, dict]:
    depts: dict[str, set[str]] = {}
    people: dict[str, set[str]] = {}
    for x in e.links:
        depts.setdefault(x["work_id"], set()).add(x["dept_id"])
        people.setdefault(x["work_id"], set()).add(x["person_id"])
    return {w["work_id"]: {"title": w.get("title"), "year": w["year"], "type": w.get("type"),
                           "tiers": w.get("tiers") or {}, "indexes": w.get("indexes") or [],
                           "highly_cited": bool(w.get("highly_cited")),
                           "departments": sorted(depts.get(w["work_id"], ())),
                           "people": sorted(people.get(w["work_id"], ()))} for w in e.works}


def diff(a: Extract, b: Extract) -> Diff:
    """What changed from extract ``a`` to extract ``b``."""
    out = Diff(a.snapshot_id, b.snapshot_id, rules_changed=a.rules.text != b.rules.text)
    va, vb = _work_view(a), _work_view(b)
    for wid in sorted(vb.keys() - va.keys()):
        out.added.append({"work_id": wid, "title": vb[wid]["title"], "departments": vb[wid]["departments"]})
    for wid in sorted(va.keys() - vb.keys()):
        out.removed.append({"work_id": wid, "title": va[wid]["title"], "departments": va[wid]["departments"]})
    for wid in sorted(va.keys() & vb.keys()):
        changes = {}
        for lst in sorted(set(va[wid]["tiers"]) | set(vb[wid]["tiers"])):
            before, after = va[wid]["tiers"].get(lst), vb[wid]["tiers"].get(lst)
            if before != after:
                changes[f"tier {lst}"] = [before, after]
        for key in ("departments", "people", "indexes", "type", "year", "highly_cited"):
            if va[wid][key] != vb[wid][key]:
                changes[key] = [va[wid][key], vb[wid][key]]
        if changes:
            out.changed.append({"work_id": wid, "title": vb[wid]["title"], "changes": changes})
    rows_a = {r["dept_id"]: r for r in a.department_rows()}
    rows_b = {r["dept_id"]: r for r in b.department_rows()}
    labels = {m.key: f"{m.group}: {m.label}" if m.group != m.label else m.label
              for m in [*a.measures(), *b.measures()]}
    for dept in sorted(rows_a.keys() | rows_b.keys(), key=lambda d: (d is None, d or "")):
        ca = (rows_a.get(dept) or {}).get("counts", {})
        cb = (rows_b.get(dept) or {}).get("counts", {})
        deltas = {}
        for key in list(dict.fromkeys([*ca, *cb])):
            x, y = ca.get(key, 0), cb.get(key, 0)
            if x != y:
                deltas[labels.get(key, key)] = [x, y, y - x]
        if deltas:
            name = (rows_b.get(dept) or rows_a.get(dept))["department"]
            out.departments.append({"dept_id": dept, "department": name, "changes": deltas})
    return out
