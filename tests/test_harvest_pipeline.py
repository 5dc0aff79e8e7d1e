"""Harvested records in the pipeline: they consolidate with the file exports, enrichment fills what works
lack (with provenance), and the command line and the Prefect flow drive it. The APIs are the FAKE of
ir.harvest.fakeapi on 127.0.0.1, serving the demo institution's works."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ir.cli import app
from ir.harvest import enrich, harvest, people_with_orcid
from ir.harvest.fakeapi import DEMO_ROR, demo_corpus, serve
from ir.ingest import ingest_paths
from ir.store import open_store
from ir.store.tables.works import work_members, works

pytestmark = pytest.mark.slow
WORKS, PEOPLE, SEED = 60, 40, 11


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from ir.demo import generate

    folder = tmp_path_factory.mktemp("demo")
    generate(folder, works=WORKS, people=PEOPLE, seed=SEED)
    return folder


@pytest.fixture(scope="module")
def fake():
    with serve(demo_corpus(WORKS, PEOPLE, SEED)) as api:
        yield api


def settings(api, **values):
    return api.settings(**{"contact_email": "repository@library.example.edu", "ror": DEMO_ROR, "rows": 20,
                           "requests_per_second": 500, **values})


def consolidate(store):
    from ir.consolidate import consolidate as run

    return run(store)


def members(store) -> dict[str, set[str]]:
    with store.connect() as conn:
        rows = conn.execute(sa.select(work_members.c.work_id, work_members.c.source)).all()
    out: dict[str, set[str]] = {}
    for w, s in rows:
        out.setdefault(w, set()).add(s)
    return out


def test_harvested_records_join_the_works_of_the_exports_and_enrichment_fills_gaps(demo, fake, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'ir.sqlite'}")
    ingest_paths(store, [demo / "exports"])
    consolidate(store)
    works_before = len(members(store))
    rep = enrich(store, settings(fake))
    cr = next(r for r in rep.results if r.source == "crossref")
    oa = next(r for r in rep.results if r.source == "openalex")
    # what the works lacked and the APIs knew: ORCID iDs, funders, open-access status and licences
    assert cr.counts.new > 10 and cr.gains["funding"] == cr.counts.new and cr.gains["orcid"] > 0
    assert oa.gains["oa_status"] == oa.counts.new and oa.gains["license"] > 0
    assert cr.gains.get("not found", 0) > 0  # Chinese-language works' DOIs: the fake knows none of them
    consolidate(store)
    by_work = members(store)
    assert len(by_work) == works_before  # every record found a work of the exports: no new works
    enriched = [w for w, s in by_work.items() if "crossref" in s]
    assert len(enriched) == cr.counts.new and all(len(s) >= 3 for w, s in by_work.items() if w in enriched)
    with store.connect() as conn:
        doc = conn.execute(sa.select(works.c.data).where(works.c.work_id == enriched[0])).scalar()
    assert any(s["source"] == "crossref" for s in doc["sources"])

    again = enrich(store, settings(fake))
    assert again.totals.fetched == 0 and sum(r.requests for r in again.results) == 0  # nothing left to ask


def test_a_harvest_before_any_export_founds_works_that_the_exports_then_join(demo, fake, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'ir.sqlite'}")
    people = people_with_orcid(demo / "dictionaries")
    rep = harvest(store, settings(fake), people[:5])
    assert rep.status == "complete" and rep.totals.new > 0
    consolidate(store)
    harvested_works = len(members(store))
    ingest_paths(store, [demo / "exports"])
    consolidate(store)
    by_work = members(store)
    joined = [s for s in by_work.values() if {"crossref", "openalex"} <= s and s & {"wos", "ei", "cnki"}]
    alone = [w for w, s in by_work.items() if "crossref" in s and not s & {"wos", "ei", "cnki"}]
    extra = {w.doi.lower() for w in demo_corpus(WORKS, PEOPLE, SEED) if int(w.key[1:]) > WORKS}  # in no export
    with store.connect() as conn:
        alone_dois = {d for (d,) in conn.execute(sa.select(works.c.doi).where(works.c.work_id.in_(alone)))}
    assert alone_dois == extra and len(joined) == harvested_works - len(extra)


def test_ir_harvest_commands(demo, fake, tmp_path):
    config = tmp_path / "ir.toml"
    config.write_text(
        "[harvest]\n"
        f'crossref_url = "{fake.url}/crossref"\nopenalex_url = "{fake.url}/openalex"\norcid_url = "{fake.url}/orcid"\n'
        f'ror = "{DEMO_ROR}"\ncontact_email = "repository@library.example.edu"\nrequests_per_second = 500\n'
        "max_people = 3\n", encoding="utf-8")
    base = ["--database-url", f"sqlite:///{tmp_path / 'ir.sqlite'}", "--config", str(config),
            "--dictionaries", str(demo / "dictionaries")]
    runner = CliRunner()
    res = runner.invoke(app, base + ["harvest", "run", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["status"] == "complete" and out["totals"]["new"] > 0
    assert len([q for q in out["queries"] if q.get("person")]) == 3 * 2  # max_people, ORCID and OpenAlex each

    res = runner.invoke(app, base + ["harvest", "run"])
    assert res.exit_code == 0 and "harvest run" in res.stdout and "unchanged" in res.stdout
    res = runner.invoke(app, base + ["harvest", "doi", "10.9999/nobody.knows", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["queries"][0]["gains"] == {"not found": 1}
    res = runner.invoke(app, base + ["harvest", "status", "--json"])
    st = json.loads(res.stdout)
    assert [r["kind"] for r in st["runs"]] == ["doi", "harvest", "harvest"]
    assert {q["source"] for q in st["queries"]} == {"crossref", "openalex", "orcid"}
    assert runner.invoke(app, base + ["harvest", "status"]).exit_code == 0

    config.write_text('[harvest]\nror = "not a ror"\n', encoding="utf-8")
    res = runner.invoke(app, base + ["harvest", "run"])
    assert res.exit_code == 2 and f"{config}:2: [harvest] ror: 'not a ror': must be a ROR id" in res.output
    res = runner.invoke(app, base[:2] + ["harvest", "doi", "--source", "orcid", "10.9999/x"])  # an option too
    assert res.exit_code == 2 and "command line: [harvest] enrich_sources: 'orcid' is not one of" in res.output


@pytest.fixture(scope="module")
def prefect():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_harvest_flow_harvests_enriches_and_runs_the_pipeline(prefect, demo, fake, tmp_path):
    from flows.harvest import harvest_flow
    from tests.test_flows import artifacts_of

    url = f"sqlite:///{tmp_path / 'ir.sqlite'}"
    ingest_paths(open_store(url), [demo / "exports"])
    state = harvest_flow(database_url=url, dictionaries=str(demo / "dictionaries"), return_state=True,
                         overrides={"crossref_url": f"{fake.url}/crossref", "openalex_url": f"{fake.url}/openalex",
                                    "orcid_url": f"{fake.url}/orcid", "ror": DEMO_ROR, "max_people": 4,
                                    "contact_email": "repository@library.example.edu", "requests_per_second": 500})
    assert state.is_completed(), state.message
    result = state.result()
    # the institution's query brought Crossref's and OpenAlex's record of every work of ours: nothing left to
    # look up by DOI but the Chinese-language works' DOIs (not found), so no second consolidation
    assert list(result["timings"]) == ["harvest", "consolidate", "enrich", "attribute", "tag", "index"]
    assert result["enrich"]["totals"]["new"] == 0 and result["enrich"]["totals"]["skipped"] > 0
    assert result["harvest"]["totals"]["new"] > 0
    arts = artifacts_of(state.state_details.flow_run_id)
    assert {"ir-harvest", "ir-enrich", "ir-consolidate", "ir-run-summary"} <= set(arts)
    with open_store(url).connect() as conn:
        sources = {s for (s,) in conn.execute(sa.select(work_members.c.source).distinct())}
    assert {"crossref", "openalex", "orcid", "wos"} <= sources


def test_serve_flows_deploys_harvest_on_its_cron_schedule(tmp_path):
    from ir.cli.commands.flows import deployments
    from ir.config import Settings

    config = tmp_path / "ir.toml"
    config.write_text('[harvest]\nschedule_cron = "30 2 * * 1"\n', encoding="utf-8")
    deps = deployments(Settings(database_url="sqlite:///x.sqlite", config_file=config), tmp_path, 60, 3)
    harvest_dep = next(d for d in deps if d.flow_name == "harvest")
    assert harvest_dep.name == "scheduled" and harvest_dep.schedules[0].schedule.cron == "30 2 * * 1"
    assert harvest_dep.parameters["database_url"] == "sqlite:///x.sqlite"
    assert harvest_dep.concurrency_limit == 1  # one harvest at a time: a late one is cancelled, not queued
    config.write_text("[harvest]\nschedule_interval = 900\n", encoding="utf-8")
    deps = deployments(Settings(database_url="sqlite:///x.sqlite", config_file=config), tmp_path, 60, 3)
    harvest_dep = next(d for d in deps if d.flow_name == "harvest")
    assert harvest_dep.schedules[0].schedule.interval.total_seconds() == 900
