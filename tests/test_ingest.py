"""Ingest: accounting (read = stored + quarantined), idempotency, and clear errors for bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from ir.ingest import ingest_paths, list_quarantine
from ir.store.tables.ingest import ingest_batches, quarantine, source_records

WOS_RECORD = """PT J
AU Zhang, S
   Li, W
AF Zhang, San
   Li, Wei
TI Catalytic oxidation of CO over {title} catalysts
SO JOURNAL OF CATALYSIS
DT Article
C1 [Zhang, San; Li, Wei] Dalian Univ Technol, Sch Chem Engn, Dalian 116024, Peoples R China.
PY 2021
VL 12
BP 100
EP 110
DI 10.1000/jcat.{n}
UT WOS:0000000000{n:05d}
ER
"""


def wos_file(n: int, start: int = 0) -> str:
    body = "".join(WOS_RECORD.format(title=f"Pt-{i}", n=i) for i in range(start, start + n))
    return "FN Clarivate Analytics Web of Science\nVR 1.0\n" + body + "EF\n"


def counts(store) -> dict:
    with store.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in (ingest_batches, source_records, quarantine)}


def test_every_record_is_stored_or_quarantined_and_reingest_changes_nothing(store, tmp_path):
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    good = tmp_path / "savedrecs.txt"
    good.write_text(wos_file(5), encoding="utf-8-sig")
    truncated = tmp_path / "truncated.txt"
    truncated.write_text(wos_file(3, start=10)[:-60], encoding="utf-8")  # cut inside the last record

    first = ingest_paths(store, [tmp_path])
    by_name = {os.path.basename(r.path): r for r in first}
    assert by_name["savedrecs.txt"].format == "wos-plain"
    assert by_name["savedrecs.txt"].encoding == "utf-8-sig"
    assert (by_name["savedrecs.txt"].records_read, by_name["savedrecs.txt"].stored) == (5, 5)
    t = by_name["truncated.txt"]
    assert t.records_read == t.stored + t.quarantined == 3 and t.quarantined == 1
    snapshot = counts(store)
    with store.connect() as conn:
        stamps = conn.execute(sa.select(source_records.c.source_id, source_records.c.updated_at)).all()

    again = ingest_paths(store, [good, truncated])
    assert [(r.records_read, r.stored, r.quarantined) for r in again] == [(5, 5, 0), (3, 2, 1)]
    assert counts(store) == snapshot == {"ingest_batches": 2, "source_records": 7, "quarantine": 1}
    with store.connect() as conn:
        assert conn.execute(sa.select(source_records.c.source_id, source_records.c.updated_at)).all() == stamps

    [q] = list_quarantine(store)
    assert q["path"].endswith("truncated.txt") and q["record_no"] == 3 and q["reason"]


def test_a_record_exported_again_in_another_file_is_one_source_record(store, tmp_path):
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    (tmp_path / "a.txt").write_text(wos_file(3), encoding="utf-8")
    (tmp_path / "b.txt").write_text(wos_file(3, start=2), encoding="utf-8")  # record 2 again
    results = ingest_paths(store, [tmp_path])
    assert sum(r.stored for r in results) == 6
    assert counts(store)["source_records"] == 5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "binary file"),
        ("Lorem ipsum dolor sit amet\nconsectetur\n".encode(), "unknown format"),
        (b"", "empty file"),
    ],
)
def test_unreadable_files_are_quarantined_whole_with_a_reason(store, tmp_path, content, message):
    bad = tmp_path / "export.txt"
    bad.write_bytes(content)
    [res] = ingest_paths(store, [bad])
    assert message in res.error and res.stored == 0
    if content:
        [q] = list_quarantine(store)
        assert q["record_no"] == 0 and message in q["reason"]


def run_cli(*args, cwd):
    env = dict(os.environ, IR_DATABASE_URL=f"sqlite:///{cwd}/ir.sqlite")
    return subprocess.run([sys.executable, "-m", "ir.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_json_reports_per_file_counts_and_exit_status(tmp_path):
    good = tmp_path / "in" / "wos.txt"
    good.parent.mkdir()
    good.write_text(wos_file(4), encoding="utf-8")
    (tmp_path / "in" / "notes.bin").write_bytes(bytes(range(256)) * 10)

    proc = run_cli("ingest", "--json", str(tmp_path / "in"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # something could be read
    files = {os.path.basename(f["path"]): f for f in json.loads(proc.stdout)["files"]}
    assert files["wos.txt"] == {"path": str(good), "format": "wos-plain", "encoding": "utf-8",
                                "records_read": 4, "stored": 4, "quarantined": 0, "duplicates": 0,
                                "new": 4, "updated": 0, "unchanged": 0, "skipped": False}
    assert files["notes.bin"]["records_read"] == 0 and "binary" in files["notes.bin"]["error"]

    table = run_cli("ingest", str(tmp_path / "in"), cwd=tmp_path)  # again, as a librarian reads it
    assert table.returncode == 0, table.stderr
    assert "total: 2 files, 4 records read, 4 stored, 0 quarantined" in table.stdout
    assert "attention:" in table.stdout and "binary file" in table.stdout  # the stage's attention list

    only_bad = run_cli("ingest", str(tmp_path / "in" / "notes.bin"), cwd=tmp_path)
    assert only_bad.returncode == 1
    assert "notes.bin" in only_bad.stderr and "binary file" in only_bad.stderr
    assert "Traceback" not in only_bad.stderr

    missing = run_cli("ingest", str(tmp_path / "nope.txt"), cwd=tmp_path)
    assert missing.returncode == 1 and "nope.txt" in missing.stderr and "Traceback" not in missing.stderr

    listing = run_cli("quarantine", "--json", cwd=tmp_path)
    rows = [json.loads(line) for line in listing.stdout.splitlines()]
    assert any(r["path"].endswith("notes.bin") and "binary" in r["reason"] for r in rows)


RIS_COPY = """TY  - JOUR
AU  - Zhang, S
TI  - Catalytic oxidation of CO over Pt-0 catalysts
T2  - JOURNAL OF CATALYSIS
PY  - 2021
AN  - WOS:000000000000000
ER  -
"""


def test_a_thinner_copy_never_replaces_a_fuller_record_of_the_same_source(store, tmp_path):
    (tmp_path / "exports").mkdir()
    full, thin = tmp_path / "exports" / "wos.txt", tmp_path / "exports" / "wos.ris"
    full.write_text(wos_file(1), encoding="utf-8")
    thin.write_text(RIS_COPY, encoding="utf-8")

    def stored():
        with store.connect() as conn:
            return conn.execute(sa.select(source_records.c.source, source_records.c.source_id,
                                          source_records.c.format)).all()

    [wos, ris] = ingest_paths(store, [full, thin])
    assert (wos.format, ris.format, ris.stored) == ("wos-plain", "ris", 1)  # read and accounted for
    assert stored() == [("wos", "WOS:000000000000000", "wos-plain")]  # but the plain-text record stays

    store2_files = tmp_path / "again"
    store2_files.mkdir()
    (store2_files / "wos.ris").write_text(RIS_COPY.replace("Pt-0", "Pt-zero"), encoding="utf-8")
    (store2_files / "wos.txt").write_text(wos_file(1).replace("Pt-0", "Pt-nought"), encoding="utf-8")
    ingest_paths(store, [store2_files / "wos.ris", store2_files / "wos.txt"])
    with store.connect() as conn:
        [data] = conn.execute(sa.select(source_records.c.data)).scalars().all()
    assert data["titles"][0]["text"].endswith("Pt-nought catalysts")  # a fuller, newer copy does replace it


def test_strict_exit_status_tells_a_clean_ingest_from_one_with_quarantined_records(tmp_path):
    clean = tmp_path / "clean" / "wos.txt"
    clean.parent.mkdir()
    clean.write_text(wos_file(3), encoding="utf-8")
    damaged = tmp_path / "damaged" / "wos.txt"
    damaged.parent.mkdir()
    damaged.write_bytes(wos_file(3, start=10).encode().replace(b"Pt-11", b"Pt-\xff11"))

    assert run_cli("ingest", "--strict", str(clean), cwd=tmp_path).returncode == 0
    proc = run_cli("ingest", "--strict", str(damaged), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert f"{damaged}: 1 of 3 record(s) QUARANTINED" in proc.stdout and "--strict" in proc.stderr
    assert f"quarantined: {damaged}: 1 of 3" in proc.stderr
    again = run_cli("ingest", "--json", str(damaged), cwd=tmp_path)  # without --strict: read, so 0
    assert again.returncode == 0
    [f] = json.loads(again.stdout)["files"]
    assert (f["records_read"], f["stored"], f["quarantined"], f["skipped"]) == (3, 2, 1, True)
    listing = run_cli("quarantine", "wos.txt", "--raw", "--json", cwd=tmp_path)
    [row] = [json.loads(line) for line in listing.stdout.splitlines()]
    assert row["record_no"] == 2 and row["field"] == "TI" and "\\xff" in row["raw"]
    assert "Exit status" in run_cli("ingest", "--help", cwd=tmp_path).stdout


READ_IN_PROCESSES = """
import json, os, sys
from pathlib import Path
import ir.ingest as ingest
from ir.runtime import can_fork
from ir.store import open_store

assert can_fork()
pids = Path(sys.argv[2])
read = ingest.read_and_prepare

def read_and_note(path, encoding=None):
    with pids.open("a") as fh:
        fh.write(f"{os.getpid()}\\n")
    return read(path, encoding)

ingest.read_and_prepare = read_and_note
results = ingest.ingest_paths(open_store(sys.argv[1]), sys.argv[3:], workers=2)
print(json.dumps({"pid": os.getpid(), "files": [r.as_json() for r in results]}))
"""


def test_reading_processes_store_what_one_process_stores(store, samples, tmp_path):
    files = [samples / "wos_plain" / "trafficsafety-savedrecs.txt", samples / "cnki_refworks" / "cross-reality-CNKI.txt",
             samples / "wos_tab" / "scientopy-old-wos_1_500.txt", samples / "scopus_csv" / "litstudy-scopus.csv"]
    pids = tmp_path / "pids.txt"
    proc = subprocess.run([sys.executable, "-c", READ_IN_PROCESSES, store.url, str(pids), *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    parallel, readers = out["files"], set(pids.read_text().split())
    assert readers and str(out["pid"]) not in readers  # forked processes read the files, not the writing one

    from ir.store import open_store

    serial_store = open_store(f"sqlite:///{tmp_path / 'serial.sqlite'}")
    serial = ingest_paths(serial_store, files, workers=1)

    def contents(st):
        with st.connect() as conn:
            return (sorted(conn.execute(sa.select(source_records.c.source, source_records.c.source_id,
                                                  source_records.c.content_hash, source_records.c.record_no))),
                    sorted(conn.execute(sa.select(quarantine.c.path, quarantine.c.record_no, quarantine.c.reason))))

    assert parallel == [r.as_json() for r in serial]
    assert contents(store) == contents(serial_store)
    serial_store.dispose()
