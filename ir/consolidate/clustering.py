"""Clustering with a guard against chains.

Links are applied in order: librarians' must-links, exact evidence (DOI, PMID, a native id that
another source references), then fuzzy matches by descending score. Two clusters join only when
no pair across them is forbidden (a hard conflict or a cannot-link) and, for fuzzy links, when
most pairs across them score as matches themselves: A~B and B~C never glue A to C when A and C
disagree. Existing works enter as initial clusters, so a run only ever adds to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Link:
    i: int
    j: int
    rule: str  # must_link | doi | pmid | native_id | fuzzy
    score: float
    evidence: dict = field(default_factory=dict)


@dataclass
class ClusterResult:
    label: list[int]  # cluster label per record (a representative record index)
    joined_by: dict[int, dict]  # record -> evidence of the link that brought it in
    refused: list[dict]  # links the guard refused, with the reason


class Clusterer:
    def __init__(self, n: int, *, conflict: Callable[[int, int], str | None],
                 pair_score: Callable[[list[int], list[int]], list[float]],
                 threshold: float, min_consistency: float, max_size: int,
                 cannot: set[tuple[int, int]] | None = None, initial: list[int] | None = None):
        self.conflict = conflict
        self.pair_score = pair_score
        self.threshold = threshold
        self.min_consistency = min_consistency
        self.max_size = max_size
        self.cannot = cannot or set()
        self.label = list(range(n)) if initial is None else list(initial)
        self.members: dict[int, list[int]] = {}
        for i, lab in enumerate(self.label):
            self.members.setdefault(lab, []).append(i)
        self.joined_by: dict[int, dict] = {}
        self.refused: list[dict] = []

    def _forbidden(self, a: list[int], b: list[int], exact: bool) -> str | None:
        for x in a:
            for y in b:
                if (min(x, y), max(x, y)) in self.cannot:
                    return "a librarian's cannot-link"
                why = self.conflict(x, y)
                if why and (not exact or why in ("different DOIs", "different PMIDs")):
                    return why
        return None

    def link(self, ln: Link) -> bool:
        la, lb = self.label[ln.i], self.label[ln.j]
        if la == lb:
            return False
        a, b = self.members[la], self.members[lb]
        if ln.rule != "must_link":
            why = None
            if len(a) + len(b) > self.max_size:
                why = f"cluster would exceed {self.max_size} records"
            else:
                why = self._forbidden(a, b, exact=ln.rule != "fuzzy")
            if why is None and ln.rule == "fuzzy" and len(a) * len(b) > 1:
                xs = [x for x in a for _ in b]
                ys = [y for _ in a for y in b]
                scores = self.pair_score(xs, ys)
                ok = sum(1 for sc in scores if sc >= self.threshold)
                if ok / len(scores) < self.min_consistency:
                    why = f"only {ok} of {len(scores)} cross pairs agree (chain guard)"
            if why:
                self.refused.append({"i": ln.i, "j": ln.j, "rule": ln.rule, "score": ln.score, "reason": why})
                return False
        # the smaller cluster joins the larger; ties go to the lower label, so results do not depend on order
        if (len(a), -la) < (len(b), -lb):
            la, lb, a, b = lb, la, b, a
        for x in b:
            self.label[x] = la
        a.extend(b)
        del self.members[lb]
        ev = {"rule": ln.rule, "score": round(ln.score, 2) if ln.score != float("inf") else None, **ln.evidence}
        for x, other in ((ln.i, ln.j), (ln.j, ln.i)):
            self.joined_by.setdefault(x, {**ev, "matched": other})
        return True

    def result(self) -> ClusterResult:
        return ClusterResult(self.label, self.joined_by, self.refused)


def prefer_best(links: list[Link], sources: list[str], distinct: Callable[[int, int], str | None],
                tie_margin: float) -> tuple[list[Link], list[dict]]:
    """Drop fuzzy links that are not a record's best choice in the other source.

    When record i has several candidates in one source and two of them are certainly different works
    (``distinct``: a hard conflict, different years, instalments of one recurring column), i can be one
    of them at most: a link i~j stands only if no such rival k of j scores within ``tie_margin`` of it or
    better. A clearly better rival wins (a conference paper's journal version finds its own journal
    record); rivals about as good leave i ambiguous, for a librarian ('Book Review Column', 2002, four
    times in each source). Returns the links kept and the refusals with their reasons.
    """
    best: dict[tuple[int, str], list[tuple[float, int]]] = {}
    for ln in links:
        best.setdefault((ln.i, sources[ln.j]), []).append((ln.score, ln.j))
        best.setdefault((ln.j, sources[ln.i]), []).append((ln.score, ln.i))
    kept: list[Link] = []
    refused: list[dict] = []
    for ln in links:
        why = None
        for x, y in ((ln.i, ln.j), (ln.j, ln.i)):
            for score, k in best[(x, sources[y])]:
                if k != y and score >= ln.score - tie_margin:
                    reason = distinct(y, k)
                    if reason:
                        tie = "ambiguous: an equally good" if score < ln.score + tie_margin else "a better"
                        why = f"{tie} candidate in the same source ({reason})"
                        break
            if why:
                break
        if why:
            refused.append({"i": ln.i, "j": ln.j, "rule": ln.rule, "score": ln.score, "reason": why})
        else:
            kept.append(ln)
    return kept, refused
