"""Attribution in batches: plan once, decide batches anywhere, apply once.

    plan(store, dictionaries_dir, settings) -> Plan          the store read once: dictionaries (snapshot
                                                             written), settings, prior rows, batches
    load_batch(store, plan, i) -> Batch                      a batch's works (records read, nothing written)
    decide_batch(plan.context, batch) -> BatchResult         pure CPU; picklable in and out
    Passes(plan): add(results) / refine_batches()            the cheap global step between passes
    apply(store, plan, results) -> AttributeReport           bulk writes of the changed rows only

The first pass decides every work on its authors' own evidence. Co-author and supervisor evidence needs
the links of *all* works, so each later pass starts with a global merge (:class:`Passes` builds the
co-authorship network from the links made so far) and re-decides only the authors still in doubt, batch
by batch, with the part of the network they can use. Every pass reads a network fixed before it starts,
so any runner (in process, a process pool, Prefect tasks on threads or Dask) gives the same rows.

The heavy indexes (people by name keys, organisations) are built once per process from the
dictionaries folder and kept (:meth:`PlanContext.indexes`); the context itself is a few strings.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa

from ir.affiliations import OrgIndex
from ir.attribute.align import WorkAuthor, align
from ir.attribute.decide import (
    WORK_POINTS, AuthorContext, Decision, add_points, decide, match_addresses, score_candidates, work_points,
)
from ir.attribute.people import PeopleIndex
from ir.attribute.settings import AttributeSettings
from ir.dictionaries import Dictionaries, DictionaryProblem, load_dictionaries
from ir.store.tables.attribution import authorships
from ir.store.tables.ingest import source_records
from ir.store.tables.works import work_members, works

_EXTERNAL = Decision("external", None, None, None, "no address of ours")


def digest(obj) -> str:
    """A digest of a value as this code builds it (same input, same order, same digest)."""
    return hashlib.sha1(repr(obj).encode()).hexdigest()


# ------------------------------------------------------------------------------------------ context

_INDEXES: dict[tuple[str, str], tuple[OrgIndex, PeopleIndex]] = {}


def _build_indexes(d: Dictionaries) -> tuple[OrgIndex, PeopleIndex]:
    return OrgIndex(o.entry() for o in d.organizations.values()), PeopleIndex(d)


@dataclass(frozen=True)
class PlanContext:
    """What every batch needs, small enough to send anywhere: the indexes are rebuilt from the
    dictionaries folder once per process (and checked against the plan's digest)."""

    dictionaries_dir: str
    dictionaries_digest: str
    settings: AttributeSettings
    context_hash: str  # dictionaries and settings: a change re-decides every row

    def indexes(self) -> tuple[OrgIndex, PeopleIndex]:
        key = (self.dictionaries_dir, self.dictionaries_digest)
        ix = _INDEXES.get(key)
        if ix is None:
            d = load_dictionaries(Path(self.dictionaries_dir))
            if d.digest != self.dictionaries_digest:
                raise RuntimeError(f"the dictionaries in {self.dictionaries_dir} changed since the run was planned")
            ix = _INDEXES[key] = _build_indexes(d)
        return ix


class Prior(NamedTuple):
    """An authorship row as the store holds it before the run."""

    locked: bool
    status: str
    person_id: str | None
    rejected_ids: tuple[str, ...]
    decision_hash: str


@dataclass
class Plan:
    context: PlanContext
    batches: list[list[str]]  # work ids, in work_id order, cut into runs of batch_size
    prior: dict[str, dict[int, Prior]]  # work_id -> position -> row before the run
    people: int = 0
    organizations: int = 0
    problems: list[DictionaryProblem] = field(default_factory=list)

    def batch(self, index: int, works_data: list | None = None) -> Batch:
        ids = self.batches[index]
        return Batch(index, ids, {w: self.prior[w] for w in ids if w in self.prior}, works_data,
                     last=self.context.settings.passes == 0)


@dataclass
class Batch:
    """Pass 1: ``works`` holds (work_id, year, member records). Later passes: ``pending`` holds the
    state of the works still in doubt and ``network`` the co-authorship evidence they may use."""

    index: int
    work_ids: list[str]
    prior: dict[str, dict[int, Prior]]
    works: list[tuple[str, int | None, list[dict]]] | None = None
    pending: dict[str, WorkState] | None = None
    network: Network | None = None
    last: bool = True  # no pass follows: rows also for the works still in doubt


@dataclass
class WorkState:
    """A work with authors in doubt, between passes."""

    year: int | None
    authors: list[AuthorContext]  # our authors that are not locked
    decisions: dict[int, Decision]
    claimed: frozenset[str]  # people who claimed an authorship of the work
    rejected: dict[int, frozenset[str]]  # per position, people rejected for it


@dataclass
class Network:
    """Co-authorship evidence for one batch: who has published with whom (among the people linked in
    the batch's works) and how active each candidate is (links made so far)."""

    coauthors: dict[str, frozenset[str]]
    activity: dict[str, int]


@dataclass
class BatchResult:
    index: int
    works: int = 0
    rows: dict[tuple[str, int], dict] = field(default_factory=dict)  # decided rows, decision_hash set
    locked: dict[tuple[str, int], str] = field(default_factory=dict)  # kept rows: status
    linked: dict[str, frozenset[str]] = field(default_factory=dict)  # people linked (auto, claimed) per work
    pending: dict[str, WorkState] = field(default_factory=dict)  # works still in doubt
    pending_people: frozenset[str] = frozenset()  # their candidates (for the network of the next pass)


# ------------------------------------------------------------------------------------------ plan


def plan(store, dictionaries_dir: Path, settings: AttributeSettings | None = None, *,
         batch_size: int = 5000, dictionaries: Dictionaries | None = None) -> Plan:
    """Load the dictionaries (and mirror them into the store), the prior rows and the list of works."""
    from ir.attribute.run import write_snapshot

    s = settings or AttributeSettings()
    folder = str(Path(dictionaries_dir).resolve())
    d = dictionaries or load_dictionaries(Path(folder))
    write_snapshot(store, d)
    ctx = PlanContext(folder, d.digest, s, digest([d.digest, s.as_json()]))
    if (folder, d.digest) not in _INDEXES:
        _INDEXES.clear()  # one set of dictionaries per process
        _INDEXES[(folder, d.digest)] = _build_indexes(d)
    org_index, people = _INDEXES[(folder, d.digest)]
    prior: dict[str, dict[int, Prior]] = defaultdict(dict)
    with store.connect() as conn:
        for wid, pos, locked, status, pid, rejected, h in conn.execute(sa.select(
                authorships.c.work_id, authorships.c.position, authorships.c.locked, authorships.c.status,
                authorships.c.person_id, authorships.c.rejected_ids, authorships.c.decision_hash)):
            if isinstance(rejected, str):
                rejected = json.loads(rejected)
            prior[wid][pos] = Prior(bool(locked), status, pid, tuple(rejected or ()), h)
        ids = list(conn.execute(sa.select(works.c.work_id).where(works.c.status == "active")
                                .order_by(works.c.work_id)).scalars())
    batch_size = max(1, batch_size)
    batches = [ids[i:i + batch_size] for i in range(0, len(ids), batch_size)]
    return Plan(ctx, batches, dict(prior), people=len(people.people), organizations=len(d.organizations),
                problems=d.problems)


def load_batch(store, plan: Plan, index: int) -> Batch:
    """A pass-1 batch with its works' member records (only the parts attribution reads)."""
    return fill_batch(store, plan.batch(index))


def fill_batch(store, batch: Batch) -> Batch:
    """Read the member records of a pass-1 batch's works (read only; a runner may do it anywhere)."""
    ids = batch.work_ids
    batch.works = []
    if not ids:
        return batch
    wanted = set(ids)
    data = source_records.c.data
    q = (sa.select(works.c.work_id, works.c.year, source_records.c.source, source_records.c.source_id,
                   data["year"].as_integer(), data["authors"], data["affiliations"], data["corresponding_addresses"])
         .select_from(works.join(work_members, work_members.c.work_id == works.c.work_id)
                      .join(source_records, (source_records.c.source == work_members.c.source)
                            & (source_records.c.source_id == work_members.c.source_id)))
         .where((works.c.status == "active") & works.c.work_id.between(ids[0], ids[-1])))
    by_work: dict[str, list] = {}
    years: dict[str, int | None] = {}
    loads = json.loads
    with store.connect() as conn:
        for wid, wyear, src, sid, ryear, authors, affs, reprint in conn.execute(q):
            if wid not in wanted:
                continue
            if isinstance(authors, str):
                authors = loads(authors)
            if isinstance(affs, str):
                affs = loads(affs)
            if isinstance(reprint, str):
                reprint = loads(reprint)
            years[wid] = wyear
            by_work.setdefault(wid, []).append({"source": src, "source_id": sid, "year": ryear,
                                                "authors": authors or [], "affiliations": affs or [],
                                                "corresponding_addresses": reprint or []})
    for members in by_work.values():  # the database returns members in any order
        members.sort(key=lambda m: (m["source"], m["source_id"]))
    batch.works = [(w, years[w], by_work[w]) for w in ids if w in by_work]
    return batch


# ------------------------------------------------------------------------------------------ decide


def _work_year(year, members) -> int | None:
    if year:
        return int(year)
    ys = [m.get("year") for m in members if m.get("year")]
    return min(ys) if ys else None


def decide_batch(context: PlanContext, batch: Batch) -> BatchResult:
    """Decide a batch: pure CPU, no store access. Pass 1 when ``batch.works`` is given, otherwise a
    later pass over ``batch.pending`` with ``batch.network``."""
    orgs, people = context.indexes()
    s = context.settings
    out = BatchResult(batch.index)
    if batch.works is not None:
        for wid, wyear, members in batch.works:
            _first_pass(context, orgs, people, s, wid, _work_year(wyear, members), members,
                        batch.prior.get(wid, {}), out, batch.last)
    else:
        net = batch.network or Network({}, {})
        for wid, st in (batch.pending or {}).items():
            _later_pass(context, orgs, people, s, wid, st, net, out, batch.last)
    out.pending_people = frozenset(c.person_id for st in out.pending.values() for a in st.authors
                                   for c in a.candidates)
    return out


def _first_pass(context, orgs, people, s, wid, year, members, prior, out: BatchResult, last: bool) -> None:
    out.works += 1
    claimed: set[str] = set()
    ours: list[AuthorContext] = []
    rejected: dict[int, frozenset[str]] = {}
    for wa in align(members):
        prev = prior.get(wa.position)
        if prev is not None and prev.locked:
            if prev.person_id and prev.status == "claimed":
                claimed.add(prev.person_id)
            out.locked[(wid, wa.position)] = prev.status
            continue
        ctx = match_addresses(wa, orgs)
        if ctx.ours:
            rej = frozenset(prev.rejected_ids) if prev is not None else frozenset()
            rejected[wa.position] = rej
            ctx.candidates = score_candidates(ctx, year, people, orgs, s, rej)
            ours.append(ctx)
        else:  # external: decided now
            out.rows[(wid, wa.position)] = _row(context, wid, wa, ctx, _EXTERNAL, orgs, ())
    for ctx, pts in zip(ours, work_points(ours, people, s, year, claimed)):
        add_points(ctx, pts)
    decisions = {ctx.author.position: decide(ctx, s) for ctx in ours}
    _one_person_per_work(ours, decisions, s)
    linked = frozenset(claimed) | {d.person_id for d in decisions.values() if d.status == "auto"}
    if linked:
        out.linked[wid] = linked
    st = WorkState(year, ours, decisions, frozenset(claimed), rejected)
    _finish_work(context, orgs, s, wid, st, out, last)


def _later_pass(context, orgs, people, s, wid, st: WorkState, net: Network, out: BatchResult, last: bool) -> None:
    """Co-author and supervisor evidence for the authors of one work still in doubt (one pass)."""
    decs = st.decisions
    doubtful = [c for c in st.authors if decs[c.author.position].status != "auto"]
    linked = st.claimed | {d.person_id for d in decs.values() if d.status == "auto"}
    empty: frozenset[str] = frozenset()
    in_doubt = {id(c) for c in doubtful}
    for ctx, pts in zip(st.authors, work_points(st.authors, people, s, st.year, linked)):
        if id(ctx) not in in_doubt:
            continue
        for cand in ctx.candidates:
            history = net.coauthors.get(cand.person_id, empty)
            shared = sorted(q for q in linked if q != cand.person_id and q in history)
            if shared:
                pts.setdefault(cand.person_id, {})["coauthors"] = (s.coauthor * min(len(shared), 2), shared[:5])
        add_points(ctx, pts, WORK_POINTS + ("coauthors",))
        # between equal scores, suggest the person who publishes more (links made so far)
        ctx.candidates.sort(key=lambda c: (-round(c.score, 6), -net.activity.get(c.person_id, 0), c.person_id))
        decs[ctx.author.position] = decide(ctx, s)
    _one_person_per_work(st.authors, decs, s)
    out.works += 1
    new_linked = st.claimed | {d.person_id for d in decs.values() if d.status == "auto"}
    out.linked[wid] = frozenset(new_linked)
    _finish_work(context, orgs, s, wid, st, out, last)


def _finish_work(context, orgs, s, wid, st: WorkState, out: BatchResult, last: bool) -> None:
    """Rows for a work's authors; the work stays pending while any author is in doubt (its rows wait
    for the last pass)."""
    if not last and any(d.status != "auto" for d in st.decisions.values()):
        out.pending[wid] = st
        return
    auto_people = {d.person_id for d in st.decisions.values() if d.status == "auto"} | st.claimed
    for ctx in st.authors:
        dec = st.decisions.get(ctx.author.position) or _EXTERNAL
        shared = _shared_suggestion(ctx, dec, s, auto_people)
        out.rows[(wid, ctx.author.position)] = _row(context, wid, ctx.author, ctx, dec, orgs, shared)
    if any(d.status != "auto" for d in st.decisions.values()):
        out.pending[wid] = st


def _shared_suggestion(ctx: AuthorContext, dec: Decision, s: AttributeSettings, taken: set[str]) -> tuple:
    """Everyone a suggestion goes to: the suggested person and the people tied with them (within the
    auto margin, plausible on their own, not linked to another author of the work), best first."""
    if dec.status != "suggested" or not dec.person_id:
        return ()
    floor = max(s.suggest_min, (dec.score or 0) - s.auto_margin + 1e-9)
    best = next((c for c in ctx.candidates if c.person_id == dec.person_id), None)
    out = [(dec.person_id, round(dec.score or 0, 3), dec.org_id, _points(best))]
    for c in ctx.candidates:
        if len(out) >= s.max_suggested:
            break
        if c.person_id == dec.person_id or c.person_id in taken or c.score < floor:
            continue
        out.append((c.person_id, round(c.score, 3), c.org_id, _points(c)))
    return tuple(out)


def _points(c) -> dict:
    return {k: round(v, 2) for k, v in c.parts.items()} if c is not None else {}


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
                if nxt is None and ctx.weak:  # an unlinked organ list: its one person of ours is the other
                    decisions[pos] = Decision("external", None, None, None,
                                              f"the record's organ list is partly ours, and {pid}, the one of "
                                              f"our people the name fits, is another author of this work")
                elif nxt is None:
                    decisions[pos] = Decision("unmatched", None, ctx.org_id, decisions[pos].score,
                                              f"{pid} is linked to another author of this work")
                else:
                    decisions[pos] = Decision("suggested", nxt.person_id, nxt.org_id, nxt.score,
                                              f"{pid} is linked to another author of this work")


def _address_evidence(ctx: AuthorContext, orgs: OrgIndex) -> list[dict]:
    out = []
    for a in ctx.author.addresses:
        m = orgs.match(a.text, a.organization)
        item = {"text": a.text, "source": a.source, "linked": a.linked, "ours": m.ours}
        if a.reprint:
            item["reprint"] = True
        if m.ours:
            item["org_id"] = m.org_id
            item["org_ids"] = list(m.org_ids)
            item["score"] = round(m.score, 3)
            item["matched"] = m.evidence.get("institution_matched")
        out.append(item)
    return out


def _decision_key(row: dict, shared: tuple) -> tuple:
    """What a row's decision rests on and says, compactly (hashing the whole evidence costs too much):
    the byline, the sources, the decision, its leading candidates and who the suggestion goes to."""
    ev = row["evidence"]
    return (row["name"], row["name_zh"], row["person_id"], row["org_id"], row["status"], row["score"],
            row["is_ours"], row["is_first"], row["is_corresponding"], tuple(ev["names"]),
            tuple(map(tuple, ev["sources"])), ev["decision"], len(ev.get("addresses") or ()),
            tuple((c["person_id"], c["score"]) for c in ev.get("candidates", ())), tuple(x[:2] for x in shared))


def _row(context: PlanContext, wid: str, wa: WorkAuthor, ctx: AuthorContext, dec: Decision, orgs: OrgIndex,
         shared: tuple) -> dict:
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
        evidence["name_holders"] = ctx.holders
        evidence["candidates"] = [c.as_json() for c in ctx.candidates[:3]]
        if len(shared) > 1:
            evidence["suggested_to"] = [x[0] for x in shared]
    else:
        evidence["addresses"] = [a.text for a in wa.addresses][:6]
    row = {
        "work_id": wid, "position": wa.position, "name": wa.name[:1000], "name_zh": wa.name_zh,
        "person_id": dec.person_id, "org_id": dec.org_id, "status": dec.status,
        "score": round(dec.score, 3) if dec.score is not None else None, "evidence": evidence,
        "is_ours": ctx.ours and dec.status != "external", "is_first": wa.position == 1,
        "is_corresponding": wa.corresponding,
    }
    row["decision_hash"] = digest((context.context_hash, _decision_key(row, shared)))
    row["candidates"] = shared
    return row


# ------------------------------------------------------------------------------------------ passes


class Passes:
    """The global step between passes: gathers each batch's rows and links, and builds the batches of
    the next pass (the works in doubt, with the part of the co-authorship network they can use)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.results: dict[int, BatchResult] = {}
        self.linked: dict[str, frozenset[str]] = {}
        self.round = 0  # later passes made

    def add(self, results) -> None:
        for r in results:
            have = self.results.get(r.index)
            if have is None:
                self.results[r.index] = r
            else:  # a later pass: its rows, links and doubts replace the earlier ones
                have.rows.update(r.rows)
                have.pending = r.pending
                have.pending_people = r.pending_people
            self.linked.update(r.linked)

    def refine_batches(self) -> list[Batch]:
        """The next pass's batches (none when nothing is in doubt)."""
        todo = {i: r for i, r in sorted(self.results.items()) if r.pending}
        if not todo:
            return []
        self.round += 1
        last = self.round >= self.plan.context.settings.passes
        coauthors: dict[str, set[str]] = defaultdict(set)
        activity: Counter = Counter()
        for persons in self.linked.values():
            activity.update(persons)
            if len(persons) > 1:
                for p in persons:
                    coauthors[p].update(persons)
        out = []
        for i, r in todo.items():
            pending = r.pending
            cands = r.pending_people  # (a runner may keep the states where they were decided)
            near: set[str] = set()
            for wid in pending:
                near |= self.linked.get(wid, frozenset())
            net = Network({p: frozenset((coauthors[p] & near) - {p}) for p in cands if p in coauthors},
                          {p: activity[p] for p in cands if p in activity})
            out.append(Batch(i, self.plan.batches[i], {}, None, pending, net, last))
        return out

    def final(self) -> list[BatchResult]:
        return [self.results[i] for i in sorted(self.results)]


def partition_key(work_id: str) -> int:
    """A stable hash of a work id (for runners that spread works by key)."""
    return zlib.crc32(work_id.encode())
