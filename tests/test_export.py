"""ir export works: the work document as librarians and the repository read it, abstract included."""

from __future__ import annotations

import io
import json

from ir.consolidate import consolidate
from ir.export import export_works
from ir.ingest import ingest_paths, read_file
from ir.model import Record


def test_exported_works_carry_the_abstract_and_the_record_it_came_from(store, samples):
    files = [samples / "wos_plain" / "mrhelper-demo_wos_202101.txt", samples / "cnki_estudy" / "mrhelper-demo_cnki_202101.txt"]
    ingest_paths(store, files)
    consolidate(store)
    out = io.StringIO()
    export_works(store, out)
    works = [json.loads(line) for line in out.getvalue().splitlines()]
    abstracts = {f"{r.source}:{r.source_id}": r.abstract for f in files for r in read_file(f).items
                 if isinstance(r, Record) and r.abstract}
    assert len(abstracts) >= 20
    with_abstract = [w for w in works if w.get("abstract")]
    assert len(with_abstract) >= 20 and all("abstract" in w for w in works)
    for w in with_abstract:
        origin = w["provenance"]["abstract"]
        assert abstracts[origin] == w["abstract"]
        assert origin in {f"{s['source']}:{s['source_id']}" for s in w["sources"]}
