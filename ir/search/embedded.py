"""Embedded search index: SQLite FTS5 in the store's own database file (or in a separate SQLite file
when the store is PostgreSQL), with the same query semantics as Elasticsearch (:mod:`ir.search.query`).

FTS5's ``unicode61`` tokenizer would keep a run of Han characters as one token (and ``trigram``
cannot match two characters), so Han text is indexed one character per token ('催 化 剂') and a Han
query is a phrase of characters: '催化' finds exactly the texts where 催 and 化 are adjacent, like the
``standard`` analyzer of Elasticsearch. Facets are GROUP BY over a side table of (document, facet,
value, label) rows; documents are kept as JSON for the hit list.

Tables (``searchidx_*``) belong to this module, not to the store's migrations: they are an index that
``ir index --rebuild`` can always recreate from the database. A rebuild runs in one transaction, so
readers keep seeing the previous index until it commits (WAL).
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa

from ir.search.backend import Backend, BulkResult, SearchResult
from ir.search.documents import hit_from_doc
from ir.search.query import (FACETS, LABEL_SEP, TEXT_FIELDS, check_filters, check_paging, effective_sort,
                             has_han, parse_query, space_han, split_label)

FTS_COLUMNS = list(TEXT_FIELDS)
DDL = [
    "CREATE TABLE IF NOT EXISTS searchidx_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS searchidx_docs (id INTEGER PRIMARY KEY, work_id TEXT NOT NULL UNIQUE,"
    " year INTEGER, title_sort TEXT NOT NULL, doc TEXT NOT NULL)",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS searchidx_fts USING fts5({', '.join(FTS_COLUMNS)},"
    " tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TABLE IF NOT EXISTS searchidx_facets (doc_id INTEGER NOT NULL, facet TEXT NOT NULL,"
    " value TEXT NOT NULL, label TEXT, PRIMARY KEY (doc_id, facet, value)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS searchidx_facets_value ON searchidx_facets (facet, value, doc_id)",
]
# facet rows stored per document: every filterable name (facets and the extra filters)
_ROW_FIELDS = {"year": "year", "type": "type", "department": "department_facet", "person": "person_facet",
               "indexes": "indexes", "tiers": "tiers", "source": "sources", "person_status": "person_status",
               "tags": "tags", "journal": "journal"}
_WEIGHTS = ", ".join(f"{w:g}" for w in TEXT_FIELDS.values())


def _values(v) -> list[str]:
    if v is None or v == "":
        return []
    return [str(x) for x in (v if isinstance(v, list) else [v]) if x not in (None, "")]


def _fts_text(v) -> str:
    # values of one field are separate lines; a phrase may in principle span two of them (rare, harmless)
    return "\n".join(space_han(x) for x in _values(v))


def fts_match(parts: list[str]) -> str:
    return " AND ".join('"' + space_han(p).replace('"', '""') + '"' for p in parts)


def mark_text(text: str | None, parts: list[str], window: int | None = None) -> str | None:
    """HTML-escaped ``text`` with the parts marked; ``window`` cuts a fragment around the first mark."""
    if not text or not parts:
        return None
    pats = []
    for p in parts:
        if has_han(p):
            pats.append(re.escape(p))
        else:
            words = [re.escape(w) for w in re.findall(r"\w+", p)]
            if words:
                pats.append(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)")
    if not pats:
        return None
    rx = re.compile("|".join(pats), re.IGNORECASE)
    spans = [m.span() for m in rx.finditer(text)]
    if not spans:
        return None
    start, end = 0, len(text)
    if window and len(text) > window:
        start = max(0, spans[0][0] - window // 3)
        end = min(len(text), start + window)
    out, pos = [], start
    for a, b in spans:
        if a < pos or b > end:
            continue
        out += [html.escape(text[pos:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
        pos = b
    out.append(html.escape(text[pos:end]))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


class EmbeddedBackend(Backend):
    name = "embedded"

    def __init__(self, engine: sa.Engine, opts):
        self.engine = engine
        self.opts = opts

    @classmethod
    def for_store(cls, store, opts) -> "EmbeddedBackend":
        if store.dialect == "sqlite":
            return cls(store.engine, opts)
        from ir.store.engine import make_engine

        path = Path(opts.embedded_path)
        return cls(make_engine(f"sqlite:///{path}"), opts)

    # --- writing ----------------------------------------------------------------------------
    def ensure_index(self) -> None:
        with self.engine.begin() as conn:
            self._ddl(conn)

    def _ddl(self, conn) -> None:
        for stmt in DDL:
            conn.exec_driver_sql(stmt)
        conn.exec_driver_sql("INSERT OR IGNORE INTO searchidx_meta (key, value) VALUES ('generation', ?)",
                             (uuid.uuid4().hex[:12],))

    def target(self) -> str:
        with self.engine.connect() as conn:
            gen = conn.exec_driver_sql("SELECT value FROM searchidx_meta WHERE key = 'generation'").scalar()
        return f"embedded/{gen}"

    def target_prefix(self) -> str:
        return "embedded/"

    def _remove(self, conn, work_ids: list[str]) -> int:
        n = 0
        for start in range(0, len(work_ids), 500):
            ids = work_ids[start:start + 500]
            marks = ",".join("?" * len(ids))
            rows = conn.exec_driver_sql(f"SELECT id FROM searchidx_docs WHERE work_id IN ({marks})", tuple(ids)).all()
            if not rows:
                continue
            doc_ids = [(r[0],) for r in rows]
            conn.exec_driver_sql("DELETE FROM searchidx_fts WHERE rowid = ?", doc_ids)
            conn.exec_driver_sql("DELETE FROM searchidx_facets WHERE doc_id = ?", doc_ids)
            conn.exec_driver_sql("DELETE FROM searchidx_docs WHERE id = ?", doc_ids)
            n += len(doc_ids)
        return n

    def _insert(self, conn, docs: list[dict]) -> None:
        conn.exec_driver_sql(
            "INSERT INTO searchidx_docs (work_id, year, title_sort, doc) VALUES (?, ?, ?, ?)",
            [(d["work_id"], d.get("year"), d.get("title_sort") or "\uffff", json.dumps(d, ensure_ascii=False))
             for d in docs])
        marks = ",".join("?" * len(docs))
        ids = dict(conn.exec_driver_sql(f"SELECT work_id, id FROM searchidx_docs WHERE work_id IN ({marks})",
                                        tuple(d["work_id"] for d in docs)).all())
        conn.exec_driver_sql(
            f"INSERT INTO searchidx_fts (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?{', ?' * len(FTS_COLUMNS)})",
            [(ids[d["work_id"]], *[_fts_text(d.get(c)) for c in FTS_COLUMNS]) for d in docs])
        rows = []
        for d in docs:
            for name, field in _ROW_FIELDS.items():
                for v in dict.fromkeys(_values(d.get(field))):
                    value, label = split_label(v)
                    rows.append((ids[d["work_id"]], name, value, label))
        if rows:
            conn.exec_driver_sql("INSERT OR IGNORE INTO searchidx_facets (doc_id, facet, value, label)"
                                 " VALUES (?, ?, ?, ?)", rows)

    def _write(self, conn, docs: Iterable[dict], res: BulkResult) -> None:
        batch: dict[str, dict] = {}

        def flush():
            if batch:
                self._remove(conn, list(batch))
                self._insert(conn, list(batch.values()))
                res.ok += list(batch)
                batch.clear()

        for d in docs:
            batch[d["work_id"]] = d
            if len(batch) >= 500:
                flush()
        flush()

    def bulk_upsert(self, docs: Iterable[dict], *, refresh: bool = False) -> BulkResult:
        res = BulkResult()
        with self.engine.begin() as conn:
            self._ddl(conn)
            self._write(conn, docs, res)
        return res

    def delete(self, work_ids: Iterable[str], *, refresh: bool = False) -> int:
        with self.engine.begin() as conn:
            self._ddl(conn)
            return self._remove(conn, list(dict.fromkeys(work_ids)))

    def rebuild(self, docs: Iterable[dict]) -> BulkResult:
        res = BulkResult()
        with self.engine.begin() as conn:
            self._ddl(conn)
            for table in ("searchidx_fts", "searchidx_facets", "searchidx_docs"):
                conn.exec_driver_sql(f"DELETE FROM {table}")
            conn.exec_driver_sql("UPDATE searchidx_meta SET value = ? WHERE key = 'generation'", (uuid.uuid4().hex[:12],))
            self._write(conn, docs, res)
            conn.exec_driver_sql("INSERT INTO searchidx_fts (searchidx_fts) VALUES ('optimize')")
        return res

    def refresh(self) -> None:  # every commit is visible at once
        pass

    def count(self) -> int:
        self.ensure_index()
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM searchidx_docs").scalar())

    def drop(self) -> None:
        with self.engine.begin() as conn:
            for t in ("searchidx_fts", "searchidx_facets", "searchidx_docs", "searchidx_meta"):
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {t}")

    # --- search -----------------------------------------------------------------------------
    def search(self, q: str = "", filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               page: int = 1, size: int = 20, *, facets: bool = True, highlight: bool = True) -> SearchResult:
        parts = parse_query(q)
        filters = check_filters(filters)
        check_paging(sort, page, size)
        sort = effective_sort(parts, sort)
        params: list = []
        if parts:
            base = ("SELECT d.id AS id, d.work_id AS work_id, d.year AS year, d.title_sort AS title_sort,"
                    f" bm25(searchidx_fts, {_WEIGHTS}) AS score FROM searchidx_fts JOIN searchidx_docs d"
                    " ON d.id = searchidx_fts.rowid WHERE searchidx_fts MATCH ?")
            params.append(fts_match(parts))
        else:
            base = ("SELECT d.id AS id, d.work_id AS work_id, d.year AS year, d.title_sort AS title_sort,"
                    " 0 AS score FROM searchidx_docs d WHERE 1")
        for name, values in filters.items():
            base += (" AND d.id IN (SELECT doc_id FROM searchidx_facets WHERE facet = ? AND value IN"
                     f" ({','.join('?' * len(values))}))")
            params += [name, *values]
        order = {
            "relevance": "{t}score, {t}work_id",
            "year_desc": "{t}year IS NULL, {t}year DESC, {t}work_id",
            "year_asc": "{t}year IS NULL, {t}year ASC, {t}work_id",
            "title": "{t}title_sort, {t}work_id",
        }[sort]
        self.ensure_index()
        with self.engine.connect() as conn:
            total = conn.exec_driver_sql(f"SELECT count(*) FROM ({base})", tuple(params)).scalar()
            rows = conn.exec_driver_sql(
                f"SELECT m.work_id, d.doc FROM ({base} ORDER BY {order.format(t='')} LIMIT ? OFFSET ?) m"
                f" JOIN searchidx_docs d ON d.id = m.id ORDER BY {order.format(t='m.')}",
                (*params, size, (page - 1) * size)).all()
            out_facets: dict[str, list[tuple[str, int]]] = {}
            labels: dict[str, dict[str, str]] = {}
            if facets:
                names = list(FACETS)
                marks = ",".join("?" * len(names))
                if parts or filters:
                    # materialized first: otherwise the planner may walk every facet row and test each
                    sql = (f"WITH m AS MATERIALIZED ({base}) SELECT f.facet, f.value, max(f.label), count(*) AS n"
                           f" FROM m CROSS JOIN searchidx_facets f ON f.doc_id = m.id WHERE f.facet IN ({marks})"
                           " GROUP BY f.facet, f.value")
                    args = (*params, *names)
                else:
                    sql = (f"SELECT facet, value, max(label), count(*) AS n FROM searchidx_facets"
                           f" WHERE facet IN ({marks}) GROUP BY facet, value")
                    args = tuple(names)
                grouped: dict[str, list[tuple[str, int, str | None]]] = {n: [] for n in names}
                for facet, value, label, n in conn.exec_driver_sql(sql, args):
                    grouped[facet].append((value, int(n), label))
                for name, vals in grouped.items():
                    vals.sort(key=lambda x: (-x[1], x[0] if name != "year" else int(x[0])))
                    top = vals[: self.opts.facet_size]
                    out_facets[name] = [(v, n) for v, n, _ in top]
                    for v, _, label in top:
                        if label is not None:
                            labels.setdefault(name, {})[v] = label
        hits = []
        for _, raw in rows:
            doc = json.loads(raw)
            hit = hit_from_doc(doc)
            marks_: dict[str, str] = {}
            if highlight and parts:
                zh_first = has_han(q)
                for key, window in (("title", None), ("abstract", 160)):
                    texts = (doc.get(f"{key}_zh") or []) + (doc.get(f"{key}_en") or []) if zh_first else \
                        (doc.get(f"{key}_en") or []) + (doc.get(f"{key}_zh") or [])
                    for t in texts:
                        h = mark_text(t, parts, window)
                        if h:
                            marks_[key] = h
                            break
            hit["highlights"] = marks_
            hits.append(hit)
        return SearchResult(total=int(total), hits=hits, facets=out_facets, labels=labels, page=page, size=size,
                            sort=sort)
