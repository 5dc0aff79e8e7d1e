"""What the pages and the API read: a work with its records, provenance and authors; a person's outputs;
the review lists; the audit log. Reads only; changes go through :mod:`ir.web.actions`."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ir.store import Store
from ir.store.tables.attribution import authorships, dict_organizations, dict_people
from ir.store.tables.audit import audit_log
from ir.store.tables.ingest import ingest_batches, source_records
from ir.store.tables.works import work_members, works

STATUS_LABELS = {
    "auto": "linked automatically", "suggested": "suggested", "claimed": "claimed", "rejected": "rejected",
    "unmatched": "ours, person unknown", "external": "external",
}


class NotFound(LookupError):
    pass


# ----------------------------------------------------------------------------------------- labels

def person_labels(conn: sa.Connection, ids: Iterable[str | None]) -> dict[str, str]:
    ids = sorted({i for i in ids if i})
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        q = sa.select(dict_people.c.person_id, dict_people.c.name_en, dict_people.c.name_zh).where(
            dict_people.c.person_id.in_(ids[start:start + 500])).order_by(dict_people.c.appointment)
        for pid, en, zh in conn.execute(q):
            out.setdefault(pid, " ".join(x for x in (en, zh) if x) or pid)
    return out


def org_labels(conn: sa.Connection, ids: Iterable[str | None]) -> dict[str, str]:
    ids = sorted({i for i in ids if i})
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        q = sa.select(dict_organizations.c.org_id, dict_organizations.c.name_en, dict_organizations.c.name_zh).where(
            dict_organizations.c.org_id.in_(ids[start:start + 500]))
        for oid, en, zh in conn.execute(q):
            out[oid] = en or zh or oid
    return out


def find_people(store: Store, q: str, limit: int = 20) -> list[dict]:
    """People of the dictionaries whose id, English or Chinese name contains ``q`` (for reassigning)."""
    q = (q or "").strip()
    if not q:
        return []
    like = "%" + q.lower().replace("%", "").replace("_", "") + "%"
    p = dict_people
    with store.connect() as conn:
        rows = conn.execute(sa.select(p.c.person_id, p.c.name_en, p.c.name_zh, p.c.org_id, p.c.role).where(
            sa.or_(sa.func.lower(p.c.person_id).like(like), sa.func.lower(p.c.name_en).like(like),
                   p.c.name_zh.like(like))).order_by(p.c.person_id, p.c.appointment).limit(limit * 3)).all()
        orgs = org_labels(conn, [r.org_id for r in rows])
    out: dict[str, dict] = {}
    for r in rows:
        if r.person_id not in out and len(out) < limit:
            out[r.person_id] = {"person_id": r.person_id, "name": " ".join(x for x in (r.name_en, r.name_zh) if x),
                                "org_id": r.org_id, "org": orgs.get(r.org_id, r.org_id), "role": r.role}
    return list(out.values())


def person_exists(store: Store, person_id: str) -> bool:
    with store.connect() as conn:
        return conn.execute(sa.select(dict_people.c.person_id).where(dict_people.c.person_id == person_id)).first() is not None


# ----------------------------------------------------------------------------------------- authorships

def authorship(store: Store, work_id: str, position: int) -> dict:
    with store.connect() as conn:
        row = conn.execute(sa.select(authorships).where(
            (authorships.c.work_id == work_id) & (authorships.c.position == position))).mappings().first()
        if row is None:
            raise NotFound(f"no author #{position} in work {work_id}")
        from ir.attribute import candidates_of

        return dict(row) | {"suggested_to": [c["person_id"] for c in candidates_of(conn, work_id, position)]}


def _decorate(conn: sa.Connection, rows: list[dict]) -> list[dict]:
    people = person_labels(conn, [r.get("person_id") for r in rows])
    orgs = org_labels(conn, [r.get("org_id") for r in rows])
    for r in rows:
        r["person_name"] = people.get(r.get("person_id"), r.get("person_id"))
        r["org_name"] = orgs.get(r.get("org_id"), r.get("org_id"))
        r["status_label"] = STATUS_LABELS.get(r.get("status"), r.get("status"))
    return rows


def decorate(store: Store, rows: list[dict]) -> list[dict]:
    with store.connect() as conn:
        return _decorate(conn, [dict(r) for r in rows])


def work_authorships(conn: sa.Connection, work_id: str) -> list[dict]:
    rows = [dict(r) for r in conn.execute(sa.select(authorships).where(authorships.c.work_id == work_id)
                                          .order_by(authorships.c.position)).mappings()]
    return _decorate(conn, rows)


# ----------------------------------------------------------------------------------------- works

def resolve_work_id(conn: sa.Connection, work_id: str) -> tuple[str, str | None]:
    """(the active work id, the id asked for when it was merged away) following merge redirects."""
    seen: set[str] = set()
    asked = work_id
    while True:
        row = conn.execute(sa.select(works.c.status, works.c.merged_into).where(works.c.work_id == work_id)).first()
        if row is None:
            raise NotFound(f"no work {asked}")
        if row.status == "merged" and row.merged_into and row.merged_into not in seen:
            seen.add(work_id)
            work_id = row.merged_into
            continue
        return work_id, (asked if work_id != asked else None)


def export_document(conn: sa.Connection, row) -> dict:
    """The work as ``ir export`` writes it (the same document, extension fields included)."""
    from ir.export import field_sources, work_document

    doc = work_document(row)
    for fn in field_sources():
        doc.update((fn(conn, [row.work_id]) or {}).get(row.work_id, {}))
    return doc


def work_detail(store: Store, work_id: str) -> dict:
    """Everything about one work: metadata, the export document, member source records with where each
    came from, per-field provenance, authors with persons, units, statuses and evidence, and history."""
    with store.connect() as conn:
        wid, redirected_from = resolve_work_id(conn, work_id)
        row = conn.execute(sa.select(works).where(works.c.work_id == wid)).first()
        data = dict(row.data or {})
        members = conn.execute(
            sa.select(work_members.c.source, work_members.c.source_id, work_members.c.evidence,
                      work_members.c.added_at, source_records.c.data, source_records.c.format,
                      source_records.c.record_no, source_records.c.updated_at, ingest_batches.c.path)
            .select_from(work_members
                         .outerjoin(source_records, sa.and_(source_records.c.source == work_members.c.source,
                                                            source_records.c.source_id == work_members.c.source_id))
                         .outerjoin(ingest_batches, ingest_batches.c.id == source_records.c.batch_id))
            .where(work_members.c.work_id == wid).order_by(work_members.c.source, work_members.c.source_id)).all()
        records = []
        for m in members:
            rec = dict(m.data or {})
            records.append({
                "key": f"{m.source}:{m.source_id}", "source": m.source, "source_id": m.source_id,
                "format": m.format, "file": m.path, "record_no": m.record_no, "evidence": m.evidence,
                "added_at": m.added_at, "updated_at": m.updated_at,
                "title": (rec.get("titles") or [{}])[0].get("text") if rec.get("titles") else None,
                "year": rec.get("year"), "doi": rec.get("doi"), "doc_type": rec.get("doc_type"),
                "journal": (rec.get("journal") or {}).get("title"),
                "authors": [a.get("name") for a in rec.get("authors") or []],
                "affiliations": [a.get("text") for a in rec.get("affiliations") or []],
                "record": rec,
            })
        authors = work_authorships(conn, wid)
        export = export_document(conn, row)
        history = [dict(r) for r in conn.execute(
            sa.select(audit_log).where(sa.or_(
                (audit_log.c.object_type == "work") & (audit_log.c.object_id == wid),
                (audit_log.c.object_type == "authorship") & audit_log.c.object_id.like(f"{wid}:%")))
            .order_by(audit_log.c.id.desc()).limit(200)).mappings()]
    prov = data.get("provenance") or {}
    return {"work_id": wid, "redirected_from": redirected_from, "status": row.status, "title": row.title,
            "year": row.year, "doi": row.doi, "doc_type": row.doc_type, "data": data, "provenance": prov,
            "records": records, "authors": authors, "export": export, "history": history,
            "created_at": row.created_at, "updated_at": row.updated_at}


def work_brief(conn: sa.Connection, work_ids: Iterable[str]) -> dict[str, dict]:
    ids = sorted(set(work_ids))
    out: dict[str, dict] = {}
    for start in range(0, len(ids), 500):
        for r in conn.execute(sa.select(works.c.work_id, works.c.title, works.c.year, works.c.doc_type, works.c.data)
                              .where(works.c.work_id.in_(ids[start:start + 500]))):
            d = r.data or {}
            out[r.work_id] = {"work_id": r.work_id, "title": r.title, "year": r.year, "doc_type": r.doc_type,
                              "journal": (d.get("journal") or {}).get("title"),
                              "sources": sorted({s.get("source") for s in d.get("sources") or []} - {None})}
    return out


# ----------------------------------------------------------------------------------------- people

def my_outputs(store: Store, person_id: str) -> dict:
    """A faculty member's page: suggestions (with evidence and co-authors), claimed works, rejections."""
    from ir.attribute import suggestions_for_person

    # the pipeline's doubtful suggestions first, then its automatic links waiting for confirmation
    suggestions = sorted(suggestions_for_person(store, person_id), key=lambda r: r["status"] != "suggested")
    with store.connect() as conn:
        claimed = [dict(r) for r in conn.execute(
            sa.select(authorships, works.c.title, works.c.year)
            .select_from(authorships.join(works, works.c.work_id == authorships.c.work_id))
            .where(authorships.c.person_id == person_id, authorships.c.status == "claimed", works.c.status == "active")
            .order_by(works.c.year.desc(), works.c.work_id)).mappings()]
        rejected_rows = [dict(r) for r in conn.execute(
            sa.select(audit_log).where(audit_log.c.object_type == "authorship", audit_log.c.action == "reject")
            .order_by(audit_log.c.id.desc()).limit(500)).mappings()]
        rejected = []
        for e in rejected_rows:
            before = e.get("before") or {}
            if before.get("person_id") == person_id:
                wid, _, pos = str(e["object_id"]).rpartition(":")
                rejected.append({"work_id": wid, "position": int(pos), "at": e["at"], "actor": e["actor"]})
        briefs = work_brief(conn, [r["work_id"] for r in suggestions + claimed + rejected])
        coauthors: dict[str, list[str]] = {}
        ids = sorted({r["work_id"] for r in suggestions})
        for start in range(0, len(ids), 500):
            for wid, pos, name in conn.execute(sa.select(authorships.c.work_id, authorships.c.position, authorships.c.name)
                                               .where(authorships.c.work_id.in_(ids[start:start + 500]))
                                               .order_by(authorships.c.work_id, authorships.c.position)):
                coauthors.setdefault(wid, []).append(name)
        suggestions = _decorate(conn, [dict(r) for r in suggestions])
        claimed = _decorate(conn, claimed)
    for r in suggestions:
        r["work"] = briefs.get(r["work_id"], {})
        r["byline"] = coauthors.get(r["work_id"], [])
    for r in claimed + rejected:
        r["work"] = briefs.get(r["work_id"], {})
    return {"suggestions": suggestions, "claimed": claimed, "rejected": rejected}


def review_queue(store: Store, limit: int = 100) -> list[dict]:
    from ir.attribute import review_queue as queue

    return decorate(store, queue(store, limit))


def unknown_authors(store: Store, limit: int = 200) -> list[dict]:
    from ir.attribute import unmatched_authors

    groups = unmatched_authors(store, limit)
    with store.connect() as conn:
        orgs = org_labels(conn, [g.get("org_id") for g in groups])
        briefs = work_brief(conn, [a["work_id"] for g in groups for a in g.get("authorships", [])])
    for g in groups:
        g["org_name"] = orgs.get(g.get("org_id"), g.get("org_id"))
        for a in g.get("authorships", []):
            a["title"] = briefs.get(a["work_id"], {}).get("title")
    return groups


# ----------------------------------------------------------------------------------------- audit

def audit_entries(store: Store, *, actor: str | None = None, object_type: str | None = None,
                  action: str | None = None, page: int = 1, size: int = 50) -> tuple[list[dict], int]:
    q = sa.select(audit_log)
    count = sa.select(sa.func.count()).select_from(audit_log)
    for col, value in ((audit_log.c.actor, actor), (audit_log.c.object_type, object_type), (audit_log.c.action, action)):
        if value:
            q, count = q.where(col == value), count.where(col == value)
    with store.connect() as conn:
        total = conn.execute(count).scalar() or 0
        rows = [dict(r) for r in conn.execute(q.order_by(audit_log.c.id.desc())
                                              .offset((max(page, 1) - 1) * size).limit(size)).mappings()]
    return rows, total


# ----------------------------------------------------------------------------------------- citations

def citation_records(store: Store, work_ids: list[str]) -> list[dict]:
    """The works' records as the search index and the export see them (abstract, authors, tags, the
    journal names of the member records), in the order given; merged-away ids are skipped."""
    from ir.search.documents import records_from_rows

    ids = list(dict.fromkeys(work_ids))
    out: dict[str, dict] = {}
    with store.connect() as conn:
        for start in range(0, len(ids), 500):
            rows = conn.execute(sa.select(works.c.work_id, works.c.data).where(
                works.c.work_id.in_(ids[start:start + 500]), works.c.status == "active")).all()
            for rec in records_from_rows(conn, rows):
                out[rec["work_id"]] = rec
    return [out[w] for w in ids if w in out]


# ----------------------------------------------------------------------------------------- profiles

def person_profile(store: Store, person_id: str) -> dict:
    """A researcher's public page: name, department, ORCID, and their claimed and confirmed works by
    year (newest first). Links the pipeline made that nobody has confirmed are only counted."""
    p = dict_people
    with store.connect() as conn:
        appts = conn.execute(sa.select(p.c.name_en, p.c.name_zh, p.c.org_id, p.c.orcid, p.c.role, p.c.start_year,
                                       p.c.end_year).where(p.c.person_id == person_id).order_by(p.c.appointment)).all()
        if not appts:
            raise NotFound(f"no person {person_id}")
        orgs = org_labels(conn, [a.org_id for a in appts])
        rows = [dict(r) for r in conn.execute(
            sa.select(authorships.c.work_id, authorships.c.position, authorships.c.name, authorships.c.is_corresponding,
                      authorships.c.status, works.c.title, works.c.year, works.c.doc_type, works.c.data)
            .select_from(authorships.join(works, works.c.work_id == authorships.c.work_id))
            .where(authorships.c.person_id == person_id, authorships.c.status.in_(("claimed", "auto")),
                   works.c.status == "active")
            .order_by(works.c.year.desc(), works.c.work_id)).mappings()]
    latest = appts[-1]
    works_by_year: dict[int | None, list[dict]] = {}
    for r in rows:
        if r["status"] != "claimed":
            continue
        data = r.pop("data") or {}
        r["journal"] = (data.get("journal") or {}).get("title")
        r["doi"] = data.get("doi")
        works_by_year.setdefault(r["year"], []).append(r)
    return {"person_id": person_id, "name_en": latest.name_en, "name_zh": latest.name_zh,
            "name": " ".join(x for x in (latest.name_en, latest.name_zh) if x) or person_id,
            "orcid": next((a.orcid for a in reversed(appts) if a.orcid), None),
            "departments": list(dict.fromkeys(orgs.get(a.org_id, a.org_id) for a in reversed(appts))),
            "role": latest.role,
            "years": sorted(works_by_year.items(), key=lambda kv: -(kv[0] or 0)),
            "confirmed": sum(len(v) for v in works_by_year.values()),
            "unconfirmed": sum(1 for r in rows if r["status"] == "auto")}


def claim_requests(store: Store, person_id: str | None = None) -> list[dict]:
    """Open claim requests, oldest first, with the work, the claimant and whom the position is with now."""
    from ir.web.claims import open_requests

    reqs = open_requests(store, person_id)
    if not reqs:
        return []
    with store.connect() as conn:
        briefs = work_brief(conn, [r["work_id"] for r in reqs])
        keys = {(r["work_id"], r["position"]) for r in reqs}
        now = {}
        for wid in sorted({k[0] for k in keys}):
            for a in conn.execute(sa.select(authorships.c.position, authorships.c.name, authorships.c.person_id,
                                            authorships.c.status).where(authorships.c.work_id == wid)):
                if (wid, a.position) in keys:
                    now[(wid, a.position)] = {"name": a.name, "holder_id": a.person_id, "holder_status": a.status}
        people = person_labels(conn, [r["person_id"] for r in reqs] + [v["holder_id"] for v in now.values()])
    for r in reqs:
        cur = now.get((r["work_id"], r["position"]), {})
        r.update(cur)
        r["title"] = briefs.get(r["work_id"], {}).get("title")
        r["claimant_name"] = people.get(r["person_id"], r["person_id"])
        r["holder_name"] = people.get(cur.get("holder_id"), cur.get("holder_id"))
    return reqs
