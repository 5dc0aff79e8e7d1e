"""The search backend interface. Two implementations with the same query semantics (see
:mod:`ir.search.query`): :mod:`ir.search.es` (Elasticsearch, production) and :mod:`ir.search.embedded`
(SQLite FTS5, no server)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field


class SearchUnavailable(ConnectionError):
    """The index cannot be reached or keeps failing, after retries (a ConnectionError: the flows retry it)."""


class SearchConfigError(RuntimeError):
    """The index cannot be used as configured (e.g. the alias name is taken by a concrete index)."""


@dataclass
class SearchResult:
    total: int
    hits: list[dict]  # {work_id, title, year, type, journal, doi, authors, sources, indexes, tiers, highlights}
    facets: dict[str, list[tuple[str, int]]]  # name -> [(value, count)], most frequent first
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {value: label} (department, person)
    page: int = 1
    size: int = 20
    sort: str = "relevance"

    def as_json(self) -> dict:
        return {"total": self.total, "page": self.page, "size": self.size, "sort": self.sort, "hits": self.hits,
                "facets": {k: [[v, n] for v, n in vs] for k, vs in self.facets.items()}, "labels": self.labels}


@dataclass
class BulkResult:
    ok: list[str] = field(default_factory=list)  # work ids written
    errors: list[tuple[str, str]] = field(default_factory=list)  # (work id, reason) refused by the index
    retries: int = 0


class Backend(ABC):
    name: str

    @abstractmethod
    def ensure_index(self) -> None:
        """Create the index if it does not exist (an existing one is left as it is)."""

    @abstractmethod
    def target(self) -> str:
        """Names the concrete index now serving, e.g. ``es:ir-works/ir-works-v20261122...``."""

    @abstractmethod
    def target_prefix(self) -> str:
        """What every target of this index shares (older generations are forgotten on rebuild)."""

    @abstractmethod
    def bulk_upsert(self, docs: Iterable[dict], *, refresh: bool = False) -> BulkResult: ...

    @abstractmethod
    def delete(self, work_ids: Iterable[str], *, refresh: bool = False) -> int: ...

    @abstractmethod
    def rebuild(self, docs: Iterable[dict]) -> BulkResult:
        """Index ``docs`` into a fresh index and make it the one serving; searches keep working throughout."""

    @abstractmethod
    def refresh(self) -> None: ...

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def search(self, q: str = "", filters: dict[str, list[str]] | None = None, sort: str = "relevance",
               page: int = 1, size: int = 20, *, facets: bool = True, highlight: bool = True) -> SearchResult: ...

    def check(self) -> None:
        """Raise :class:`SearchUnavailable` when the engine cannot be reached (before a run writes anything)."""

    def close(self) -> None:
        pass
