"""Elasticsearch backend: versioned indices ``<alias>-v<timestamp>`` behind the alias ``<alias>``.

* ``ensure_index`` creates the first version and points the alias at it.
* ``rebuild`` fills a new version (no refresh, no replicas while loading), then swaps the alias in one
  atomic ``_aliases`` call and deletes the old versions: searches through the alias never fail.
* writes go through ``elasticsearch.helpers.streaming_bulk`` in batches; items refused with 429/5xx are
  retried by the helper with exponential backoff, and a batch whose request fails at the transport
  level (connection refused, timeout) is sent again with exponential backoff, up to ``max_retries``.
  Writes are idempotent (index by work_id), so a resend is harmless.

Only server-core features are used (the integ-test distribution has no scripts, no reindex module and
no ``GET /``): the index mappings live in ``schemas/es-works.json``.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import elasticsearch
from elasticsearch import Elasticsearch, helpers

from ir.search.backend import Backend, BulkResult, SearchConfigError, SearchResult, SearchUnavailable
from ir.search.documents import hit_from_doc
from ir.search.query import (FACETS, FILTERS, TEXT_FIELDS, check_filters, check_paging, effective_sort,
                             has_han, parse_query, split_label)

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "es-works.json"
RETRY_STATUS = (429, 500, 502, 503, 504)
TRANSIENT = (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout, elasticsearch.TransportError)


def index_body(opts) -> dict:
    """Settings and mappings from the schema file, analyzer placeholders filled from the settings."""
    raw = SCHEMA.read_text(encoding="utf-8")
    for name in ("analyzer_en", "analyzer_zh", "analyzer_names"):
        raw = raw.replace("{{%s}}" % name, str(getattr(opts, name)))
    body = json.loads(raw)
    body.pop("_comment", None)
    body["settings"]["index"].update(number_of_shards=opts.shards, number_of_replicas=opts.replicas)
    return body


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, elasticsearch.ApiError):
        return exc.meta.status in RETRY_STATUS
    return isinstance(exc, TRANSIENT)


class ElasticBackend(Backend):
    name = "elasticsearch"

    def __init__(self, url: str, opts, client: Elasticsearch | None = None):
        self.url = url
        self.opts = opts
        self.alias = opts.index_alias
        # retries are ours (with backoff); the transport's own retries would hammer a single node
        self.client = client or Elasticsearch(url, request_timeout=opts.timeout, max_retries=0,
                                              retry_on_timeout=False)
        self.retries_done = 0
        self.retry_timeouts = True  # False while a person waits: a request that timed out is not sent again

    # --- plumbing ---------------------------------------------------------------------------
    def _call(self, fn: Callable, *args, **kwargs):
        """Call the client, retrying transient failures with exponential backoff."""
        delay = self.opts.initial_backoff
        for attempt in itertools.count():
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - classified just below
                if not _transient(exc):
                    raise
                timed_out = isinstance(exc, elasticsearch.ConnectionTimeout) and not self.retry_timeouts
                if attempt >= self.opts.max_retries or timed_out:
                    raise SearchUnavailable(f"Elasticsearch at {self.url}: {exc} (after {attempt} retries)") from exc
                self.retries_done += 1
                time.sleep(delay)
                delay = min(delay * 2, self.opts.max_backoff)

    def _new_index_name(self) -> str:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M%S%f")
        return f"{self.alias}-v{stamp}"

    def _create(self, name: str, loading: bool = False) -> None:
        body = index_body(self.opts)
        if loading:
            body = copy.deepcopy(body)
            body["settings"]["index"].update(refresh_interval="-1", number_of_replicas=0)
        self._call(self.client.indices.create, index=name, settings=body["settings"], mappings=body["mappings"])

    def indices(self) -> list[str]:
        """Concrete indices the alias points to."""
        try:
            resp = self._call(self.client.indices.get_alias, name=self.alias)
        except elasticsearch.NotFoundError:
            return []
        return sorted(resp.body)

    def versions(self) -> list[str]:
        """Every version index of this alias (serving or not)."""
        resp = self._call(self.client.indices.get, index=f"{self.alias}-v*", expand_wildcards="open,closed",
                          allow_no_indices=True, ignore_unavailable=True)
        return sorted(resp.body)

    # --- interface --------------------------------------------------------------------------
    def check(self) -> None:
        self.indices()

    def ensure_index(self) -> None:
        if names := self.indices():
            self._add_new_fields(names)
            return
        if self._call(self.client.indices.exists, index=self.alias):
            raise SearchConfigError(f"{self.alias} is a concrete index, not an alias: run `ir index --rebuild`"
                                    " after deleting it, or choose another [search] index_alias")
        name = self._new_index_name()
        self._create(name)
        self._call(self.client.indices.update_aliases, actions=[{"add": {"index": name, "alias": self.alias}}])

    def _add_new_fields(self, names: list[str]) -> None:
        """Fields the schema has gained since the index was made (a new top-level property) are added to its
        mapping, so new documents are accepted without a rebuild; a changed field still needs ``--rebuild``."""
        wanted = index_body(self.opts)["mappings"]["properties"]
        for name in names:
            have = self._call(self.client.indices.get_mapping, index=name).body.get(name, {})
            props = have.get("mappings", {}).get("properties", {})
            missing = {k: v for k, v in wanted.items() if k not in props}
            if missing:
                self._call(self.client.indices.put_mapping, index=name, properties=missing)

    def target(self) -> str:
        names = self.indices()
        return f"es:{self.alias}/{names[0] if names else '-'}"

    def target_prefix(self) -> str:
        return f"es:{self.alias}/"

    def _bulk_into(self, index: str, docs: Iterable[dict]) -> BulkResult:
        res = BulkResult()
        batch = max(1, self.opts.batch_size)
        it = iter(docs)
        while chunk := list(itertools.islice(it, batch)):
            actions = [{"_op_type": "index", "_index": index, "_id": d["work_id"], "_source": d} for d in chunk]
            failed: dict[str, str] = {}

            def send():
                failed.clear()
                for ok, item in helpers.streaming_bulk(
                        self.client, actions, chunk_size=len(actions), raise_on_error=False,
                        raise_on_exception=True, yield_ok=False, max_retries=self.opts.max_retries,
                        initial_backoff=self.opts.initial_backoff, max_backoff=self.opts.max_backoff,
                        retry_on_status=RETRY_STATUS):
                    info = next(iter(item.values()))
                    failed[str(info.get("_id"))] = json.dumps(info.get("error"), ensure_ascii=False)[:500]

            before = self.retries_done
            try:
                self._call(send)
            except elasticsearch.ApiError as exc:  # the whole request refused (e.g. a closed index)
                failed = {d["work_id"]: f"{exc.meta.status} {exc.message}" for d in chunk}
            res.retries += self.retries_done - before
            res.errors += list(failed.items())
            res.ok += [d["work_id"] for d in chunk if d["work_id"] not in failed]
        return res

    def bulk_upsert(self, docs: Iterable[dict], *, refresh: bool = False) -> BulkResult:
        res = self._bulk_into(self.alias, docs)
        if refresh:
            self.refresh()
        return res

    def delete(self, work_ids: Iterable[str], *, refresh: bool = False) -> int:
        ids = list(dict.fromkeys(work_ids))
        deleted = 0
        for start in range(0, len(ids), self.opts.batch_size):
            actions = [{"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids[start:start + self.opts.batch_size]]

            def send():
                n = 0
                for ok, item in helpers.streaming_bulk(self.client, actions, chunk_size=len(actions),
                                                       raise_on_error=False, ignore_status=(404,),
                                                       max_retries=self.opts.max_retries,
                                                       initial_backoff=self.opts.initial_backoff,
                                                       max_backoff=self.opts.max_backoff,
                                                       retry_on_status=RETRY_STATUS):
                    n += ok and item["delete"].get("result") == "deleted"
                return n

            deleted += self._call(send)
        if refresh:
            self.refresh()
        return deleted

    def rebuild(self, docs: Iterable[dict]) -> BulkResult:
        old = self.versions()
        name = self._new_index_name()
        self._create(name, loading=True)
        try:
            res = self._bulk_into(name, docs)
            self._call(self.client.indices.put_settings, index=name, settings={
                "index": {"refresh_interval": None, "number_of_replicas": self.opts.replicas}})
            self._call(self.client.indices.refresh, index=name)
        except BaseException:
            self._call(self.client.indices.delete, index=name, ignore_unavailable=True)
            raise
        serving = self.indices()
        actions = [{"remove": {"index": i, "alias": self.alias}} for i in serving]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=actions)  # atomic: one request
        for i in sorted(set(old) | set(serving)):
            if i != name:
                self._call(self.client.indices.delete, index=i, ignore_unavailable=True)
        return res

    def refresh(self) -> None:
        self._call(self.client.indices.refresh, index=self.alias, ignore_unavailable=True)

    def count(self) -> int:
        return int(self._call(self.client.count, index=self.alias)["count"])

    def drop(self) -> None:
        """Delete the alias and every version (tests, and `ir index --rebuild` from scratch)."""
        for i in self.versions():
            self._call(self.client.indices.delete, index=i, ignore_unavailable=True)

    def close(self) -> None:
        from ir.search import forget_shared

        forget_shared(self)
        self.client.close()

    # --- search -----------------------------------------------------------------------------
    def build_query(self, q: str, filters: dict[str, list[str]] | None, sort: str, page: int, size: int,
                    facets: bool = True, highlight: bool = True) -> dict:
        parts = parse_query(q)
        filters = check_filters(filters)
        check_paging(sort, page, size)
        sort = effective_sort(parts, sort)
        fields = [f"{f}^{w:g}" for f, w in TEXT_FIELDS.items()]
        must = [{"multi_match": {"query": p, "type": "phrase", "fields": fields}} for p in parts]
        flt = [{"terms": {FILTERS[name]: values}} for name, values in filters.items()]
        body: dict = {
            "query": {"bool": {"must": must or [{"match_all": {}}], "filter": flt}},
            "from": (page - 1) * size, "size": size, "track_total_hits": True,
            "_source": ["work_id", "title", "year", "type", "journal", "doi", "authors", "sources", "indexes", "tiers"],
            "sort": {
                "relevance": ["_score", {"work_id": "asc"}],
                "year_desc": [{"year": {"order": "desc", "missing": "_last"}}, {"work_id": "asc"}],
                "year_asc": [{"year": {"order": "asc", "missing": "_last"}}, {"work_id": "asc"}],
                "title": [{"title_sort": "asc"}, {"work_id": "asc"}],
            }[sort],
        }
        if facets:
            body["aggs"] = {name: {"terms": {"field": field, "size": self.opts.facet_size,
                                             "order": [{"_count": "desc"}, {"_key": "asc"}]}}
                            for name, (_, field) in FACETS.items()}
        if highlight and parts:
            body["highlight"] = {
                "encoder": "html", "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "require_field_match": False,
                "fields": {"title_en": {"number_of_fragments": 0}, "title_zh": {"number_of_fragments": 0},
                           "abstract_en": {"fragment_size": 160, "number_of_fragments": 1},
                           "abstract_zh": {"fragment_size": 80, "number_of_fragments": 1}}}
        return body

    def search(self, q: str = "", filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               page: int = 1, size: int = 20, *, facets: bool = True, highlight: bool = True) -> SearchResult:
        body = self.build_query(q, filters, sort, page, size, facets, highlight)
        resp = self._call(self.client.search, index=self.alias, **body)
        hits = []
        for h in resp["hits"]["hits"]:
            hit = hit_from_doc(h["_source"])
            hl = h.get("highlight") or {}
            marks = {}
            for key in ("title", "abstract"):
                frags = hl.get(f"{key}_zh" if has_han(q or "") and hl.get(f"{key}_zh") else f"{key}_en") or \
                    hl.get(f"{key}_zh") or []
                if frags:
                    marks[key] = frags[0]
            hit["highlights"] = marks
            hits.append(hit)
        out_facets: dict[str, list[tuple[str, int]]] = {}
        labels: dict[str, dict[str, str]] = {}
        for name in (FACETS if facets else {}):
            values = []
            for b in resp["aggregations"][name]["buckets"]:
                value, label = split_label(b["key"])
                values.append((value, int(b["doc_count"])))
                if label is not None:
                    labels.setdefault(name, {})[value] = label
            out_facets[name] = values
        return SearchResult(total=int(resp["hits"]["total"]["value"]), hits=hits, facets=out_facets,
                            labels=labels, page=page, size=size, sort=sort)
