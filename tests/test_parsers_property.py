"""Robustness of every parser: truncated, corrupted or shuffled exports never raise, and every record
read ends stored or quarantined (read = stored + quarantined), on real samples and generated exports."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ir.ingest import ParsedFile, read_file, store_file
from ir.model import Problem, Record
from tests.conftest import SAMPLES

# small real and generated exports of every family: WoS, Scopus, CNKI, Wanfang, EI
SEEDS: list[bytes] = []
for rel in ("wos_plain/mrhelper-demo_wos_202101.txt", "cnki_estudy/mrhelper-demo_cnki_202101.txt",
            "wanfang_noteexpress/mrhelper-demo_wanfang_202101.NET"):
    if (SAMPLES / rel).is_file():
        SEEDS.append((SAMPLES / rel).read_bytes()[:20000])
if (SAMPLES / "scopus_csv/helioszjr-bibliometrix-scopus.csv").is_file():
    SEEDS.append((SAMPLES / "scopus_csv/helioszjr-bibliometrix-scopus.csv").read_bytes()[:30000])


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    from ir.demo import generate

    folder = tmp_path_factory.mktemp("demo")
    generate(folder, works=12, people=20, seed=5)
    generated = [p.read_bytes() for p in sorted((folder / "exports").rglob("*")) if p.is_file()]
    return SEEDS + generated


def shuffle_lines(data: bytes, rnd: random.Random) -> bytes:
    lines = data.split(b"\n")
    i, j = sorted(rnd.sample(range(len(lines)), 2)) if len(lines) > 2 else (0, 0)
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


@st.composite
def damaged(draw, seeds):
    data = draw(st.sampled_from(seeds))
    rnd = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "garbage", "shuffle", "delete"]))
        if kind == "truncate" and len(data) > 1:
            data = data[: rnd.randrange(1, len(data))]
        elif kind == "garbage":
            at = rnd.randrange(0, len(data) + 1)
            data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
        elif kind == "shuffle":
            data = shuffle_lines(data, rnd)
        elif kind == "delete" and len(data) > 10:
            at = rnd.randrange(0, len(data) - 5)
            data = data[:at] + data[at + rnd.randrange(1, 200):]
    return data


def test_damaged_exports_never_raise_and_every_record_is_accounted_for(seeds, tmp_path, sqlite_store):
    path = tmp_path / "export.txt"
    counter = iter(range(10**6))

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(damaged(seeds))
    def check(data):
        pf = read_file(path, data)  # never raises
        assert all(isinstance(i, Record | Problem) for i in pf.items)
        assert pf.error is not None or pf.fmt is not None
        # stored under a unique name so every example is its own batch
        res = store_file(sqlite_store, ParsedFile(tmp_path / f"e{next(counter)}.txt", data + b"\n" * 0,
                                                  pf.fmt, pf.encoding, pf.error, pf.items))
        assert res.records_read == res.stored + res.quarantined == len(pf.items)

    check()
