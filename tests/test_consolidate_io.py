"""Consolidation's bulk reads and writes (ir.consolidate.io) on real export records, on SQLite and PostgreSQL.

The store hands the matcher and the work document a record without the fields consolidation does not read
(``raw``, affiliations, funding, ...): these tests hold that this changes nothing they compute, and that
runs skip what has not changed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from ir.consolidate import ConsolidateSettings, consolidate, get_work
from ir.consolidate import io
from ir.consolidate.features import extract
from ir.consolidate.merge import build_work
from ir.ingest import read_file, store_file
from ir.model import Record
from ir.store.tables.works import work_members, works

SAMPLES = [  # one real export per source format that feeds consolidation
    "wos_plain/trafficsafety-savedrecs.txt",
    "scopus_csv/helioszjr-bibliometrix-scopus.csv",
    "cnki_estudy/mrhelper-demo_cnki_202101.txt",
    "wanfang_noteexpress/mrhelper-demo_wanfang_202101.NET",
]


@pytest.fixture(scope="module")
def parsed(samples):
    out = []
    for name in SAMPLES:
        pf = read_file(samples / name)
        recs = [r for r in pf.items if isinstance(r, Record)][:60]
        assert recs, name
        out.append((pf, recs))
    # a record naming the same work in another database (as EI's and CNKI's exports can)
    out[1][1][0].cross_ids = {"wos": out[0][1][0].source_id}
    return out


def ingest(store, parsed) -> list[Record]:
    for pf, recs in parsed:
        pf.items = recs
        store_file(store, pf)
    return sorted((r for _, recs in parsed for r in recs), key=lambda r: (r.source, r.source_id))


def same_features(a, b) -> list[str]:
    """Names of the Features columns that differ."""
    out = []
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            if not np.array_equal(x, y):
                out.append(f.name)
        elif x != y:
            out.append(f.name)
    return out


def test_records_read_for_consolidation_give_the_same_features_and_works(store, parsed):
    full = ingest(store, parsed)
    with store.connect() as conn:
        state = io.load_state(conn)
        loaded = io.load_records(conn, state.keys)
    assert [f"{r.source}:{r.source_id}" for r in full] == state.keys
    assert {r.source for r in loaded} == {"wos", "scopus", "cnki", "wanfang"}
    # the fields left in the database are really gone, and they were there to leave
    assert any(r.raw for r in full) and any(r.affiliations for r in full)
    assert not any(r.raw or r.affiliations or r.funding or r.funding_text for r in loaded)
    assert same_features(extract(full), extract(loaded)) == []
    s = ConsolidateSettings()
    for a, b in zip(full, loaded):
        assert build_work("W1", [a], s) == build_work("W1", [b], s)
    # and a work of several sources
    assert build_work("W2", full[::7], s) == build_work("W2", loaded[::7], s)


def test_state_is_read_without_documents_and_matches_the_records(store, parsed):
    full = ingest(store, parsed)
    with store.connect() as conn:
        state = io.load_state(conn)
    assert state.hashes == [r.content_hash() for r in full]
    assert state.members == {} and state.works == {}
    rep = consolidate(store)
    with store.connect() as conn:
        state = io.load_state(conn)
    assert len(state.members) == len(full) and all(h for _, h in state.members.values())
    assert {w.status for w in state.works.values()} == {"active"}
    assert len(state.works) == rep.works_total
    # the stored hash of a work is what a run compares against: the hash of its stored document
    from ir.consolidate.merge import doc_hash

    wid, ws = next(iter(state.works.items()))
    assert doc_hash(get_work(store, wid)["data"]) == ws.content_hash


def test_change_outside_the_work_document_rewrites_the_member_not_the_work(store, parsed):
    """A record re-exported with new funding text is re-matched; its work's document is the same, so the
    work row is left as it was (its updated_at too) while the member row takes the record's new hash."""
    full = ingest(store, parsed)
    consolidate(store)
    r = next(x for x in full if x.source == "wos")
    key = (r.source, r.source_id)
    with store.connect() as conn:
        wid, old_hash = conn.execute(sa.select(work_members.c.work_id, work_members.c.content_hash).where(
            work_members.c.source == r.source, work_members.c.source_id == r.source_id)).one()
        before = conn.execute(sa.select(works.c.updated_at, works.c.content_hash).where(works.c.work_id == wid)).one()
    changed = Record.from_dict(r.to_dict())
    changed.funding_text = (changed.funding_text or "") + " Also funded by the library."
    pf = read_file(Path(__file__))  # any file: only its bytes' digest names the batch
    pf.fmt, pf.items, pf.error = next(p for p, _ in parsed if p.fmt.source == "wos").fmt, [changed], None
    store_file(store, pf)
    rep = consolidate(store)
    assert rep.records_considered == 1 and rep.works_created == rep.works_updated == 0
    with store.connect() as conn:
        wid2, new_hash = conn.execute(sa.select(work_members.c.work_id, work_members.c.content_hash).where(
            work_members.c.source == key[0], work_members.c.source_id == key[1])).one()
        after = conn.execute(sa.select(works.c.updated_at, works.c.content_hash).where(works.c.work_id == wid)).one()
    assert wid2 == wid and new_hash == changed.content_hash() != old_hash
    assert tuple(after) == tuple(before)
    assert consolidate(store).records_considered == 0


def test_documents_written_as_text_read_back_as_json(store, parsed):
    ingest(store, parsed)
    consolidate(store)
    with store.connect() as conn:
        wid = conn.execute(sa.select(works.c.work_id).order_by(works.c.work_id).limit(1)).scalar()
        ev = conn.execute(sa.select(work_members.c.evidence).where(work_members.c.work_id == wid)).scalars().all()
        # the database itself sees JSON (SQLite's json functions, PostgreSQL's jsonb operators)
        founder = conn.execute(sa.select(works.c.data["founder"].as_string()).where(works.c.work_id == wid)).scalar()
    doc = get_work(store, wid)["data"]
    assert isinstance(doc, dict) and doc["work_id"] == wid and founder == doc["founder"]
    assert all(isinstance(e, dict) and e["rule"] for e in ev)


@pytest.mark.parametrize("doc, text", [
    ({"a": 1, "b": [None, True, "é"]}, '{"a":1,"b":[null,true,"é"]}'),
    ({"score": 7.25, "points": {"title": 3.5}}, '{"score":7.25,"points":{"title":3.5}}'),
    ({1: "x"}, '{"1":"x"}'),
    ({"when": Path("/x")}, '{"when":"/x"}'),
])
def test_dumps(doc, text):
    assert io.dumps(doc) == text


def test_records_ingested_between_the_two_reads_wait_for_the_next_run(store, parsed):
    full = ingest(store, parsed[:1])
    with store.connect() as conn:
        state = io.load_state(conn)
    ingest(store, parsed[1:2])  # another export arrives while consolidate is between its reads
    with store.connect() as conn:
        loaded = io.load_records(conn, state.keys)
    assert [f"{r.source}:{r.source_id}" for r in loaded] == state.keys == [f"{r.source}:{r.source_id}" for r in full]
