"""Exporting works: one JSON document per line.

Other stages add fields through an extension point: each stage package named in ``EXTENSION_PACKAGES``
(consolidation adds ``relations``, attribution ``authors``, tagging ``tags`` and ``indexes``) exposes ``export_fields(conn, work_ids)
-> {work_id: {field: value}}``. The export, the search index and the report all gather a work's fields
through :func:`field_sources`, so they never disagree.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from typing import IO

import sqlalchemy as sa

from ir.store import Store
from ir.store.tables.works import works

FieldSource = Callable[[sa.Connection, list[str]], dict[str, dict]]
EXTENSION_PACKAGES = ("ir.consolidate", "ir.attribute", "ir.tagging")
BATCH = 1000


def field_sources() -> list[FieldSource]:
    out: list[FieldSource] = []
    for name in EXTENSION_PACKAGES:
        fn = getattr(importlib.import_module(name), "export_fields", None)
        if callable(fn):
            out.append(fn)
    return out


def work_document(row) -> dict:
    data = dict(row.data or {})
    journal = data.get("journal") or {}
    doc = {
        "work_id": row.work_id,
        "title": data.get("title"),
        "year": data.get("year"),
        "doi": data.get("doi"),
        "type": data.get("doc_type"),
        "sources": [{"source": s["source"], "source_id": s["source_id"], "title": s.get("title")}
                    for s in data.get("sources", [])],
        "journal": {"title": journal.get("title"), "issn": journal.get("issn"), "eissn": journal.get("eissn")},
    }
    for k in ("titles", "volume", "issue", "first_page", "last_page", "article_number", "pmid", "language",
              "abstract", "indexes", "keywords", "times_cited", "highly_cited", "hot_paper", "provenance"):
        if k in data:
            doc[k] = data[k]
    return doc


def iter_works(store: Store, sources: list[FieldSource] | None = None) -> Iterator[dict]:
    """Every active work, in work id order, with the extension fields merged in."""
    sources = field_sources() if sources is None else sources
    with store.connect() as conn:
        last = ""
        while True:
            rows = conn.execute(sa.select(works.c.work_id, works.c.data).where(
                works.c.status == "active", works.c.work_id > last).order_by(works.c.work_id).limit(BATCH)).all()
            if not rows:
                return
            ids = [r.work_id for r in rows]
            extra: dict[str, dict] = {}
            for fn in sources:
                for wid, fields in (fn(conn, ids) or {}).items():
                    extra.setdefault(wid, {}).update(fields)
            for r in rows:
                doc = work_document(r)
                doc.update(extra.get(r.work_id, {}))
                yield doc
            last = ids[-1]


def export_works(store: Store, out: IO[str], fmt: str = "jsonl") -> int:
    if fmt != "jsonl":
        raise ValueError(f"unknown format {fmt!r}; known: jsonl")
    n = 0
    for doc in iter_works(store):
        out.write(json.dumps(doc, ensure_ascii=False, default=str) + "\n")
        n += 1
    return n
