"""Attribution in batches: plan + decide_batch + apply give the same rows whichever way the batches run;
tied namesakes each receive the suggestion."""

from __future__ import annotations

import pickle
import random

import pytest
import sqlalchemy as sa

from ir.attribute import (
    Passes, apply, attribute, claim, decide_batch, load_batch, plan, reject, suggestions_for_person,
)
from ir.store import open_store
from ir.store.tables.attribution import authorship_candidates, authorships
from test_attribute import DUT_MAT, add_work, dicts, rows, wos  # noqa: F401 - the fixture


def table(store) -> tuple[dict, set]:
    skip = {"decided_at"}
    with store.connect() as conn:
        a = {(r["work_id"], r["position"]): {k: v for k, v in r.items() if k not in skip}
             for r in conn.execute(sa.select(authorships)).mappings()}
        c = {tuple(r) for r in conn.execute(sa.select(
            authorship_candidates.c.work_id, authorship_candidates.c.position, authorship_candidates.c.person_id,
            authorship_candidates.c.rank, authorship_candidates.c.score))}
    return a, c


def clear(store) -> None:
    with store.begin() as conn:
        conn.execute(authorships.delete())
        conn.execute(authorship_candidates.delete())


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """A small synthetic institution, ingested and consolidated (realistic noise: namesakes, moves...)."""
    from ir.consolidate import consolidate
    from ir.demo.build import generate
    from ir.ingest import ingest_paths

    folder = tmp_path_factory.mktemp("demo")
    generate(folder / "demo", works=400, people=600, seed=11)
    store = open_store(f"sqlite:///{folder / 'ir.sqlite'}")
    ingest_paths(store, [folder / "demo" / "exports"])
    consolidate(store)
    yield store, folder / "demo" / "dictionaries"
    store.dispose()


def test_every_runner_gives_the_same_rows(demo_store):
    store, dictionaries = demo_store
    clear(store)
    rep = attribute(store, dictionaries, workers=1, batch_size=100_000)
    assert rep.works > 300 and rep.auto > 0 and rep.suggested > 0
    reference = table(store)

    # small batches in process, and a pool of two processes
    for kwargs in ({"workers": 1, "batch_size": 37}, {"workers": 2, "batch_size": 50}):
        clear(store)
        attribute(store, dictionaries, **kwargs)
        assert table(store) == reference, kwargs

    # by hand, as a remote runner would: every batch pickled both ways, batches decided in any order
    clear(store)
    p = plan(store, dictionaries, batch_size=29)
    assert len(p.batches) > 10 and sorted(w for b in p.batches for w in b) == [w for b in p.batches for w in b]
    order = list(range(len(p.batches)))
    random.Random(3).shuffle(order)
    roundtrip = lambda x: pickle.loads(pickle.dumps(x))  # noqa: E731
    passes = Passes(p)
    passes.add(roundtrip(decide_batch(p.context, roundtrip(load_batch(store, p, i)))) for i in order)
    for _ in range(p.context.settings.passes):
        batches = passes.refine_batches()
        if not batches:
            break
        passes.add([roundtrip(decide_batch(p.context, roundtrip(b))) for b in reversed(batches)])
    apply(store, p, passes.final())
    assert table(store) == reference

    again = attribute(store, dictionaries, workers=2, batch_size=50)
    assert again.written == 0 and again.removed == 0


def test_tied_namesakes_each_receive_the_suggestion_and_one_claim_settles_it(store, dicts):
    add_work(store, "W2", 2020, [wos("WOS:2", [("Wang, Wei", "Wang, W", [0], None, False)], [DUT_MAT])])
    attribute(store, dicts)
    r = rows(store, "W2")[1]
    assert r.status == "suggested" and r.evidence["suggested_to"] == [r.person_id, ({"P2", "P3"} - {r.person_id}).pop()]
    for pid in ("P2", "P3"):
        got = suggestions_for_person(store, pid)
        assert [(s["work_id"], s["position"]) for s in got] == [("W2", 1)]
        assert sorted(got[0]["suggested_to"]) == ["P2", "P3"]
    claim(store, "W2", 1, "P3", actor="p3", role="faculty")
    assert suggestions_for_person(store, "P2") == [] and suggestions_for_person(store, "P3") == []
    assert (rows(store, "W2")[1].status, rows(store, "W2")[1].person_id) == ("claimed", "P3")
    assert attribute(store, dicts).written == 0


def test_a_tied_person_who_is_not_the_best_rejects_only_for_themselves(store, dicts):
    add_work(store, "W2", 2020, [wos("WOS:2", [("Wang, Wei", "Wang, W", [0], None, False)], [DUT_MAT])])
    attribute(store, dicts)
    best = rows(store, "W2")[1].person_id
    second = ({"P2", "P3"} - {best}).pop()
    reject(store, "W2", 1, second, actor="second", role="faculty")
    r = rows(store, "W2")[1]
    assert (r.status, r.person_id, r.locked, r.rejected_ids) == ("suggested", best, False, [second])
    assert suggestions_for_person(store, second) == []
    assert [s["work_id"] for s in suggestions_for_person(store, best)] == ["W2"]
