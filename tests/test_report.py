"""The annual extract on the demo institution: the real pipeline, claims made as people make them, and
the report checked against the demo's known truth; the workbook read back and reconciled; snapshots
reproduced byte for byte and compared."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ir import attribute as A
from ir.config import Settings
from ir.demo import generate
from ir.ingest import ingest_paths
from ir.report import (Rules, build_extract, diff, extract_years, list_snapshots, load_snapshot, snapshot,
                       workbook_bytes, write_csv, write_xlsx)
from ir.report.counting import LIST_LABELS
from ir.store import open_store
from ir.store.tables.attribution import authorships

AUTO = Rules(count_statuses=("claimed", "confirmed", "auto"))


def run_pipeline(store, folder: Path) -> None:
    from ir.consolidate import consolidate
    from ir.tagging import tag

    ingest_paths(store, [folder / "exports"])
    consolidate(store)
    A.attribute(store, folder / "dictionaries")
    tag(store, folder / "dictionaries")


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def claim_per_truth(store, folder: Path, *, share: float = 1.0) -> dict:
    """Every authorship the truth gives to one of our people is claimed, as a person would (or, when the
    pipeline already linked the right person, confirmed by a librarian); wrong links are rejected.
    ``share`` claims only that fraction of the works (in work id order)."""
    truth = {(r["source"], r["source_id"], int(r["position"])): r for r in read_csv(folder / "truth/authorships.csv")}
    with store.connect() as conn:
        rows = conn.execute(sa.select(authorships.c.work_id, authorships.c.position, authorships.c.person_id,
                                      authorships.c.status, authorships.c.evidence)
                            .order_by(authorships.c.work_id, authorships.c.position)).all()
    work_ids = sorted({r.work_id for r in rows})
    chosen = set(work_ids[:int(len(work_ids) * share)])
    done = defaultdict(int)
    for r in rows:
        if r.work_id not in chosen:
            continue
        t = next((truth[(s, sid, pos)] for s, sid, pos in (r.evidence or {}).get("sources", [])
                  if (s, sid, pos) in truth), None)
        person = t["person_id"] if t and t["is_ours"] == "1" else ""
        if person and r.person_id == person and r.status == "auto":
            A.confirm(store, r.work_id, r.position, actor="librarian", role="librarian")
            done["confirmed"] += 1
        elif person:
            A.claim(store, r.work_id, r.position, person, actor=person, role="faculty")
            done["claimed"] += 1
        elif r.person_id and r.status in ("auto", "suggested"):
            A.reject(store, r.work_id, r.position, r.person_id, actor="librarian", role="librarian")
            done["rejected"] += 1
    return dict(done)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo institution through the real pipeline on SQLite, every true link claimed or confirmed."""
    folder = tmp_path_factory.mktemp("demo")
    generate(folder, works=220, people=80, seed=11)
    store = open_store(f"sqlite:///{folder / 'ir.sqlite'}")
    run_pipeline(store, folder)
    decisions = claim_per_truth(store, folder)
    assert decisions["claimed"] and decisions["confirmed"]
    yield store, folder
    store.dispose()


# ------------------------------------------------------------------------------ the known truth


def truth_counts(folder: Path, rules: Rules, years: range, year_of: dict[str, int] | None = None) -> tuple[dict, dict]:
    """Per department and per person, counted from the truth files and the dictionaries alone. A claim
    credits the unit of the person's appointment in the work's year (the paper may name two units)."""
    orgs = {r["org_id"]: r["parent_id"] or None for r in read_csv(folder / "dictionaries/organizations.csv")}
    appointments = defaultdict(list)
    for r in read_csv(folder / "dictionaries/people.csv"):
        appointments[r["person_id"]].append((int(r["start_year"] or 0), int(r["end_year"] or 9999), r["org_id"]))

    def appointed(person, year):
        return next((o for s, e, o in appointments[person] if s <= year <= e), appointments[person][-1][2])

    def dept(org):
        path = [org]
        while orgs.get(path[-1]):
            path.append(orgs[path[-1]])
        return path[-2] if len(path) > 1 else path[0]

    lists = defaultdict(list)
    for r in read_csv(folder / "dictionaries/journals.csv"):
        lists[(r["list"], r["issn"])].append(r)
        if r["eissn"]:
            lists[(r["list"], r["eissn"])].append(r)
    order = {"jcr": ["Q1", "Q2", "Q3", "Q4"], "institution": ["A", "B", "C"]}

    def tier(lst, issn, year):  # the edition of the publication year, else the nearest earlier one; best value
        rows = [r for r in lists.get((lst, issn), []) if int(r["year"]) <= year]
        if not rows:
            return None
        edition = max(int(r["year"]) for r in rows)
        vals = [r["value"].replace("区", "") for r in rows if int(r["year"]) == edition]
        return min(vals, key=order[lst].index)

    works = {r["work_key"]: r for r in read_csv(folder / "truth/works.csv")}
    for key, year in (year_of or {}).items():
        works[key]["year"] = str(year)
    primary = {}
    for r in read_csv(folder / "truth/records.csv"):
        primary.setdefault(r["work_key"], (r["source"], r["source_id"]))
    dept_items, person_items = defaultdict(dict), defaultdict(dict)
    for a in read_csv(folder / "truth/authorships.csv"):
        wk = next((k for k, v in primary.items() if v == (a["source"], a["source_id"])), None)
        if wk is None or a["is_ours"] != "1" or not a["person_id"]:
            continue
        w = works[wk]
        if int(w["year"]) not in years or w["doc_type"].casefold() in rules.exclude_doc_types:
            continue
        d = dept(appointed(a["person_id"], int(w["year"])))
        first = a["position"] == "1"
        item = dept_items[d].setdefault(wk, {"first": False})
        item["first"] |= first
        person_items[a["person_id"]].setdefault(wk, {"first": False})["first"] |= first

    def count(items):
        out = {"works": len(items), "role:first": sum(i["first"] for i in items.values()),
               "esi:highly_cited": sum(works[k]["highly_cited"] == "1" for k in items)}
        for lst in order:
            for v in order[lst]:
                out[f"{lst}:{v}"] = sum(tier(lst, works[k]["journal_issn"], int(works[k]["year"])) == v for k in items)
        return out

    return ({d: count(i) for d, i in dept_items.items()}, {p: count(i) for p, i in person_items.items()})


def early_access_years(store, folder: Path) -> dict[str, int]:
    """Truth work -> the year the pipeline gave it, where the two differ. The demo's WoS records of papers
    published online first carry the early-access year as PY (as WoS does before the issue appears); the
    consolidated work takes it. Every such difference must be explained by the work's early-access year."""
    from ir.store.tables.works import work_members, works

    key_of = {(r["source"], r["source_id"]): r["work_key"] for r in read_csv(folder / "truth/records.csv")}
    truth_year = {r["work_key"]: int(r["year"]) for r in read_csv(folder / "truth/works.csv")}
    out = {}
    with store.connect() as conn:
        q = sa.select(work_members.c.source, work_members.c.source_id, works.c.year, works.c.data).join(
            works, works.c.work_id == work_members.c.work_id).where(works.c.status == "active")
        for source, sid, year, data in conn.execute(q):
            key = key_of.get((source, sid))
            if key and year != truth_year[key]:
                assert (data or {}).get("early_access_year") == year, (key, year, truth_year[key])
                out[key] = year
    return out


def test_demo_report_matches_the_known_truth(demo):
    store, folder = demo
    years = extract_years(store)
    assert len(years) >= 5
    online_first = early_access_years(store, folder)
    assert len(online_first) < 0.1 * len(read_csv(folder / "truth/works.csv"))
    rules = Rules()  # claimed and confirmed only: every true link was claimed or confirmed above
    for span in [(y, y) for y in years] + [(years[0], years[-1])]:
        e = build_extract(store, span, rules)
        want_dept, want_person = truth_counts(folder, rules, range(span[0], span[1] + 1), online_first)
        got_dept = {r["dept_id"]: r["counts"] for r in e.department_rows() if r["dept_id"]}
        keys = sorted(next(iter(want_dept.values())))
        assert {d: {k: c[k] for k in keys} for d, c in got_dept.items()} == want_dept
        got_person = defaultdict(lambda: defaultdict(int))
        for r in e.person_rows():
            for k in keys:
                got_person[r["person_id"]][k] += r["counts"][k]
        assert {p: dict(c) for p, c in got_person.items()} == want_person
    bases = {x["basis"] for x in e.links}
    assert bases == {"claimed", "confirmed"}


def test_unreviewed_links_count_only_when_the_rules_say_so(tmp_path):
    folder = tmp_path / "demo"
    generate(folder, works=60, people=40, seed=3)
    store = open_store(f"sqlite:///{tmp_path / 'ir.sqlite'}")
    run_pipeline(store, folder)
    year = extract_years(store)[-2]
    assert build_extract(store, year).works == []  # nothing claimed yet
    with_auto = build_extract(store, year, AUTO)
    assert with_auto.works and {x["basis"] for x in with_auto.links} <= {"auto"}


# ------------------------------------------------------------------------------ the workbook reconciles


def sheet_rows(ws, header_row=1):
    header = [c.value for c in ws[header_row]]
    return [dict(zip(header, [c.value for c in row])) for row in ws.iter_rows(min_row=header_row + 1)]


def recount(wb, rules: Rules) -> tuple[dict, dict]:
    """Every Departments and People number, counted again from the Works and Authorships sheets alone."""
    works = {r["Work id"]: r for r in sheet_rows(wb["Works"])}
    links = sheet_rows(wb["Authorships"])
    list_by_label = {v: k for k, v in LIST_LABELS.items()}

    def test(group, label, w, first, corr):
        if group == "Works":
            return True
        if group == "Document type":
            return w["Type"] == label
        if group == "Index":
            return label in (w["Indexes"] or "").split("; ")
        if group in list_by_label:
            return (w[group] or None) == label.removesuffix("区")
        if group == "Our authors as":
            return {"first author": first, "corresponding author": corr, "first or corresponding": first or corr}[label]
        if group == "ESI":
            return w["ESI " + label] == "yes"
        raise AssertionError(f"unknown column group {group}")

    def items(key_of, per_person=False):
        groups = defaultdict(lambda: defaultdict(lambda: [False, False]))
        for x in links:
            flags = groups[key_of(x)][(x["Work id"], x["Person id"]) if per_person else (x["Work id"],)]
            flags[0] |= x["First author"] == "yes"
            flags[1] |= x["Corresponding author"] == "yes"
        return groups

    dept_items = items(lambda x: x["Department id"], per_person=rules.unit == "person")
    dept_items[""] = items(lambda x: "")[""]
    person_items = items(lambda x: (x["Person id"], x["Department id"]))

    def counts(ws, key_cols, n_fixed):
        groups, labels = [c.value for c in ws[1]], [c.value for c in ws[2]]
        for i, g in enumerate(groups):  # merged group headers: carry the group to the right
            if g is None and i:
                groups[i] = groups[i - 1]
        out = {}
        for row in ws.iter_rows(min_row=3, values_only=True):
            key = tuple(row[i] or "" for i in key_cols)
            out[key] = {(groups[i], labels[i]): row[i] for i in range(n_fixed, len(row))}
        return out, groups, labels

    def expected(its, cols):
        return {col: sum(test(col[0], col[1], works[k[0]], f, c) for k, (f, c) in its.items()) for col in cols}

    got_d, _, _ = counts(wb["Departments"], [0], 2)
    got_p, _, _ = counts(wb["People"], [0, 4], 6)
    for (dept,), cells in got_d.items():
        assert cells == expected(dept_items[dept], cells), dept
    for (pid, dept), cells in got_p.items():
        assert cells == expected(person_items[(pid, dept)], cells), pid
    return got_d, got_p


@pytest.mark.parametrize("rules", [
    Rules(),
    Rules(unit="person", first_author="co-first", corresponding="marked-or-first"),
    Rules(edition="latest", lists=("jcr", "cas", "institution")),
], ids=["default", "per-person", "latest-edition"])
def test_every_summary_number_reconciles_with_the_work_list(demo, tmp_path, rules):
    store, _ = demo
    year = extract_years(store)[-2]
    e = build_extract(store, year, rules)
    path = write_xlsx(e, tmp_path / "extract.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Cover", "Departments", "People", "Works", "Authorships", "Chart"]
    got_d, got_p = recount(wb, rules)
    assert len(got_d) == len(e.department_rows()) and len(got_p) == len(e.person_rows())
    assert got_d[("",)][("Works", "Works")] == len(e.works) == wb["Works"].max_row - 1
    assert sum(c[("Works", "Works")] for k, c in got_d.items() if k != ("",)) >= len(e.works)
    # the chart's year is the Departments sheet's tier columns
    chart = [r for r in sheet_rows(wb["Chart"]) if r["Year"] == year]
    label = LIST_LABELS[rules.chart_list]
    for r in chart:
        for tier in ("A", "B", "C"):
            assert r[tier] == got_d.get((r["Department id"],), {}).get((label, tier), 0)  # no works that year: 0
    assert len(wb["Chart"]._charts) == len({r["Department id"] for r in chart})
    # the cover explains: rules as written, in words, the data version
    cover = "\n".join(str(c.value) for row in wb["Cover"].iter_rows() for c in row if c.value is not None)
    assert e.rules.text.splitlines()[0] in cover and e.data_version in cover
    assert e.rules.explain()[0] in cover
    assert (tmp_path / "extract-chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_another_edition_changes_tiers_only_where_the_lists_differ(demo):
    store, _ = demo
    year = extract_years(store)[-3]
    tagged = {w["work_id"]: w for w in build_extract(store, year).works}
    again = {w["work_id"]: w for w in build_extract(store, year, Rules(edition="publication-year")).works}
    latest = {w["work_id"]: w for w in build_extract(store, year, Rules(edition="latest")).works}
    assert {k: w["tiers"] for k, w in again.items()} == {k: w["tiers"] for k, w in tagged.items()}
    assert {w["editions"].get("jcr") for w in latest.values()} - {None} == {max(extract_years(store))}
    assert any(latest[k]["tiers"] != tagged[k]["tiers"] for k in tagged)


def test_csv_output_has_the_same_numbers(demo, tmp_path):
    store, _ = demo
    e = build_extract(store, extract_years(store)[-2])
    write_csv(e, tmp_path / "x.zip")
    write_csv(e, tmp_path / "folder")
    with zipfile.ZipFile(tmp_path / "x.zip") as z:
        names = [n.split("/", 1)[1] for n in z.namelist()]
        depts = list(csv.DictReader(io.StringIO(z.read(f"extract-{e.year_label}/departments.csv").decode("utf-8-sig"))))
    assert names == ["cover.csv", "departments.csv", "people.csv", "works.csv", "authorships.csv", "chart.csv", "chart.png"]
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == sorted(names)
    rows = {r["dept_id"]: r for r in e.department_rows()}
    for r in depts:
        assert int(r["works"]) == rows[r["dept_id"] or None]["counts"]["works"]
        assert int(r["jcr:Q1"]) == rows[r["dept_id"] or None]["counts"]["jcr:Q1"]


# ------------------------------------------------------------------------------ snapshots


def test_snapshot_reproduces_the_same_bytes_and_diff_sees_a_claim(store, tmp_path):
    folder = tmp_path / "demo"
    generate(folder, works=60, people=40, seed=5)
    run_pipeline(store, folder)
    year = extract_years(store)[-2]
    claim_per_truth(store, folder, share=0.5)
    first = build_extract(store, year)
    sid = snapshot(store, first, note="before")
    written = workbook_bytes(first)
    again = load_snapshot(store, sid)
    assert workbook_bytes(again) == written  # the same file, from the snapshot alone
    assert workbook_bytes(load_snapshot(store, sid)) == written
    a, b = write_csv(again, tmp_path / "a.zip").read_bytes(), write_csv(first, tmp_path / "b.zip").read_bytes()
    assert a == b
    assert build_extract(store, year).data_version == first.data_version  # unchanged data, same version

    # claim the rest: the next extract has more works, the diff names them
    claim_per_truth(store, folder)
    second = build_extract(store, year)
    sid2 = snapshot(store, second)
    assert [s["snapshot_id"] for s in list_snapshots(store, year)] == [sid, sid2]
    d = diff(load_snapshot(store, sid), load_snapshot(store, sid2))
    added = {w["work_id"] for w in d.added}
    assert added == {w["work_id"] for w in second.works} - {w["work_id"] for w in first.works} and added
    inst = next(r for r in d.departments if r["dept_id"] is None)["changes"]["Works"]
    assert inst == [len(first.works), len(second.works), len(second.works) - len(first.works)]


def test_a_tampered_snapshot_is_refused(sqlite_store):
    from ir.report import SnapshotError
    from ir.store.tables.reports import report_snapshots

    e = build_extract(sqlite_store, 2023, AUTO)
    sid = snapshot(sqlite_store, e)
    with sqlite_store.begin() as conn:
        conn.execute(report_snapshots.update().values(payload=report_snapshots.c.payload + " "))
    with pytest.raises(SnapshotError, match="altered"):
        load_snapshot(sqlite_store, sid)
    with pytest.raises(SnapshotError, match="no report snapshot"):
        load_snapshot(sqlite_store, sid + 1)


# ------------------------------------------------------------------------------ CLI, web and demo entry points


def test_cli_report_list_from_snapshot_and_diff(demo, tmp_path, monkeypatch):
    from ir.cli import app

    store, _ = demo
    monkeypatch.setenv("IR_DATABASE_URL", store.url)
    year = str(extract_years(store)[-2])
    runner = CliRunner()
    res = runner.invoke(app, ["report", "--year", year, "--out", str(tmp_path / "a.xlsx"), "--note", "cli test"])
    assert res.exit_code == 0, res.output
    assert "snapshot #" in res.output and (tmp_path / "a-chart.png").exists()
    sid = int(res.output.split("snapshot #")[1].split(";")[0])
    res = runner.invoke(app, ["report", "--from-snapshot", str(sid), "--out", str(tmp_path / "b.xlsx")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    res = runner.invoke(app, ["report", "--year", year, "--format", "csv", "--out", str(tmp_path / "c.zip")])
    assert res.exit_code == 0 and zipfile.is_zipfile(tmp_path / "c.zip")
    res = runner.invoke(app, ["report", "list", "--json"])
    assert res.exit_code == 0 and "cli test" in res.output
    res = runner.invoke(app, ["report", "diff", str(sid), str(sid + 1)])
    assert res.exit_code == 0 and "0 works added, 0 removed, 0 changed" in res.output
    (tmp_path / "bad.toml").write_text('unit = "school"', encoding="utf-8")
    res = runner.invoke(app, ["report", "--year", year, "--out", str(tmp_path / "d.xlsx"), "--rules", str(tmp_path / "bad.toml")])
    assert res.exit_code == 2 and "unit = 'school'" in res.output


def test_web_and_demo_entry_points(demo, tmp_path):
    from ir import report
    from ir.web import extract as web_extract

    store, folder = demo
    settings = Settings(database_url=store.url, dictionaries=folder / "dictionaries")
    years = extract_years(store)
    assert web_extract.status(store, settings)["available"] and web_extract.status(store, settings)["years"][0] == years[-1]
    path = report.annual_extract(store, settings, years[-2], tmp_path)
    assert openpyxl.load_workbook(path)["Works"].max_row > 1
    data = report.xlsx_bytes(store, years[-2])
    assert data[:2] == b"PK" and openpyxl.load_workbook(io.BytesIO(data))["Departments"].max_row > 3
    demo_path = report.demo_extract(store, settings, tmp_path / "demo")
    assert demo_path.exists() and demo_path.name == f"extract-{years[-1]}.xlsx"
