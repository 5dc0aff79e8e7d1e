"""The canonical record: one model, its JSON Schema kept in step, lossless round trips."""

from __future__ import annotations

import json

import jsonschema

from ir.ingest import read_file
from ir.model import Record, json_schema
from tests.conftest import ROOT


def test_schema_file_is_generated_from_the_model():
    on_disk = json.loads((ROOT / "schemas" / "record.schema.json").read_text(encoding="utf-8"))
    assert on_disk == json_schema(), "run: python -m ir.model > schemas/record.schema.json"


def test_parsed_sample_records_validate_and_round_trip(samples):
    schema = json_schema()
    files = [p for p in sorted(samples.rglob("*")) if p.is_file() and "journal_lists" not in p.parts
             and p.name != "MANIFEST.md"]
    checked = 0
    for path in files:
        # the samples' records (the one quarantined on purpose is tested in tests/test_samples.py)
        for rec in [i for i in read_file(path).items if isinstance(i, Record)][:25]:
            data = json.loads(json.dumps(rec.to_dict(), ensure_ascii=False))
            jsonschema.validate(data, schema)
            again = Record.from_dict(data)
            assert again == rec and again.content_hash() == rec.content_hash()
            checked += 1
    assert checked >= 100
