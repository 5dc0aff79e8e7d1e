"""The matcher as one pure function: records (and the works they already belong to) in, clusters out."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ir.consolidate.blocking import RULES, BlockingRule, candidate_pairs
from ir.consolidate.clustering import Clusterer, Link, prefer_best
from ir.consolidate.features import Features, extract
from ir.consolidate.relations import find_relations, near_misses
from ir.consolidate.scoring import hard_conflict, score_pairs, score_pairs_parallel
from ir.consolidate.settings import ConsolidateSettings
from ir.model import Record
from ir.runtime import gc_paused


@dataclass
class Resolution:
    features: Features
    labels: list[int]  # cluster label (a representative record index) per record
    joined_by: dict[int, dict]  # evidence of the link that brought each record into its cluster
    refused: list[dict]
    stats: dict = field(default_factory=dict)
    # related records in different clusters (is_version_of, corrects, retracts) and the pairs just short of a
    # match (possible_duplicate): {"a", "b" (record indices), "relation", "score", "evidence"}
    relations: list[dict] = field(default_factory=list)
    near: list[dict] = field(default_factory=list)

    def clusters(self) -> list[list[int]]:
        groups: dict[int, list[int]] = defaultdict(list)
        for i, lab in enumerate(self.labels):
            groups[lab].append(i)
        return sorted(groups.values(), key=lambda m: min(m))


def resolve(records: list[Record], settings: ConsolidateSettings | None = None, *,
            prior: list[str | None] | None = None, active: np.ndarray | None = None,
            must: list[tuple[int, int]] = (), cannot: set[tuple[int, int]] | None = None,
            blocks: dict[str, list[tuple[int, str]]] | None = None) -> Resolution:
    """Cluster ``records`` into works.

    ``prior`` gives each record's existing work (None for a record not yet placed): those clusters are
    the starting point and are only ever added to. ``active`` marks the records to (re)match; with it,
    only pairs touching an active record are compared. ``must``/``cannot`` are librarians' decisions.
    ``blocks`` gives each blocking rule's (record index, key) computed beforehand, over a larger set of
    records than these (a partition of a run: :mod:`ir.consolidate.partition`); None computes them here.
    """
    # a run builds millions of long-lived, acyclic objects (features, keys, pairs): every full collection
    # of the cyclic GC would walk all of them again (a third of the matcher's time on 100,000 records)
    with gc_paused():
        return _resolve(records, settings, prior=prior, active=active, must=must, cannot=cannot, blocks=blocks)


def _resolve(records, settings, *, prior, active, must, cannot, blocks) -> Resolution:
    s = settings or ConsolidateSettings()
    t0 = time.perf_counter()
    f = extract(records)
    n = len(f)
    stats: dict = {"records": n, "active": int(active.sum()) if active is not None else n,
                   "features_s": round(time.perf_counter() - t0, 2)}
    cannot = {(min(a, b), max(a, b)) for a, b in (cannot or set())}

    # initial clusters: the works records already belong to
    initial = list(range(n))
    if prior is not None:
        first: dict[str, int] = {}
        for i, w in enumerate(prior):
            if w is not None:
                initial[i] = first.setdefault(w, i)

    t1 = time.perf_counter()
    links = _exact_links(f, active)
    rules = RULES if blocks is None else tuple(
        BlockingRule(r.name, r.description, _given(blocks.get(r.name, ())), r.max_block_size) for r in RULES)
    I, J, per_rule = candidate_pairs(f, max_block_size=s.max_block_size, window=s.window, active=active, rules=rules)
    stats.update(candidate_pairs=int(len(I)), pairs_per_rule=per_rule, blocking_s=round(time.perf_counter() - t1, 2))
    t2 = time.perf_counter()
    ps = score_pairs_parallel(f, I, J, s)
    scored = ps.i * n + ps.j  # sorted: candidate_pairs yields pairs in order and pruning keeps it
    if len(scored) > 1 and not (scored[1:] > scored[:-1]).all():
        o = np.argsort(scored, kind="stable")
        scored, scored_total = scored[o], ps.total[o]
    else:
        scored_total = ps.total
    order = np.lexsort((ps.j, ps.i, -ps.total))
    fuzzy = [Link(int(ps.i[k]), int(ps.j[k]), "fuzzy", float(ps.total[k]), ps.evidence(int(k)))
             for k in order if ps.total[k] >= s.match_threshold and ps.conflict[k] is None]
    stats.update(scored_pairs=int(len(ps)), fuzzy_matches=len(fuzzy), scoring_s=round(time.perf_counter() - t2, 2))

    def distinct(a: int, b: int) -> str | None:
        """Why two records (of one source) are certainly different works; None when they may be one."""
        why = hard_conflict(f, a, b, s)
        if why:
            return why
        return None

    fuzzy, not_best = prefer_best(fuzzy, f.sources, distinct, s.rival_margin)

    extra: dict[int, float] = {}  # pairs the chain guard asked about that blocking did not propose

    def pair_score(xs: list[int], ys: list[int]) -> list[float]:
        a, b = np.asarray(xs, dtype=np.int64), np.asarray(ys, dtype=np.int64)
        codes = np.minimum(a, b) * n + np.maximum(a, b)
        at = np.minimum(np.searchsorted(scored, codes), max(len(scored) - 1, 0))
        found = scored[at] == codes if len(scored) else np.zeros(len(codes), dtype=bool)
        missing = sorted({int(c) for c in codes[~found]} - extra.keys())
        if missing:
            more = score_pairs(f, [c // n for c in missing], [c % n for c in missing], s, prune=False)
            extra.update(zip(missing, more.total.tolist()))
        out = np.where(found, scored_total[at] if len(scored) else 0.0, 0.0).tolist()
        return [v if ok else extra[c] for v, ok, c in zip(out, found.tolist(), codes.tolist())]

    t3 = time.perf_counter()
    cl = Clusterer(n, conflict=lambda a, b: hard_conflict(f, a, b, s), pair_score=pair_score,
                   threshold=s.match_threshold - s.consistency_slack, min_consistency=s.min_cluster_consistency,
                   max_size=s.max_cluster_size, cannot=cannot, initial=initial)
    for a, b in must:
        cl.link(Link(a, b, "must_link", float("inf")))
    for ln in links:
        cl.link(ln)
    for ln in fuzzy:
        cl.link(ln)
    res = cl.result()
    res.refused.extend(not_best)
    stats.update(exact_links=len(links), refused=len(res.refused), clustering_s=round(time.perf_counter() - t3, 2))
    t4 = time.perf_counter()
    relations = find_relations(f, I, J, res.label, s)
    near = near_misses(f, ps, res.label, res.refused, cannot, s)
    stats.update(relations=len(relations), near_misses=len(near), relations_s=round(time.perf_counter() - t4, 2),
                 total_s=round(time.perf_counter() - t0, 2))
    return Resolution(f, res.label, res.joined_by, res.refused, stats, relations, near)


def _given(keys):
    """A blocking rule's key function yielding keys computed beforehand."""
    def given(f: Features, ctx: dict):
        return iter(keys)
    return given


def _exact_links(f: Features, active: np.ndarray | None) -> list[Link]:
    """Links by shared identifiers: DOI, PMID, and native ids that another source references."""
    links: list[Link] = []
    for rule, values in (("doi", f.doi), ("pmid", f.pmid)):
        groups: dict[str, list[int]] = defaultdict(list)
        for i, v in enumerate(values):
            if v:
                groups[v].append(i)
        for v in sorted(groups):
            g = groups[v]
            if len(g) < 2:
                continue
            pairs = [(a, b) for x, a in enumerate(g) for b in g[x + 1:]] if len(g) <= 20 else [(g[0], b) for b in g[1:]]
            for a, b in pairs:
                if active is None or active[a] or active[b]:
                    links.append(Link(a, b, rule, float("inf"), {rule: v}))
    index = {k: i for i, k in enumerate(f.keys)}
    for i, cross in enumerate(f.cross):
        for key in cross:
            j = index.get(key)
            if j is not None and j != i and (active is None or active[i] or active[j]):
                links.append(Link(min(i, j), max(i, j), "native_id", float("inf"), {"native_id": key}))
    return links
