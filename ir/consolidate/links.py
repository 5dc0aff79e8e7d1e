"""Relations between works and the queue of likely duplicates: the store edge of :mod:`ir.consolidate.relations`.

Consolidation keeps what it finds per pair of source records (table ``record_links``), so a relation follows
its records through merges and splits; a work's relations are its members'. Read here:

- :func:`relations_of` / :func:`export_fields`: a work's versions, corrections and retractions, both ways
  ('is_version_of' and 'has_version', 'corrects' and 'corrected_by', 'retracts' and 'retracted_by'); the
  export, the search index and the work page carry them;
- :func:`duplicate_queue`: pairs of works a run scored just short of a match, best first, the two records'
  fields side by side with the evidence; :func:`decide` is a librarian's answer: ``merge`` (the works become
  one, :func:`ir.consolidate.merge`) or ``keep_apart`` (a cannot-link between every record of one and every
  record of the other). Both are decisions every later run obeys (``work_decisions``), so a decided pair
  never comes back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from ir.consolidate.relations import INVERSE
from ir.consolidate.storage import WorkError, merge
from ir.model import Record
from ir.store import Store
from ir.store.engine import utcnow
from ir.store.tables.ingest import source_records
from ir.store.tables.works import record_links, work_decisions, work_members, works

DECISIONS = ("merge", "keep_apart")


def _members_joined():
    """record_links with the work of each end: (link columns..., work_a, work_b)."""
    ma, mb = work_members.alias("ma"), work_members.alias("mb")
    j = record_links.join(ma, sa.and_(ma.c.source == record_links.c.a_source,
                                      ma.c.source_id == record_links.c.a_source_id)) \
        .join(mb, sa.and_(mb.c.source == record_links.c.b_source, mb.c.source_id == record_links.c.b_source_id))
    return j, ma.c.work_id.label("work_a"), mb.c.work_id.label("work_b")


def relations_of(conn: sa.Connection, work_ids: Iterable[str]) -> dict[str, list[dict]]:
    """Each work's relations to other works: {work_id: [{relation, work_id, title, year, score, evidence,
    records}]}, strongest first; a relation seen from its other end is named by its inverse."""
    ids = sorted(set(work_ids))
    out: dict[str, dict[tuple[str, str], dict]] = {}
    j, wa, wb = _members_joined()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        q = sa.select(record_links.c.relation, record_links.c.score, record_links.c.evidence, wa, wb,
                      record_links.c.a_source, record_links.c.a_source_id, record_links.c.b_source,
                      record_links.c.b_source_id).select_from(j).where(
            record_links.c.relation != "possible_duplicate", wa != wb, sa.or_(wa.in_(chunk), wb.in_(chunk)))
        for r in conn.execute(q):
            pair = f"{r.a_source}:{r.a_source_id} -> {r.b_source}:{r.b_source_id}"
            for me, other, name in ((r.work_a, r.work_b, r.relation), (r.work_b, r.work_a, INVERSE[r.relation])):
                if me not in chunk:
                    continue
                slot = out.setdefault(me, {})
                got = slot.get((name, other))
                if got is None:
                    slot[(name, other)] = {"relation": name, "work_id": other, "score": r.score,
                                           "evidence": r.evidence, "records": [pair]}
                else:
                    got["records"].append(pair)
                    if (r.score or 0) > (got["score"] or 0):
                        got.update(score=r.score, evidence=r.evidence)
    others = sorted({x["work_id"] for rels in out.values() for x in rels.values()})
    labels: dict[str, tuple] = {}
    for start in range(0, len(others), 500):
        labels.update((w, (t, y)) for w, t, y in conn.execute(sa.select(works.c.work_id, works.c.title, works.c.year)
                                                                  .where(works.c.work_id.in_(others[start:start + 500]))))
    result: dict[str, list[dict]] = {}
    for me, rels in out.items():
        items = []
        for x in rels.values():
            x["title"], x["year"] = labels.get(x["work_id"], (None, None))
            items.append(x)
        result[me] = sorted(items, key=lambda x: (x["relation"], -(x["score"] or 0), x["work_id"]))
    return result


def export_fields(conn: sa.Connection, work_ids: list[str]) -> dict[str, dict]:
    """The ``relations`` of each work for the export and the search index: relation, the other work, its title
    and year, and the evidence."""
    return {wid: {"relations": [{k: x[k] for k in ("relation", "work_id", "title", "year", "evidence")}
                                for x in rels]}
            for wid, rels in relations_of(conn, work_ids).items()}


# --------------------------------------------------------------------------------- the queue of likely duplicates


@dataclass
class DuplicatePair:
    """Two works a run scored just short of a match, through their best-scoring pair of records."""

    work_a: str
    work_b: str
    record_a: dict  # the record's fields for the side-by-side view (see _record_view)
    record_b: dict
    score: float
    evidence: dict
    other_pairs: int = 0  # further record pairs between the same two works
    titles: tuple[str | None, str | None] = (None, None)  # the works' titles
    keys: tuple[str, str] = ("", "")  # the two records, "source:source_id"
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, value a, value b), side by side

    def as_json(self) -> dict:
        return {"work_a": self.work_a, "work_b": self.work_b, "record_a": self.record_a, "record_b": self.record_b,
                "score": self.score, "evidence": self.evidence, "other_pairs": self.other_pairs,
                "titles": list(self.titles), "keys": list(self.keys)}


def _undecided():
    d = work_decisions
    same = sa.and_(d.c.a_source == record_links.c.a_source, d.c.a_source_id == record_links.c.a_source_id,
                   d.c.b_source == record_links.c.b_source, d.c.b_source_id == record_links.c.b_source_id)
    swapped = sa.and_(d.c.a_source == record_links.c.b_source, d.c.a_source_id == record_links.c.b_source_id,
                      d.c.b_source == record_links.c.a_source, d.c.b_source_id == record_links.c.a_source_id)
    return ~sa.exists(sa.select(d.c.id).where(sa.or_(same, swapped)))


def _queue_rows(conn: sa.Connection):
    j, wa, wb = _members_joined()
    w1, w2 = works.alias("w1"), works.alias("w2")
    j = j.join(w1, w1.c.work_id == wa).join(w2, w2.c.work_id == wb)
    q = sa.select(record_links.c.a_source, record_links.c.a_source_id, record_links.c.b_source,
                  record_links.c.b_source_id, record_links.c.score, record_links.c.evidence, wa, wb,
                  w1.c.title.label("title_a"), w2.c.title.label("title_b")).select_from(j).where(
        record_links.c.relation == "possible_duplicate", wa != wb, w1.c.status == "active", w2.c.status == "active",
        _undecided()).order_by(record_links.c.score.desc(), wa, wb)
    return conn.execute(q)


def queue_size(store: Store) -> int:
    """How many pairs of works wait for a librarian."""
    with store.connect() as conn:
        return len({tuple(sorted((r.work_a, r.work_b))) for r in _queue_rows(conn)})


def duplicate_queue(store: Store, limit: int = 50, offset: int = 0) -> list[DuplicatePair]:
    """Pairs of works to look at, best first: each pair of works once, by its best-scoring pair of records."""
    with store.connect() as conn:
        best: dict[tuple[str, str], list] = {}
        order: list[tuple[str, str]] = []
        for r in _queue_rows(conn):
            key = tuple(sorted((r.work_a, r.work_b)))
            if key in best:
                best[key][1] += 1
                continue
            best[key] = [r, 0]
            order.append(key)
        page = [best[k] for k in order[offset:offset + limit]]
        keys = {(r.a_source, r.a_source_id) for r, _ in page} | {(r.b_source, r.b_source_id) for r, _ in page}
        recs = _records(conn, keys)
    out = []
    for r, more in page:
        ka, kb = (r.a_source, r.a_source_id), (r.b_source, r.b_source_id)
        va, vb = _record_view(recs.get(ka)), _record_view(recs.get(kb))
        out.append(DuplicatePair(r.work_a, r.work_b, va, vb, float(r.score or 0), r.evidence or {}, more,
                                 (r.title_a, r.title_b), (f"{ka[0]}:{ka[1]}", f"{kb[0]}:{kb[1]}"), _side_by_side(va, vb)))
    return out


def _records(conn: sa.Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Record]:
    out = {}
    keys = sorted(keys)
    for start in range(0, len(keys), 200):
        q = sa.select(source_records.c.source, source_records.c.source_id, source_records.c.data).where(
            sa.tuple_(source_records.c.source, source_records.c.source_id).in_(keys[start:start + 200]))
        for s, i, data in conn.execute(q):
            out[(s, i)] = Record.from_dict(data)
    return out


VIEW_FIELDS = (("source", "Source"), ("title", "Title"), ("translated_title", "Other title"), ("authors", "Authors"),
               ("journal", "Journal / venue"), ("year", "Year"), ("volume", "Volume"), ("issue", "Issue"),
               ("pages", "Pages"), ("doi", "DOI"), ("doc_type", "Type"), ("issn", "ISSN"))


def _record_view(r: Record | None) -> dict:
    if r is None:
        return {}
    other = next((t.text for t in r.titles[1:] if t.text), None)
    pages = "–".join(p for p in (r.first_page, r.last_page) if p) or (f"art. {r.article_number}" if r.article_number else "")
    return {"source": f"{r.source}:{r.source_id}", "title": r.title, "translated_title": other,
            "authors": "; ".join(a.name for a in r.authors[:10]) + (" …" if len(r.authors) > 10 else ""),
            "journal": r.journal.title or r.conference, "year": r.year, "volume": r.volume, "issue": r.issue,
            "pages": pages, "doi": r.doi, "doc_type": r.doc_type_raw or r.doc_type,
            "issn": ", ".join(x for x in (r.journal.issn, r.journal.eissn) if x)}


def _side_by_side(a: dict, b: dict) -> list[tuple[str, str, str]]:
    rows = []
    for key, label in VIEW_FIELDS:
        x, y = a.get(key), b.get(key)
        if x not in (None, "") or y not in (None, ""):
            rows.append((label, "" if x is None else str(x), "" if y is None else str(y)))
    return rows


class QueueError(WorkError):
    """A decision that cannot be made (unknown works, a pair not in the queue, an unknown decision)."""


def decide(store: Store, work_a: str, work_b: str, decision: str, actor: str, note: str | None = None,
           role: str = "librarian", settings=None) -> str:
    """A librarian's answer to a queued pair: ``merge`` (returns the surviving work) or ``keep_apart``
    (a cannot-link between every record of one and every record of the other; returns ``work_a``)."""
    from ir import audit

    if decision not in DECISIONS:
        raise QueueError(f"unknown decision {decision!r}; one of {', '.join(DECISIONS)}")
    if work_a == work_b:
        raise QueueError("name two different works")
    if decision == "merge":
        try:
            return merge(store, [work_a, work_b], actor, note, settings)
        except WorkError as exc:
            raise QueueError(str(exc)) from None
    now = utcnow()
    with store.begin() as conn:
        members: dict[str, list[tuple[str, str]]] = {}
        for wid in (work_a, work_b):
            status = conn.execute(sa.select(works.c.status).where(works.c.work_id == wid)).scalar()
            if status != "active":
                raise QueueError(f"no active work {wid}" + (f" (it is {status})" if status else ""))
            members[wid] = [tuple(m) for m in conn.execute(
                sa.select(work_members.c.source, work_members.c.source_id).where(work_members.c.work_id == wid)
                .order_by(work_members.c.source, work_members.c.source_id))]
        rows = [{"kind": "cannot_link", "a_source": a[0], "a_source_id": a[1], "b_source": b[0], "b_source_id": b[1],
                 "actor": actor, "note": note, "created_at": now}
                for a in members[work_a] for b in members[work_b]]
        conn.execute(work_decisions.insert(), rows)
        audit.record(conn, actor=actor, role=role, action="keep_apart", object_type="work", object_id=work_a,
                     before={"queued_with": work_b},
                     after={work_a: [f"{s}:{i}" for s, i in members[work_a]],
                            work_b: [f"{s}:{i}" for s, i in members[work_b]]}, note=note)
    return work_a
