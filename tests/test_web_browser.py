"""Browser tests in a real headless Chromium (Debian's ``chromium``, driven by Playwright) against
``ir serve`` on a free loopback port: a faculty member signs in, sees a suggestion, claims it, and finds it
claimed in search. Screenshots of the main pages go to var/screens/ (not committed).

When CI is set, a missing Chromium is a failure, not a skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import IN_CI, ROOT
from ir.config import Settings
from ir.store import open_store
from test_web_support import PASSWORD, add_accounts, build, generate_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SCREENS = ROOT / "var" / "screens"


def _chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        if IN_CI:
            pytest.fail("Debian's chromium is not installed but CI is set: make test must install it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    demo = generate_demo(tmp / "demo")
    conf = tmp / "ir.toml"
    conf.write_text(f'[search]\nembedded_path = "{tmp / "idx.sqlite"}"\n')
    st = open_store(f"sqlite:///{tmp / 'ir.sqlite'}")
    world = build(st, Settings(database_url=st.url, config_file=conf, dictionaries=demo / "dictionaries"), demo)
    add_accounts(world)
    try:
        with serving(tmp, st.url, conf) as base:
            yield base, world
    finally:
        st.dispose()


@contextlib.contextmanager
def serving(tmp: Path, database_url: str, conf: Path):
    """``ir serve`` on a free loopback port over this database and settings file; yields its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IR_")}
    env.update(IR_DATABASE_URL=database_url, IR_CONFIG=str(conf), IR_SECRET_KEY="browser-test", IR_AUTH="local")
    log = open(tmp / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "ir.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/session", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("ir serve did not start: " + (tmp / "serve.log").read_text())
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    path = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=ARGS)
        yield b
        b.close()


def _shot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")


def test_faculty_signs_in_sees_a_suggestion_claims_it_and_finds_it_claimed_in_search(server, browser):
    from ir.store.tables.attribution import authorships

    base, world = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "/")
    assert page.locator("li.hit").count() == 20
    _shot(page, "search")

    _sign_in(page, base, "fac")
    page.wait_for_url(base + "/me")
    first = page.locator("div.sugg").first
    first.wait_for()
    title = first.locator("h3 a").inner_text()
    sid = first.get_attribute("id")  # s-<work_id>-<position>
    _, wid, pos = sid.split("-")
    first.locator("summary").click()  # the evidence opens
    assert first.locator(".evidence").is_visible()
    _shot(page, "my-outputs")

    first.locator("button", has_text="Claim").click()
    page.wait_for_url(base + "/me#suggestions")
    assert "Claimed author" in page.locator(".flash").first.inner_text()
    assert page.locator(f"#{sid}").count() == 0  # no longer a suggestion
    assert title in page.locator("#claimed").inner_text()
    with world.store.connect() as conn:
        got = conn.execute(sa.select(authorships.c.status, authorships.c.person_id, authorships.c.decided_by).where(
            authorships.c.work_id == wid, authorships.c.position == int(pos))).one()
    assert tuple(got) == ("claimed", world.faculty_person, "fac")

    # in search: by its title, marked as claimed; and under "My claimed works" (from the index)
    page.click("nav >> text=Search")
    page.fill("input[name=q]", f'"{title}"')
    page.click("form.searchbar button[type=submit]")
    page.wait_for_url(lambda url: "q=" in url)
    hit = page.locator(f'li.hit[data-work="{wid}"]')
    assert hit.count() == 1 and "claimed by you" in hit.inner_text()
    _shot(page, "search-claimed")
    page.click("text=My claimed works")
    assert page.locator(f'li.hit[data-work="{wid}"]').count() == 1
    page.goto(base + f"/works/{wid}")
    assert "claimed" in page.locator(f"#a{pos}").inner_text()
    _shot(page, "work")
    page.close()


def test_librarian_pages_render(server, browser):
    base, world = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, base, "lib")
    page.wait_for_url(base + "/")
    for path, name, text in (("/review", "review", "Review queue"), ("/unknown-authors", "unknown-authors", "Unknown authors"),
                             ("/audit", "audit", "Audit log"), ("/works-admin", "split-merge", "Split or merge")):
        page.goto(base + path)
        assert text in page.locator("h1").inner_text()
        _shot(page, name)
    page.goto(base + "/audit")
    assert page.locator("table.audit tbody tr").count() >= 1
    page.close()
    page = browser.new_page()
    page.goto(base + "/login")
    _shot(page, "login")
    page.close()
