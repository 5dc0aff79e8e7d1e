"""Browser tests in a real headless Chromium (Debian's ``chromium``, driven by Playwright) against
``ir serve`` on a free loopback port: a faculty member signs in, sees a suggestion, claims it, and finds it
claimed in search. Screenshots of the main pages go to var/screens/ (not committed).

When CI is set, a missing Chromium is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil

import pytest
import sqlalchemy as sa

from conftest import IN_CI, ROOT
from test_web_support import PASSWORD, Server, sqlite_world

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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    world = sqlite_world(tmp_path_factory.mktemp("browser"))
    srv = Server(world, world.dictionaries.parent.parent / "srv")
    try:
        yield srv.base, world
    finally:
        srv.stop()
        world.store.dispose()


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


# ------------------------------------------------------------------------------ issue 13: a public face


def _work_id(world, doi: str) -> str:
    from ir.store.tables.works import works

    with world.store.connect() as conn:
        return conn.execute(sa.select(works.c.work_id).where(works.c.doi == doi, works.c.status == "active")).scalar_one()


def test_reader_sees_the_record_not_the_pipeline(server, browser):
    """Anonymous: the mixed-case title and journal beat Web of Science's capitals, the month is a date,
    the DOI a link, CO_2 reads CO₂, tiers carry their lists' labels, each database is one badge, no file
    path, score or evidence; the author links to a profile; the citation downloads and parses."""
    import bibtexparser

    from test_web_support import CAPS_DOI, CAPS_TITLE

    base, world = server
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    wid = _work_id(world, CAPS_DOI)
    page.goto(base + f"/works/{wid}")
    assert page.locator("h1").inner_text() == CAPS_TITLE
    meta = page.locator("p.meta").first.inner_text()
    assert "Journal of Catalysis" in meta and "November 2022" in meta and "NOV" not in meta
    assert page.locator("a.doi").first.get_attribute("href") == f"https://doi.org/{CAPS_DOI}"
    assert "2nd of 2" in page.locator(".rank").first.inner_text()
    html = page.content()
    assert str(world.dictionaries.parent) not in html and "Score" not in html and "evidence" not in html.lower()
    assert "from wos:" not in html and "Joined because" not in html
    _shot(page, "reader-work")

    with page.expect_download() as dl:
        page.click("a:has-text('BibTeX')")
    lib = bibtexparser.parse_string(open(dl.value.path(), encoding="utf-8").read())
    assert not lib.failed_blocks and lib.entries[0].fields_dict["title"].value == "{" + CAPS_TITLE + "}"

    # the author links to a public profile page: department, claimed and confirmed works by year
    page.locator("p.byline a").first.click()
    page.wait_for_url(lambda url: "/people/" in url)
    assert page.locator("h1").inner_text().strip() and page.locator(".dept").count() >= 1
    _shot(page, "profile")

    chem = _work_id(world, "10.9999/co2.2021.5")
    page.goto(base + f"/works/{chem}")
    assert "CO₂" in page.locator("h1").inner_text() and "CO_2" not in page.locator("h1").inner_text()
    assert "CO₂" in page.locator(".abstract").inner_text()

    page.goto(base + "/?size=100")
    facet = page.locator("section.facet", has=page.locator("h2", has_text="Journal tier"))
    labels = facet.locator(".lbl").all_inner_texts()
    assert any(x.startswith("JCR Q") for x in labels) and any("区" in x for x in labels), labels
    assert not any(x.startswith(("jcr:", "cas:", "cscd:")) for x in labels)
    for hit in page.locator("li.hit").all():
        badges = [b.strip().casefold() for b in hit.locator("p.tags .tag").all_inner_texts()]
        assert len(badges) == len(set(badges)), badges
        dbs = {b.split()[0] for b in badges}
        assert not ({"ei", "ei compendex"} <= dbs) and not ({"cscd"} <= dbs and sum(b.startswith("cscd") for b in badges) > 1)
    _shot(page, "reader-search")
    page.close()


def _bulk_rows(world, person: str, n: int) -> list[tuple[str, int]]:
    from ir.store.tables.attribution import authorships as a

    with world.store.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(a.c.work_id, a.c.position).where(
            a.c.person_id == person, a.c.status.in_(("suggested", "auto")), a.c.locked == sa.false())
            .order_by(a.c.work_id, a.c.position)).all()][:n]


def test_faculty_claims_several_and_says_not_mine_to_one(server, browser):
    from ir.store.tables.attribution import authorships as a
    from ir.store.tables.audit import audit_log

    base, world = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, base, "fac")
    page.wait_for_url(base + "/me")
    boxes = page.locator("div.sugg input[type=checkbox]")
    assert boxes.count() >= 3
    picked = [boxes.nth(i).get_attribute("value") for i in range(3)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("button:has-text('Claim selected')")
    page.wait_for_url(lambda url: url.endswith("/me#suggestions"))
    flashes = page.locator(".flash").all_inner_texts()
    assert flashes[0].startswith("2 done")
    person_name = page.locator(".who .user").inner_text()
    claimed = [f for f in flashes if f.startswith("Claimed author #")]
    assert len(claimed) == 2 and all("“" in f and world.faculty_person in f for f in claimed)
    assert all(person_name.split()[0] in f for f in claimed)  # the person by name, not only the id
    page.locator(f"input[value='{picked[2]}']").check()
    page.click("button:has-text('Not mine: selected')")
    page.wait_for_url(lambda url: url.endswith("/me#suggestions"))
    assert any("is no longer linked to author" in f for f in page.locator(".flash").all_inner_texts())
    _shot(page, "my-outputs-bulk")
    with world.store.connect() as conn:
        for value, status in zip(picked, ("claimed", "claimed", "rejected")):
            wid, pos = value.rsplit(":", 1)
            got = conn.execute(sa.select(a.c.status).where(a.c.work_id == wid, a.c.position == int(pos))).scalar()
            assert got == status or (status == "rejected" and got == "suggested"), (value, got)
            entries = conn.execute(sa.select(audit_log.c.action).where(audit_log.c.object_id == value,
                                                                       audit_log.c.actor == "fac")).scalars().all()
            assert entries == ["claim" if status == "claimed" else "reject"]  # one audit entry each
    page.close()


def test_librarian_confirms_several_suggestions_at_once(server, browser):
    from ir.store.tables.attribution import authorships as a
    from ir.store.tables.audit import audit_log

    base, world = server
    rows = _bulk_rows(world, world.other_person, 3)
    with world.store.begin() as conn:  # the pipeline's doubt about three links: the librarians' queue
        for wid, pos in rows:
            conn.execute(a.update().where(a.c.work_id == wid, a.c.position == pos).values(status="suggested"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, base, "lib")
    page.wait_for_url(base + "/")
    page.goto(base + "/review")
    for wid, pos in rows[:2]:
        page.locator(f"input[type=checkbox][value='{wid}:{pos}']").check()
    page.fill("form#bulk input[name=note]", "checked against the CV")
    page.click("button:has-text('Confirm selected')")
    page.wait_for_url(lambda url: "/review" in url)
    flashes = page.locator(".flash").all_inner_texts()
    assert flashes[0].startswith("2 done") and sum(f.startswith("Confirmed ") for f in flashes) == 2
    assert all("“" in f for f in flashes if f.startswith("Confirmed "))
    assert page.locator(f"#q-{rows[0][0]}-{rows[0][1]}").count() == 0
    assert page.locator(f"#q-{rows[2][0]}-{rows[2][1]}").count() == 1  # not ticked: still waiting
    _shot(page, "review-bulk")
    with world.store.connect() as conn:
        for wid, pos in rows[:2]:
            assert conn.execute(sa.select(a.c.status).where(a.c.work_id == wid, a.c.position == pos)).scalar() == "claimed"
            notes = conn.execute(sa.select(audit_log.c.note).where(audit_log.c.object_id == f"{wid}:{pos}",
                                                                   audit_log.c.action == "confirm")).scalars().all()
            assert notes == ["checked against the CV"]
    page.close()


def test_research_office_previews_snapshots_and_compares(server, browser):
    base, world = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, base, "ro")
    page.wait_for_url(base + "/")
    page.goto(base + "/extract")
    preview = page.locator("#preview")
    assert "under the rules in force" in preview.inner_text()
    left = page.locator("#left-out")
    assert left.count() == 1 and "links auto only" in left.inner_text() and "count_statuses" in left.inner_text()
    assert "claimed by the person" in page.locator("#rules").inner_text()
    _shot(page, "extract-preview")
    for note in ("first", "second"):
        page.fill("input[name=note]", note)
        page.click("button:has-text('Take a snapshot')")
        page.wait_for_url(lambda url: "#snapshots" in url)
        assert "Snapshot #" in page.locator(".flash").first.inner_text()
    assert page.locator("#snapshots tbody tr").count() >= 2
    page.click("button:has-text('Compare A with B')")
    page.wait_for_url(lambda url: "/extract/compare" in url)
    assert "Snapshot #" in page.locator("h1").inner_text() and page.locator("#departments").count() == 1
    _shot(page, "extract-compare")
    page.close()
