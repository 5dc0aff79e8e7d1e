"""OAI-PMH 2.0 at /oai, tested the way aggregators use it: a harvester library from PyPI (Sickle) against
the running server (uvicorn on a free port), every response validated against the OAI-PMH schema and the
metadata formats' schemas (schemas/oai: OAI-PMH.xsd, oai_dc.xsd with simpledc, MODS 3.7)."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time

import pytest
import requests
import sqlalchemy as sa
from lxml import etree
from sickle import Sickle
from sickle import oaiexceptions as oaierr

from ir.store import open_store
from ir.store.tables.works import works
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
OAI = "{http://www.openarchives.org/OAI/2.0/}"
MODS = "{http://www.loc.gov/mods/v3}"
REPO = "repo.hut.example.edu"
SCHEMAS = ROOT / "schemas" / "oai"
LOCAL = {"http://dublincore.org/schemas/xmls/simpledc20021212.xsd": SCHEMAS / "simpledc20021212.xsd",
         "http://www.w3.org/2001/03/xml.xsd": SCHEMAS / "xml.xsd"}


class _Local(etree.Resolver):
    """The imports oai_dc.xsd and simpledc make by URL, answered from schemas/oai (no network here)."""

    def resolve(self, url, pubid, context):
        return self.resolve_filename(str(LOCAL[url]), context) if url in LOCAL else None


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Local())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "all.xsd"), parser))


def valid(schema, body: bytes) -> etree._Element:
    doc = etree.fromstring(body)
    assert schema.validate(doc), f"{schema.error_log}\n{body[:3000]!r}"
    return doc


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    """The demo institution through the pipeline, enriched from the (fake) APIs, two works merged."""
    from ir import pipeline
    from ir.config import Settings
    from ir.consolidate import merge
    from ir.demo import generate
    from ir.harvest import enrich
    from ir.harvest.fakeapi import demo_corpus, serve

    folder = tmp_path_factory.mktemp("oai")
    generate(folder, works=60, people=40, seed=11)
    cfg = Settings(database_url=f"sqlite:///{folder / 'ir.sqlite'}", dictionaries=folder / "dictionaries")
    store = open_store(cfg.database_url)
    pipeline.run(store, cfg, [folder / "exports"])
    with serve(demo_corpus(60, 40, 11)) as api:
        enrich(store, api.settings(requests_per_second=500, contact_email="repository@library.example.edu"))
    pipeline.consolidate(store, cfg)
    pipeline.attribute(store, cfg)
    with store.connect() as conn:
        a, b = conn.execute(sa.select(works.c.work_id).where(works.c.status == "active", works.c.doi.is_(None))
                            .order_by(works.c.work_id).limit(2)).scalars().all()
    time.sleep(1.1)  # the merge is the only change from this second on
    before_merge = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    kept = merge(store, [a, b], actor="librarian")
    gone = b if kept == a else a
    return {"store": store, "cfg": cfg, "gone": gone, "kept": kept, "merged_at": before_merge}


@pytest.fixture(scope="module")
def server(repository, tmp_path_factory):
    """``/oai`` of the web app, its [oai] section from a settings file (checked with the rest when the
    configuration is loaded; the app takes it once, when it is created)."""
    import uvicorn

    from ir.web.app import WebConfig, create_app

    conf = tmp_path_factory.mktemp("oai-settings") / "ir.toml"
    conf.write_text(f'[oai]\nrepository_identifier = "{REPO}"\npage_size = 7\nadmin_email = "oai@hut.example.edu"\n',
                    encoding="utf-8")
    cfg = repository["cfg"].with_overrides(config_file=conf)
    assert cfg.oai.page_size == 7
    app = create_app(cfg, web=WebConfig(secret_key="t" * 32), store=repository["store"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/oai"
    srv.should_exit = True
    thread.join(10)


def counts(repository) -> tuple[int, int]:
    with repository["store"].connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(works)).scalar()
        active = conn.execute(sa.select(sa.func.count()).select_from(works).where(works.c.status == "active")).scalar()
    return total, active


def pages(url: str, schema, **params):
    """Every page of a list, following resumption tokens by hand, each page validated."""
    out = []
    while True:
        doc = valid(schema, requests.get(url, params=params, timeout=30).content)
        out.append(doc)
        token = doc.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            return out
        params = {"verb": params["verb"], "resumptionToken": token.text}


def test_identify_and_formats(server, schema):
    h = Sickle(server)
    ident = h.Identify()
    assert (ident.repositoryName, ident.protocolVersion, ident.deletedRecord, ident.granularity) == (
        "ir institutional repository", "2.0", "persistent", "YYYY-MM-DDThh:mm:ssZ")
    assert ident.baseURL == server and ident.adminEmail == "oai@hut.example.edu"
    valid(schema, requests.get(server, params={"verb": "Identify"}, timeout=30).content)
    assert {f.metadataPrefix for f in h.ListMetadataFormats()} == {"oai_dc", "mods"}
    valid(schema, requests.post(server, data={"verb": "ListMetadataFormats"}, timeout=30).content)


def test_sets_per_department_and_year(server, schema, repository):
    h = Sickle(server)
    specs = {s.setSpec for s in h.ListSets()}
    assert {"dept", "year", "dept:HUT", "dept:HUT-CHE", "year:2021"} <= specs
    valid(schema, requests.get(server, params={"verb": "ListSets"}, timeout=30).content)
    chem = list(h.ListIdentifiers(metadataPrefix="oai_dc", set="dept:HUT-CHE"))
    everyone = list(h.ListIdentifiers(metadataPrefix="oai_dc", set="dept:HUT"))  # the university: every unit
    assert chem and all("dept:HUT-CHE" in x.setSpecs for x in chem)
    assert {x.identifier for x in chem} < {x.identifier for x in everyone}
    y2021 = list(h.ListIdentifiers(metadataPrefix="mods", set="year:2021"))
    assert y2021 and all("year:2021" in x.setSpecs for x in y2021)
    with repository["store"].connect() as conn:
        n2021 = conn.execute(sa.select(sa.func.count()).select_from(works).where(works.c.year == 2021)).scalar()
    assert len(y2021) == n2021


def test_list_records_pages_through_every_work_with_deleted_ones(server, schema, repository):
    total, active = counts(repository)
    records = list(Sickle(server).ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert len(records) == total and len({r.header.identifier for r in records}) == total
    deleted = [r for r in records if r.header.deleted]
    assert len(deleted) == total - active and f"oai:{REPO}:{repository['gone']}" in {r.header.identifier for r in deleted}
    live = next(r for r in records if not r.header.deleted and r.metadata.get("identifier"))
    assert live.metadata["title"] and live.metadata["type"][0] == "Text"

    docs = pages(server, schema, verb="ListRecords", metadataPrefix="oai_dc")
    tokens = [d.find(f".//{OAI}resumptionToken") for d in docs]
    assert len(docs) == -(-total // 7)
    assert [int(t.get("cursor")) for t in tokens] == [7 * n for n in range(len(docs))]
    assert {t.get("completeListSize") for t in tokens} == {str(total)}
    assert tokens[-1].text is None and all(t.get("expirationDate") for t in tokens[:-1])


def test_mods_records_carry_names_identifiers_host_and_what_enrichment_brought(server, schema):
    docs = pages(server, schema, verb="ListRecords", metadataPrefix="mods")
    mods = [m for d in docs for m in d.iter(f"{MODS}mods")]
    assert len(mods) > 20
    with_doi = [m for m in mods if m.find(f"{MODS}identifier[@type='doi']") is not None]
    assert with_doi
    assert any(m.find(f"{MODS}name/{MODS}nameIdentifier[@type='orcid']") is not None for m in with_doi)
    assert any(m.find(f"{MODS}accessCondition[@type='use and reproduction']") is not None for m in with_doi)
    assert any(m.find(f"{MODS}note[@type='funding']") is not None for m in with_doi)
    assert any(m.find(f"{MODS}name/{MODS}affiliation") is not None for m in mods)
    host = with_doi[0].find(f"{MODS}relatedItem[@type='host']")
    assert host is not None and host.findtext(f"{MODS}titleInfo/{MODS}title")
    assert any("crossref:" in m.findtext(f"{MODS}recordInfo/{MODS}recordOrigin") for m in with_doi)


def test_get_record_and_a_deleted_one(server, schema, repository):
    h = Sickle(server)
    ident = f"oai:{REPO}:{repository['kept']}"
    for prefix in ("oai_dc", "mods"):
        body = requests.get(server, params={"verb": "GetRecord", "identifier": ident, "metadataPrefix": prefix},
                            timeout=30).content
        valid(schema, body)
        assert h.GetRecord(identifier=ident, metadataPrefix=prefix).header.identifier == ident
    gone = h.GetRecord(identifier=f"oai:{REPO}:{repository['gone']}", metadataPrefix="mods")
    assert gone.header.deleted
    with pytest.raises(oaierr.IdDoesNotExist):
        h.GetRecord(identifier=f"oai:{REPO}:WNOSUCHWORK", metadataPrefix="oai_dc")
    with pytest.raises(oaierr.CannotDisseminateFormat):
        h.GetRecord(identifier=ident, metadataPrefix="marc21")


def test_selective_harvesting_by_datestamp(server, schema, repository):
    since = repository["merged_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = list(Sickle(server).ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False, **{"from": since}))
    assert {x.identifier for x in changed} == {f"oai:{REPO}:{repository['gone']}", f"oai:{REPO}:{repository['kept']}"}
    day = dt.date.today().isoformat()
    with pytest.raises(oaierr.NoRecordsMatch):
        list(Sickle(server).ListIdentifiers(metadataPrefix="oai_dc", until="2000-01-01"))
    with pytest.raises(oaierr.BadArgument):
        list(Sickle(server).ListIdentifiers(metadataPrefix="oai_dc", until=day, **{"from": since}))  # granularities


@pytest.mark.parametrize("params,code", [
    ({}, "badVerb"),
    ({"verb": "ListEverything"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "Identify", "set": "dept"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-45"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-01", "until": "2024-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "dept:NOWHERE"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "eyJ2IjoiTGlzdFJlY29yZHMifQ.0000000000"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere:1", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "oai:elsewhere:1"}, "idDoesNotExist"),
])
def test_errors_are_the_protocols_and_valid(server, schema, params, code):
    for response in (requests.get(server, params=params, timeout=30), requests.post(server, data=params, timeout=30)):
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
        doc = valid(schema, response.content)
        assert doc.find(f"{OAI}error").get("code") == code
        if code in ("badVerb", "badArgument"):
            assert not doc.find(f"{OAI}request").attrib  # only a valid request's arguments are echoed


def test_a_token_of_one_list_is_refused_by_another_verb(server, schema):
    doc = valid(schema, requests.get(server, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
                                     timeout=30).content)
    token = doc.find(f".//{OAI}resumptionToken").text
    other = valid(schema, requests.get(server, params={"verb": "ListRecords", "resumptionToken": token},
                                       timeout=30).content)
    assert other.find(f"{OAI}error").get("code") == "badResumptionToken"


def test_lists_and_tokens_on_both_databases(store, schema):
    """The keyset pages and their tokens on SQLite and PostgreSQL, without the pipeline: a few works."""
    from ir.store.engine import utcnow
    from ir.web.oai import OaiSettings, respond

    t = utcnow().replace(microsecond=0)
    rows = [{"work_id": f"W{i:04d}", "status": "active" if i != 3 else "split", "title": f"T{i}", "year": 2020 + i % 2,
             "data": {"title": f"T{i}", "year": 2020 + i % 2}, "content_hash": str(i), "created_at": t,
             "updated_at": t - dt.timedelta(seconds=i // 2)} for i in range(7)]  # pairs share a datestamp
    with store.begin() as conn:
        conn.execute(works.insert(), rows)
    cfg = OaiSettings(page_size=2, repository_identifier=REPO)
    seen, args = [], [("verb", "ListRecords"), ("metadataPrefix", "mods")]
    while True:
        doc = valid(schema, respond(store, cfg, "http://x/oai", args))
        seen += [h.findtext(f"{OAI}identifier") for h in doc.iter(f"{OAI}header")]
        token = doc.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            break
        args = [("verb", "ListRecords"), ("resumptionToken", token.text)]
    expected = sorted(rows, key=lambda r: (r["updated_at"], r["work_id"]))
    assert seen == [f"oai:{REPO}:{r['work_id']}" for r in expected]
    y = valid(schema, respond(store, cfg, "http://x/oai", [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"),
                                                          ("set", "year:2021")]))
    assert len(list(y.iter(f"{OAI}header"))) == 2 and y.find(f".//{OAI}resumptionToken").get("completeListSize") == "3"




# ------------------------------------------------------------------------------ works that leave and come back

def consolidated(store, folder):
    """A small demo institution's exports, ingested and consolidated into ``store``."""
    from ir.consolidate import consolidate
    from ir.demo import generate
    from ir.ingest import ingest_paths

    generate(folder, works=20, people=20, seed=3)
    ingest_paths(store, [folder / "exports"])
    consolidate(store)


def listed_from(store, since: dt.datetime) -> dict[str, bool]:
    """work id -> deleted?, for every header of ListIdentifiers from ``since`` (all pages)."""
    from ir.web.oai import OaiSettings, respond, stamp

    cfg = OaiSettings(repository_identifier=REPO, page_size=1000)
    doc = etree.fromstring(respond(store, cfg, "http://x/oai", [("verb", "ListIdentifiers"),
                                                                 ("metadataPrefix", "oai_dc"), ("from", stamp(since))]))
    assert doc.find(f".//{OAI}resumptionToken") is None or not doc.find(f".//{OAI}resumptionToken").text
    return {h.findtext(f"{OAI}identifier").rsplit(":", 1)[1]: h.get("status") == "deleted"
            for h in doc.iter(f"{OAI}header")}


def a_second_later() -> dt.datetime:
    """Now, one whole second after the last change (datestamps are seconds)."""
    time.sleep(1.1)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def active_pair(store) -> tuple[str, str]:
    with store.connect() as conn:
        return tuple(conn.execute(sa.select(works.c.work_id).where(works.c.status == "active")
                                  .order_by(works.c.work_id).limit(2)).scalars())


def test_a_work_merged_away_then_split_back_is_listed_again_after_the_merge(store, tmp_path):
    """A librarian merges two works by mistake, then splits the records back out: a harvester asking for
    what changed since the merge sees both works again, as live records (the records come back under the
    split's new id; the merged id stays a deleted record, dated at the merge)."""
    from ir.consolidate import consolidate, merge, split
    from ir.store.tables.works import work_members

    consolidated(store, tmp_path)
    a, b = active_pair(store)
    with store.connect() as conn:
        members = {w: [(s, i) for s, i in conn.execute(sa.select(work_members.c.source, work_members.c.source_id)
                                                       .where(work_members.c.work_id == w))] for w in (a, b)}
    merged_at = a_second_later()
    kept = merge(store, [a, b], actor="librarian", note="the same paper?")
    gone = b if kept == a else a
    after_merge = a_second_later()
    assert listed_from(store, after_merge) == {}
    back = split(store, kept, members[gone], actor="librarian", note="not the same paper after all")
    consolidate(store)  # a later run keeps the split
    assert listed_from(store, after_merge) == {kept: False, back: False}
    assert listed_from(store, merged_at)[gone] is True


def test_a_retired_work_that_comes_back_is_listed_again(store, tmp_path):
    """Consolidation re-activates a retired work whose records still belong to it when they are read again
    (a re-downloaded export, where only Web of Science's usage counts differ: the work's document is the
    same). It is active again *and* changed now: a harvester asking for what changed since it was deleted
    must see it come back, not keep it deleted. (No operation of ir is known to leave such a work; the
    re-activation exists for it, and this is how it must end.)"""
    from ir.consolidate import consolidate
    from ir.ingest import ingest_paths
    from ir.store.tables.ingest import ingest_batches, source_records
    from ir.store.tables.works import work_members

    consolidated(store, tmp_path)
    export = next((tmp_path / "exports" / "wos").glob("*.txt"))
    with store.connect() as conn:
        wid = conn.execute(sa.select(work_members.c.work_id).join(source_records, sa.and_(
            source_records.c.source == work_members.c.source, source_records.c.source_id == work_members.c.source_id))
            .join(ingest_batches, ingest_batches.c.id == source_records.c.batch_id)
            .where(ingest_batches.c.path == str(export)).order_by(work_members.c.work_id).limit(1)).scalar()
        other = next(w for w in active_pair(store) if w != wid)
    retired_at = a_second_later()
    with store.begin() as conn:  # retired into another work, its records left with it
        conn.execute(works.update().where(works.c.work_id == wid).values(status="merged", merged_into=other,
                                                                            updated_at=retired_at))
    since = a_second_later()
    assert wid not in listed_from(store, since)
    again = tmp_path / f"again-{export.name}"
    again.write_text(re.sub(r"^U1 (\d+)$", lambda m: f"U1 {int(m.group(1)) + 7}",
                            export.read_text(encoding="utf-8-sig"), flags=re.M), encoding="utf-8")
    ingest_paths(store, [again])
    consolidate(store)
    with store.connect() as conn:
        assert conn.execute(sa.select(works.c.status).where(works.c.work_id == wid)).scalar() == "active"
    assert listed_from(store, since)[wid] is False
