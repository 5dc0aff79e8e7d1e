"""Attribution end to end on the store (SQLite and PostgreSQL): decisions, evidence, locks, re-runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ir import audit
from ir.attribute import (
    AttributeSettings, attribute, claim, confirm, export_fields, reassign, reject, review_queue,
    suggestions_for_person, unmatched_authors,
)
from ir.attribute.align import align
from ir.model import Affiliation, Author, Record
from ir.store.engine import utcnow
from ir.store.tables.attribution import authorships, dict_people
from ir.store.tables.ingest import ingest_batches, source_records
from ir.store.tables.works import work_members, works

ORGS = """org_id,parent_id,name_zh,name_en,variants
DUT,,大连理工大学,Dalian University of Technology,Dalian Univ Technol
DUT-CHE,DUT,化工学院,School of Chemical Engineering,Sch Chem Engn|化工海洋与生命学院
DUT-FC,DUT-CHE,精细化工国家重点实验室,State Key Laboratory of Fine Chemicals,State Key Lab Fine Chem
DUT-MAT,DUT,材料科学与工程学院,School of Materials Science and Engineering,Sch Mat Sci & Engn|材料学院
DUT-CS,DUT,计算机科学与技术学院,School of Computer Science and Technology,Sch Comp Sci & Technol
"""
PEOPLE = """person_id,name_zh,name_en,variants,org_id,email,orcid,role,start_year,end_year,supervisor_id
P1,张三,"Zhang, San",,DUT-CHE,zhangsan@dlut.edu.cn,,faculty,2005,,
P2,王伟,"Wang, Wei",,DUT-MAT,wangwei1@dlut.edu.cn,,faculty,2008,,
P3,王伟,"Wang, Wei",,DUT-MAT,wangwei2@dlut.edu.cn,,faculty,2012,,
P4,李娜,"Li, Na",,DUT-CHE,,,faculty,2010,2016,
P4,李娜,"Li, Na",,DUT-CS,,,faculty,2017,,
P5,单志刚,"Shan, Zhigang",,DUT-FC,,0000-0002-1825-0097,faculty,2010,,
P6,陈晨,"Chen, Chen",,DUT-FC,,,student,2018,2023,P5
P7,刘洋,"Liu, Yang",,DUT-CS,,,faculty,2000,2010,
P8,陈晨,"Chen, Chen",,DUT-FC,,,student,2019,2024,
"""


def write_dicts(tmp_path: Path, orgs: str = ORGS, people: str = PEOPLE) -> Path:
    folder = tmp_path / "dictionaries"
    folder.mkdir()
    (folder / "organizations.csv").write_text(orgs, encoding="utf-8")
    (folder / "people.csv").write_text(people, encoding="utf-8")
    return folder


@pytest.fixture
def dicts(tmp_path) -> Path:
    return write_dicts(tmp_path)


def add_work(store, work_id: str, year: int, records: list[Record]) -> None:
    now = utcnow()
    with store.begin() as conn:
        batch = conn.execute(sa.select(ingest_batches.c.id)).scalar()
        if batch is None:
            batch = conn.execute(ingest_batches.insert().values(
                sha256="0" * 64, path="test", size_bytes=1, ingested_at=now)).inserted_primary_key[0]
        conn.execute(works.insert().values(work_id=work_id, status="active", title=records[0].title, year=year,
                                           data={}, content_hash=work_id, created_at=now, updated_at=now))
        for i, r in enumerate(records):
            conn.execute(source_records.insert().values(
                source=r.source, source_id=r.source_id, batch_id=batch, record_no=i + 1, format=r.source,
                content_hash=r.content_hash(), data=r.to_dict(), first_seen=now, updated_at=now))
            conn.execute(work_members.insert().values(source=r.source, source_id=r.source_id, work_id=work_id,
                                                      added_at=now))


def wos(source_id, authors, c1, year=2020, title="A study"):
    """authors: (AF, AU, [address indexes], email, corresponding)"""
    from ir.model import Title
    return Record(source="wos", source_id=source_id, year=year, titles=[Title(title)],
                  affiliations=[Affiliation(t) for t in c1],
                  authors=[Author(position=i, name=af, full_name=af, abbreviated=au, affiliations=affs,
                                  email=email, corresponding=corr)
                           for i, (af, au, affs, email, corr) in enumerate(authors, 1)])


DUT_CHE = "Dalian Univ Technol, Sch Chem Engn, Dalian 116024, Peoples R China"
DUT_MAT = "Dalian Univ Technol, Sch Mat Sci & Engn, Dalian 116024, Peoples R China"
DUT_FC = "Dalian Univ Technol, State Key Lab Fine Chem, Dalian 116024, Peoples R China"
DMU = "Dalian Med Univ, Dept Oncol, Dalian 116044, Peoples R China"
TONGJI = "Tongji Univ, Sch Chem Sci & Engn, Shanghai 200092, Peoples R China"


def rows(store, work_id):
    with store.connect() as conn:
        return {r.position: r for r in conn.execute(
            sa.select(authorships).where(authorships.c.work_id == work_id).order_by(authorships.c.position))}


def test_ours_external_and_lookalikes(store, dicts):
    add_work(store, "W1", 2020, [wos("WOS:1", [
        ("Zhang, San", "Zhang, S", [0], None, True),
        ("Zhang, San", "Zhang, S", [1], None, False),  # a namesake at Dalian Medical University
        ("Smith, John", "Smith, J", [2], None, False),
    ], [DUT_CHE, DMU, TONGJI])])
    rep = attribute(store, dicts)
    r = rows(store, "W1")
    assert (r[1].status, r[1].person_id, r[1].org_id, r[1].is_ours) == ("auto", "P1", "DUT-CHE", True)
    assert r[1].is_first and r[1].is_corresponding and not r[2].is_corresponding
    assert (r[2].status, r[2].person_id, r[2].is_ours) == ("external", None, False)
    assert r[3].status == "external"
    ev = r[1].evidence
    assert ev["candidates"][0]["person_id"] == "P1" and ev["candidates"][0]["points"]["dept"] == 2.0
    assert ev["addresses"][0]["org_id"] == "DUT-CHE" and ev["sources"] == [["wos", "WOS:1", 1]]
    assert (rep.authorships, rep.ours, rep.auto, rep.external) == (3, 1, 1, 2)


def test_namesakes_in_one_department_are_never_auto_linked_on_the_name(store, dicts):
    add_work(store, "W2", 2020, [wos("WOS:2", [("Wang, Wei", "Wang, W", [0], None, False)], [DUT_MAT])])
    add_work(store, "W3", 2020, [wos("WOS:3", [("Wang, Wei", "Wang, W", [0], "wangwei2@dlut.edu.cn", True)], [DUT_MAT])])
    attribute(store, dicts)
    w2, w3 = rows(store, "W2")[1], rows(store, "W3")[1]
    assert w2.status == "suggested" and w2.person_id in ("P2", "P3")
    assert "people within" in w2.evidence["decision"]
    assert (w3.status, w3.person_id) == ("auto", "P3")  # the e-mail decides
    assert w3.evidence["candidates"][0]["points"]["email"] == 5.0


def test_department_moves_follow_the_year(store, dicts):
    add_work(store, "W4", 2014, [wos("WOS:4", [("Li, Na", "Li, N", [0], None, False)], [DUT_CHE])])
    add_work(store, "W5", 2019, [wos("WOS:5", [("Li, Na", "Li, N", [0], None, False)],
                                     ["Dalian Univ Technol, Sch Comp Sci & Technol, Dalian, Peoples R China"])])
    attribute(store, dicts)
    assert (rows(store, "W4")[1].person_id, rows(store, "W4")[1].org_id) == ("P4", "DUT-CHE")
    assert (rows(store, "W5")[1].person_id, rows(store, "W5")[1].org_id) == ("P4", "DUT-CS")
    assert rows(store, "W5")[1].status == "auto"


def test_appointment_years_outside_the_work_count_against(store, dicts):
    add_work(store, "W6", 2022, [wos("WOS:6", [("Liu, Yang", "Liu, Y", [0], None, False)],
                                     ["Dalian Univ Technol, Sch Comp Sci & Technol, Dalian, Peoples R China"])])
    attribute(store, dicts)
    r = rows(store, "W6")[1]
    assert r.status in ("suggested", "unmatched") and r.status != "auto"
    assert r.evidence["candidates"][0]["points"]["years"] == -3.0


def test_unknown_author_of_ours_is_unmatched_with_the_unit(store, dicts):
    add_work(store, "W7", 2020, [wos("WOS:7", [("Qian, Duoduo", "Qian, D", [0], None, False)], [DUT_FC])])
    attribute(store, dicts)
    r = rows(store, "W7")[1]
    assert (r.status, r.person_id, r.org_id, r.is_ours) == ("unmatched", None, "DUT-FC", True)
    assert unmatched_authors(store)[0]["name"] == "Qian, Duoduo"


def test_cnki_and_wos_align_and_unlinked_organs(store, dicts):
    w = wos("WOS:8", [("Shan, Zhigang", "Shan, ZG", [0], None, True), ("Chen, Chen", "Chen, C", [0], None, False)],
            [DUT_FC], year=2020)
    cnki = Record(source="cnki", source_id="CJFD:8", year=2020,
                  affiliations=[Affiliation("大连理工大学精细化工国家重点实验室"), Affiliation("大连医科大学")],
                  authors=[Author(1, "单志刚", name_zh="单志刚"), Author(2, "陈晨", name_zh="陈晨")])
    add_work(store, "W8", 2020, [cnki, w])
    # a CNKI-only work: organs not linked to authors (two organs, two authors)
    # (the list follows the byline: the first organ is the first author's)
    cnki2 = Record(source="cnki", source_id="CJFD:9", year=2021,
                   affiliations=[Affiliation("大连医科大学"), Affiliation("大连理工大学化工学院")],
                   authors=[Author(1, "赵敏", name_zh="赵敏"), Author(2, "张三", name_zh="张三"),
                            Author(3, "孙丽", name_zh="孙丽")])
    add_work(store, "W9", 2021, [cnki2])
    attribute(store, dicts)
    r = rows(store, "W8")
    assert (r[1].person_id, r[1].status, r[1].name_zh) == ("P5", "auto", "单志刚")
    assert {tuple(s) for s in r[1].evidence["sources"]} == {("wos", "WOS:8", 1), ("cnki", "CJFD:8", 1)}
    # two students named 陈晨 in the laboratory: the one whose supervisor is an author of the work
    assert (r[2].person_id, r[2].status) == ("P6", "auto")
    assert r[2].evidence["candidates"][0]["points"].get("supervisor") == 1.5
    r9 = rows(store, "W9")
    assert (r9[1].status, r9[1].is_ours) == ("external", False)  # at the first organ, not ours
    assert r9[2].person_id == "P1" and r9[2].evidence["unlinked_addresses"] is True
    assert r9[2].evidence["candidates"][0]["points"]["unlinked_address"] < 0
    # the organ list is partly ours, but no 孙丽 among our people: nothing says this author is ours
    assert (r9[3].status, r9[3].is_ours) == ("external", False)


def test_rerun_changes_nothing_and_locks_hold(store, dicts):
    add_work(store, "W2", 2020, [wos("WOS:2", [("Wang, Wei", "Wang, W", [0], None, False),
                                               ("Zhang, San", "Zhang, S", [0], None, False)], [DUT_MAT])])
    attribute(store, dicts)
    again = attribute(store, dicts)
    assert again.written == 0 and again.removed == 0
    suggested = rows(store, "W2")[1]
    wrong = suggested.person_id
    other = ({"P2", "P3"} - {wrong}).pop()
    # the suggestion goes to both namesakes: one says "not mine", it stays the other's suggestion
    reject(store, "W2", 1, wrong, actor="wang", role="faculty")
    r = rows(store, "W2")[1]
    assert (r.status, r.person_id, r.locked, r.rejected_ids) == ("suggested", other, False, [wrong])
    assert [s["work_id"] for s in suggestions_for_person(store, wrong)] == []
    after = attribute(store, dicts)
    r = rows(store, "W2")[1]
    assert r.person_id == other and r.rejected_ids == [wrong] and not r.locked
    assert wrong not in {c["person_id"] for c in r.evidence["candidates"]}
    # the last person a suggestion goes to rejects it: locked as rejected, kept by re-runs
    if r.status == "auto":
        wrong, other = other, wrong
    reject(store, "W2", 1, r.person_id, actor="wang", role="faculty")
    after = attribute(store, dicts)
    r = rows(store, "W2")[1]
    assert (r.status, r.locked) == ("rejected", True) and set(r.rejected_ids) >= {wrong}
    assert after.rejected_kept == 1 and after.written == 0
    other = ({"P2", "P3"} - {r.person_id}).pop() if r.person_id else other
    reassign(store, "W2", 1, other, actor="librarian1", role="librarian")
    attribute(store, dicts)
    r = rows(store, "W2")[1]
    assert (r.status, r.person_id, r.decided_by, r.org_id) == ("claimed", other, "librarian1", "DUT-MAT")
    assert wrong in r.rejected_ids
    with store.connect() as conn:
        log = audit.entries(conn, object_type="authorship", object_id="W2:1")
    assert [e["action"] for e in log] == ["reassign", "reject", "reject"]
    assert log[0]["before"]["status"] == "rejected" and log[0]["after"]["person_id"] == other


def test_claim_confirm_and_review_queries(store, dicts):
    add_work(store, "W2", 2020, [wos("WOS:2", [("Wang, Wei", "Wang, W", [0], None, False)], [DUT_MAT])])
    add_work(store, "W7", 2020, [wos("WOS:7", [("Zhang, S", "Zhang, S", [0], None, False)], [DUT_CHE])])
    attribute(store, dicts)
    queue = review_queue(store, limit=10)
    assert {(q["work_id"], q["position"]) for q in queue} == {("W2", 1), ("W7", 1)}
    assert all(q["evidence"]["candidates"] for q in queue)
    pid = rows(store, "W7")[1].person_id
    assert pid == "P1"
    assert [s["work_id"] for s in suggestions_for_person(store, "P1")] == ["W7"]
    confirm(store, "W7", 1, actor="lib", role="librarian")
    claim(store, "W2", 1, "P2", actor="p2", role="faculty")
    assert review_queue(store) == [] and suggestions_for_person(store, "P1") == []
    rep = attribute(store, dicts)
    assert rep.claimed_kept == 2 and rep.written == 0
    assert (rows(store, "W2")[1].status, rows(store, "W2")[1].person_id) == ("claimed", "P2")


def test_export_fields(store, dicts):
    add_work(store, "W1", 2020, [wos("WOS:1", [("Zhang, San", "Zhang, S", [0], None, True),
                                               ("Smith, John", "Smith, J", [1], None, False)], [DUT_CHE, TONGJI])])
    attribute(store, dicts)
    with store.connect() as conn:
        out = export_fields(conn, ["W1", "W-none"])
    assert out["W-none"] == {"authors": []}
    assert out["W1"]["authors"] == [
        {"position": 1, "name": "Zhang, San", "person_id": "P1", "org_id": "DUT-CHE", "corresponding": True, "status": "auto"},
        {"position": 2, "name": "Smith, John", "person_id": None, "org_id": None, "corresponding": False, "status": None},
    ]


def test_dictionary_snapshot_follows_the_csv(store, dicts):
    attribute(store, dicts)
    with store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(dict_people)).scalar() == 9
    (dicts / "people.csv").write_text("\n".join(PEOPLE.splitlines()[:3]) + "\n", encoding="utf-8")
    rep = attribute(store, dicts)
    with store.connect() as conn:
        assert conn.execute(sa.select(dict_people.c.person_id)).scalars().all() == ["P1", "P2"]
    assert rep.people == 2


def test_settings_come_from_the_settings_file(tmp_path):
    from ir.settings import load

    path = tmp_path / "ir.toml"
    path.write_text("[attribute]\nauto_min = 7.5\n", encoding="utf-8")
    assert load({}, path).attribute == AttributeSettings(auto_min=7.5)


def test_align_by_name_when_lists_differ():
    w = wos("WOS:1", [("Zhang, San", "Zhang, S", [0], None, False), ("Li, Na", "Li, N", [0], None, False),
                      ("Wang, Wei", "Wang, W", [0], None, False)], [DUT_CHE]).to_dict()
    cnki = Record(source="cnki", source_id="C1", authors=[Author(1, "王伟", name_zh="王伟"),
                                                          Author(2, "张三", name_zh="张三")]).to_dict()
    out = align([cnki, w])
    assert [a.name_zh for a in out] == ["张三", None, "王伟"]
    assert out[2].sources == [("wos", "WOS:1", 3), ("cnki", "C1", 1)]


def test_cli_attribute_review_and_dictionaries_check(tmp_path, dicts):
    import json

    from typer.testing import CliRunner

    from ir.cli import app
    from ir.store import open_store

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    st = open_store(url)
    add_work(st, "W2", 2020, [wos("WOS:2", [("Wang, Wei", "Wang, W", [0], None, False),
                                            ("Qian, Duoduo", "Qian, D", [0], None, False)], [DUT_MAT])])
    st.dispose()
    runner = CliRunner()
    base = ["--database-url", url, "--dictionaries", str(dicts)]
    res = runner.invoke(app, base + ["attribute", "--json"])
    assert res.exit_code == 0, res.output
    counts = json.loads(res.output)
    assert (counts["ours"], counts["suggested"], counts["unmatched"]) == (2, 1, 1)
    res = runner.invoke(app, base + ["review", "--json", "--limit", "5"])
    review = json.loads(res.output)
    assert review["suggestions"][0]["name"] == "Wang, Wei" and review["unmatched"][0]["name"] == "Qian, Duoduo"
    res = runner.invoke(app, base + ["review"])
    assert res.exit_code == 0 and "Qian, Duoduo" in res.output
    assert runner.invoke(app, base + ["dictionaries", "check"]).exit_code == 0
    (dicts / "people.csv").write_text(PEOPLE + "P9,钱多多,\"Qian, Duoduo\",,DUT-XX,,,faculty,2019,,\n", encoding="utf-8")
    res = runner.invoke(app, base + ["dictionaries", "check"])
    assert res.exit_code == 1 and "people.csv:11 [org_id]: unknown org_id 'DUT-XX'" in res.output


def test_cnki_position_guess_that_is_not_ours_falls_back_to_the_other_organs(store, dicts):
    # three authors, three organs: the parser links them by position, but CNKI lists organs, not authors'
    # (the first organ is the first author's whatever the guess: the case is the second author's)
    cnki = Record(source="cnki", source_id="CJFD:10", year=2020,
                  affiliations=[Affiliation("大连医科大学"), Affiliation("同济大学化学科学与工程学院"),
                                Affiliation("大连理工大学化工学院")],
                  authors=[Author(1, "孙丽", name_zh="孙丽", affiliations=[0]),
                           Author(2, "张三", name_zh="张三", affiliations=[1]),
                           Author(3, "赵敏", name_zh="赵敏", affiliations=[2])])
    # the same guess from WoS would be trusted: WoS links authors to addresses itself
    w = wos("WOS:10", [("Zhang, San", "Zhang, S", [0], None, False)], [TONGJI])
    add_work(store, "W10", 2020, [cnki])
    add_work(store, "W11", 2020, [w])
    attribute(store, dicts)
    r = rows(store, "W10")
    assert r[1].status == "external"
    # the organs left are not linked to anyone: the name alone is a suggestion
    assert (r[2].person_id, r[2].status, r[2].evidence["unlinked_addresses"]) == ("P1", "suggested", True)
    assert r[3].status == "unmatched"  # linked to our organ by the guess, and no such person
    assert rows(store, "W11")[1].status == "external"
