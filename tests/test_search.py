"""Search against BOTH backends with the same cases: the embedded index (SQLite FTS5, in the store's
file) and the real Elasticsearch server that ``make test`` starts (IR_TEST_ES_URL).

Works are written through the real ``works`` table; every ES test uses its own alias and deletes its
indices afterwards.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import socket
import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from conftest import need_service
from ir.config import Settings
from ir.search import SearchSettings, SearchUnavailable, index, open_backend, reindex_works
from ir.search.query import QueryError
from ir.store import upsert
from ir.store.engine import utcnow
from ir.store.tables.search import search_state
from ir.store.tables.attribution import authorships, dict_organizations, dict_people
from ir.store.tables.tagging import work_indexes, work_tags
from ir.store.tables.works import works


def authors(*rows):
    return [dict(zip(("position", "name", "person_id", "org_id", "status"), r)) for r in rows]


CHEM, PHYS = "D01", "D02"
WORKS = {
    "W001": {"title": "Catalytic oxidation of carbon monoxide over gold nanoparticles", "year": 2021,
             "doc_type": "article", "journal": {"title": "Journal of Catalysis", "issn": "0021-9517"},
             "abstract": "Gold nanoparticles on titania oxidise carbon monoxide at room temperature.",
             "keywords": ["gold", "catalysis"], "sources": [{"source": "wos", "source_id": "WOS:1"}],
             "indexes": ["SCIE"],
             "authors": authors((1, "Zhang, Wei", "P001", CHEM, "claimed"),
                                (2, "Li, Na", "P002", PHYS, "suggested"))},
    "W002": {"title": "铜基催化剂的制备及其性能研究", "year": 2020, "doc_type": "article",
             "journal": {"title": "催化学报"}, "abstract": "本文研究了铜基催化剂的制备方法。",
             "keywords": ["铜", "催化剂"], "sources": [{"source": "cnki", "source_id": "C1"}], "indexes": ["CSCD"],
             "authors": authors((1, "张伟", "P001", CHEM, "auto"))},
    "W003": {"title": "催生化学变化的新方法", "year": 2019, "doc_type": "article",  # 催 and 化, never adjacent
             "abstract": "化学反应的新路径", "sources": [{"source": "wanfang", "source_id": "WF1"}]},
    "W004": {"title": "Deep learning for protein structure prediction", "year": 2019, "doc_type": "conference",
             "abstract": "A neural network predicts protein folds.", "sources": [{"source": "ei", "source_id": "E1"}],
             "indexes": ["EI"], "authors": authors((1, "Chen, Yu", "P003", PHYS, "auto"))},
    "W005": {"title": "Photocatalytic water splitting",
             "titles": [{"text": "Photocatalytic water splitting", "lang": "en"},
                        {"text": "光催化分解水制氢", "lang": "zh"}],
             "year": 2022, "doc_type": "article", "sources": [{"source": "wos", "source_id": "WOS:5"},
                                                               {"source": "cnki", "source_id": "C5"}],
             "indexes": ["SCIE", "CSCD"], "tags": {"jcr": "Q1"},
             "authors": authors((1, "Li, Na", "P002", PHYS, "claimed"))},
    "W006": {"title": "Zeolite membranes", "year": None, "doc_type": "review",
             "sources": [{"source": "scopus", "source_id": "S6"}]},
}


PEOPLE = {"P001": ("张伟", "Zhang Wei", "D01"), "P002": ("李娜", "Li Na", "D02"), "P003": ("陈宇", "Chen Yu", "D02")}


def put_dictionaries(store) -> None:
    """The attribution stage's dictionaries snapshot: where person and unit names come from."""
    now = utcnow()
    with store.begin() as conn:
        upsert(conn, dict_organizations, [
            {"org_id": oid, "parent_id": None, "name_zh": zh, "name_en": en, "variants": [], "extra": {},
             "row_hash": "x", "loaded_at": now}
            for oid, zh, en in (("D01", "化学学院", "School of Chemistry"), ("D02", "物理学院", "School of Physics"))],
            key=["org_id"])
        upsert(conn, dict_people, [
            {"person_id": pid, "appointment": 1, "name_zh": zh, "name_en": en, "variants": [], "org_id": org,
             "role": "faculty", "row_hash": "x", "loaded_at": now} for pid, (zh, en, org) in PEOPLE.items()],
            key=["person_id", "appointment"])


def put_works(store, items: dict[str, dict], status: str = "active", merged_into: str | None = None) -> None:
    """Works as the stages leave them: ``works`` (consolidation), ``authorships`` (attribution),
    ``work_tags``/``work_indexes`` (tagging)."""
    now = utcnow()
    rows, people, tags, idx = [], [], [], []
    for wid, item in items.items():
        item = copy.deepcopy(item)
        authors_, tags_ = item.pop("authors", []), item.pop("tags", {})
        data = dict(item, work_id=wid)
        rows.append({"work_id": wid, "status": status, "merged_into": merged_into, "title": data.get("title"),
                     "year": data.get("year"), "doi": None, "doc_type": data.get("doc_type"), "data": data,
                     "content_hash": hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest(),
                     "created_at": now, "updated_at": now})
        people += [dict(a, work_id=wid, is_ours=bool(a["person_id"]), decided_by="pipeline", decided_at=now,
                        decision_hash="x") for a in authors_]
        tags += [{"work_id": wid, "list": k, "category": "", "value": v, "matched_by": "issn", "best": True,
                  "tagged_at": now} for k, v in tags_.items()]
        idx += [{"work_id": wid, "index_code": code, "derived_from": "database"} for code in item.get("indexes", [])]
    with store.begin() as conn:
        upsert(conn, works, rows, key=["work_id"])
        for t in (authorships, work_tags, work_indexes):
            conn.execute(t.delete().where(t.c.work_id.in_(list(items))))
        upsert(conn, authorships, people, key=["work_id", "position"])
        upsert(conn, work_tags, tags, key=["work_id", "list", "category"])
        upsert(conn, work_indexes, idx, key=["work_id", "index_code", "derived_from"])


class Env:
    """A store, its settings and a backend (embedded or Elasticsearch) with a private index."""

    def __init__(self, kind, store, settings, opts):
        self.kind, self.store, self.settings, self.opts = kind, store, settings, opts
        self.backend = open_backend(settings, store, opts)

    def index(self, rebuild=False):
        return index(self.store, self.settings, rebuild=rebuild, options=self.opts)

    def search(self, q="", filters=None, sort="relevance", page=1, size=20):
        return self.backend.search(q, filters, sort, page, size)

    def ids(self, q="", filters=None, sort="relevance", **kw):
        return [h["work_id"] for h in self.search(q, filters, sort, **kw).hits]


@pytest.fixture(scope="session")
def es_url() -> str:
    return need_service("Elasticsearch (IR_TEST_ES_URL)", os.environ.get("IR_TEST_ES_URL"))


RUN = uuid.uuid4().hex[:8]


def es_options(**kw) -> SearchSettings:
    return SearchSettings(index_alias=f"irtest-{RUN}-{uuid.uuid4().hex[:6]}", replicas=0, initial_backoff=0.05,
                          max_backoff=0.5, **kw)


@pytest.fixture(params=["embedded", pytest.param("es", marks=[pytest.mark.es, pytest.mark.postgres])])
def env(request, tmp_path):
    """Embedded index on a SQLite store; Elasticsearch with a PostgreSQL store (the production pair)."""
    if request.param == "embedded":
        st = request.getfixturevalue("sqlite_store")
        e = Env("embedded", st, Settings(database_url=st.url), SearchSettings(embedded_path=str(tmp_path / "x.sqlite")))
        yield e
        e.backend.close()
    else:
        url = request.getfixturevalue("es_url")
        from conftest import _pg_store

        gen = _pg_store(request.getfixturevalue("pg_url"))
        st = next(gen)
        e = Env("es", st, Settings(database_url=st.url, search_url=url), es_options())
        try:
            yield e
        finally:
            e.backend.drop()
            e.backend.close()
            gen.close()


@pytest.fixture
def loaded(env):
    put_dictionaries(env.store)
    put_works(env.store, WORKS)
    rep = env.index()
    assert (rep.indexed, rep.unchanged, rep.deleted, rep.errors) == (6, 0, 0, [])
    return env


def test_english_query_finds_words_in_titles_and_abstracts(loaded):
    assert loaded.ids("gold nanoparticles") == ["W001"]
    assert loaded.ids("protein") == ["W004"]
    assert loaded.ids("neural network") == ["W004"]  # abstract only
    assert loaded.ids('"carbon monoxide"') == ["W001"]
    assert loaded.ids('"monoxide carbon"') == []  # a quoted phrase keeps its order
    assert loaded.ids("gold protein") == []  # every word must match
    assert loaded.ids("Li Na") == ["W005", "W001"] or sorted(loaded.ids("Li Na")) == ["W001", "W005"]


def test_chinese_two_character_query_finds_exactly_the_works_containing_it(loaded):
    assert sorted(loaded.ids("催化")) == ["W002", "W005"]  # W003 has 催 and 化, not 催化
    assert loaded.ids("铜基") == ["W002"]
    assert loaded.ids("催化 splitting") == ["W005"]
    assert sorted(loaded.ids("化学")) == ["W002", "W003"]  # W002 through its journal 催化学报
    res = loaded.search("催化", sort="year_desc")
    assert [h["work_id"] for h in res.hits] == ["W005", "W002"]
    assert "<mark>" in res.hits[1]["highlights"]["title"]
    assert res.hits[1]["highlights"]["title"].replace("<mark>", "").replace("</mark>", "") == "铜基催化剂的制备及其性能研究"


def test_hits_carry_display_fields_and_highlights(loaded):
    hit = loaded.search("gold").hits[0]
    assert {k: hit[k] for k in ("work_id", "title", "year", "type", "journal")} == {
        "work_id": "W001", "title": WORKS["W001"]["title"], "year": 2021, "type": "article",
        "journal": "Journal of Catalysis"}
    assert hit["authors"] == ["Zhang, Wei", "Li, Na"]
    assert "<mark>gold</mark>" in hit["highlights"]["title"]


def test_facet_counts_and_labels(loaded):
    res = loaded.search("")
    assert res.total == 6
    assert dict(res.facets["year"]) == {"2019": 2, "2020": 1, "2021": 1, "2022": 1}
    assert res.facets["source"][0] == ("cnki", 2) or res.facets["source"][0] == ("wos", 2)
    assert dict(res.facets["source"]) == {"wos": 2, "cnki": 2, "wanfang": 1, "ei": 1, "scopus": 1}
    assert res.facets["type"] == [("article", 4), ("conference", 1), ("review", 1)]
    assert dict(res.facets["department"]) == {"D01": 2, "D02": 3}
    assert res.labels["department"] == {"D01": "School of Chemistry", "D02": "School of Physics"}
    # the suggested authorship of P002 on W001 does not count; the claimed one on W005 does
    assert dict(res.facets["person"]) == {"P001": 2, "P002": 1, "P003": 1}
    assert res.labels["person"]["P001"] == "张伟 Zhang Wei"
    assert dict(res.facets["indexes"]) == {"SCIE": 2, "CSCD": 2, "EI": 1}
    assert res.facets["tiers"] == [("jcr:Q1", 1)]
    # counts follow the query
    assert dict(loaded.search("催化").facets["source"]) == {"cnki": 2, "wos": 1}


def test_filters(loaded):
    assert sorted(loaded.ids(filters={"source": ["cnki"]})) == ["W002", "W005"]
    assert sorted(loaded.ids(filters={"year": ["2019", "2022"]})) == ["W003", "W004", "W005"]  # OR within a facet
    assert loaded.ids(filters={"year": ["2019"], "indexes": ["EI"]}) == ["W004"]  # AND across facets
    assert sorted(loaded.ids(filters={"person": ["P001"]})) == ["W001", "W002"]
    assert loaded.ids(filters={"person_status": ["P002:suggested"]}) == ["W001"]
    assert sorted(loaded.ids(filters={"department": ["D02"]})) == ["W001", "W004", "W005"]
    assert loaded.ids("催化", filters={"source": ["wos"]}) == ["W005"]
    assert loaded.ids(filters={"tiers": ["jcr:Q1"]}) == ["W005"]
    assert loaded.search(filters={"source": ["wos"]}).facets["year"] == [("2021", 1), ("2022", 1)]
    with pytest.raises(QueryError):
        loaded.search(filters={"colour": ["red"]})


def test_sorts(loaded):
    assert loaded.ids(sort="year_desc") == ["W005", "W001", "W002", "W003", "W004", "W006"]  # no year: last
    assert loaded.ids(sort="year_asc") == ["W003", "W004", "W002", "W001", "W005", "W006"]
    assert loaded.ids(sort="title") == ["W001", "W004", "W005", "W006", "W003", "W002"]
    assert loaded.ids("") == loaded.ids(sort="year_desc")  # relevance without a query: newest first
    # relevance: a title match outranks an abstract-only match
    put_works(loaded.store, {"W007": {"title": "Notes on membranes", "year": 2018, "abstract": "zeolite crystals"}})
    loaded.index()
    assert loaded.ids("zeolite") == ["W006", "W007"]


def test_pagination(loaded):
    pages = [loaded.ids(sort="year_desc", page=p, size=4) for p in (1, 2, 3)]
    assert pages == [["W005", "W001", "W002", "W003"], ["W004", "W006"], []]
    res = loaded.search(sort="year_desc", page=2, size=4)
    assert res.total == 6 and (res.page, res.size) == (2, 4)


def test_incremental_update_sends_only_changed_works(loaded):
    again = loaded.index()
    assert (again.indexed, again.unchanged, again.deleted) == (0, 6, 0)
    changed = copy.deepcopy(WORKS["W004"])
    changed["title"] = "Deep learning for RNA structure prediction"
    put_works(loaded.store, {"W004": changed})
    rep = loaded.index()
    assert (rep.indexed, rep.unchanged, rep.deleted) == (1, 5, 0)
    assert loaded.ids("RNA") == ["W004"] and loaded.ids('"protein structure"') == []


def test_claim_is_searchable_at_once_via_reindex_works(loaded):
    assert loaded.ids(filters={"person": ["P002"]}) == ["W005"]
    with loaded.store.begin() as conn:  # what ir.attribute.claim leaves behind
        conn.execute(authorships.update().where(authorships.c.work_id == "W001", authorships.c.position == 2)
                     .values(status="claimed", locked=True))
    rep = reindex_works(loaded.store, loaded.settings, ["W001"], options=loaded.opts)
    assert (rep.indexed, rep.deleted) == (1, 0)
    assert sorted(loaded.ids(filters={"person": ["P002"]})) == ["W001", "W005"]
    assert loaded.index().indexed == 0  # the state knows W001 is current


def test_merged_away_work_is_deleted(loaded):
    put_works(loaded.store, {"W003": WORKS["W003"]}, status="merged", merged_into="W002")
    rep = loaded.index()
    assert (rep.indexed, rep.deleted) == (0, 1)
    assert loaded.ids("催生") == [] and loaded.search().total == 5
    assert loaded.backend.count() == 5
    with loaded.store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(search_state)
                            .where(search_state.c.work_id == "W003")).scalar() == 0


def test_split_via_reindex_works_removes_and_adds(loaded):
    put_works(loaded.store, {"W006": WORKS["W006"]}, status="split")
    put_works(loaded.store, {"W006a": dict(WORKS["W006"], title="Zeolite membranes, part A"),
                             "W006b": dict(WORKS["W006"], title="Zeolite membranes, part B")})
    rep = reindex_works(loaded.store, loaded.settings, ["W006", "W006a", "W006b"], options=loaded.opts)
    assert (rep.indexed, rep.deleted) == (2, 1)
    assert sorted(loaded.ids("zeolite")) == ["W006a", "W006b"]


def test_rebuild_swaps_in_a_new_index_while_searches_keep_working(loaded):
    put_works(loaded.store, {f"X{i:04d}": {"title": f"Filler work {i} on catalysis", "year": 2000 + i % 20}
                             for i in range(1500)})
    loaded.index()
    before = loaded.backend.target()
    totals, failures, stop = [], [], threading.Event()

    def keep_searching():
        backend = open_backend(loaded.settings, loaded.store, loaded.opts)
        while not stop.is_set():
            try:
                totals.append(backend.search("catalysis", size=1).total)
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                failures.append(repr(exc))
        backend.close()

    t = threading.Thread(target=keep_searching)
    t.start()
    try:
        rep = loaded.index(rebuild=True)
    finally:
        stop.set()
        t.join()
    assert rep.rebuild and rep.indexed == 1506 and rep.errors == []
    assert failures == []
    assert len(totals) > 0 and set(totals) == {1501}  # W001 + fillers, before, during and after
    assert loaded.backend.target() != before
    assert loaded.search("catalysis").total == 1501
    if loaded.kind == "es":
        assert loaded.backend.versions() == loaded.backend.indices()  # exactly one index left
        assert len(loaded.backend.indices()) == 1
    with loaded.store.connect() as conn:  # the state follows the new index only
        targets = {r[0] for r in conn.execute(sa.select(search_state.c.target).distinct())}
    assert targets == {loaded.backend.target()}
    assert loaded.index().indexed == 0


def test_rebuild_recovers_a_lost_index(loaded):
    """The database is the source of truth: a deleted index comes back whole."""
    if loaded.kind == "es":
        loaded.backend.drop()
    else:
        loaded.backend.drop()
    rep = loaded.index()  # a new index has a new target: nothing is taken as already indexed
    assert rep.indexed == 6 and sorted(loaded.ids("催化")) == ["W002", "W005"]


def test_cli_index_and_search(loaded, monkeypatch):
    from ir.cli import app

    config = loaded.store.url  # noqa: F841
    env = {"IR_DATABASE_URL": loaded.store.url}
    if loaded.kind == "es":
        env["IR_SEARCH_URL"] = loaded.settings.search_url
    conf = os.path.join(os.path.dirname(loaded.store.url.split("///")[-1]) if loaded.kind == "embedded" else "/tmp",
                        f"ir-{uuid.uuid4().hex[:6]}.toml")
    with open(conf, "w") as fh:
        fh.write(f'[search]\nindex_alias = "{loaded.opts.index_alias}"\nreplicas = 0\n')
    env["IR_CONFIG"] = conf
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    runner = CliRunner()
    res = runner.invoke(app, ["index", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["unchanged"] == 6
    res = runner.invoke(app, ["search", "催化", "--facet", "source=cnki", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["total"] == 2 and {h["work_id"] for h in out["hits"]} == {"W002", "W005"}
    res = runner.invoke(app, ["search", "gold"])
    assert res.exit_code == 0 and "W001" in res.output and "1 work(s)" in res.output
    res = runner.invoke(app, ["search", "x", "--facet", "colour=red"])
    assert res.exit_code == 2 and "unknown filter" in res.output
    os.unlink(conf)


# --- Elasticsearch only ----------------------------------------------------------------------

class DelayedForwarder:
    """A TCP port that refuses connections for ``delay`` seconds, then forwards to Elasticsearch:
    a real, briefly unreachable server (no fake responses)."""

    def __init__(self, target: tuple[str, int], delay: float):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()  # nothing listens until the delay is over: connection refused
        self.target, self.delay, self.stop = target, delay, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        time.sleep(self.delay)
        srv = socket.create_server(("127.0.0.1", self.port))
        srv.settimeout(0.2)
        while not self.stop.is_set():
            try:
                client, _ = srv.accept()
            except socket.timeout:
                continue
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()
        srv.close()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.mark.es
def test_es_retries_with_backoff_while_the_server_is_unreachable(es_url, sqlite_store):
    from urllib.parse import urlparse

    u = urlparse(es_url)
    opts = es_options(max_retries=8)
    direct = open_backend(Settings(database_url=sqlite_store.url, search_url=es_url), sqlite_store, opts)
    direct.ensure_index()
    fwd = DelayedForwarder((u.hostname, u.port), delay=1.0)
    settings = Settings(database_url=sqlite_store.url, search_url=f"http://127.0.0.1:{fwd.port}")
    put_works(sqlite_store, WORKS)
    try:
        started = time.perf_counter()
        rep = index(sqlite_store, settings, options=opts)
        assert rep.indexed == 6 and rep.errors == []
        assert time.perf_counter() - started >= 0.9  # it waited for the server
        assert direct.search("催化").total == 2
    finally:
        fwd.stop.set()
        direct.drop()
        direct.close()


@pytest.mark.es
def test_es_gives_up_after_retries_with_a_clear_error(sqlite_store):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    opts = es_options(max_retries=2)
    put_works(sqlite_store, WORKS)
    with pytest.raises(SearchUnavailable, match="after 2 retries"):
        index(sqlite_store, Settings(database_url=sqlite_store.url, search_url=f"http://127.0.0.1:{port}"), options=opts)


@pytest.mark.es
def test_es_refused_documents_are_reported_not_raised(es_url, sqlite_store):
    """A closed index refuses writes: the report names every work, the run does not crash."""
    opts = es_options(max_retries=1)
    settings = Settings(database_url=sqlite_store.url, search_url=es_url)
    backend = open_backend(settings, sqlite_store, opts)
    backend.ensure_index()
    try:
        backend.client.indices.close(index=backend.indices()[0])
        put_works(sqlite_store, WORKS)
        rep = index(sqlite_store, settings, options=opts)
        assert rep.indexed == 0 and sorted(w for w, _ in rep.errors) == sorted(WORKS)
        assert "index_closed_exception" in rep.errors[0][1] and len(rep.attention()) == 6
        backend.client.indices.open(index=backend.indices()[0], wait_for_active_shards="1")
        rep = index(sqlite_store, settings, options=opts)  # nothing was recorded as indexed: all six go now
        assert rep.indexed == 6
    finally:
        backend.drop()
        backend.close()


@pytest.mark.es
def test_es_mapping_uses_configured_analyzers(es_url):
    from ir.search.es import index_body

    body = index_body(SearchSettings(analyzer_zh="smartcn", analyzer_en="english"))
    props = body["mappings"]["properties"]
    assert props["title_zh"]["analyzer"] == "smartcn" and props["title_en"]["analyzer"] == "english"
    assert props["authors"]["analyzer"] == "standard"
    assert "{{" not in json.dumps(body)


def test_embedded_index_lives_in_a_separate_file_for_a_postgres_store(pg_url, tmp_path):
    from conftest import _pg_store

    gen = _pg_store(pg_url)
    st = next(gen)
    try:
        opts = SearchSettings(embedded_path=str(tmp_path / "search.sqlite"))
        settings = Settings(database_url=st.url)
        put_works(st, WORKS)
        rep = index(st, settings, options=opts)
        assert rep.backend == "embedded" and rep.indexed == 6
        assert (tmp_path / "search.sqlite").exists()
        assert sorted(h["work_id"] for h in open_backend(settings, st, opts).search("催化").hits) == ["W002", "W005"]
    finally:
        gen.close()


def test_embedded_index_tables_are_invisible_to_migrations(sqlite_store):
    """The embedded index lives in the store's file, but autogenerate must not propose dropping it."""
    from alembic import command
    from alembic.config import Config

    from ir.store.engine import MIGRATIONS

    open_backend(Settings(database_url=sqlite_store.url), sqlite_store, SearchSettings()).ensure_index()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with sqlite_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.check(cfg)  # raises AutogenerateDiffsDetected on any difference


@pytest.mark.es
def test_es_alias_taken_by_a_concrete_index_is_a_clear_error(es_url, sqlite_store):
    from ir.search import SearchConfigError

    opts = es_options()
    backend = open_backend(Settings(database_url=sqlite_store.url, search_url=es_url), sqlite_store, opts)
    backend.client.indices.create(index=opts.index_alias)
    try:
        with pytest.raises(SearchConfigError, match="not an alias"):
            backend.ensure_index()
    finally:
        backend.client.indices.delete(index=opts.index_alias)
        backend.close()


def test_unreachable_search_is_a_connection_error_the_flows_retry():
    from flows.common import is_transient

    assert is_transient(SearchUnavailable("es down"))
