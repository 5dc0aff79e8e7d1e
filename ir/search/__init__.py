"""Search: index the works (Elasticsearch, or the embedded SQLite FTS5 index) and query them.

* :func:`index` — ``ir index`` and the last stage of ``ir run``: sends only the works whose search
  document changed since the last run (see ``search_state``), deletes works merged or split away,
  or rebuilds everything into a fresh index (``rebuild=True``). The database is the source of truth.
* :func:`reindex_works` — instant update of a few works (after a claim, a split, a merge).
* :func:`open_backend` — Elasticsearch when ``IR_SEARCH_URL`` is set, else the embedded index;
  ``interactive=True`` for a person waiting (the web app, ``ir search``): bounded timeouts and retries
  (``query_timeout``, ``query_retries``), and one Elasticsearch client per process, shared.
* :func:`search` — one query: text, facet filters, sort, page -> :class:`SearchResult`.

Settings: section ``[search]`` of the pipeline settings file (:class:`SearchSettings`), handed over
as ``config.search`` (:mod:`ir.settings`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
import threading
from dataclasses import asdict, astuple, dataclass, field, replace

import sqlalchemy as sa

from ir.config import Settings
from ir.search.backend import Backend, BulkResult, SearchConfigError, SearchResult, SearchUnavailable  # noqa: F401
from ir.search.query import QueryError  # noqa: F401
from ir.store import Store, upsert
from ir.store.engine import utcnow


@dataclass
class SearchSettings:
    index_alias: str = "ir-works"  # Elasticsearch alias; versions are <alias>-v<timestamp>
    analyzer_en: str = "standard"  # e.g. "english" on a full distribution
    analyzer_zh: str = "standard"  # "cjk", "smartcn" or "icu_analyzer" where the plugin is installed
    analyzer_names: str = "standard"  # author names and journal titles
    shards: int = 1
    replicas: int = 1
    batch_size: int = 1000  # documents per bulk request
    max_retries: int = 5  # per request, on connection errors, timeouts, 429 and 5xx
    initial_backoff: float = 0.5  # seconds; doubles on every retry
    max_backoff: float = 30.0
    timeout: float = 60.0  # seconds per request (indexing)
    query_timeout: float = 3.0  # seconds per request while a person waits (web, `ir search`) ...
    query_retries: int = 1  # ... and retries then (of a refused connection, not of a timeout): the web
    # says "unavailable" in about half a second when the engine is stopped, query_timeout when it hangs
    facet_size: int = 20  # values per facet
    embedded_path: str = "var/ir-search.sqlite"  # the embedded index when the store is PostgreSQL


_shared: dict[tuple, Backend] = {}
_shared_guard = threading.Lock()


def open_backend(settings: Settings, store: Store | None = None, options: SearchSettings | None = None, *,
                 interactive: bool = False) -> Backend:
    """The configured backend. ``interactive``: for a person waiting, with ``query_timeout`` and
    ``query_retries`` instead of the indexing timeouts; an Elasticsearch one is shared by the process
    (one client for every request of the web app) and its ``close()`` only forgets it."""
    opts = options or settings.search
    if interactive:
        opts = replace(opts, timeout=min(opts.timeout, opts.query_timeout),
                       max_retries=min(opts.max_retries, opts.query_retries))
    if settings.search_url:
        from ir.search.es import ElasticBackend

        if not interactive:
            return ElasticBackend(settings.search_url, opts)
        key = (settings.search_url, astuple(opts))
        with _shared_guard:
            if key not in _shared:
                _shared[key] = ElasticBackend(settings.search_url, opts)
                _shared[key].retry_timeouts = False
            return _shared[key]
    from ir.search.embedded import EmbeddedBackend

    if store is None:
        from ir.store import open_store

        store = open_store(settings.database_url)
    return EmbeddedBackend.for_store(store, opts)


def forget_shared(backend: Backend) -> None:
    """A shared backend being closed: the next interactive open makes a new one."""
    with _shared_guard:
        for key in [k for k, b in _shared.items() if b is backend]:
            del _shared[key]


@dataclass
class IndexReport:
    backend: str = ""
    target: str = ""
    rebuild: bool = False
    indexed: int = 0
    unchanged: int = 0
    deleted: int = 0
    retries: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def as_table(self) -> list[dict]:
        return [{"backend": self.backend, "index": self.target.split("/", 1)[-1], "mode": "rebuild" if self.rebuild else "incremental",
                 "indexed": self.indexed, "unchanged": self.unchanged, "deleted": self.deleted,
                 "refused": len(self.errors), "retries": self.retries, "seconds": round(self.seconds, 2)}]

    def attention(self) -> list[str]:
        notes = [f"work {wid} refused by the index: {why}" for wid, why in self.errors[:20]]
        if len(self.errors) > 20:
            notes.append(f"... and {len(self.errors) - 20} more refused works")
        return notes

    def as_json(self) -> dict:
        d = asdict(self)
        d["errors"] = [{"work_id": w, "reason": r} for w, r in self.errors]
        return d


def _state(conn, target: str) -> dict[str, str]:
    from ir.store.tables.search import search_state as t

    return dict(conn.execute(sa.select(t.c.work_id, t.c.doc_hash).where(t.c.target == target)).all())


def _save_state(store: Store, target: str, hashes: dict[str, str], gone: Iterable[str] = (),
                replace_prefix: str | None = None) -> None:
    from ir.store.tables.search import search_state as t

    now = utcnow()
    gone = list(gone)
    with store.begin() as conn:
        if replace_prefix is not None:  # forget other generations of this index
            conn.execute(t.delete().where(t.c.target.startswith(replace_prefix, autoescape=True), t.c.target != target))
        for start in range(0, len(gone), 1000):
            conn.execute(t.delete().where(t.c.target == target, t.c.work_id.in_(gone[start:start + 1000])))
        upsert(conn, t, [{"target": target, "work_id": w, "doc_hash": h, "indexed_at": now} for w, h in hashes.items()],
               key=["target", "work_id"], update=["doc_hash", "indexed_at"])


def index(store: Store, settings: Settings, rebuild: bool = False, *, options: SearchSettings | None = None,
          backend: Backend | None = None) -> IndexReport:
    """Bring the index in line with the database (or rebuild it): the last stage of the pipeline."""
    from ir.search.documents import doc_hash, iter_documents

    opts = options or settings.search
    own = backend is None
    backend = backend or open_backend(settings, store, opts)
    start = time.perf_counter()
    rep = IndexReport(backend=backend.name, rebuild=rebuild)
    try:
        backend.ensure_index()
        if rebuild:
            hashes: dict[str, str] = {}

            def docs():
                with store.connect() as conn:
                    for batch in iter_documents(conn, opts.batch_size):
                        for d in batch:
                            hashes[d["work_id"]] = doc_hash(d)
                            yield d

            res = backend.rebuild(docs())
            rep.target = backend.target()
            refused = {w for w, _ in res.errors}
            _save_state(store, rep.target, {w: h for w, h in hashes.items() if w not in refused},
                        replace_prefix=backend.target_prefix())
            rep.indexed, rep.errors, rep.retries = len(res.ok), res.errors, res.retries
        else:
            rep.target = backend.target()
            with store.connect() as conn:
                known = _state(conn, rep.target)
            seen: set[str] = set()
            with store.connect() as conn:
                for batch in iter_documents(conn, opts.batch_size):
                    changed, hashes = [], {}
                    for d in batch:
                        seen.add(d["work_id"])
                        h = doc_hash(d)
                        if known.get(d["work_id"]) == h:
                            rep.unchanged += 1
                        else:
                            changed.append(d)
                            hashes[d["work_id"]] = h
                    if changed:
                        res = backend.bulk_upsert(changed)
                        refused = {w for w, _ in res.errors}
                        _save_state(store, rep.target, {w: h for w, h in hashes.items() if w not in refused})
                        rep.indexed += len(res.ok)
                        rep.errors += res.errors
                        rep.retries += res.retries
            gone = sorted(set(known) - seen)
            if gone:
                backend.delete(gone)
                rep.deleted = len(gone)
            _save_state(store, rep.target, {}, gone, replace_prefix=backend.target_prefix())
            backend.refresh()
    finally:
        if own:
            backend.close()
    rep.seconds = time.perf_counter() - start
    return rep


def reindex_works(store: Store, settings: Settings, work_ids: Iterable[str], *, options: SearchSettings | None = None,
                  backend: Backend | None = None) -> IndexReport:
    """Re-send these works now (and the works they were merged into); remove those no longer active.
    The change is searchable when this returns."""
    from ir.search.documents import doc_hash, iter_documents
    from ir.store.tables.works import works

    opts = options or settings.search
    own = backend is None and not settings.search_url  # a shared Elasticsearch client stays open
    backend = backend or open_backend(settings, store, opts, interactive=True)
    start = time.perf_counter()
    rep = IndexReport(backend=backend.name)
    ids = set(work_ids)
    try:
        backend.ensure_index()
        rep.target = backend.target()
        with store.connect() as conn:
            for _ in range(5):  # follow merged_into chains a few steps
                more = {r.merged_into for r in conn.execute(
                    sa.select(works.c.merged_into).where(works.c.work_id.in_(sorted(ids)), works.c.merged_into.is_not(None)))}
                if more <= ids:
                    break
                ids |= more
            docs = [d for batch in iter_documents(conn, opts.batch_size, work_ids=ids) for d in batch]
        res = backend.bulk_upsert(docs, refresh=True)
        refused = {w for w, _ in res.errors}
        gone = sorted(ids - {d["work_id"] for d in docs})
        if gone:
            backend.delete(gone, refresh=True)
        _save_state(store, rep.target, {d["work_id"]: doc_hash(d) for d in docs if d["work_id"] not in refused}, gone)
        rep.indexed, rep.deleted, rep.errors, rep.retries = len(res.ok), len(gone), res.errors, res.retries
    finally:
        if own:
            backend.close()
    rep.seconds = time.perf_counter() - start
    return rep


def search(store: Store | None, settings: Settings, q: str = "", filters: dict[str, list[str]] | None = None,
           sort: str = "relevance", page: int = 1, size: int = 20, *, options: SearchSettings | None = None) -> SearchResult:
    backend = open_backend(settings, store, options, interactive=True)
    try:
        return backend.search(q, filters, sort, page, size)
    finally:
        if not settings.search_url:
            backend.close()
