"""Consolidation in partitions (ir.consolidate.partition): whole components of the candidate graph,
resolved separately (in order, on threads), give exactly the works of resolving every record at once.

On the demo institution's exports (WoS, Ei and CNKI copies of the same works), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import sqlalchemy as sa

from ir.consolidate import ConsolidateSettings, apply, consolidate, plan, resolve_partition
from ir.consolidate.blocking import candidate_pairs
from ir.consolidate.engine import _exact_links, resolve
from ir.consolidate.features import extract
from ir.consolidate.partition import make_parts, pack
from ir.ingest import expand_paths, ingest_paths, read_file
from ir.model import Record
from ir.store import open_store
from ir.store.tables.works import work_members, works

# tiny blocks: most blocks are oversized and compared in a sorted window, the case partitions must keep whole
SMALL_BLOCKS = ConsolidateSettings(max_block_size=3, window=2)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from ir.demo import generate

    folder = tmp_path_factory.mktemp("partition-demo")
    generate(folder, works=150, people=100)
    return folder


@pytest.fixture(scope="module")
def records(demo) -> list[Record]:
    out = [r for p in expand_paths([demo / "exports"]) for r in read_file(p).items if isinstance(r, Record)]
    out.sort(key=lambda r: (r.source, r.source_id))
    assert len(out) > 200
    return out


def global_clusters(records, settings, **kw) -> list[list[int]]:
    return resolve(records, settings, **kw).clusters()


def partitioned_clusters(records, settings, partitions, prior=None, active=None, must=(), cannot=None):
    n = len(records)
    prior = prior or [None] * n
    active = np.ones(n, dtype=bool) if active is None else active
    parts, stats = make_parts(records, prior, active, list(must), set(cannot or ()), partitions)
    out = [c for part in parts for c in resolve_partition(part, settings).clusters]
    return sorted(out, key=min), parts, stats


@pytest.mark.parametrize("settings", [ConsolidateSettings(), SMALL_BLOCKS], ids=["default", "oversized-blocks"])
@pytest.mark.parametrize("partitions", [2, 5, 10])
def test_partitions_give_the_clusters_of_one_global_resolve(records, settings, partitions):
    expected = global_clusters(records, settings)
    got, parts, stats = partitioned_clusters(records, settings, partitions)
    assert len(parts) == partitions  # the demo falls apart into many components: every partition is used
    assert sum(len(p) for p in parts) == len(records) and stats["components"] > partitions
    assert got == expected
    assert sum(len(c) > 1 for c in got) > 30  # real merges happened, across sources


def test_every_pair_the_matcher_could_compare_is_inside_one_partition(records):
    for settings in (ConsolidateSettings(), SMALL_BLOCKS):
        f = extract(records)
        I, J, _ = candidate_pairs(f, max_block_size=settings.max_block_size, window=settings.window)
        links = _exact_links(f, None)
        _, parts, _ = partitioned_clusters(records, settings, 6)
        where = np.empty(len(records), dtype=np.int64)
        for p in parts:
            where[p.rows] = p.index
        assert len(I) > 300 and len(links) > 20, (len(I), len(links))
        assert (where[I] == where[J]).all()
        assert all(where[ln.i] == where[ln.j] for ln in links)


def test_an_incremental_run_with_decisions_partitions_like_a_global_one(records):
    """Existing works (prior), records already placed (inactive), a must-link and a cannot-link."""
    first = global_clusters(records, ConsolidateSettings())
    n = len(records)
    prior: list[str | None] = [None] * n
    for c, members in enumerate(first):
        for i in members:
            prior[i] = f"w{c}"
    rng = np.random.default_rng(7)
    changed = rng.choice(n, size=n // 4, replace=False)
    for i in changed:
        prior[i] = None
    active = np.asarray([p is None for p in prior], dtype=bool)
    big = next(m for m in first if len(m) >= 3)
    singles = [m[0] for m in first if len(m) == 1]
    must = [(singles[0], singles[-1])]  # records no key relates: a librarian's must-link joins them
    cannot = {(big[0], big[1])}
    prior[big[1]] = None
    active[big[1]] = True
    expected = global_clusters(records, ConsolidateSettings(), prior=prior, active=active, must=must, cannot=cannot)
    got, parts, _ = partitioned_clusters(records, ConsolidateSettings(), 4, prior, active, must, cannot)
    assert got == expected
    assert any(set(must[0]) <= set(c) for c in got)
    assert not any({big[0], big[1]} <= set(c) for c in got)


@pytest.mark.parametrize("sizes, partitions, expected", [
    ([1, 1, 1, 1], 2, [2, 2]),
    ([5, 1, 1, 1, 1, 1], 2, [5, 5]),
    ([100, 1, 1], 4, [100, 1, 1]),  # a giant component stays one partition; no empty partitions
    ([3, 3, 2, 2, 2], 3, [3, 4, 5]),
    ([7], 1, [7]),
])
def test_pack_balances_whole_components(sizes, partitions, expected):
    groups, start = [], 0
    for s in sizes:
        groups.append(list(range(start, start + s)))
        start += s
    bins = pack(groups, partitions)
    assert sorted(len(b) for b in bins) == sorted(expected)
    assert sorted(i for b in bins for i in b) == list(range(start))
    assert all(b == sorted(b) for b in bins)
    for g in groups:  # never split
        assert sum(1 for b in bins if set(g) & set(b)) == 1


# ------------------------------------------------------------------------------------------ through the store


def tables(store) -> tuple[dict, dict]:
    with store.connect() as conn:
        w = {r["work_id"]: {k: v for k, v in r.items() if k not in ("created_at", "updated_at")}
             for r in conn.execute(sa.select(works)).mappings()}
        m = {(r["source"], r["source_id"]): {k: v for k, v in r.items() if k != "added_at"}
             for r in conn.execute(sa.select(work_members)).mappings()}
    return w, m


def clear(store) -> None:
    with store.begin() as conn:
        conn.execute(work_members.delete())
        conn.execute(works.delete())


def test_consolidate_in_partitions_writes_the_same_works(store, demo):
    ingest_paths(store, [demo / "exports"])
    one = consolidate(store)
    single = tables(store)
    assert one.works_created > 100 and len(single[1]) == one.records_considered

    clear(store)
    with ThreadPoolExecutor(3) as pool:
        threads = consolidate(store, partitions=5, map_fn=pool.map)
    assert tables(store) == single
    assert dataclasses.replace(threads, seconds=0) == dataclasses.replace(one, seconds=0)

    clear(store)
    p = plan(store, partitions=9)
    assert len(p.parts) == 9
    results = [resolve_partition(part) for part in reversed(p.parts)]  # the order results arrive in is free
    apply(store, p, results)
    assert tables(store) == single

    again = consolidate(store, partitions=4)  # nothing changed: nothing to do, in partitions too
    assert again.records_considered == 0 and again.works_total == one.works_total
    assert tables(store) == single


def test_an_incremental_partitioned_run_equals_a_single_one(tmp_path, demo):
    """Half the exports first, then the rest: with prior works, in partitions or not, the same tables."""
    files = sorted(expand_paths([demo / "exports"]))
    stores = [open_store(f"sqlite:///{tmp_path / f'ir{k}.sqlite'}") for k in (1, 2)]
    try:
        for st, partitions in zip(stores, (1, 6)):
            ingest_paths(st, files[::2])
            consolidate(st, partitions=partitions)
        assert tables(stores[0]) == tables(stores[1])
        reports = []
        for st, partitions in zip(stores, (1, 6)):
            ingest_paths(st, files[1::2])
            reports.append(consolidate(st, partitions=partitions))
        assert reports[0].records_considered > 0 and reports[0].records_joined > 0
        assert dataclasses.replace(reports[0], seconds=0) == dataclasses.replace(reports[1], seconds=0)
        assert tables(stores[0]) == tables(stores[1])
    finally:
        for st in stores:
            st.dispose()
