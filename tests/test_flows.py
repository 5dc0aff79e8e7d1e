"""The Prefect flows, run for real (prefect_test_harness: a temporary Prefect server and database)."""

from __future__ import annotations

import os
import shutil

import pytest
import sqlalchemy as sa

from ir.store import open_store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prefect():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from ir.demo import generate

    folder = tmp_path_factory.mktemp("demo")
    generate(folder, works=60, people=60, seed=11)
    return folder


def counts(url: str) -> dict:
    st = open_store(url)
    with st.connect() as conn:
        out = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
               for t in ("source_records", "quarantine", "works", "work_members", "authorships", "work_tags")}
    st.dispose()
    return out


def artifacts_of(flow_run_id) -> dict:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async def read():
        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))

    import asyncio

    return {a.key: a for a in asyncio.run(read())}


def run_pipeline(demo, url, **extra):
    from flows.pipeline import pipeline_flow

    return pipeline_flow(paths=[str(demo / "exports")], database_url=url,
                         dictionaries=str(demo / "dictionaries"), return_state=True, **extra)


def test_pipeline_flow_runs_every_stage_and_publishes_what_librarians_read(prefect, demo, tmp_path):
    url = f"sqlite:///{tmp_path / 'ir.sqlite'}"
    state = run_pipeline(demo, url)
    assert state.is_completed(), state.message
    summary = state.result()
    assert list(summary["timings"]) == ["ingest", "consolidate", "attribute", "tag", "index"]
    truth_records = sum(1 for _ in open(demo / "truth" / "records.csv", encoding="utf-8")) - 1
    assert sum(f["stored"] for f in summary["files"]) == truth_records

    arts = artifacts_of(state.state_details.flow_run_id)
    assert {"ir-ingest", "ir-consolidate", "ir-attribute", "ir-tag", "ir-index", "ir-run-summary"} <= set(arts)
    assert arts["ir-ingest"].type == "table" and arts["ir-run-summary"].type == "markdown"
    assert "Needs a person's attention" in arts["ir-run-summary"].data
    c = counts(url)
    assert c["source_records"] == truth_records and c["works"] > 0 and c["authorships"] > 0

    again = run_pipeline(demo, url)  # the same files again: nothing changes
    assert again.is_completed() and counts(url) == c


def test_a_flow_checks_the_whole_configuration_at_entry_and_writes_nothing(prefect, demo, tmp_path):
    conf = tmp_path / "ir.toml"
    conf.write_text("[search]\nbatch_size = 500\n\n[consolidate]\nmatch_treshold = 4.0\n", encoding="utf-8")
    state = run_pipeline(demo, f"sqlite:///{tmp_path / 'ir.sqlite'}", config_file=str(conf))
    assert state.is_failed()
    assert f"{conf}:5: [consolidate] match_treshold: unknown key (did you mean match_threshold?)" in state.message
    assert not (tmp_path / "ir.sqlite").exists()


def test_a_run_with_the_search_engine_down_fails_before_writing_anything(prefect, demo, tmp_path):
    url = f"sqlite:///{tmp_path / 'ir.sqlite'}"
    conf = tmp_path / "ir.toml"
    conf.write_text("[search]\nmax_retries = 1\n", encoding="utf-8")
    failed = run_pipeline(demo, url, search_url="http://127.0.0.1:9", config_file=str(conf))  # nothing listens there
    assert failed.is_failed() and "Elasticsearch at http://127.0.0.1:9" in failed.message
    assert all(n == 0 for n in counts(url).values())


class FirstConnectionOnly:
    """A TCP forwarder to a real server that lets one connection through (the run's check of the search
    engine) and drops every later one: the engine goes away in the middle of a run."""

    def __init__(self, target: tuple[str, int]):
        import socket
        import threading

        self.target, self.sock = target, socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        import socket
        import threading

        from test_search import DelayedForwarder

        first = True
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if not first:
                client.close()
                continue
            first = False
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=DelayedForwarder._pipe, args=(a, b), daemon=True).start()


@pytest.mark.es
def test_a_run_failed_in_the_middle_can_be_rerun_and_finishes_without_duplicates(prefect, demo, tmp_path):
    import uuid
    from urllib.parse import urlparse

    from conftest import need_service

    es = urlparse(need_service("Elasticsearch (IR_TEST_ES_URL)", os.environ.get("IR_TEST_ES_URL")))
    conf = tmp_path / "ir.toml"
    conf.write_text(f'[search]\nindex_alias = "irtest-flows-{uuid.uuid4().hex[:8]}"\nreplicas = 0\n'
                    "max_retries = 1\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'ir.sqlite'}"
    gone = FirstConnectionOnly((es.hostname, es.port))
    failed = run_pipeline(demo, url, search_url=f"http://127.0.0.1:{gone.port}", config_file=str(conf))
    assert failed.is_failed()
    c_failed = counts(url)
    assert c_failed["works"] > 0  # the stages before indexing did their work

    rerun = run_pipeline(demo, url, search_url=f"http://{es.hostname}:{es.port}", config_file=str(conf))
    try:
        assert rerun.is_completed(), rerun.message
        clean_url = f"sqlite:///{tmp_path / 'clean.sqlite'}"
        assert run_pipeline(demo, clean_url).is_completed()
        assert counts(url) == counts(clean_url)
    finally:
        from ir.search import open_backend
        from ir.settings import load

        backend = open_backend(load({}, conf, database_url=url, search_url=f"http://{es.hostname}:{es.port}"))
        backend.drop()
        backend.close()


def test_inbox_flow_moves_processed_and_rejected_files(prefect, demo, tmp_path):
    from flows.pipeline import inbox_flow

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wos = sorted((demo / "exports").rglob("*.txt"))[0]
    shutil.copy(wos, inbox / wos.name)
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    past = os.path.getmtime(inbox / wos.name) - 60
    for p in inbox.iterdir():
        os.utime(p, (past, past))
    url = f"sqlite:///{tmp_path / 'ir.sqlite'}"
    result = inbox_flow(inbox=str(inbox), settle_seconds=1, database_url=url,
                        dictionaries=str(demo / "dictionaries"))
    moved = {os.path.basename(m["from"]): m for m in result["moved"]}
    assert moved[wos.name]["rejected"] is False and "/processed/" in moved[wos.name]["to"]
    assert moved["scan.pdf"]["rejected"] is True
    assert (inbox / "rejected" / "scan.pdf.reason.txt").read_text().startswith("scan.pdf: binary file")
    assert not (inbox / wos.name).exists()
    assert counts(url)["source_records"] > 0
    assert inbox_flow(inbox=str(inbox), settle_seconds=1, database_url=url)["files"] == []  # nothing left


def test_report_flow_writes_the_extract_and_snapshots_it(prefect, demo, tmp_path):
    from flows.report import report_flow

    url = f"sqlite:///{tmp_path / 'ir.sqlite'}"
    assert run_pipeline(demo, url).is_completed()
    from ir.report import extract_years

    year = extract_years(open_store(url))[-1]
    state = report_flow(year=year, out=str(tmp_path / "extract.xlsx"), database_url=url, return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    assert (tmp_path / "extract.xlsx").stat().st_size > 0 and result["snapshot"] >= 1
    arts = artifacts_of(state.state_details.flow_run_id)
    assert {"ir-report", "ir-report-summary"} <= set(arts)
    assert result["departments"][-1]["department"].startswith("Institution")


def test_serve_flows_deploys_the_inbox_on_a_schedule_and_every_flow_on_demand(tmp_path):
    from ir.cli.commands.flows import deployments
    from ir.config import Settings

    deps = deployments(Settings(database_url="sqlite:///x.sqlite"), tmp_path, interval=120, settle_seconds=3)
    names = {(d.flow_name, d.name) for d in deps}
    assert names == {("ir-inbox", "inbox"), ("ir-pipeline", "on-demand"), ("ingest", "on-demand"),
                     ("consolidate", "on-demand"), ("attribute", "on-demand"), ("tag", "on-demand"),
                     ("index", "on-demand"), ("report", "on-demand"), ("harvest", "scheduled")}
    inbox = next(d for d in deps if d.name == "inbox")
    assert inbox.schedules[0].schedule.interval.total_seconds() == 120
    assert inbox.parameters["inbox"] == str(tmp_path) and inbox.parameters["settle_seconds"] == 3
