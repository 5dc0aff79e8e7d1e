"""The attribute stage: dictionaries in, one decided row per authorship of every active work out.

Two passes over the works. The first aligns each work's bylines, matches addresses and scores the
candidates on the author's own evidence. The links it makes ``auto`` (with the locked claims) form a
co-authorship network; the second pass adds co-author and supervisor evidence for the authors still in
doubt. A person is linked to at most one authorship per work. Rows are written only when their decision
changed, so a re-run on unchanged works and dictionaries changes nothing, and locked rows (claims,
rejections, librarians' decisions) are never touched.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from ir.affiliations import OrgIndex
from ir.attribute.align import WorkAuthor, align
from ir.attribute.decide import AuthorContext, Decision, decide, match_addresses, score_candidates
from ir.attribute.people import PeopleIndex
from ir.attribute.settings import AttributeSettings
from ir.dictionaries import Dictionaries, DictionaryProblem, load_dictionaries
from ir.store import Store, upsert
from ir.store.engine import utcnow
from ir.store.tables.attribution import authorships, dict_organizations, dict_people
from ir.store.tables.ingest import source_records
from ir.store.tables.works import work_members, works

_EXTERNAL = Decision("external", None, None, None, "no address of ours")
STATUSES = ("auto", "suggested", "claimed", "rejected", "unmatched")  # exported; "external" exports as null


@dataclass
class AttributeReport:
    works: int = 0
    authorships: int = 0
    ours: int = 0
    auto: int = 0
    suggested: int = 0
    unmatched: int = 0
    external: int = 0
    claimed_kept: int = 0
    rejected_kept: int = 0
    written: int = 0  # rows inserted or changed by this run
    removed: int = 0  # rows of positions or works that are gone
    people: int = 0
    organizations: int = 0
    problems: list[DictionaryProblem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def review_share(self) -> float:
        """Share of our authorships left to a person: suggested and unmatched."""
        return (self.suggested + self.unmatched) / self.ours if self.ours else 0.0

    def as_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("works", "authorships", "ours", "auto", "suggested", "unmatched",
                                             "external", "claimed_kept", "rejected_kept", "written", "removed",
                                             "people", "organizations", "seconds")}
        out["review_share"] = round(self.review_share, 4)
        out["dictionary_problems"] = [p.as_json() for p in self.problems]
        return out

    def as_table(self):
        from rich.table import Table

        t = Table(title="attribute")
        t.add_column("")
        t.add_column("count", justify="right")
        for label, value in (
            ("works", self.works), ("authorships", self.authorships), ("ours", self.ours),
            ("  auto", self.auto), ("  suggested", self.suggested), ("  unmatched", self.unmatched),
            ("  claimed (kept)", self.claimed_kept), ("  rejected (kept)", self.rejected_kept),
            ("external", self.external), ("rows written", self.written), ("rows removed", self.removed),
            ("people / organisations", f"{self.people} / {self.organizations}"),
            ("dictionary problems", len(self.problems)), ("left to review", f"{self.review_share:.1%}"),
            ("seconds", f"{self.seconds:.1f}"),
        ):
            t.add_row(label, str(value))
        return t


def _hash(obj) -> str:
    """A digest of a row as this code builds it (same input, same order, same digest)."""
    return hashlib.sha1(repr(obj).encode()).hexdigest()


# ------------------------------------------------------------------------------------------ snapshot


def write_snapshot(store: Store, d: Dictionaries) -> None:
    """Mirror the dictionaries into dict_organizations / dict_people (only changed rows are written)."""
    now = utcnow()
    org_rows = []
    for o in d.organizations.values():
        row = {"org_id": o.org_id, "parent_id": o.parent_id, "name_zh": o.name_zh, "name_en": o.name_en,
               "variants": o.variants, "extra": o.extra or None}
        row["row_hash"] = _hash(row)
        row["loaded_at"] = now
        org_rows.append(row)
    people_rows = []
    counter: Counter = Counter()
    for a in d.appointments:
        counter[a.person_id] += 1
        row = {"person_id": a.person_id, "appointment": counter[a.person_id], "name_zh": a.name_zh,
               "name_en": a.name_en, "variants": a.variants, "org_id": a.org_id, "email": a.email,
               "orcid": a.orcid, "researcher_id": a.researcher_id, "role": a.role, "start_year": a.start_year,
               "end_year": a.end_year, "supervisor_id": a.supervisor_id, "extra": a.extra or None}
        row["row_hash"] = _hash(row)
        row["loaded_at"] = now
        people_rows.append(row)
    with store.begin() as conn:
        have_o = dict(conn.execute(sa.select(dict_organizations.c.org_id, dict_organizations.c.row_hash)).all())
        have_p = {(r[0], r[1]): r[2] for r in conn.execute(
            sa.select(dict_people.c.person_id, dict_people.c.appointment, dict_people.c.row_hash))}
        upsert(conn, dict_organizations, [r for r in org_rows if have_o.get(r["org_id"]) != r["row_hash"]],
               key=["org_id"])
        upsert(conn, dict_people, [r for r in people_rows
                                   if have_p.get((r["person_id"], r["appointment"])) != r["row_hash"]],
               key=["person_id", "appointment"])
        gone_o = set(have_o) - {r["org_id"] for r in org_rows}
        gone_p = set(have_p) - {(r["person_id"], r["appointment"]) for r in people_rows}
        for oid in gone_o:
            conn.execute(dict_organizations.delete().where(dict_organizations.c.org_id == oid))
        for pid, n in gone_p:
            conn.execute(dict_people.delete().where(
                (dict_people.c.person_id == pid) & (dict_people.c.appointment == n)))


# ------------------------------------------------------------------------------------------ the run


def _iter_works(conn: sa.Connection, batch: int = 5000):
    """(work_id, year, [member records]) for every active work, in work_id order. Only the parts of a
    record attribution reads are fetched (source, id, year, authors, affiliations)."""
    data = source_records.c.data
    q = (sa.select(works.c.work_id, works.c.year, source_records.c.source, source_records.c.source_id,
                   data["year"].as_integer(), data["authors"], data["affiliations"])
         .select_from(works.join(work_members, work_members.c.work_id == works.c.work_id)
                      .join(source_records, (source_records.c.source == work_members.c.source)
                            & (source_records.c.source_id == work_members.c.source_id)))
         .where(works.c.status == "active").order_by(works.c.work_id))
    current, year, members = None, None, []
    for wid, wyear, src, sid, ryear, authors, affs in conn.execution_options(yield_per=batch).execute(q):
        if isinstance(authors, str):
            authors = json.loads(authors)
        if isinstance(affs, str):
            affs = json.loads(affs)
        if wid != current:
            if current is not None:
                yield current, year, members
            current, year, members = wid, wyear, []
        members.append({"source": src, "source_id": sid, "year": ryear, "authors": authors or [],
                        "affiliations": affs or []})
    if current is not None:
        yield current, year, members


def _work_year(year, members) -> int | None:
    if year:
        return int(year)
    ys = [m.get("year") for m in members if m.get("year")]
    return min(ys) if ys else None


def _address_evidence(ctx: AuthorContext, orgs: OrgIndex) -> list[dict]:
    out = []
    for a in ctx.author.addresses:
        m = orgs.match(a.text, a.organization)
        item = {"text": a.text, "source": a.source, "linked": a.linked, "ours": m.ours}
        if m.ours:
            item["org_id"] = m.org_id
            item["org_ids"] = list(m.org_ids)
            item["score"] = round(m.score, 3)
            item["matched"] = m.evidence.get("institution_matched")
        out.append(item)
    return out


def attribute(store: Store, dictionaries_dir: Path, settings: AttributeSettings | None = None,
              *, progress=None) -> AttributeReport:
    """Attribute every authorship of every active work; see the module docstring."""
    t0 = time.perf_counter()
    s = settings or AttributeSettings()
    rep = AttributeReport()
    d = load_dictionaries(Path(dictionaries_dir))
    rep.problems = d.problems
    write_snapshot(store, d)
    orgs = OrgIndex(o.entry() for o in d.organizations.values())
    people = PeopleIndex(d)
    rep.people, rep.organizations = len(people.people), len(d.organizations)
    context_hash = _hash([d.digest, s.as_json()])

    with store.connect() as conn:
        existing = {(r.work_id, r.position): r for r in conn.execute(sa.select(
            authorships.c.work_id, authorships.c.position, authorships.c.locked, authorships.c.decision_hash,
            authorships.c.status, authorships.c.person_id, authorships.c.rejected_ids))}

    # pass 1: own evidence
    work_rows: dict[str, list[dict]] = {}
    pending: dict[str, tuple[int | None, list[AuthorContext]]] = {}
    linked_by_work: dict[str, set[str]] = defaultdict(set)
    claimed_by_work: dict[str, set[str]] = defaultdict(set)
    decisions_all: dict[str, dict[int, Decision]] = {}
    with store.connect() as conn:
        for wid, wyear, members in _iter_works(conn):
            rep.works += 1
            year = _work_year(wyear, members)
            authors = align(members)
            rows, ours_ctx = [], []
            for wa in authors:
                prev = existing.get((wid, wa.position))
                if prev is not None and prev.locked:
                    if prev.person_id and prev.status == "claimed":
                        linked_by_work[wid].add(prev.person_id)
                        claimed_by_work[wid].add(prev.person_id)
                    rows.append({"locked": True, "position": wa.position, "status": prev.status})
                    continue
                ctx = match_addresses(wa, orgs)
                if ctx.ours:
                    rejected = set(prev.rejected_ids or []) if prev is not None else set()
                    ctx.candidates = score_candidates(ctx, year, people, orgs, s, rejected)
                    ours_ctx.append(ctx)
                    rows.append({"ctx": ctx, "position": wa.position})
                else:  # external: decided now, so the author's details need not wait for pass 2
                    rows.append({"row": _row(wid, wa, ctx, _EXTERNAL, orgs), "position": wa.position})
            work_rows[wid] = rows
            if ours_ctx:
                pending[wid] = (year, ours_ctx)
                decs = decisions_all[wid] = {ctx.author.position: decide(ctx, s) for ctx in ours_ctx}
                _one_person_per_work(ours_ctx, decs, s=s)
                linked_by_work[wid].update(d.person_id for d in decs.values() if d.status == "auto")
            if progress:
                progress(rep.works)

    # further passes for the authors still in doubt: co-authors (in the network of the links made so
    # far and the claims) and supervisors; each pass's new links feed the next
    for _ in range(s.passes):
        coauthors: dict[str, Counter] = defaultdict(Counter)
        activity: Counter = Counter()
        for persons in linked_by_work.values():
            activity.update(persons)
            for p in persons:
                for q in persons:
                    if p != q:
                        coauthors[p][q] += 1
        for wid, (year, ours_ctx) in pending.items():
            decs = decisions_all[wid]
            doubtful = [c for c in ours_ctx if decs[c.author.position].status != "auto"]
            if not doubtful:
                continue
            linked = linked_by_work.get(wid, set())
            tops = {c.candidates[0].person_id for c in ours_ctx if c.candidates}
            for ctx in doubtful:
                extra = {}
                for cand in ctx.candidates:
                    pts = {}
                    history = coauthors.get(cand.person_id)
                    n = sum(1 for q in linked if q != cand.person_id and history and history[q] > 0)
                    if n:
                        pts["coauthors"] = s.coauthor * min(n, 2)
                    sup = people.people[cand.person_id].supervisor_id
                    if sup and sup != cand.person_id and (sup in linked or sup in tops):
                        pts["supervisor"] = s.supervisor
                    elif people.students_of.get(cand.person_id, set()) & (linked | tops):
                        pts["supervisor"] = s.supervisor  # supervises a student who is an author of the work
                    if pts:
                        extra[cand.person_id] = pts
                if extra:
                    prev = existing.get((wid, ctx.author.position))
                    rejected = set(prev.rejected_ids or []) if prev is not None else set()
                    ctx.candidates = score_candidates(ctx, year, people, orgs, s, rejected, extra)
                # between equal scores, suggest the person who publishes more (links made so far)
                ctx.candidates.sort(key=lambda c: (-round(c.score, 6), -activity[c.person_id], c.person_id))
                decs[ctx.author.position] = decide(ctx, s)
            _one_person_per_work(ours_ctx, decs, s=s)
            linked_by_work[wid] = claimed_by_work.get(wid, set()) | {
                d.person_id for d in decs.values() if d.status == "auto"}

    now = utcnow()
    out_rows: list[dict] = []
    seen_keys: set[tuple[str, int]] = set()
    for wid, rows in work_rows.items():
        decisions = decisions_all.get(wid, {})
        for r in rows:
            key = (wid, r["position"])
            seen_keys.add(key)
            if r.get("locked"):
                rep.authorships += 1
                rep.ours += 1
                if r["status"] == "claimed":
                    rep.claimed_kept += 1
                elif r["status"] == "rejected":
                    rep.rejected_kept += 1
                continue
            if "row" in r:
                row, status = r["row"], "external"
            else:
                ctx: AuthorContext = r["ctx"]
                dec = decisions.get(ctx.author.position) or _EXTERNAL
                row, status = _row(wid, ctx.author, ctx, dec, orgs), dec.status
            rep.authorships += 1
            if row["is_ours"]:
                rep.ours += 1
            setattr(rep, status, getattr(rep, status) + 1)
            row["decision_hash"] = _hash((context_hash, _decision_key(row)))
            prev = existing.get(key)
            if prev is not None and prev.decision_hash == row["decision_hash"]:
                continue
            row["rejected_ids"] = list(prev.rejected_ids) if prev is not None and prev.rejected_ids else None
            row.update(decided_by="pipeline", decided_at=now, locked=False)
            out_rows.append(row)

    stale = [k for k, r in existing.items() if k not in seen_keys and not r.locked]
    with store.begin() as conn:
        for start in range(0, len(out_rows), 2000):
            upsert(conn, authorships, out_rows[start:start + 2000], key=["work_id", "position"])
        for wid, pos in stale:
            conn.execute(authorships.delete().where((authorships.c.work_id == wid) & (authorships.c.position == pos)))
    rep.written, rep.removed = len(out_rows), len(stale)
    rep.seconds = round(time.perf_counter() - t0, 2)
    return rep


def _one_person_per_work(ours_ctx: list[AuthorContext], decisions: dict[int, Decision], s: AttributeSettings) -> None:
    """A person holds at most one authorship of a work: the weaker claimant falls back to its next
    candidate (suggested at most) or to unmatched."""
    by_pos = {c.author.position: c for c in ours_ctx}
    for _ in range(3):
        holders: dict[str, list[int]] = defaultdict(list)
        for pos, dec in decisions.items():
            if dec.person_id and dec.status in ("auto", "suggested"):
                holders[dec.person_id].append(pos)
        clash = {p: v for p, v in holders.items() if len(v) > 1}
        if not clash:
            return
        for pid, positions in clash.items():
            positions.sort(key=lambda p: -(decisions[p].score or 0))
            for pos in positions[1:]:
                ctx = by_pos[pos]
                taken = set(holders)
                nxt = next((c for c in ctx.candidates if c.person_id not in taken and c.score >= s.suggest_min), None)
                if nxt is None:
                    decisions[pos] = Decision("unmatched", None, ctx.org_id, decisions[pos].score,
                                              f"{pid} is linked to another author of this work")
                else:
                    decisions[pos] = Decision("suggested", nxt.person_id, nxt.org_id, nxt.score,
                                              f"{pid} is linked to another author of this work")


def _decision_key(row: dict) -> tuple:
    """What a row's decision rests on and says, compactly (hashing the whole evidence costs too much):
    the byline, the sources, the decision and its leading candidates."""
    ev = row["evidence"]
    return (row["name"], row["name_zh"], row["person_id"], row["org_id"], row["status"], row["score"],
            row["is_ours"], row["is_first"], row["is_corresponding"], tuple(ev["names"]),
            tuple(map(tuple, ev["sources"])), ev["decision"], len(ev.get("addresses") or ()),
            tuple((c["person_id"], c["score"]) for c in ev.get("candidates", ())))


def _row(wid: str, wa: WorkAuthor, ctx: AuthorContext, dec: Decision, orgs: OrgIndex) -> dict:
    evidence = {
        "names": wa.names,
        "sources": [list(x) for x in wa.sources],
        "decision": dec.reason,
    }
    if wa.emails:
        evidence["emails"] = sorted(wa.emails)
    if wa.orcids:
        evidence["orcids"] = sorted(wa.orcids)
    if ctx.ours:
        evidence["addresses"] = _address_evidence(ctx, orgs)
        evidence["unlinked_addresses"] = ctx.weak
        evidence["candidates"] = [c.as_json() for c in ctx.candidates[:3]]
    else:
        evidence["addresses"] = [a.text for a in wa.addresses][:6]
    return {
        "work_id": wid, "position": wa.position, "name": wa.name[:1000], "name_zh": wa.name_zh,
        "person_id": dec.person_id, "org_id": dec.org_id, "status": dec.status,
        "score": round(dec.score, 3) if dec.score is not None else None, "evidence": evidence,
        "is_ours": ctx.ours and dec.status != "external", "is_first": wa.position == 1, "is_corresponding": wa.corresponding,
    }


# ------------------------------------------------------------------------------------------ export


def export_fields(conn: sa.Connection, work_ids) -> dict[str, dict]:
    """``{work_id: {"authors": [{position, name, person_id, org_id, corresponding, status}]}}``;
    ``status`` is one of auto, suggested, claimed, rejected, unmatched, or None for an external author."""
    work_ids = list(work_ids)
    out: dict[str, dict] = {w: {"authors": []} for w in work_ids}
    cols = [authorships.c.work_id, authorships.c.position, authorships.c.name, authorships.c.person_id,
            authorships.c.org_id, authorships.c.is_corresponding, authorships.c.status]
    for start in range(0, len(work_ids), 500):
        chunk = work_ids[start:start + 500]
        q = sa.select(*cols).where(authorships.c.work_id.in_(chunk)).order_by(authorships.c.work_id, authorships.c.position)
        for wid, pos, name, pid, oid, corr, status in conn.execute(q):
            external = status not in STATUSES
            out[wid]["authors"].append({
                "position": pos, "name": name, "person_id": None if external else pid,
                "org_id": None if external else oid, "corresponding": bool(corr),
                "status": None if external else status,
            })
    return out
