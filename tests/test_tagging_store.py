"""The tag stage on the store (SQLite and PostgreSQL): tags, indexes, export fields, highly-cited history, CLI."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from typer.testing import CliRunner

from ir.cli import app
from ir.store.tables.ingest import ingest_batches, source_records
from ir.store.tables.tagging import highly_cited_history, journal_list_entries, work_indexes, work_tags
from ir.store.tables.works import work_members, works
from ir.tagging import TagSettings, export_fields, highly_cited_status, load_esi_list, tag

JOURNALS = """\
list,year,issn,eissn,title,value,category
jcr,2021,0002-7863,1520-5126,Journal of the American Chemical Society,Q1,"Chemistry, Multidisciplinary"
jcr,2021,0935-9648,1521-4095,Advanced Materials,Q1,"Materials Science, Multidisciplinary"
jcr,2021,0935-9648,1521-4095,Advanced Materials,Q1,"Nanoscience & Nanotechnology"
jcr,2021,0935-9648,1521-4095,Advanced Materials,Q2,"Physics, Applied"
jcr,2023,0935-9648,1521-4095,Advanced Materials,Q1,"Materials Science, Multidisciplinary"
jcr,2021,0002-7864,,Broken Journal,Q3,Physics
cas,2021,0002-7863,,Journal of the American Chemical Society,1区,化学
esi,2021,0935-9648,,Advanced Materials,Materials Science,
pku_core,2020,1000-9825,,软件学报,,
cscd,2021,1000-9825,,软件学报,核心库,
institution,2019,0002-7863,,Journal of the American Chemical Society,A,
"""

NOW = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.timezone.utc)


def _work(work_id, year, data, status="active", doi=None):
    return {"work_id": work_id, "status": status, "title": data.get("title"), "year": year, "doi": doi,
            "doc_type": data.get("doc_type"), "data": {"year": year, **data}, "content_hash": work_id,
            "created_at": NOW, "updated_at": NOW}


WORKS = [
    _work("W1", 2022, {"journal": {"title": "JOURNAL OF THE AMERICAN CHEMICAL SOCIETY", "abbreviation": "J AM CHEM SOC",
                                    "issn": "0002-7863", "eissn": "1520-5126"},
                       "categories": ["Chemistry, Multidisciplinary"], "indexes": ["SCIE"], "highly_cited": True,
                       "sources": [{"source": "wos", "source_id": "WOS:000700000000001"}]}, doi="10.1021/jacs.2c00001"),
    _work("W2", 2022, {"journal": {"title": "ADVANCED MATERIALS", "issn": "09359648"},
                       "categories": ["Materials Science, Multidisciplinary", "Physics, Applied"],
                       "indexes": ["Science Citation Index Expanded (SCI-EXPANDED)", "Compendex"],
                       "classification_codes": ["761", "951"],
                       "sources": [{"source": "wos", "source_id": "WOS:000700000000002"}, {"source": "ei", "source_id": "20220000001"}]},
          doi="10.1002/adma.202200002"),
    _work("W3", 2021, {"journal": {"title": "软件学报", "cn": "11-2560/TP"}, "clc_codes": ["TP311"],
                       "sources": [{"source": "cnki", "source_id": "RJXB202101001"}]}),
    _work("W4", 2022, {"journal": {"title": "Journal of Obscure Studies", "issn": "1234-5679"},
                       "categories": ["Oncology"], "indexes": ["ESCI"]}),
    _work("W5", 2022, {"doc_type": "proceedings paper", "indexes": ["CPCI-S"]}),
    _work("W6", 2022, {"journal": {"issn": "0002-7863"}}, status="merged"),
]


def _seed(store, tmp_path):
    (tmp_path / "dict").mkdir(exist_ok=True)
    (tmp_path / "dict" / "journals.csv").write_text(JOURNALS, encoding="utf-8")
    with store.begin() as conn:
        conn.execute(works.insert(), WORKS)
        batch = conn.execute(ingest_batches.insert().values(sha256="f" * 64, path="/exports/savedrecs-2024-03.txt",
                                                            format="wos-plain", size_bytes=1, ingested_at=NOW)).inserted_primary_key[0]
        for n, (wid, ut, hc) in enumerate([("W1", "WOS:000700000000001", True), ("W2", "WOS:000700000000002", None)], 1):
            conn.execute(source_records.insert().values(
                source="wos", source_id=ut, batch_id=batch, record_no=n, format="wos-plain", content_hash=ut,
                data={"source": "wos", "source_id": ut, "highly_cited": hc, "doi": None}, first_seen=NOW, updated_at=NOW))
            conn.execute(work_members.insert().values(source="wos", source_id=ut, work_id=wid, added_at=NOW))
    return tmp_path / "dict"


def _rows(store, table, *cols):
    with store.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(*[table.c[c] for c in cols])))


def test_tag_end_to_end(store, tmp_path):
    folder = _seed(store, tmp_path)
    report = tag(store, folder)
    assert (report.works, report.tagged, report.untagged, report.no_journal) == (5, 3, 2, 1)
    assert report.per_list == {"cas": 1, "clc": 1, "cscd": 1, "ei_class": 1, "esi": 3, "institution": 1, "jcr": 2, "pku_core": 1}
    assert report.matched_by["jcr"] == {"issn": 2}
    assert report.journals_not_found == [{"journal": "Journal of Obscure Studies", "issn": "1234-5679", "eissn": None,
                                          "cn": None, "works": 1}]
    assert [(p.line, p.column) for p in report.dictionary_problems] == [(7, "issn")]
    assert report.indexes == {"SCIE": 2, "ESCI": 1, "CPCI-S": 1, "EI": 1, "CSCD": 1, "PKU": 1}
    assert report.highly_cited == 1
    assert report.editions["jcr"] == [2021, 2023]

    tags = _rows(store, work_tags, "work_id", "list", "category", "value", "edition_year", "matched_by", "best")
    assert [t for t in tags if t[0] == "W2"] == [
        ("W2", "ei_class", "76", "Electrical engineering", None, "code", True),
        ("W2", "ei_class", "95", "Engineering general", None, "code", False),
        ("W2", "esi", "", "Materials Science", 2021, "issn", True),  # the list wins over the categories
        ("W2", "jcr", "Materials Science, Multidisciplinary", "Q1", 2021, "issn", True),  # 2022 paper: 2021 edition
        ("W2", "jcr", "Nanoscience & Nanotechnology", "Q1", 2021, "issn", False),
        ("W2", "jcr", "Physics, Applied", "Q2", 2021, "issn", False),
    ]
    assert not any(t[0] == "W6" for t in tags)  # merged works are not tagged

    with store.connect() as conn:
        fields = export_fields(conn, ["W1", "W2", "W3", "W5", "W-none"])
        evidence = conn.execute(sa.select(work_tags.c.evidence).where(work_tags.c.work_id == "W1", work_tags.c.list == "jcr")).scalar_one()
        loaded = conn.execute(sa.select(sa.func.count()).select_from(journal_list_entries)).scalar_one()
    assert fields == {
        "W1": {"tags": {"cas": "1", "esi": "Chemistry", "institution": "A", "jcr": "Q1"}, "indexes": ["SCIE"]},
        "W2": {"tags": {"ei_class": "Electrical engineering", "esi": "Materials Science", "jcr": "Q1"}, "indexes": ["SCIE", "EI"]},
        "W3": {"tags": {"clc": "自动化技术、计算机技术", "cscd": "core", "pku_core": "core"}, "indexes": ["CSCD", "PKU"]},
        "W5": {"tags": {}, "indexes": ["CPCI-S"]},
        "W-none": {"tags": {}, "indexes": []},
    }
    assert evidence["issn"] == "0002-7863" and evidence["edition"] == 2021 and evidence["line"] == 2
    assert loaded == 11


def test_tag_is_idempotent_and_follows_settings(store, tmp_path):
    folder = _seed(store, tmp_path)
    tag(store, folder)
    cols = ("work_id", "list", "category", "value", "edition_year", "matched_by", "best")
    first = _rows(store, work_tags, *cols), _rows(store, work_indexes, "work_id", "index_code", "derived_from")
    tag(store, folder)
    assert (_rows(store, work_tags, *cols), _rows(store, work_indexes, "work_id", "index_code", "derived_from")) == first
    assert len(_rows(store, highly_cited_history, "record_key", "flag", "snapshot_date")) == 1

    tag(store, folder, TagSettings(edition_rule="latest"))
    jcr = [t for t in _rows(store, work_tags, *cols) if t[1] == "jcr" and t[0] == "W2"]
    assert jcr == [("W2", "jcr", "Materials Science, Multidisciplinary", "Q1", 2023, "issn", True)]


def test_wos_highly_cited_flag_is_history_with_the_export_date(store, tmp_path):
    folder = _seed(store, tmp_path)
    tag(store, folder)
    rows = _rows(store, highly_cited_history, "record_key", "flag", "snapshot_date", "work_id", "source", "source_file")
    assert rows == [("ut:WOS:000700000000001", "hc", dt.date(2024, 3, 1), "W1", "wos-field", "/exports/savedrecs-2024-03.txt")]


def test_esi_lists_across_two_snapshots(store, tmp_path):
    folder = _seed(store, tmp_path)
    first = tmp_path / "esi-hcp-2023-11.csv"
    first.write_text(
        "Highly Cited Papers\n"
        "Accession Number,DOI,Article Name,Research Field\n"
        "000700000000002,10.1002/ADMA.202200002,Some paper,MATERIALS SCIENCE\n"
        ",https://doi.org/10.1021/jacs.2c00001,Another,CHEMISTRY\n"
        "WOS:000799999999999,,Not ours yet,PHYSICS\n"
        "garbage,not a doi,x,y\n"
        "Copyright 2023 Clarivate\n", encoding="utf-8")
    second = tmp_path / "esi-hcp-2024-01.csv"
    second.write_text("UT,DOI\nWOS:000700000000002,\n", encoding="utf-8")

    r1 = load_esi_list(store, first, "2023-11-09")
    assert (r1.flag, r1.stored, r1.matched_works) == ("hc", 3, 2)
    assert [(p.line, p.column) for p in r1.problems] == [(6, "UT/DOI")]
    r2 = load_esi_list(store, second, dt.date(2024, 1, 11))
    assert (r2.stored, r2.matched_works) == (1, 1)
    assert load_esi_list(store, second, dt.date(2024, 1, 11)).stored == 1  # reloading a snapshot changes nothing

    with store.connect() as conn:
        status = highly_cited_status(conn, ["W1", "W2", "W3"])
    assert status["W2"] == {"hc": {"since": dt.date(2023, 11, 9), "last_seen": dt.date(2024, 1, 11), "snapshots": 2}}
    assert status["W1"] == {"hc": {"since": dt.date(2023, 11, 9), "last_seen": dt.date(2023, 11, 9), "snapshots": 1}}
    assert "W3" not in status

    # the paper not yet in the store is kept, and joins its work once that work exists
    with store.begin() as conn:
        conn.execute(works.insert(), [_work("W9", 2023, {"journal": {"issn": "0935-9648"}})])
        conn.execute(work_members.insert().values(source="wos", source_id="WOS:000799999999999", work_id="W9", added_at=NOW))
    tag(store, folder)
    with store.connect() as conn:
        assert highly_cited_status(conn, ["W9"])["W9"]["hc"]["since"] == dt.date(2023, 11, 9)
        assert highly_cited_status(conn, ["W1"])["W1"]["hc"]["snapshots"] == 2  # + its WoS HC flag of 2024-03-01


def test_cli(store, tmp_path, samples):
    folder = _seed(store, tmp_path)
    runner = CliRunner()
    base = ["--database-url", store.url, "--dictionaries", str(folder)]

    result = runner.invoke(app, [*base, "tag", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tagged"] == 3
    result = runner.invoke(app, [*base, "tag"])
    assert result.exit_code == 0 and "Journal of Obscure Studies" in result.stdout

    result = runner.invoke(app, [*base, "journals", "check", "--json"])
    assert result.exit_code == 0  # a bad ISSN is a warning: the row still loads
    assert json.loads(result.stdout.splitlines()[0])["line"] == 7
    with open(folder / "journals.csv", "a", encoding="utf-8") as fh:
        fh.write("jcr,2021,,,Some Journal,Q9,Physics\n")
    result = runner.invoke(app, [*base, "journals", "check"])
    assert result.exit_code == 1 and "Q9" in result.stdout

    real = samples / "journal_lists" / "mrhelper-hexin.csv"
    result = runner.invoke(app, [*base, "journals", "import-list", str(real), "--list", "北大核心", "--year", "2021"])
    assert result.exit_code == 0, result.output
    assert (folder / "journals" / "pku_core-2021.csv").read_text(encoding="utf-8").count("\n") == 2055

    esi = tmp_path / "hot.csv"
    esi.write_text("Accession Number,DOI\n000700000000001,\n", encoding="utf-8")
    result = runner.invoke(app, [*base, "esi", "import", str(esi), "--date", "2024-02-01", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["flag"] == "hp" and json.loads(result.stdout)["matched_works"] == 1
    assert runner.invoke(app, [*base, "esi", "import", str(esi), "--date", "yesterday"]).exit_code == 2


def test_report_rows_and_attention(store, tmp_path):
    report = tag(store, _seed(store, tmp_path))
    rows = {r["list"]: r for r in report.as_table()}
    assert rows["jcr"] == {"list": "jcr", "editions": "2021, 2023", "works": 2, "matched by": "issn 2"}
    assert rows["(all lists)"]["works"] == 3
    notes = report.attention()
    assert notes[0].startswith("1 problem(s) in the journal lists (0 rows not loaded)")
    assert "Journal of Obscure Studies (1)" in notes[1]
