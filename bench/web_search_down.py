"""How fast the web's search API says "unavailable" when the search engine is down.

    .venv/bin/python bench/web_search_down.py

Target (issue 12): the web search API answers 503 with a message "within a second or two" when
Elasticsearch is down, instead of a 500 after 15 s. Two ways to be down, each measured through the real
web app (FastAPI's TestClient, the app's one shared search backend, the default [search] settings):

- refused: nothing listens on the port (the server is stopped);
- hung: the port accepts connections but never answers (a wedged node): bounded by ``query_timeout``
  (a request that timed out is not sent again while a person waits), not by indexing's 60 s and retries.

Prints per case the wall time of each of 5 requests, their CPU time, and the load average.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hung_port() -> int:
    """A port that accepts connections and never answers."""
    srv = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept():
        while True:
            conn, _ = srv.accept()
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return srv.getsockname()[1]


def measure(url: str, store, n: int = 5) -> list[tuple[int, float, float]]:
    from fastapi.testclient import TestClient

    from ir.settings import load
    from ir.web.app import WebConfig, create_app

    app = create_app(load({}, database_url=store.url, search_url=url), web=WebConfig(secret_key="k" * 32),
                     store=store)
    out = []
    with TestClient(app) as client:
        for _ in range(n):
            wall, cpu = time.perf_counter(), time.process_time()
            resp = client.get("/api/search", params={"q": "catalysis"})
            out.append((resp.status_code, time.perf_counter() - wall, time.process_time() - cpu))
    return out


def main() -> None:
    from ir.settings import load
    from ir.store import open_store

    folder = Path(tempfile.mkdtemp(prefix="ir-bench-"))
    store = open_store(f"sqlite:///{folder / 'ir.sqlite'}")
    opts = load({}).search
    print(f"[search] query_timeout = {opts.query_timeout} s, query_retries = {opts.query_retries}, "
          f"initial_backoff = {opts.initial_backoff} s (indexing: timeout {opts.timeout} s, "
          f"max_retries {opts.max_retries})")
    for case, url in (("refused", f"http://127.0.0.1:{free_port()}"), ("hung", f"http://127.0.0.1:{hung_port()}")):
        rows = measure(url, store)
        statuses = sorted({s for s, _, _ in rows})
        walls = ", ".join(f"{w:.2f}" for _, w, _ in rows)
        cpu = sum(c for _, _, c in rows)
        print(f"{case:8} status {statuses}  wall s per request: {walls}  (max {max(w for _, w, _ in rows):.2f}; "
              f"cpu {cpu:.2f} s for {len(rows)})")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    store.dispose()


if __name__ == "__main__":
    main()
