"""Harvesting through the live code path (requests session -> real HTTP) against a local server.

The server is ir.harvest.fakeapi: a FAKE of the outside APIs (Crossref, OpenAlex, ORCID) on 127.0.0.1,
serving their documented shapes with cursors, Retry-After, timeouts, malformed bodies and records that
change. Every test runs on SQLite and on the real PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

import multiprocessing
import time

import sqlalchemy as sa

from ir.harvest import HarvestSettings, harvest, harvest_dois, people_with_orcid, status
from ir.harvest.fakeapi import DEMO_ROR, Fault, FakeAuthor, FakeWork, serve
from ir.settings import load
from ir.store.tables.harvest import harvest_cursors, harvest_runs
from ir.store.tables.ingest import quarantine, source_records

ROR = "https://ror.org/0abcde012"
ORCID_A = "0000-0002-1825-0097"


def corpus(n: int = 25) -> list[FakeWork]:
    works = []
    for i in range(n):
        ours = FakeAuthor("San", "Zhang", ORCID_A if i % 2 == 0 else None, "School of Chemistry, Example University",
                          ROR, "Example University", "CN", corresponding=True)
        other = FakeAuthor("Maria", "Silva", None, "Universidade Federal do Pará, Belém, Brazil")
        works.append(FakeWork(key=f"K{i:03d}", title=f"Study number {i} of porous frameworks", year=2020 + i % 4,
                              doi=f"10.5555/example.{i:03d}", journal="Journal of Examples", issn="1234-5679",
                              publisher="Example Press", volume=str(10 + i % 3), first_page=str(100 + i),
                              last_page=str(110 + i), authors=[ours, other], abstract=f"Abstract of study {i}.",
                              funders=[("National Natural Science Foundation of China", "10.13039/501100001809",
                                        [f"2177{i:04d}"])], updated="2024-01-15"))
    return works


def fast(api, **values) -> HarvestSettings:
    """Settings pointing at the fake, with small pages and short waits (the politeness is the same code)."""
    base = dict(contact_email="repository@library.example.edu", ror=ROR, rows=10, requests_per_second=200,
                backoff_factor=0.05, timeout_read=2.0, page_attempts=2, retries=3)
    return api.settings(**{**base, **values})


def stored(store, source: str) -> dict[str, dict]:
    with store.connect() as conn:
        rows = conn.execute(sa.select(source_records.c.source_id, source_records.c.data)
                            .where(source_records.c.source == source)).all()
    return {sid: data for sid, data in rows}


def cursor_row(store, source: str) -> dict:
    with store.connect() as conn:
        return dict(conn.execute(sa.select(harvest_cursors).where(harvest_cursors.c.source == source)).one()._mapping)


def by_source(report) -> dict:
    return {(r.source, r.query): r for r in report.results}


def test_pages_through_cursors_politely_and_says_what_it_fetched(store):
    with serve(corpus(25)) as api:
        rep = harvest(store, fast(api), sources=["crossref", "openalex"])
        cr = by_source(rep)[("crossref", f"ror:{ROR}")]
        oa = by_source(rep)[("openalex", f"ror:{ROR}")]
        assert (cr.status, cr.counts.fetched, cr.counts.new, cr.pages) == ("complete", 25, 25, 4)  # 10+10+5+empty
        assert (oa.status, oa.counts.fetched, oa.counts.new, oa.pages) == ("complete", 25, 25, 3)
        assert len(stored(store, "openalex")) == 25
        calls = api.seen("/crossref/works")
        assert [c.params["cursor"] for c in calls][0] == "*" and len({c.params["cursor"] for c in calls}) == 4
        assert all(c.params["mailto"] == "repository@library.example.edu" for c in calls)
        assert all("mailto:repository@library.example.edu" in c.headers["User-Agent"] for c in api.requests)
        assert calls[0].params["filter"] == f"ror-id:{ROR}" and calls[0].params["rows"] == "10"
        assert api.seen("/openalex/works")[0].params["filter"] == f"authorships.institutions.ror:{ROR}"
        rec = stored(store, "crossref")["10.5555/example.003"]
        assert rec["titles"][0]["text"] == "Study number 3 of porous frameworks"
        assert rec["funding"] == ["National Natural Science Foundation of China [21770003]"]
        assert rec["raw"]["ror"] == [ROR]

        again = harvest(store, fast(api), sources=["crossref", "openalex"])
        cr2 = by_source(again)[("crossref", f"ror:{ROR}")]
        assert cr2.counts.fetched == 0 and cr2.counts.new == 0  # nothing changed since the last pass
        since = api.seen("/crossref/works")[-1].params["filter"]
        assert since.startswith(f"ror-id:{ROR},from-update-date:")
    runs = status(store)["runs"]
    assert [r["status"] for r in runs[:2]] == ["complete", "complete"] and runs[1]["new"] == 25 + 25


def test_a_record_changed_since_the_last_harvest_is_fetched_again_and_updated(store):
    works = corpus(12)
    with serve(works) as api:
        s = fast(api, sources=("crossref", "orcid"))
        harvest(store, s, [("P1", ORCID_A)])
        api.change("K004", title="Study number 4 of porous frameworks (corrected)")
        rep = harvest(store, s, [("P1", ORCID_A)])
        cr = by_source(rep)[("crossref", f"ror:{ROR}")]
        assert (cr.counts.fetched, cr.counts.updated, cr.counts.new) == (1, 1, 0)
        assert stored(store, "crossref")["10.5555/example.004"]["titles"][0]["text"].endswith("(corrected)")
        oc = by_source(rep)[("orcid", f"orcid:{ORCID_A}")]
        # ORCID: only the group modified since the last run is fetched in full; the five others are skipped
        assert (oc.counts.fetched, oc.counts.updated, oc.counts.skipped) == (1, 1, 5)
        bulk = api.seen(f"/orcid/{ORCID_A}/works/")[-1].path
        assert bulk.rsplit("/", 1)[-1] == str(works[4].put_code(ORCID_A))


def test_429_and_5xx_are_retried_with_backoff_and_retry_after_is_obeyed(store):
    with serve(corpus(5)) as api:
        api.inject("/crossref/works", Fault.of_status(429, retry_after=1), Fault.of_status(503))
        rep = harvest(store, fast(api), sources=["crossref"])
        assert rep.status == "complete" and rep.totals.new == 5
        first, second, third = api.seen("/crossref/works")[:3]
        assert (first.status, second.status, third.status) == (429, 503, 200)
        assert second.at - first.at >= 1.0  # Retry-After: 1 was waited for


def test_a_read_timeout_is_retried(store):
    with serve(corpus(25)) as api:
        api.inject("/crossref/works", Fault.delay(0), Fault.delay(1.5))  # page 2 answers too late once
        rep = harvest(store, fast(api, timeout_read=0.5), sources=["crossref"])
        assert rep.status == "complete" and rep.totals.new == 25
        assert len(api.seen("/crossref/works")) == 5  # 4 pages, one of them asked twice


def test_a_query_that_keeps_failing_stops_and_resumes_next_run_from_its_cursor(store):
    with serve(corpus(25)) as api:
        api.inject("/crossref/works", Fault.delay(0), *[Fault.of_status(503)] * 3)  # page 2 fails past the retries
        rep = harvest(store, fast(api, retries=2), sources=["crossref"])
        res = rep.results[0]
        assert res.status == "failed" and "503" in res.error and rep.status == "failed"
        assert any("503" in note for note in rep.attention())
        kept = cursor_row(store, "crossref")
        assert kept["cursor"] and kept["pass_fetched"] == 10
        with store.connect() as conn:
            assert conn.execute(sa.select(harvest_runs.c.status).order_by(harvest_runs.c.id.desc())).scalar() == "failed"

        rep = harvest(store, fast(api), sources=["crossref"])
        assert api.seen("/crossref/works")[4].params["cursor"] == kept["cursor"]  # resumed, not restarted
        assert rep.status == "complete" and rep.totals.fetched == 15
        assert cursor_row(store, "crossref")["cursor"] is None


def test_malformed_json_is_asked_again_and_a_page_that_stays_broken_is_quarantined(store):
    with serve(corpus(15)) as api:
        api.inject("/crossref/works", Fault.malformed())
        rep = harvest(store, fast(api), sources=["crossref"])
        assert rep.status == "complete" and rep.totals.new == 15

    with serve(corpus(15)) as api:
        api.inject("/crossref/works", Fault.malformed(), Fault.malformed())  # page_attempts=2: both broken
        rep = harvest(store, fast(api), sources=["crossref"])
        res = rep.results[0]
        assert res.status == "failed" and "not valid JSON" in res.error and res.counts.failed == 1
        with store.connect() as conn:
            q = conn.execute(sa.select(quarantine.c.reason, quarantine.c.raw, quarantine.c.field)).all()
        assert len(q) == 1 and q[0].field == "page" and q[0].raw.startswith('{"status": "ok"')
        assert harvest(store, fast(api), sources=["crossref"]).status == "complete"  # the next run is fine


def test_a_bounded_run_stops_at_max_records_and_an_expired_cursor_restarts_the_pass(store):
    with serve(corpus(25)) as api:
        rep = harvest(store, fast(api, max_records=10), sources=["crossref"])
        assert rep.results[0].status == "partial" and rep.totals.new == 10
        assert any("max_records" in note for note in rep.attention())
        api.expire_cursors()  # Crossref's cursors expire after minutes without use
        rep = harvest(store, fast(api), sources=["crossref"])
        calls = api.seen("/crossref/works")
        assert len(calls) == 1 + 1 + 4 and calls[1].status == 400 and calls[2].params["cursor"] == "*"  # the old cursor, then the pass anew
        assert rep.results[0].status == "complete"
        assert (rep.totals.new, rep.totals.unchanged) == (15, 10)
        assert len(stored(store, "crossref")) == 25


def _harvest_in_child(url: str, base: str) -> None:  # runs in a spawned process: the one killed
    from ir.harvest import harvest as run
    from ir.store import open_store

    run(open_store(url), HarvestSettings(crossref_url=f"{base}/crossref", ror=ROR, rows=10, requests_per_second=200,
                                         contact_email="repository@library.example.edu"), sources=["crossref"])


def test_a_run_killed_mid_harvest_resumes_at_the_page_it_had_not_stored(store):
    with serve(corpus(35)) as api:
        api.inject("/crossref/works", Fault.delay(0), Fault.delay(0), Fault.delay(60))  # page 3 hangs
        child = multiprocessing.get_context("spawn").Process(target=_harvest_in_child, args=(store.url, api.url))
        child.start()
        deadline = time.monotonic() + 60
        while len(api.seen("/crossref/works")) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        child.kill()  # a crash: no exception handler, no clean-up
        child.join()
        assert len(stored(store, "crossref")) == 20
        saved = cursor_row(store, "crossref")["cursor"]
        with store.connect() as conn:
            assert conn.execute(sa.select(harvest_runs.c.status)).scalar() == "running"  # it never finished

        rep = harvest(store, fast(api), sources=["crossref"])
        assert api.seen("/crossref/works")[3].params["cursor"] == saved
        assert rep.status == "complete" and (rep.totals.fetched, rep.totals.new) == (15, 15)
        assert len(stored(store, "crossref")) == 35


def test_people_csv_orcid_ids_drive_per_person_harvesting(store, tmp_path):
    (tmp_path / "organizations.csv").write_text("org_id,parent_id,name_zh,name_en,variants\nU,,示例大学,Example University,\n",
                                                encoding="utf-8")
    (tmp_path / "people.csv").write_text(
        "person_id,name_zh,name_en,variants,org_id,email,orcid,role,start_year,end_year\n"
        f"P1,张三,Zhang San,,U,,https://orcid.org/{ORCID_A},faculty,2010,\n"
        "P2,李四,Li Si,,U,,,faculty,2010,\n", encoding="utf-8")
    people = people_with_orcid(tmp_path)
    assert people == [("P1", ORCID_A)]
    with serve(corpus(8)) as api:
        rep = harvest(store, fast(api), people, institution=False)
        assert {(r.source, r.query, r.label) for r in rep.results} == {
            ("orcid", f"orcid:{ORCID_A}", "P1"), ("openalex", f"orcid:{ORCID_A}", "P1")}
        assert api.seen("/openalex/works")[0].params["filter"] == f"author.orcid:{ORCID_A}"
        works = stored(store, "orcid")
        assert len(works) == 4 and all(w["raw"]["orcid.owner"] == [ORCID_A] for w in works.values())
        assert {a["orcid"] for w in works.values() for a in w["authors"]} == {ORCID_A, None}


def test_harvest_by_doi_and_the_not_found(store):
    with serve(corpus(3)) as api:
        rep = harvest_dois(store, fast(api), ["https://doi.org/10.5555/EXAMPLE.001", "10.9999/nobody.knows"])
        cr, oa = rep.results
        assert (cr.source, cr.counts.new, cr.gains["not found"]) == ("crossref", 1, 1)
        assert (oa.source, oa.counts.new, oa.gains["not found"]) == ("openalex", 1, 1)
        assert set(stored(store, "crossref")) == {"10.5555/example.001"}
        assert api.seen("/openalex/works/")[0].path == "/openalex/works/https://doi.org/10.5555/example.001"


def test_settings_defaults_and_lists(tmp_path):
    """[harvest] as the configuration loads it (its errors: tests/test_settings.py)."""
    path = tmp_path / "ir.toml"
    path.write_text('[harvest]\nror = "0ABCDE012"\nper_person = ["orcid"]\n', encoding="utf-8")
    hs = load({}, path).harvest
    assert hs.ror_url == "https://ror.org/0abcde012" and hs.per_person == ("orcid",)
    assert hs.agent() == hs.user_agent and HarvestSettings(contact_email="a@b.org").agent().endswith("(mailto:a@b.org)")
    assert DEMO_ROR.startswith("https://ror.org/")
