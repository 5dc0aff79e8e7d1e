"""Attribution through the Prefect flow, its batches on a local Dask cluster: the same authorships as the
default task runner and as plain ``attribute()`` (a temporary Prefect server via prefect_test_harness)."""

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


def test_flow_settings_select_the_task_runner(tmp_path, monkeypatch):
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    from flows.common import FlowSettings, make_task_runner
    from ir.settings_file import SettingsError

    monkeypatch.delenv("IR_TASK_RUNNER", raising=False)
    assert isinstance(make_task_runner(FlowSettings.load(data={})), ThreadPoolTaskRunner)
    fs = FlowSettings.load(data={"flows": {"task_runner": "dask", "dask_address": "tcp://127.0.0.1:8786"}})
    assert isinstance(make_task_runner(fs), DaskTaskRunner) and fs.dask_workers == 2
    monkeypatch.setenv("IR_TASK_RUNNER", "dask")
    assert FlowSettings.load(data={}).task_runner == "dask"
    monkeypatch.setenv("IR_TASK_RUNNER", "ray")
    with pytest.raises(SettingsError):
        FlowSettings.load(data={})
