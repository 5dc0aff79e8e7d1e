"""Consolidation and attribution through the Prefect flows, their partitions and batches on a local Dask
cluster: the same works and authorships as the default task runner and as plain ``consolidate()`` and
``attribute()`` (a temporary Prefect server via prefect_test_harness)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ir.store import open_store
from ir.store.tables.attribution import authorship_candidates, authorships
from test_flows import prefect  # noqa: F401 - the temporary Prefect server, a fixture

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from ir.consolidate import consolidate
    from ir.demo import generate
    from ir.ingest import ingest_paths

    folder = tmp_path_factory.mktemp("dask")
    generate(folder / "demo", works=150, people=200, seed=5)
    url = f"sqlite:///{folder / 'ir.sqlite'}"
    store = open_store(url)
    ingest_paths(store, [folder / "demo" / "exports"])
    consolidate(store)
    store.dispose()
    return folder, url


def table(url: str) -> tuple[dict, set]:
    st = open_store(url)
    with st.begin() as conn:
        rows = {(r["work_id"], r["position"]): {k: v for k, v in r.items() if k != "decided_at"}
                for r in conn.execute(sa.select(authorships)).mappings()}
        cands = {repr(tuple(r)) for r in conn.execute(sa.select(authorship_candidates))}
        conn.execute(authorships.delete())  # the next runner starts from nothing
        conn.execute(authorship_candidates.delete())
    st.dispose()
    return rows, cands


def run_flow(folder, url, config: str | None):
    from flows.stages import attribute_flow

    cfg = None
    if config is not None:
        cfg = folder / f"settings-{abs(hash(config))}.toml"
        cfg.write_text(config, encoding="utf-8")
    state = attribute_flow(database_url=url, dictionaries=str(folder / "demo" / "dictionaries"),
                           config_file=str(cfg) if cfg else None, return_state=True)
    assert state.is_completed(), state.message
    return state.result()


def test_attribute_flow_on_a_local_dask_cluster_gives_the_same_authorships(prefect, world, monkeypatch):
    from ir.attribute import attribute

    folder, url = world
    monkeypatch.delenv("IR_TASK_RUNNER", raising=False)
    st = open_store(url)
    plain_report = attribute(st, folder / "demo" / "dictionaries", workers=1)
    st.dispose()
    plain = table(url)
    assert plain_report.auto > 0 and plain_report.suggested > 0 and len(plain[0]) == plain_report.authorships

    threads = run_flow(folder, url, "[flows]\nattribute_batch_size = 40\n")
    assert (threads.auto, threads.suggested) == (plain_report.auto, plain_report.suggested)
    assert table(url) == plain

    dask = run_flow(folder, url, '[flows]\ntask_runner = "dask"\ndask_processes = false\nattribute_batch_size = 25\n')
    assert (dask.auto, dask.suggested, dask.unmatched) == (plain_report.auto, plain_report.suggested, plain_report.unmatched)
    assert table(url) == plain


def work_tables(url: str, clear: bool = True) -> tuple[dict, dict]:
    from ir.store.tables.works import work_members, works

    st = open_store(url)
    with st.begin() as conn:
        w = {r["work_id"]: {k: v for k, v in r.items() if k not in ("created_at", "updated_at")}
             for r in conn.execute(sa.select(works)).mappings()}
        m = {(r["source"], r["source_id"]): {k: v for k, v in r.items() if k != "added_at"}
             for r in conn.execute(sa.select(work_members)).mappings()}
        if clear:  # the next runner starts from nothing
            conn.execute(work_members.delete())
            conn.execute(works.delete())
    st.dispose()
    return w, m


def run_consolidate_flow(folder, url, config: str):
    from flows.stages import consolidate_flow

    cfg = folder / f"consolidate-{abs(hash(config))}.toml"
    cfg.write_text(config, encoding="utf-8")
    state = consolidate_flow(database_url=url, config_file=str(cfg), return_state=True)
    assert state.is_completed(), state.message
    return state.result()


def test_consolidate_flow_on_a_local_dask_cluster_gives_the_same_works(prefect, tmp_path, monkeypatch):
    from ir.consolidate import consolidate
    from ir.demo import generate
    from ir.ingest import ingest_paths

    monkeypatch.delenv("IR_TASK_RUNNER", raising=False)
    generate(tmp_path / "demo", works=150, people=100)
    url = f"sqlite:///{tmp_path / 'ir.sqlite'}"
    st = open_store(url)
    ingest_paths(st, [tmp_path / "demo" / "exports"])
    plain_report = consolidate(st)  # every record at once, in this process
    st.dispose()
    plain = work_tables(url)
    assert plain_report.works_created > 100 and len(plain[1]) == plain_report.records_considered

    threads = run_consolidate_flow(tmp_path, url, "[flows]\ndask_workers = 1\n")  # 3 partitions on threads
    assert (threads.works_created, threads.works_total) == (plain_report.works_created, plain_report.works_total)
    assert work_tables(url) == plain

    dask = run_consolidate_flow(  # 9 partitions on a local Dask cluster of three workers
        tmp_path, url, '[flows]\ntask_runner = "dask"\ndask_processes = false\ndask_workers = 3\n')
    assert (dask.works_created, dask.works_total, dask.records_considered) == (
        plain_report.works_created, plain_report.works_total, plain_report.records_considered)
    assert work_tables(url, clear=False) == plain

    again = run_consolidate_flow(tmp_path, url, '[flows]\ntask_runner = "dask"\ndask_processes = false\n')
    assert again.records_considered == 0 and again.works_total == plain_report.works_total  # nothing to do


def test_consolidate_flow_runs_one_task_per_partition(prefect, tmp_path, monkeypatch):
    from flows.stages import consolidate_partitions
    from ir.demo import generate
    from ir.ingest import ingest_paths

    monkeypatch.delenv("IR_TASK_RUNNER", raising=False)
    generate(tmp_path / "demo", works=60, people=50, seed=3)
    url = f"sqlite:///{tmp_path / 'ir.sqlite'}"
    st = open_store(url)
    ingest_paths(st, [tmp_path / "demo" / "exports"])
    st.dispose()
    cfg = tmp_path / "settings.toml"
    cfg.write_text("[flows]\ndask_workers = 2\n", encoding="utf-8")
    out = consolidate_partitions(database_url=url, config_file=str(cfg))
    assert 1 < out["partitions"] <= 6 and out["task_runner"] == "threads"
    assert out["report"].records_considered == sum(len(m) for m in [work_tables(url, clear=False)[1]])


def test_flow_settings_select_the_task_runner(tmp_path, monkeypatch):
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    from flows.common import make_task_runner
    from ir.settings import SettingsError, load

    conf = tmp_path / "ir.toml"
    conf.write_text('[flows]\ntask_runner = "dask"\ndask_address = "tcp://127.0.0.1:8786"\n', encoding="utf-8")
    assert isinstance(make_task_runner(load({}).flows), ThreadPoolTaskRunner)
    fs = load({}, conf).flows
    assert isinstance(make_task_runner(fs), DaskTaskRunner) and fs.dask_workers == 2
    assert load({"IR_TASK_RUNNER": "dask"}).flows.task_runner == "dask"  # the variable overrides the file
    assert load({"IR_TASK_RUNNER": "threads"}, conf).flows.task_runner == "threads"
    with pytest.raises(SettingsError, match="IR_TASK_RUNNER: 'ray' is not one of"):
        load({"IR_TASK_RUNNER": "ray"})
