"""Consolidation in partitions: plan, resolve each partition anywhere (threads, a Dask cluster), apply.

The matcher only ever links records that share a blocking key, an identifier (DOI, PMID, a native id
another source references), a librarian's must-link or an existing work; everything else it computes
about a record that depends on other records (a title recurring in one source, a title word's rarity)
follows the same keys. So the records fall apart into connected components over those keys, and
resolving each component alone gives exactly the clusters of resolving all records at once, provided

- every component stays whole (an oversized block, compared in a sorted window, is one component);
- a partition keeps the records in their global order (ties in the matcher go to the lower index);
- every partition blocks on the keys computed over *all* records (a word's rarity is a corpus
  statistic): :func:`plan` computes them once and ships each partition its share.

:func:`plan` packs the components into a few partitions of balanced size (a giant component is one
partition); :func:`resolve_partition` is pure CPU, its argument and result picklable;
:func:`ir.consolidate.storage.apply` assigns the stable work ids and writes.

Limits (bench/consolidate_partition.py): the keys percolate, so the largest component is big: 49% of
DBLP-Scholar's 66,879 records (global resolve 6.3 s; slowest of 8 partitions 2.7 s; plan 7.1 s), 60% of
DBLP-ACM, all but one record of the synthetic demo. Partitions cap the speed-up at about 2x there; on one
machine the global resolve scores its candidate pairs in chunks on every core instead
(:func:`ir.consolidate.scoring.score_pairs_parallel`).
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ir.consolidate import io
from ir.consolidate.blocking import RULES
from ir.consolidate.engine import resolve
from ir.consolidate.features import extract
from ir.consolidate.settings import ConsolidateSettings
from ir.model import Record


@dataclass
class Part:
    """One partition: whole components of the candidate graph, records in global order."""

    index: int
    rows: list[int]  # global record indices, ascending
    records: list[Record]
    prior: list[str | None]
    active: np.ndarray
    must: list[tuple[int, int]] = field(default_factory=list)  # local indices
    cannot: set[tuple[int, int]] = field(default_factory=set)
    blocks: dict[str, list[tuple[int, str]]] | None = None  # rule -> (local index, key); None: computed here

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class PartResult:
    index: int
    clusters: list[list[int]]  # global record indices per cluster
    joined_by: dict[int, dict]  # global index -> evidence ("matched": a global index)
    refused: int = 0
    stats: dict = field(default_factory=dict)
    links: list[dict] = field(default_factory=list)  # relations and likely duplicates ("a", "b": global indices)


@dataclass
class Plan:
    """What a run decides from (the store's state, read once) and its partitions."""

    keys: list[str]
    hashes: list[str]
    members: dict[str, tuple[str, str | None]]
    known: dict[str, io.WorkState]
    prior: list[str | None]
    active: np.ndarray
    must: list[tuple[int, int]]
    cannot: set[tuple[int, int]]
    split_works: set[str]
    records: list[Record] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    nothing_to_do: bool = False
    stats: dict = field(default_factory=dict)

    @property
    def index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}


def resolve_partition(part: Part, settings: ConsolidateSettings | None = None) -> PartResult:
    """Cluster one partition's records (pure CPU): the clusters and evidence in global indices."""
    t0 = time.perf_counter()
    res = resolve(part.records, settings, prior=part.prior, active=part.active, must=part.must,
                  cannot=part.cannot, blocks=part.blocks)
    rows = part.rows
    joined = {}
    for i, ev in res.joined_by.items():
        ev = dict(ev)
        if "matched" in ev:
            ev["matched"] = rows[ev["matched"]]
        joined[rows[i]] = ev
    stats = dict(res.stats, partition=part.index, seconds=round(time.perf_counter() - t0, 2))
    links = [dict(ln, a=rows[ln["a"]], b=rows[ln["b"]]) for ln in res.relations + res.near]
    return PartResult(part.index, [[rows[i] for i in c] for c in res.clusters()], joined, len(res.refused), stats,
                      links)


# --------------------------------------------------------------------------------- components and packing


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        p = self.parent
        root = x
        while p[root] != root:
            root = p[root]
        while p[x] != root:
            p[x], x = root, p[x]
        return root

    def union_all(self, xs) -> None:
        it = iter(xs)
        first = next(it, None)
        if first is None:
            return
        a = self.find(first)
        for x in it:
            b = self.find(x)
            if b != a:
                if b < a:
                    a, b = b, a
                self.parent[b] = a


def block_keys(records: list[Record]) -> tuple[dict[str, list[tuple[int, str]]], object]:
    """Every blocking rule's (record index, key) over all records, as the matcher would compute them."""
    f = extract(records)
    ctx: dict = {}
    return {rule.name: [(int(i), k) for i, k in rule.keys(f, ctx)] for rule in RULES}, f


def components(records: list[Record], prior: list[str | None], must: list[tuple[int, int]]
               ) -> tuple[list[list[int]], dict[str, list[tuple[int, str]]]]:
    """Records that the matcher could relate, grouped (each group ascending, groups by first record)."""
    n = len(records)
    blocks, f = block_keys(records)
    uf = _UnionFind(n)
    for pairs in blocks.values():
        by_key: dict[str, list[int]] = defaultdict(list)
        for i, k in pairs:
            by_key[k].append(i)
        for members in by_key.values():
            uf.union_all(members)
    for values in (f.doi, f.pmid):
        by_value: dict[str, list[int]] = defaultdict(list)
        for i, v in enumerate(values):
            if v:
                by_value[v].append(i)
        for members in by_value.values():
            uf.union_all(members)
    index = {k: i for i, k in enumerate(f.keys)}
    for i, cross in enumerate(f.cross):
        uf.union_all([i, *(index[k] for k in cross if k in index)])
    by_work: dict[str, list[int]] = defaultdict(list)
    for i, w in enumerate(prior):
        if w is not None:
            by_work[w].append(i)
    for members in by_work.values():
        uf.union_all(members)
    for a, b in must:
        uf.union_all((a, b))
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[uf.find(i)].append(i)
    return sorted(groups.values(), key=lambda g: g[0]), blocks


def pack(groups: list[list[int]], partitions: int) -> list[list[int]]:
    """Whole groups into at most ``partitions`` bins of near-equal size (largest first, into the
    emptiest bin); each bin's records ascending, bins by first record. Deterministic."""
    partitions = max(1, min(partitions, len(groups)))
    heap = [(0, b) for b in range(partitions)]
    bins: list[list[int]] = [[] for _ in range(partitions)]
    for g in sorted(groups, key=lambda g: (-len(g), g[0])):
        size, b = heapq.heappop(heap)
        bins[b].extend(g)
        heapq.heappush(heap, (size + len(g), b))
    return sorted((sorted(b) for b in bins if b), key=lambda b: b[0])


def make_parts(records: list[Record], prior: list[str | None], active: np.ndarray, must: list[tuple[int, int]],
               cannot: set[tuple[int, int]], partitions: int) -> tuple[list[Part], dict]:
    """The partitions of a run; with one partition, all records as they are (keys computed there)."""
    n = len(records)
    if n == 0:
        return [], {"components": 0, "largest_component": 0}
    if partitions <= 1:
        return [Part(0, list(range(n)), list(records), list(prior), active, list(must), set(cannot))], {}
    groups, blocks = components(records, prior, must)
    bins = pack(groups, partitions)
    where = np.empty(n, dtype=np.int64)
    local = np.empty(n, dtype=np.int64)
    for b, rows in enumerate(bins):
        where[rows] = b
        local[rows] = np.arange(len(rows))
    part_blocks: list[dict[str, list[tuple[int, str]]]] = [{r.name: [] for r in RULES} for _ in bins]
    for name, pairs in blocks.items():
        for i, k in pairs:
            part_blocks[where[i]][name].append((int(local[i]), k))
    part_must: list[list[tuple[int, int]]] = [[] for _ in bins]
    for a, b in must:  # a must-link joins its records' components, so both are in one partition
        part_must[where[a]].append((int(local[a]), int(local[b])))
    part_cannot: list[set[tuple[int, int]]] = [set() for _ in bins]
    for a, b in cannot:
        if where[a] == where[b]:  # across partitions a pair can never be in one work anyway
            part_cannot[where[a]].add((int(local[a]), int(local[b])))
    parts = [Part(b, rows, [records[i] for i in rows], [prior[i] for i in rows], active[rows],
                  part_must[b], part_cannot[b], part_blocks[b]) for b, rows in enumerate(bins)]
    stats = {"components": len(groups), "largest_component": max(len(g) for g in groups),
             "partition_sizes": [len(p) for p in parts]}
    return parts, stats
