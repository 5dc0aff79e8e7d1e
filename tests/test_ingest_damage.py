"""Damaged, mis-encoded and repetitive real files: one bad record is quarantined, the rest stored, nothing lost.

Every test reads a real export from ../shared/samples, damages a copy in tmp_path, and compares the
ingest of the copy with the ingest of the clean file: the records the damage did not touch are stored,
the damaged one is quarantined with its record number, line, field and reason, and every record read is
stored, quarantined or a named duplicate.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import sqlalchemy as sa

from ir.decoding import decode
from ir.ingest import ingest_paths, list_quarantine, read_file
from ir.model import Record
from ir.pipeline import IngestReport
from ir.store.tables.ingest import ingest_batches, quarantine, source_records

WOS = "wos_plain/trafficsafety-savedrecs.txt"  # 856 records, UTF-8, CRLF
REFWORKS = "cnki_refworks/cross-reality-CNKI.txt"  # 298 CNKI records, Chinese
WOS_TAB = "wos_tab/scientopy-old-wos_1_500.txt"  # 500 rows, tab-delimited


def accounted(res) -> bool:
    return res.records_read == res.stored + res.quarantined + len(res.duplicates)


def line_offset(data: bytes, pattern: bytes, nth: int) -> tuple[int, int]:
    """(byte offset, 1-based line) of the nth line starting with ``pattern``."""
    starts = [m.start() for m in re.finditer(rb"(?m)^" + re.escape(pattern), data)]
    at = starts[nth]
    return at, data.count(b"\n", 0, at) + 1


def clean_counts(samples: Path, name: str) -> tuple[int, int]:
    items = read_file(samples / name).items
    return sum(isinstance(i, Record) for i in items), len(items)


def rows(store, table, *cols):
    with store.connect() as conn:
        return sorted(conn.execute(sa.select(*(table.c[c] for c in cols))).all())


def test_one_bad_byte_quarantines_its_record_and_the_rest_is_stored(store, samples, tmp_path):
    data = (samples / WOS).read_bytes()
    good, n = clean_counts(samples, WOS)
    at, line = line_offset(data, b"TI ", 400)  # the title of the 401st record
    damaged = bytearray(data)
    damaged[at + 10] = 0xFF
    path = tmp_path / "savedrecs.txt"
    path.write_bytes(bytes(damaged))

    [res] = ingest_paths(store, [path])
    assert (res.records_read, res.stored, res.quarantined, res.error) == (n, good - 1, n - good + 1, None)
    assert res.encoding == "utf-8" and accounted(res)
    [q] = [q for q in list_quarantine(store) if "damaged" in q["reason"]]
    assert (q["record_no"], q["line"], q["field"]) == (401, line, "TI")
    assert f"line {line}" in q["reason"] and "not utf-8 text" in q["reason"]
    assert "\\xff" in q["raw"] and q["raw"].startswith("PT ")  # the record as read, the bad byte kept
    # the record next to it, and the last, are stored
    stored = {sid for (sid,) in rows(store, source_records, "source_id")}
    clean = [r for r in read_file(samples / WOS).items if isinstance(r, Record)]
    assert clean[399].source_id in stored and clean[-1].source_id in stored and clean[400].source_id not in stored


def test_a_damaged_stretch_inside_a_gbk_record_quarantines_that_record_only(store, samples, tmp_path):
    text = decode((samples / REFWORKS).read_bytes()).text
    data = text.encode("gb18030")  # CNKI's own encoding, re-encoded here
    good, n = clean_counts(samples, REFWORKS)
    at, line = line_offset(data, b"AB ", 100)
    rng = random.Random(3)
    garbage = bytes(rng.randrange(128, 256) for _ in range(400)) + b"\r\n" + bytes(rng.randrange(256) for _ in range(600))
    damaged = data[:at + 3] + garbage.replace(b"\n", b" ") + data[at + 3:]
    path = tmp_path / "CNKI.txt"
    path.write_bytes(damaged)

    [res] = ingest_paths(store, [path])
    assert res.encoding == "gb18030" and res.warnings == [] and accounted(res)
    assert (res.records_read, res.stored, res.quarantined) == (n, good - 1, n - good + 1)
    [q] = [q for q in list_quarantine(store) if "damaged" in q["reason"]]
    assert q["field"] == "AB" and q["line"] == line and q["record_no"] == 101
    # the other records keep their Chinese text intact
    with store.connect() as conn:
        titles = conn.execute(sa.select(source_records.c.data["titles"][0]["text"].as_string())).scalars().all()
    assert "基于VR技术的视觉传达设计创新路径探究" in titles


def test_a_valid_file_followed_by_garbage_keeps_every_record_and_quarantines_the_garbage(store, samples, tmp_path):
    data = (samples / WOS).read_bytes()
    good, n = clean_counts(samples, WOS)
    rng = random.Random(7)
    path = tmp_path / "truncated-download.txt"
    path.write_bytes(data + bytes(rng.randrange(256) for _ in range(64_000)))

    [res] = ingest_paths(store, [path])
    assert res.error is None and res.stored == good and accounted(res)
    assert res.quarantined == n - good + 1  # the garbage: one quarantine row, not one per line
    [q] = [q for q in list_quarantine(store) if "damaged" in q["reason"]]
    assert q["record_no"] == n + 1 and q["line"] > data.count(b"\n")


def test_garbage_rows_of_a_tab_delimited_file_are_one_quarantine_row(store, samples, tmp_path):
    data = (samples / WOS_TAB).read_bytes()
    good, n = clean_counts(samples, WOS_TAB)
    at, line = line_offset(data, b"J\t", 300)
    rng = random.Random(5)
    garbage = b"\n".join(bytes(rng.randrange(128, 256) for _ in range(80)) for _ in range(30)) + b"\n"
    path = tmp_path / "savedrecs.txt"
    path.write_bytes(data[:at] + garbage + data[at:])

    [res] = ingest_paths(store, [path])
    assert (res.stored, res.quarantined, res.records_read) == (good, n - good + 1, n + 1) and accounted(res)
    [q] = [q for q in list_quarantine(store) if "damaged" in q["reason"]]
    assert q["line"] == line and f"lines {line}-{line + 29}" in q["reason"]


def test_a_chinese_export_in_shift_jis_is_not_stored_as_garbled_gb18030(store, samples, tmp_path):
    text = decode((samples / REFWORKS).read_bytes()).text
    path = tmp_path / "CNKI-sjis.txt"
    path.write_bytes(text.encode("shift_jis", "replace"))  # as a Japanese-locale editor saves it

    [res] = ingest_paths(store, [path])
    assert res.encoding != "gb18030"
    [warning] = res.warnings
    assert "utf-8 (invalid)" in warning and "gb18030" in warning and "guessed" in warning
    assert any(path.name in note and "guessed" in note for note in IngestReport([res]).attention())
    # what is stored is the Shift-JIS text, not GB18030 mojibake of it
    expected = text.encode("shift_jis", "replace").decode("shift_jis")
    with store.connect() as conn:
        titles = conn.execute(sa.select(source_records.c.data["titles"][0]["text"].as_string())).scalars().all()
    assert titles and all(t in expected for t in titles)


def test_a_chinese_export_garbled_before_it_came_is_quarantined_with_a_warning(store, samples, tmp_path):
    text = decode((samples / REFWORKS).read_bytes()).text
    good, n = clean_counts(samples, REFWORKS)
    mojibake = text.encode("utf-8").decode("cp1252", "replace")  # opened as Windows-1252, saved as UTF-8
    path = tmp_path / "CNKI-garbled.txt"
    path.write_text(mojibake, encoding="utf-8")

    [res] = ingest_paths(store, [path])
    [warning] = res.warnings
    assert "looks garbled" in warning and "encodings tried: utf-8" in warning
    assert res.stored == 0 and res.quarantined == n and accounted(res)  # every record has Chinese text
    assert all("garbled" in q["reason"] for q in list_quarantine(store))
    note = "\n".join(IngestReport([res]).attention())
    assert f"{n} of {n} record(s) QUARANTINED" in note and "looks garbled" in note


def test_the_same_record_twice_in_a_file_is_one_stored_record_and_a_named_duplicate(store, samples, tmp_path):
    data = (samples / WOS).read_bytes().replace(b"\r\n", b"\n")
    good, n = clean_counts(samples, WOS)
    records = re.split(rb"(?m)^ER\n", data)
    second = records[1] + b"ER\n"
    changed = second.replace(b"\nTI ", b"\nTI [changed] ", 1)
    path = tmp_path / "twice.txt"
    path.write_bytes(data.replace(b"\nEF", b"\n" + second + changed + b"EF"))
    uid = re.search(rb"(?m)^UT (\S+)", second).group(1).decode()

    [res] = ingest_paths(store, [path])
    assert res.records_read == n + 2 and res.stored == good and accounted(res)
    assert res.duplicates == [{"record_no": n + 1, "source": "wos", "source_id": uid, "first_record_no": 2}]
    [q] = [q for q in list_quarantine(store) if "same" in q["reason"]]  # other content: kept in quarantine
    assert q["record_no"] == n + 2 and "record 2" in q["reason"] and "[changed]" in q["raw"]
    assert rows(store, source_records, "source_id").count((uid,)) == 1
    assert f"{uid} (record {n + 1} = record 2)" in "\n".join(IngestReport([res]).attention())
    with store.connect() as conn:
        batch = conn.execute(sa.select(ingest_batches)).one()
    assert (batch.records_read, batch.stored, batch.quarantined, batch.duplicates) == (
        res.records_read, res.stored, res.quarantined, 1)


def test_reingesting_damaged_files_changes_nothing_even_when_they_are_read_again(store, samples, tmp_path):
    data = (samples / WOS).read_bytes()
    at, _ = line_offset(data, b"AB ", 10)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "damaged.txt").write_bytes(data[:at + 20] + b"\xc3\x28\x00\x01\x02" + data[at + 20:])
    (folder / "tail.txt").write_bytes(data[:200_000] + bytes(random.Random(1).randrange(256) for _ in range(9000)))
    first = ingest_paths(store, [folder])

    def snapshot():
        return (rows(store, source_records, "id", "source_id", "content_hash", "updated_at", "batch_id"),
                rows(store, quarantine, "id", "batch_id", "record_no", "reason"),
                rows(store, ingest_batches, "id", "records_read", "stored", "quarantined", "duplicates"))

    before = snapshot()
    again = ingest_paths(store, [folder])  # the same bytes, the same readers: not read again
    assert all(r.skipped for r in again) and snapshot() == before
    assert [r.as_json() | {"skipped": True, "new": 0, "unchanged": r.stored} for r in first] == [
        r.as_json() for r in again]
    with store.begin() as conn:  # as if older readers had read them: read again, compare, write nothing
        conn.execute(ingest_batches.update().values(reader="older"))
    third = ingest_paths(store, [folder])
    assert not any(r.skipped for r in third) and all(r.new == r.updated == 0 for r in third)
    assert snapshot()[:2] == before[:2]
    assert [(r.records_read, r.stored, r.quarantined) for r in third] == [
        (r.records_read, r.stored, r.quarantined) for r in first]
