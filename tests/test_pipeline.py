"""The whole pipeline through the command line, on a generated demo institution."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

STATUSES = {"auto", "suggested", "claimed", "rejected", "unmatched"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from ir.demo import generate

    folder = tmp_path_factory.mktemp("demo")
    generate(folder, works=80, people=80, seed=3)
    return folder


def ir(*args, cwd, db):
    env = dict(os.environ, IR_DATABASE_URL=f"sqlite:///{db}")
    env.pop("IR_SEARCH_URL", None)
    proc = subprocess.run([sys.executable, "-m", "ir.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_ir_run_then_export_gives_attributed_tagged_works(demo, tmp_path):
    db = tmp_path / "ir.sqlite"
    figures = json.loads(ir("--dictionaries", str(demo / "dictionaries"), "run", "--json",
                            str(demo / "exports"), cwd=tmp_path, db=db))
    assert list(figures) == ["ingest", "consolidate", "attribute", "tag", "index", "run"]
    truth_records = sum(1 for _ in open(demo / "truth" / "records.csv", encoding="utf-8")) - 1
    assert sum(r["stored"] for r in figures["ingest"]["table"]) == truth_records

    out = tmp_path / "works.jsonl"
    ir("export", "works", "--format", "jsonl", "--out", str(out), cwd=tmp_path, db=db)
    works = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    truth_works = sum(1 for _ in open(demo / "truth" / "works.csv", encoding="utf-8")) - 1
    assert abs(len(works) - truth_works) <= truth_works * 0.02  # consolidation is measured in bench/
    for w in works:
        assert {"work_id", "title", "year", "doi", "type", "sources", "journal", "authors", "tags", "indexes"} <= set(w)
        assert {"title", "issn", "eissn"} <= set(w["journal"])
        for a in w["authors"]:
            assert {"position", "name", "person_id", "org_id", "corresponding", "status"} <= set(a)
            assert a["status"] in STATUSES or (a["status"] is None and a["person_id"] is None)
    assert sum(1 for w in works for a in w["authors"] if a["status"] == "auto") > len(works) / 2
    assert sum(1 for w in works if w["tags"]) > len(works) / 2

    again = json.loads(ir("--dictionaries", str(demo / "dictionaries"), "run", "--json",
                          str(demo / "exports"), cwd=tmp_path, db=db))
    second = tmp_path / "again.jsonl"
    ir("export", "works", "--format", "jsonl", "--out", str(second), cwd=tmp_path, db=db)
    assert second.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")  # re-running changes nothing
    assert again["consolidate"]["table"]
    # the run's own figures: the first run made every work; the second, on the same files, nothing
    assert figures["run"]["works_new"] == len(works) and figures["run"]["works_total"] == len(works)
    assert figures["run"]["decided"]["auto"] == sum(1 for w in works for a in w["authors"] if a["status"] == "auto")
    assert again["run"]["works_new"] == again["run"]["works_changed"] == 0 and again["run"]["decided"] == {}
    assert again["run"]["works_total"] == len(works)


def test_cli_tables_never_cut_an_id(demo, tmp_path):
    """At 80 columns (a pipe, a small terminal) every work, person and unit id is printed whole, so it
    can be pasted into `ir works show`."""
    db = tmp_path / "ir.sqlite"
    ir("--dictionaries", str(demo / "dictionaries"), "run", "--json", str(demo / "exports"), cwd=tmp_path, db=db)
    review = json.loads(ir("review", "--json", "--limit", "20", cwd=tmp_path, db=db))
    assert review["suggestions"], "the demo has suggestions to review"
    shown = ir("review", "--limit", "20", cwd=tmp_path, db=db)
    for q in review["suggestions"]:
        for value in (q["work_id"], q["person_id"], q["org_id"]):
            assert not value or value in shown, value
    assert "…" not in "".join(line.split("│")[1] for line in shown.splitlines() if line.count("│") > 2)
    hits = json.loads(ir("search", "--json", "--size", "10", cwd=tmp_path, db=db))["hits"]
    listed = ir("search", "--size", "10", cwd=tmp_path, db=db)
    assert hits and all(h["work_id"] in listed for h in hits)
    wid = hits[0]["work_id"]
    members = json.loads(ir("works", "show", "--json", wid, cwd=tmp_path, db=db))["members"]
    page = ir("works", "show", wid, cwd=tmp_path, db=db)
    assert all(f"{m['source']}:{m['source_id']}" in page for m in members)
