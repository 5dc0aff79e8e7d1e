"""Scoring candidates and deciding each authorship, with the evidence of every decision.

Per work author: is any of its addresses ours (:class:`~ir.affiliations.OrgIndex`)? Addresses a source
links to its authors itself (WoS, Scopus, EI; a corresponding author's reprint address; and the first
organ of a CNKI list, which is the first author's) overrule a parser's guess (CNKI's order-based rule: as
many organs as authors, linked by position), which holds only while the list names one unit of ours (two
are often one author's school and laboratory, and the guess slides); an organ list not linked to its
authors is *weak* evidence. If ours,
every person whose name is compatible (or whose e-mail, ORCID or ResearcherID the author carries) is a
candidate, scored by adding points of evidence (:class:`~ir.attribute.settings.AttributeSettings`): name
(and a name nobody else in the dictionary holds), unit of the appointment against the units named in the
address, the appointment's years, e-mail, ORCID, and from the rest of the work: supervisor and student
both among the work's plausible authors, a student whose supervisor is nobody's candidate, co-authors
linked in this run or confirmed before. The best candidate is

- ``auto`` when its score is high, far enough ahead of the next person, and rests on more than the name:
  two people of the same name in one unit tie, so neither is ever auto-linked on the name alone; from a
  weak organ list, only with e-mail, ORCID, supervisor or co-author evidence (an outside author meets a
  namesake of ours in a unit the list names as easily as an author of ours is named there;
  ``weak_max_holders`` relaxes this for names few people hold);
- ``suggested`` when it is plausible;
- otherwise the authorship is ``unmatched`` (ours, but no person fits: dictionary upkeep).

Authors with no address of ours are ``external`` and carry no person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ir.affiliations import OrgIndex, OrgMatch
from ir.attribute.align import WorkAuthor
from ir.attribute.people import PeopleIndex, Person
from ir.attribute.settings import AttributeSettings
from ir.names import Compat, compatibility_cached


@dataclass(slots=True)
class Candidate:
    person_id: str
    score: float
    org_id: str | None
    name: Compat
    parts: dict  # evidence name -> points
    strong: bool  # e-mail / ORCID / ResearcherID evidence
    why: dict = field(default_factory=dict)  # evidence name -> what it rests on: a text, or a list of ids

    def as_json(self) -> dict:
        out = {"person_id": self.person_id, "score": round(self.score, 2), "org_id": self.org_id,
               "name": self.name.as_json(), "points": {k: round(v, 2) for k, v in self.parts.items()}}
        if self.why:
            out["evidence"] = self.why
        return out


@dataclass(slots=True)
class AuthorContext:
    """A work author with its addresses matched: what the scorer needs."""

    author: WorkAuthor
    ours: bool = False
    weak: bool = False  # ours only through addresses not linked to this author
    matches: list[tuple[OrgMatch, bool]] = field(default_factory=list)  # (ours match, linked)
    unit_ids: set[str] = field(default_factory=set)  # every unit named in our addresses
    org_id: str | None = None  # the most specific unit named
    candidates: list[Candidate] = field(default_factory=list)
    holders: int = 0  # people of the dictionary holding the author's name (Chinese or full name)
    pointed: set[str] = field(default_factory=set)  # candidates carrying evidence from the rest of the work


def match_addresses(wa: WorkAuthor, orgs: OrgIndex) -> AuthorContext:
    ctx = AuthorContext(wa)
    linked = [a for a in wa.addresses if a.linked]
    real = [a for a in linked if not a.guess]
    fallback = False
    if real:  # a source that links authors to addresses itself says where this author is: a guess does not
        linked = real
    use = linked or wa.addresses
    if linked and not real:
        if not any(orgs.match(a.text, a.organization).ours for a in linked):
            guessed = [a for a in wa.addresses if not a.linked]
            if guessed:  # a guessed link that is not ours: the record's other organs may be this author's
                use, linked, fallback = guessed, [], True
        elif len({m.org_id for a in wa.addresses if (m := orgs.match(a.text, a.organization)).ours}) > 1:
            # the order rule guesses one organ per author; with two of our units listed, one author of
            # ours often holds both (a school and its laboratory) and the guess slides: no link at all
            use, linked = wa.addresses, []
    best_depth = -1
    for addr in use:
        m = orgs.match(addr.text, addr.organization)
        if m.ours:
            ctx.matches.append((m, addr.linked))
            ctx.unit_ids.update(m.org_ids)
            d = orgs.depth(m.org_id)
            if d > best_depth:
                best_depth, ctx.org_id = d, m.org_id
    ctx.ours = bool(ctx.matches)
    # an organ list not linked to authors says little about one author, unless every organ is ours (and
    # the guess put the author elsewhere: then the rest of the list is all that is left, and weak too)
    ctx.weak = ctx.ours and not linked and (fallback or len(ctx.matches) < len(use))
    return ctx


def _name_compat(wa: WorkAuthor, p: Person) -> Compat:
    """The best agreement of the author's informative names with the person's. When both are known in
    Chinese characters, the characters decide: 王玮 is not 王伟, although both read "Wang Wei"."""
    if wa.name_zh and p.name_zh:
        return compatibility_cached(wa.name_zh, p.name_zh)
    best = None
    for x in wa.best_names():
        for y in p.names:
            c = compatibility_cached(x, y)
            if best is None or c.score > best.score:
                best = c
                if c.score >= 1.0:
                    return c
    return best or Compat(0.0, "none", "no name")


def score_candidates(ctx: AuthorContext, year: int | None, people: PeopleIndex, orgs: OrgIndex,
                     s: AttributeSettings, rejected: set[str] = frozenset(), extra: dict[str, dict] | None = None
                     ) -> list[Candidate]:
    """Every candidate person for an author of ours, best first. ``extra``: per person, points found
    outside the author (co-authors, supervisor)."""
    wa = ctx.author
    names = wa.best_names()
    ctx.holders = people.holders(names, wa.name_zh)
    ids = people.candidates(names, s.max_candidates)
    direct: dict[str, list[str]] = {}
    for e in wa.emails:
        if e in people.by_email:
            direct.setdefault(people.by_email[e], []).append("email")
    for o in wa.orcids:
        if o in people.by_orcid:
            direct.setdefault(people.by_orcid[o], []).append("orcid")
    for r in wa.researcher_ids:
        if r in people.by_rid:
            direct.setdefault(people.by_rid[r], []).append("researcher_id")
    ids |= set(direct)
    if not ids:
        ids = people.candidates(names, s.max_candidates, typo_families=True)
    out: list[Candidate] = []
    roots = orgs.root_set
    named_units = bool(ctx.unit_ids - roots)
    unit_related = _related_units(ctx.unit_ids, orgs) if named_units else set()
    weak = ctx.weak
    unique = ctx.holders == 1
    dept_of: dict[str, float | None] = {}  # org_id -> dept points (None: no unit evidence)
    names_memo: dict = {}  # people written alike get the same name evidence
    use_zh = bool(wa.name_zh)
    everyone = people.people
    later: list[str] = []
    if named_units:  # people only elsewhere (every appointment in another unit of ours) come last
        ids = set(ids)
        first = ids & direct.keys()
        for o in ctx.unit_ids | unit_related | roots:
            if o in people.in_org:
                first |= ids & people.in_org[o]
        if not weak:  # (an unlinked organ list names our units, none of theirs: no candidates)
            later = sorted(ids - first)
        ids = first
    for pid in _then(ids, later, s.max_elsewhere, out):
        if pid in rejected:
            continue
        p = everyone[pid]
        key = p.name_zh if use_zh and p.name_zh else p.name_key
        name = names_memo.get(key)
        if name is None:
            name = names_memo[key] = _name_compat(wa, p)
        strong_hits = direct.get(pid, ())
        if name.score < s.min_name and not strong_hits:
            continue
        if weak and not strong_hits and name.score < 0.9:
            continue  # an unlinked organ list and a looser name: nothing ties this author to the person
        parts: dict[str, float] = {"name": s.name * name.score}
        if unique and name.score >= 1.0 and name.level in ("same_zh", "full"):
            parts["unique_name"] = s.unique_name  # nobody else of ours is called so
        # the appointment that fits best: unit and years
        best_appt, best_pts, best_dept, best_years = None, None, None, None
        for a in p.appointments:
            dept = None
            if named_units:
                o = a.org_id
                if o in dept_of:
                    dept = dept_of[o]
                else:
                    if o in ctx.unit_ids:
                        dept = s.dept_exact
                    elif o in unit_related:
                        dept = s.dept_related
                    elif o not in roots and o not in orgs.detached:  # (a detached unit: unknown)
                        dept = s.dept_other
                    if weak and dept is not None and dept < 0:
                        dept = None  # an unlinked organ list names the co-authors' units too
                    dept_of[o] = dept
            cov = a.covers(year, s.year_slack)
            years = s.year_in if cov is True else (s.year_out if cov is False else None)
            total = (dept or 0.0) + (years or 0.0)
            if best_pts is None or total > best_pts:
                best_appt, best_pts, best_dept, best_years = a, total, dept, years
        why: dict[str, object] = {}
        if best_dept is not None:
            parts["dept"] = best_dept
        if best_years is not None:
            parts["years"] = best_years
            why["years"] = f"{best_appt.start_year or ''}-{best_appt.end_year or ''}"
        if weak and not strong_hits and named_units and (best_dept or 0) <= 0:
            continue  # the organ list names our units, none of them this person's
        if weak:
            parts["unlinked_address"] = s.unlinked
        if "email" in strong_hits:
            parts["email"] = s.email
            why["email"] = sorted(wa.emails & p.emails)
        if "orcid" in strong_hits or "researcher_id" in strong_hits:
            parts["orcid"] = s.orcid
            why["orcid"] = p.orcid if "orcid" in strong_hits else p.researcher_id
        elif p.orcid and wa.orcids and p.orcid not in wa.orcids:
            parts["orcid_conflict"] = s.orcid_conflict
            why["orcid_conflict"] = sorted(wa.orcids)
        if extra and pid in extra:
            parts.update(extra[pid])
        org_id = best_appt.org_id if best_appt else ctx.org_id
        out.append(Candidate(pid, sum(parts.values()), org_id, name, parts, bool(strong_hits), why))
    out.sort(key=lambda c: (-c.score, c.person_id))
    return out


def _then(first, later: list[str], cap: int, out: list):
    """``first``, then ``later``: all of it when nothing of ``first`` made a candidate (``out``),
    else its first ``cap``."""
    yield from first
    yield from (later if not out else later[:cap])


CORROBORATING = ("coauthors", "supervisor")  # with e-mail / ORCID (Candidate.strong): more than a name in a unit
WORK_POINTS = ("supervisor", "student_alone")


# per candidate person: evidence name -> (points, what it rests on: a text or a list of ids)
WorkPoints = dict[str, dict[str, tuple[float, object]]]


def work_points(ours: list[AuthorContext], people: PeopleIndex, s: AttributeSettings, year: int | None,
                linked: frozenset[str] | set[str] = frozenset()) -> list[WorkPoints]:
    """Evidence from the rest of the work, per author (aligned with ``ours``) and candidate: a student
    and their supervisor are both plausible authors of the work (``supervisor``), or a student's recorded
    supervisor is nobody's candidate (``student_alone``: students publish with their supervisors).
    ``linked``: people already linked to (or claimed for) the work."""
    tied = people.tied  # people with a supervisor or students: the only ones this evidence concerns
    plausible = [{c.person_id for c in ctx.candidates if c.score >= s.suggest_min} for ctx in ours]
    out: list[WorkPoints] = []
    for i, ctx in enumerate(ours):
        pts: WorkPoints = {}
        out.append(pts)
        mine = [c.person_id for c in ctx.candidates if c.person_id in tied]
        if not mine:
            continue
        others = set(linked).union(*(x for j, x in enumerate(plausible) if j != i))
        for pid in mine:
            p = people.people[pid]
            sup = p.supervisor_id
            students = people.students_of.get(pid, frozenset()) & others
            if sup and sup != pid and sup in others:
                pts[pid] = {"supervisor": (s.supervisor, f"supervisor {sup}")}
            elif students:
                pts[pid] = {"supervisor": (s.supervisor, "students " + ", ".join(sorted(students)[:5]))}
            elif sup and sup in people.people and any(
                    a.role == "student" and a.covers(year, s.year_slack) is not False for a in p.appointments):
                pts[pid] = {"student_alone": (s.student_alone, f"supervisor {sup} is no author's candidate")}
    return out


def add_points(ctx: AuthorContext, pts: WorkPoints, keys=WORK_POINTS) -> None:
    """Replace the ``keys`` evidence of the candidates by ``pts`` and re-rank them."""
    if not pts and not ctx.pointed:
        return
    for c in ctx.candidates:
        pid = c.person_id
        if pid in pts or pid in ctx.pointed:
            for k in keys:
                c.parts.pop(k, None)
                c.why.pop(k, None)
            for k, (v, detail) in pts.get(pid, {}).items():
                c.parts[k] = v
                if detail:
                    c.why[k] = detail
            c.score = sum(c.parts.values())
    ctx.pointed = set(pts)
    ctx.candidates.sort(key=lambda c: (-c.score, c.person_id))


def _related_units(unit_ids: set[str], orgs: OrgIndex) -> set[str]:
    """Units above or below the named ones (below the institution itself)."""
    out: set[str] = set()
    roots = set(orgs.roots)
    for u in unit_ids:
        if u in roots:
            continue
        out.update(a for a in orgs.ancestors(u) if a not in roots)
        stack = [u]
        while stack:
            x = stack.pop()
            for c in orgs.children.get(x, ()):
                if c not in out:
                    out.add(c)
                    stack.append(c)
    return out - unit_ids


@dataclass(slots=True)
class Decision:
    status: str  # auto | suggested | unmatched | external
    person_id: str | None
    org_id: str | None
    score: float | None
    reason: str


def decide(ctx: AuthorContext, s: AttributeSettings) -> Decision:
    if not ctx.ours:
        return Decision("external", None, None, None, "no address of ours")
    cands = ctx.candidates
    if ctx.weak and (not cands or cands[0].score < s.suggest_min):
        return Decision("external", None, None, None,
                        "the record's organ list is partly ours, but the name fits none of our people")
    if not cands or cands[0].score < s.suggest_min:
        top = f" (best {cands[0].person_id} at {cands[0].score:.2f})" if cands else ""
        return Decision("unmatched", None, ctx.org_id, cands[0].score if cands else None,
                        f"ours, but no person fits{top}")
    best = cands[0]
    runner = cands[1].score if len(cands) > 1 else None
    margin = best.score - runner if runner is not None else None
    non_name = sum(v for k, v in best.parts.items() if k != "name" and v > 0)
    ok_margin = margin is None or margin >= s.auto_margin
    ok_name = best.name.score >= s.auto_min_name or best.strong
    corroborated = best.strong or any(best.parts.get(k, 0) > 0 for k in CORROBORATING)
    # an organ list not linked to its authors names our unit, but an outside author meets a namesake of
    # ours there as easily: the name and the unit are not enough
    ok_weak = not ctx.weak or corroborated or 0 < ctx.holders <= s.weak_max_holders
    if best.score >= s.auto_min and ok_margin and ok_name and non_name > 0 and ok_weak:
        why = "unique strong match" if margin is None else f"ahead of the next person by {margin:.2f}"
        return Decision("auto", best.person_id, best.org_id, best.score, why)
    if margin is not None and not ok_margin:
        why = f"{len([c for c in cands if best.score - c.score < s.auto_margin])} people within {s.auto_margin} points"
    elif not ok_name:
        why = f"name evidence too weak ({best.name.level})"
    elif not ok_weak:
        why = (f"an organ list not linked to its authors ({ctx.holders} of our people hold the name): "
               f"the name needs e-mail, ORCID, supervisor or co-author evidence")
    else:
        why = f"score {best.score:.2f} below auto ({s.auto_min})"
    return Decision("suggested", best.person_id, best.org_id, best.score, why)
