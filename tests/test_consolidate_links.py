"""Relations and the queue of likely duplicates through the store, on SQLite and PostgreSQL: what a run finds is kept
with its evidence, a work's export and search document carry its relations, a librarian's merge or keep-apart
on a queued pair survives later runs, and an incremental run adds relations without losing the others."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from test_consolidate import put  # records stored as ingest stores a parsed file
from test_search import es_options, es_url  # noqa: F401  (es_url: the fixture)

from ir.consolidate import consolidate, decide, duplicate_queue, queue_size, relations_of
from ir.export import iter_works
from ir.model import Author, Journal, Record, Title
from ir.search.documents import build_document
from ir.store.tables.audit import audit_log
from ir.store.tables.works import record_links, work_members

TITLE = "Deep reinforcement learning for adaptive traffic signal control at urban intersections"
AUTHORS = ["Zhang, San", "Li, Sili", "Smith, John"]


def rec(source: str, sid: str, title: str, venue: str, year: int, doc_type: str | None, authors=AUTHORS, **kw) -> Record:
    return Record(source=source, source_id=sid, titles=[Title(title)], doc_type=doc_type, year=year,
                  authors=[Author(position=k + 1, name=a) for k, a in enumerate(authors)],
                  journal=Journal(title=venue), **kw)


def work_of(store) -> dict[str, str]:
    with store.connect() as conn:
        return {f"{s}:{i}": w for s, i, w in conn.execute(
            sa.select(work_members.c.source, work_members.c.source_id, work_members.c.work_id))}


CONFERENCE = rec("wos", "WOS:1", TITLE, "2019 IEEE Intelligent Transportation Systems Conference (ITSC)", 2019,
                 "proceedings paper", doi="10.1109/itsc.2019.8917001")
JOURNAL = rec("wos", "WOS:2", TITLE, "IEEE Transactions on Intelligent Transportation Systems", 2020, "article",
              doi="10.1109/tits.2020.2990001", volume="21", first_page="4001")
CORRECTION = rec("wos", "WOS:3", "Correction to: " + TITLE, "IEEE Transactions on Intelligent Transportation Systems",
                 2021, "correction", volume="22", first_page="1200")
# a pair just short of a match: a title word left out, a year apart, no venue on one side
NEAR_A = rec("wos", "WOS:4", "Adaptive traffic signal control with deep reinforcement learning",
             "Transportation Research Part C", 2020, "article", authors=["Wang, Wu"])
NEAR_B = rec("ris", "R4", "Adaptive signal control with deep reinforcement learning", "", 2021, "gen",
              authors=["Wang, W"])


def test_relations_are_stored_with_evidence_and_exported(store):
    put(store, "wos.txt", [CONFERENCE, JOURNAL, CORRECTION, NEAR_A])
    put(store, "gen.ris", [NEAR_B])
    rep = consolidate(store)
    assert rep.relations == 2 and rep.possible_duplicates == 1
    w = work_of(store)
    assert len({w["wos:WOS:1"], w["wos:WOS:2"], w["wos:WOS:3"]}) == 3  # kept apart
    with store.connect() as conn:
        rows = {(r.a_source_id, r.relation, r.b_source_id): r.evidence for r in conn.execute(sa.select(record_links))}
        rels = relations_of(conn, [w["wos:WOS:2"]])[w["wos:WOS:2"]]
    assert set(rows) == {("WOS:1", "is_version_of", "WOS:2"), ("WOS:3", "corrects", "WOS:2"),
                         ("R4", "possible_duplicate", "WOS:4")}  # a likely duplicate has no direction: key order
    assert rows[("WOS:1", "is_version_of", "WOS:2")]["reason"] == "conference paper vs journal article"
    assert {(x["relation"], x["work_id"]) for x in rels} == {("has_version", w["wos:WOS:1"]),
                                                              ("corrected_by", w["wos:WOS:3"])}
    assert all(x["title"] and x["year"] for x in rels)
    # the export and the search document of each work carry its relations
    docs = {d["work_id"]: d for d in iter_works(store)}
    assert [(x["relation"], x["work_id"]) for x in docs[w["wos:WOS:1"]]["relations"]] == [("is_version_of", w["wos:WOS:2"])]
    assert [x["relation"] for x in docs[w["wos:WOS:3"]]["relations"]] == ["corrects"]
    assert "relations" not in docs[w["wos:WOS:4"]]  # a likely duplicate is no relation
    sd = build_document(docs[w["wos:WOS:2"]])
    assert {(x["relation"], x["work_id"]) for x in sd["relations"]} == {("has_version", w["wos:WOS:1"]),
                                                                         ("corrected_by", w["wos:WOS:3"])}
    # a second run changes nothing
    again = consolidate(store)
    assert again.records_considered == 0 and work_of(store) == w
    with store.connect() as conn:
        assert {(r.a_source_id, r.relation, r.b_source_id) for r in conn.execute(sa.select(record_links))} == set(rows)


def test_the_queue_shows_the_pair_side_by_side_and_decisions_survive_reruns(store):
    other_a = rec("wos", "WOS:5", "Graph attention networks for short-term traffic flow forecasting",
                  "Transportation Research Part C", 2020, "article", authors=["Chen, Hua"])
    other_b = rec("ris", "R5", "Graph attention networks for traffic flow forecasting", "", 2021, "gen",
                  authors=["Chen, H"])
    put(store, "wos.txt", [NEAR_A, other_a])
    put(store, "gen.ris", [NEAR_B, other_b])
    consolidate(store)
    w = work_of(store)
    queue = duplicate_queue(store)
    assert queue_size(store) == 2 and len(queue) == 2
    pairs = {frozenset((q.work_a, q.work_b)): q for q in queue}
    q = pairs[frozenset((w["wos:WOS:4"], w["ris:R4"]))]
    assert q.score < 5.0 and q.evidence["points"]["title"] > 0
    labels = {row[0]: row[1:] for row in q.rows}
    assert labels["Title"] in ((NEAR_A.title, NEAR_B.title), (NEAR_B.title, NEAR_A.title))
    assert {"Year", "Authors", "Source"} <= labels.keys()

    # keep apart: off the queue, and later runs keep the two works apart
    decide(store, w["wos:WOS:4"], w["ris:R4"], "keep_apart", "lib1", note="different studies")
    assert queue_size(store) == 1
    # merge the other pair: one work, kept by later runs
    target = decide(store, w["wos:WOS:5"], w["ris:R5"], "merge", "lib1", note="same paper")
    assert queue_size(store) == 0
    put(store, "more.ris", [rec("ris", "R6", "An unrelated paper on bridge vibration damping", "", 2022, "gen")])
    put(store, "gen.ris", [NEAR_B, other_b.__class__.from_dict({**other_b.to_dict(), "volume": "9"})])  # R5 changed
    consolidate(store)
    w2 = work_of(store)
    assert w2["wos:WOS:4"] != w2["ris:R4"]
    assert w2["wos:WOS:5"] == w2["ris:R5"] == target
    assert queue_size(store) == 0
    with store.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id))]
    assert actions == ["keep_apart", "merge"]


def test_an_incremental_run_adds_a_relation_and_keeps_the_others(store):
    put(store, "wos-1.txt", [CONFERENCE, CORRECTION])
    consolidate(store)
    with store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(record_links)).scalar() == 0
    put(store, "wos-2.txt", [JOURNAL])  # the journal version arrives a year later
    rep = consolidate(store)
    assert rep.records_considered == 1 and rep.relations == 2
    put(store, "wos-3.txt", [NEAR_A])  # an unrelated record: the relations found before stay
    consolidate(store)
    w = work_of(store)
    with store.connect() as conn:
        got = {(r.a_source_id, r.relation, r.b_source_id) for r in conn.execute(sa.select(record_links))}
        assert relations_of(conn, [w["wos:WOS:1"]])[w["wos:WOS:1"]][0]["relation"] == "is_version_of"
    assert got == {("WOS:1", "is_version_of", "WOS:2"), ("WOS:3", "corrects", "WOS:2")}


def test_cli_lists_the_queue_and_decides(tmp_path):
    from typer.testing import CliRunner

    from ir.cli import app
    from ir.store import open_store

    db = f"sqlite:///{tmp_path / 'ir.sqlite'}"
    st = open_store(db)
    put(st, "wos.txt", [CONFERENCE, JOURNAL, NEAR_A])
    put(st, "gen.ris", [NEAR_B])
    runner = CliRunner()
    res = runner.invoke(app, ["--database-url", db, "consolidate", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["possible_duplicates"] == 1
    res = runner.invoke(app, ["--database-url", db, "duplicates", "list", "--json"])
    assert res.exit_code == 0, res.output
    pair = json.loads(res.output.splitlines()[0])
    assert {pair["record_a"]["title"], pair["record_b"]["title"]} == {NEAR_A.title, NEAR_B.title}
    res = runner.invoke(app, ["--database-url", db, "duplicates", "list"])
    assert "1 pair(s) of works waiting" in res.output and "Adaptive signal control" in res.output
    res = runner.invoke(app, ["--database-url", db, "duplicates", "keep-apart", pair["work_a"], "WNOPE"])
    assert res.exit_code == 1 and "no active work WNOPE" in res.output
    res = runner.invoke(app, ["--database-url", db, "duplicates", "keep-apart", pair["work_a"], pair["work_b"],
                              "--note", "two studies"])
    assert res.exit_code == 0 and res.output.strip() == pair["work_a"]
    assert queue_size(st) == 0
    w = work_of(st)
    res = runner.invoke(app, ["--database-url", db, "works", "show", w["wos:WOS:1"]])
    assert res.exit_code == 0 and "is version of" in res.output and w["wos:WOS:2"] in res.output
    st.dispose()


@pytest.mark.es
def test_relations_reach_elasticsearch_also_in_an_index_made_before_them(es_url, sqlite_store):
    """The search document carries the relations; an index created before the field existed gains it."""
    import copy as _copy

    from ir.config import Settings
    from ir.search import index, open_backend
    from ir.search.es import index_body

    put(sqlite_store, "wos.txt", [CONFERENCE, JOURNAL, CORRECTION])
    consolidate(sqlite_store)
    settings = Settings(database_url=sqlite_store.url, search_url=es_url)
    opts = es_options()
    backend = open_backend(settings, sqlite_store, opts)
    try:
        # an index made by an ir without relations: the same mapping, less the field
        old = _copy.deepcopy(index_body(opts))
        del old["mappings"]["properties"]["relations"]
        name = f"{opts.index_alias}-vold"
        backend.client.indices.create(index=name, settings=old["settings"], mappings=old["mappings"])
        backend.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": opts.index_alias}}])
        rep = index(sqlite_store, settings, options=opts)
        assert not rep.errors, rep.errors
        w = work_of(sqlite_store)
        doc = backend.client.get(index=opts.index_alias, id=w["wos:WOS:2"])["_source"]
        assert {(x["relation"], x["work_id"]) for x in doc["relations"]} == {("has_version", w["wos:WOS:1"]),
                                                                           ("corrected_by", w["wos:WOS:3"])}
        mapping = backend.client.indices.get_mapping(index=name).body[name]["mappings"]["properties"]
        assert mapping["relations"]["properties"]["relation"]["type"] == "keyword"
    finally:
        backend.drop()
        backend.close()


def test_the_run_report_points_librarians_at_the_queue(sqlite_store):
    from ir.pipeline import attention

    put(sqlite_store, "wos.txt", [NEAR_A])
    put(sqlite_store, "gen.ris", [NEAR_B])
    rep = consolidate(sqlite_store)
    assert rep.possible_duplicates == 1
    assert attention(rep) == ["1 pair(s) of records scored just short of a match: likely duplicates for a librarian "
                              "(`ir duplicates list`, web: Likely duplicates)"]
    assert attention(consolidate(sqlite_store)) == []  # nothing considered again: nothing new to say
