"""The queue of likely duplicates through the real server (``ir serve`` on a free loopback port) and a real
headless Chromium: a librarian opens the queue, compares two records side by side, keeps one pair apart and
merges another; the decisions are in the database and the audit log, and a later consolidation run keeps them.
Other roles cannot see or change the queue; the API needs the CSRF header. A work page shows its related works.
"""

from __future__ import annotations

import json
import types
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

import pytest
import sqlalchemy as sa

from ir.config import Settings
from ir.consolidate import consolidate, queue_size
from ir.store import open_store
from test_consolidate import put
from test_consolidate_links import CONFERENCE, JOURNAL, NEAR_A, NEAR_B, rec
from test_web_browser import ARGS, _chromium, _shot
from test_web_support import PASSWORD, Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OTHER_A = rec("wos", "WOS:5", "Graph attention networks for short-term traffic flow forecasting",
              "Transportation Research Part C", 2020, "article", authors=["Chen, Hua"])
OTHER_B = rec("ris", "R5", "Graph attention networks for traffic flow forecasting", "", 2021, "gen", authors=["Chen, H"])


def work_of(store, key: str) -> str:
    from ir.store.tables.works import work_members

    src, sid = key.split(":", 1)
    with store.connect() as conn:
        return conn.execute(sa.select(work_members.c.work_id).where(
            work_members.c.source == src, work_members.c.source_id == sid)).scalar_one()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A store with two queued pairs and a conference paper with its journal version, served by ``ir serve``."""
    from ir.search import index
    from ir.web.accounts import create_user

    tmp = tmp_path_factory.mktemp("dups")
    conf = tmp / "ir.toml"
    conf.write_text(f'[search]\nembedded_path = "{tmp / "idx.sqlite"}"\n')
    st = open_store(f"sqlite:///{tmp / 'ir.sqlite'}")
    put(st, "wos.txt", [NEAR_A, OTHER_A, CONFERENCE, JOURNAL])
    put(st, "gen.ris", [NEAR_B, OTHER_B])
    consolidate(st)
    index(st, Settings(database_url=st.url, config_file=conf))
    for name, role in (("lib", "librarian"), ("ro", "research_office")):
        create_user(st, name, role, password=PASSWORD)
    srv = Server(types.SimpleNamespace(store=st, settings=Settings(database_url=st.url, config_file=conf)), tmp / "srv")
    try:
        yield srv.base, st
    finally:
        srv.stop()
        st.dispose()


class Client:
    """HTTP through the real server with a cookie jar (the session and its CSRF token)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.csrf = None

    def call(self, method: str, path: str, body: dict | None = None, csrf: bool = True):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
        if csrf and self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def sign_in(self, username: str) -> None:
        status, out = self.call("POST", "/api/session", {"username": username, "password": PASSWORD})
        assert status == 200, out
        self.csrf = out["csrf_token"]


def test_only_librarians_see_the_queue_and_the_api_needs_the_csrf_header(served):
    base, st = served
    anon = Client(base)
    assert anon.call("GET", "/api/duplicates")[0] == 401
    ro = Client(base)
    ro.sign_in("ro")
    assert ro.call("GET", "/api/duplicates")[0] == 403
    lib = Client(base)
    lib.sign_in("lib")
    status, out = lib.call("GET", "/api/duplicates")
    assert status == 200 and out["total"] == 2
    pair = out["pairs"][0]
    assert pair["score"] < 5 and pair["evidence"]["points"] and pair["record_a"]["title"] and pair["record_b"]["title"]
    decision = {"work_a": pair["work_a"], "work_b": pair["work_b"], "decision": "keep_apart"}
    assert lib.call("POST", "/api/duplicates/decide", decision, csrf=False)[0] == 403
    assert ro.call("POST", "/api/duplicates/decide", decision)[0] == 403
    assert lib.call("POST", "/api/duplicates/decide", {**decision, "decision": "maybe"})[0] == 409
    assert queue_size(st) == 2  # nothing changed


def test_librarian_compares_keeps_apart_and_merges_in_the_browser(served):
    from playwright.sync_api import sync_playwright

    from ir.store.tables.audit import audit_log

    base, st = served
    near = (work_of(st, "wos:WOS:4"), work_of(st, "ris:R4"))
    other = (work_of(st, "wos:WOS:5"), work_of(st, "ris:R5"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/login")
        page.fill("input[name=username]", "lib")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.stack button[type=submit]")
        page.click("nav >> text=Likely duplicates")
        page.wait_for_url(base + "/duplicates")
        cards = page.locator("section.dup")
        assert cards.count() == 2
        _shot(page, "duplicates")
        card = page.locator(f"section.dup[data-works='{near[0]} {near[1]}'], section.dup[data-works='{near[1]} {near[0]}']")
        table = card.locator("table.side-by-side").inner_text()
        assert NEAR_A.title in table and NEAR_B.title in table  # the two records side by side
        card.locator("input[name=note]").fill("different studies")
        card.locator("button", has_text="Keep apart").click()
        page.wait_for_url(base + "/duplicates")
        assert "kept apart" in page.locator(".flash").first.inner_text()
        assert page.locator("section.dup").count() == 1
        page.locator("section.dup button", has_text="Merge").click()
        page.wait_for_url(base + "/duplicates")
        assert "Merged" in page.locator(".flash").first.inner_text()
        assert "No likely duplicates" in page.locator("main").inner_text()

        # the conference paper's page shows its journal version
        page.goto(base + f"/works/{work_of(st, 'wos:WOS:1')}")
        related = page.locator("#relations").inner_text()
        assert "A version of" in related and JOURNAL.title in related
        _shot(page, "work-relations")
        browser.close()

    with st.connect() as conn:
        entries = conn.execute(sa.select(audit_log.c.action, audit_log.c.actor, audit_log.c.note)
                               .where(audit_log.c.object_type == "work").order_by(audit_log.c.id)).all()
    assert [tuple(e) for e in entries] == [("keep_apart", "lib", "different studies"), ("merge", "lib", None)]
    assert work_of(st, "wos:WOS:5") == work_of(st, "ris:R5") in other
    # a later run (the apart pair's record changed) keeps both decisions, and nothing comes back to the queue
    put(st, "gen.ris", [NEAR_B.__class__.from_dict({**NEAR_B.to_dict(), "volume": "3"}), OTHER_B])
    consolidate(st)
    assert work_of(st, "wos:WOS:4") != work_of(st, "ris:R4")
    assert work_of(st, "wos:WOS:5") == work_of(st, "ris:R5")
    assert queue_size(st) == 0
