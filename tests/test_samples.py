"""Every real export sample parses, with the record counts MANIFEST.md gives and nothing quarantined."""

from __future__ import annotations

import re

import pytest

from ir.ingest import read_file
from ir.model import Record
from tests.conftest import SAMPLES


def manifest() -> list[tuple[str, int]]:
    rows = []
    text = (SAMPLES / "MANIFEST.md").read_text(encoding="utf-8") if SAMPLES.is_dir() else ""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and "/" in cells[0] and re.fullmatch(r"\d+", cells[4]):
            rows.append((cells[0], int(cells[4])))
    return rows


EXPECTED_FORMATS = {
    "wos_plain": "wos-plain", "cnki_estudy": "cnki-estudy", "wanfang_noteexpress": "noteexpress",
    "scopus_csv": "scopus-csv",
}


@pytest.mark.parametrize(("name", "count"), [r for r in manifest() if not r[0].startswith("journal_lists/")]
                         or [pytest.param("none", 0, marks=pytest.mark.skip(reason="no shared samples"))])
def test_sample_parses_completely(samples, name, count):
    pf = read_file(samples / name)
    assert pf.error is None
    assert pf.fmt.name == EXPECTED_FORMATS[name.split("/")[0]]
    problems = [i for i in pf.items if not isinstance(i, Record)]
    assert problems == []
    assert len(pf.items) == count


def test_manifest_lists_every_export_sample(samples):
    listed = {name for name, _ in manifest()}
    on_disk = {p.relative_to(samples).as_posix() for p in samples.rglob("*") if p.is_file() and p.name != "MANIFEST.md"}
    assert on_disk <= listed, f"samples not in MANIFEST.md: {sorted(on_disk - listed)}"
