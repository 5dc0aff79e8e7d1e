"""HTTP to the scholarly APIs, politely: one requests session per API.

- retries with exponential backoff on 429, 500, 502, 503, 504, connection errors and read timeouts, by
  urllib3's ``Retry`` on requests' ``HTTPAdapter`` (a ``Retry-After`` header is honoured as given);
- a rate limit per API (``requests_per_second``), lowered when Crossref's ``X-Rate-Limit-Limit`` /
  ``X-Rate-Limit-Interval`` headers announce less;
- connect and read timeouts on every request;
- the contact address in the User-Agent and as ``mailto`` (Crossref's and OpenAlex's polite pools).

Errors are values the harvest can report: :class:`NotFound` (404), :class:`ApiError` (any other status
left after the retries, or a network failure), :class:`BadPayload` (a body that is not the JSON promised).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import orjson
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ir.harvest.settings import HarvestSettings

RETRY_STATUSES = (429, 500, 502, 503, 504)


class HarvestError(Exception):
    """A request that did not give what was asked; ``url`` says which."""

    def __init__(self, message: str, url: str = "", status: int | None = None, body: str | None = None):
        super().__init__(message)
        self.url, self.status, self.body = url, status, body


class NotFound(HarvestError):
    pass


class ApiError(HarvestError):
    pass


class BadPayload(HarvestError):
    pass


class RateLimiter:
    """At most ``rate`` requests per second from this process (thread-safe)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def slow_to(self, rate: float) -> None:
        if rate > 0:
            self.interval = max(self.interval, 1.0 / rate)

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            time.sleep(delay)


def retry_policy(s: HarvestSettings) -> Retry:
    """urllib3's Retry: backoff on the statuses worth retrying, Retry-After obeyed up to retry_after_max."""
    opts = dict(total=s.retries, connect=s.retries, read=s.retries, status=s.retries, other=0,
                backoff_factor=s.backoff_factor, backoff_max=s.backoff_max, status_forcelist=RETRY_STATUSES,
                allowed_methods=frozenset({"GET"}), respect_retry_after_header=True, raise_on_status=False)
    try:
        return Retry(**opts, retry_after_max=s.retry_after_max)
    except TypeError:  # urllib3 before 2.6 has no retry_after_max: Retry-After is obeyed whatever it says
        return Retry(**opts)


@dataclass
class Response:
    url: str
    status: int
    data: object  # the decoded JSON
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$")


class Client:
    """GETs JSON from one API's base URL."""

    def __init__(self, base_url: str, settings: HarvestSettings, *, params: dict | None = None,
                 headers: dict | None = None):
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.params = {k: v for k, v in (params or {}).items() if v}
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry_policy(settings))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"User-Agent": settings.agent(), "Accept": "application/json",
                                     **(headers or {})})
        self.limiter = RateLimiter(settings.requests_per_second)
        self.requests = 0

    def close(self) -> None:
        self.session.close()

    def get(self, path: str, params: dict | None = None) -> Response:
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"
        self.limiter.wait()
        self.requests += 1
        try:
            r = self.session.get(url, params={**self.params, **(params or {})}, timeout=self.settings.timeout)
        except requests.RequestException as exc:  # retries exhausted: connection refused, timeouts, ...
            raise ApiError(f"{type(exc).__name__}: {exc}", url) from None
        self._obey_rate_headers(r.headers)
        if r.status_code == 404:
            raise NotFound(f"404 not found: {r.url}", r.url, 404, r.text[:2000])
        if r.status_code != 200:
            raise ApiError(f"HTTP {r.status_code} from {r.url} (after {self.settings.retries} retries): "
                           f"{r.text[:300]!r}", r.url, r.status_code, r.text[:2000])
        try:
            data = orjson.loads(r.content)
        except orjson.JSONDecodeError as exc:
            raise BadPayload(f"not valid JSON ({exc}) from {r.url}", r.url, 200, r.text[:100_000]) from None
        return Response(r.url, r.status_code, data, r.content)

    def _obey_rate_headers(self, headers) -> None:
        limit, interval = headers.get("X-Rate-Limit-Limit"), headers.get("X-Rate-Limit-Interval")
        if not (limit and interval):
            return
        m = _INTERVAL.match(interval)
        try:
            n = float(limit)
        except ValueError:
            return
        if m and n > 0:
            seconds = float(m.group(1)) * {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[m.group(2)]
            if seconds > 0:
                self.limiter.slow_to(n / seconds)
