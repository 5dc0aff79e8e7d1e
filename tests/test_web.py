"""The web UI and JSON API on the real app, store and search index: every action, every role boundary,
CSRF and escaping. SQLite runs with the embedded index; PostgreSQL with Elasticsearch (the production pair).

The repository is built once per database by the real pipeline on the generated demo institution; each
test works on authorships no other test touches, or compares before and after.
"""

from __future__ import annotations

import json
import os
import re
import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conftest import need_service
from ir.config import Settings
from ir.store.tables.attribution import authorships
from ir.store.tables.audit import audit_log
from ir.store.tables.works import works
from ir.web import policies
from ir.web.accounts import User, authenticate, create_user, hash_password, verify_password
from ir.web.app import WebConfig, create_app
from test_web_support import PASSWORD, UNKNOWN_AUTHOR, add_accounts, build, generate_demo, sqlite_world


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    return generate_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.es])])
def world(request, demo_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web")
    if request.param == "sqlite":
        w = sqlite_world(tmp, demo_dir)
        yield w
        w.store.dispose()
        return
    from conftest import _pg_store

    es = need_service("Elasticsearch (IR_TEST_ES_URL)", os.environ.get("IR_TEST_ES_URL"))
    pg = need_service("PostgreSQL (IR_TEST_POSTGRES_URL)", os.environ.get("IR_TEST_POSTGRES_URL"))
    conf = tmp / "ir.toml"
    conf.write_text(f'[search]\nindex_alias = "irtest-web-{uuid.uuid4().hex[:8]}"\nreplicas = 0\n')
    gen = _pg_store(pg)
    st = next(gen)
    settings = Settings(database_url=st.url, search_url=es, config_file=conf, dictionaries=demo_dir / "dictionaries")
    try:
        w = build(st, settings, demo_dir)
        add_accounts(w)
        yield w
    finally:
        from ir.search import open_backend

        backend = open_backend(settings, st)
        backend.drop()
        backend.close()
        gen.close()


def make_client(world, client=("127.0.0.1", 50000), **web) -> TestClient:
    app = create_app(world.settings, web=WebConfig(secret_key="test-secret", **web), store=world.store)
    return TestClient(app, client=client)


def login(world, username: str) -> TestClient:
    c = make_client(world)
    r = c.post("/api/session", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def row(world, work_id: str, position: int) -> dict:
    with world.store.connect() as conn:
        return dict(conn.execute(sa.select(authorships).where(authorships.c.work_id == work_id,
                                                              authorships.c.position == position)).mappings().one())


def audit_count(world) -> int:
    with world.store.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar()


def pick(world, *, person=None, status=None, exclude_person=None, locked=False, n=0) -> tuple[str, int]:
    """The n-th authorship (in a stable order) that matches."""
    q = sa.select(authorships.c.work_id, authorships.c.position).join(
        works, works.c.work_id == authorships.c.work_id).where(works.c.status == "active",
                                                                authorships.c.locked == locked)
    if person:
        q = q.where(authorships.c.person_id == person)
    if status:
        q = q.where(authorships.c.status.in_([status] if isinstance(status, str) else status))
    if exclude_person:
        q = q.where(authorships.c.person_id.is_not(None), authorships.c.person_id != exclude_person)
    with world.store.connect() as conn:
        rows = conn.execute(q.order_by(authorships.c.work_id, authorships.c.position)).all()
    return tuple(rows[n])


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# ------------------------------------------------------------------------------ pure policies

FAC = User(1, "fac", "faculty", person_id="P1")
LIB = User(2, "lib", "librarian")
RO = User(3, "ro", "research_office")
ADM = User(4, "adm", "admin")


@pytest.mark.parametrize("user, authorship, person_id, allowed, status, review", [
    (FAC, {"person_id": "P1", "status": "suggested"}, "P1", True, 200, False),
    (FAC, {"person_id": None, "status": "unmatched"}, "P1", True, 200, False),
    (FAC, {"person_id": None, "status": "external"}, "P1", True, 200, False),
    # the pipeline gave the position to someone else: the claim goes to the librarians' queue
    (FAC, {"person_id": "P2", "status": "suggested"}, "P1", True, 202, True),
    (FAC, {"person_id": "P2", "status": "suggested", "suggested_to": ["P2", "P1"]}, "P1", True, 200, False),  # tied
    (FAC, {"person_id": "P2", "status": "rejected"}, "P1", True, 200, False),
    (FAC, {"person_id": "P2", "status": "auto"}, "P1", True, 202, True),
    (FAC, {"person_id": "P2", "status": "claimed"}, "P1", True, 202, True),
    (FAC, {"person_id": "P1", "status": "suggested"}, "P2", False, 403, False),  # for someone else
    (FAC, {"person_id": None, "status": "unmatched"}, None, False, 403, False),
    (LIB, {"person_id": "P2", "status": "claimed"}, "P1", True, 200, False),
    (ADM, {"person_id": None, "status": "unmatched"}, "P1", True, 200, False),
    (RO, {"person_id": None, "status": "unmatched"}, "P1", False, 403, False),
    (None, {"person_id": None, "status": "unmatched"}, "P1", False, 401, False),
])
def test_can_claim(user, authorship, person_id, allowed, status, review):
    v = policies.can_claim(user, authorship, person_id)
    assert (bool(v), v.status if (not v or v.review) else 200, v.review) == (allowed, status, review)


@pytest.mark.parametrize("user, person_id, allowed", [
    (FAC, "P1", True), (FAC, "P2", False), (FAC, None, False), (LIB, "P2", True), (ADM, "P2", True),
    (RO, "P2", False), (None, "P1", False),
])
def test_can_reject(user, person_id, allowed):
    assert bool(policies.can_reject(user, {"person_id": person_id, "status": "suggested"})) is allowed


@pytest.mark.parametrize("role, capabilities", [
    ("faculty", {"my_outputs"}),
    ("librarian", {"review", "unknown_authors", "split_merge", "duplicates", "audit", "extract", "evidence"}),
    ("research_office", {"extract"}),
    ("admin", {"review", "unknown_authors", "split_merge", "duplicates", "audit", "extract", "evidence", "users"}),
])
def test_capabilities_by_role(role, capabilities):
    user = User(9, "u", role, person_id="P9" if role == "faculty" else None)
    assert {c for c in policies.CAPABILITIES if policies.can(user, c)} == capabilities


def test_passwords_are_argon2_hashes():
    h = hash_password("s3cret-pass")
    assert h.startswith("$argon2id$") and "s3cret-pass" not in h
    assert verify_password(h, "s3cret-pass") and not verify_password(h, "s3cret-Pass")
    assert not verify_password(None, "anything") and not verify_password("not a hash", "x")


# ------------------------------------------------------------------------------ search and work pages

def test_search_api_facets_sort_and_pages(world):
    c = make_client(world)
    res = c.get("/api/search").json()
    assert res["total"] >= 120 and len(res["hits"]) == 20
    assert {"year", "type", "department", "source"} <= set(res["facets"])
    year, n = res["facets"]["year"][0]
    only = c.get("/api/search", params={"year": year, "size": 100}).json()
    assert only["total"] == n and {h["year"] for h in only["hits"]} == {int(year)}
    p1 = c.get("/api/search", params={"sort": "year_asc", "size": 10}).json()["hits"]
    p2 = c.get("/api/search", params={"sort": "year_asc", "size": 10, "page": 2}).json()["hits"]
    assert not {h["work_id"] for h in p1} & {h["work_id"] for h in p2}
    assert [h["year"] for h in p1 + p2] == sorted(h["year"] for h in p1 + p2)
    assert c.get("/api/search", params={"sort": "sideways"}).status_code == 422


def test_search_page_renders_facets_sort_and_pager(world):
    c = make_client(world)
    html = c.get("/", params={"q": "heavy metals"}).text
    assert "Heavy metals" in html or "heavy metals" in html.lower()
    html = c.get("/").text
    assert 'class="facet"' in html and "Newest first" in html and 'rel="next"' in html
    assert c.get("/", params={"sort": "nonsense", "page": "x"}).status_code == 200  # bad parameters fall back


def test_work_page_readers_see_the_record_librarians_its_provenance(world):
    """An anonymous reader (and the API) gets the record: no server file paths, raw evidence, scores or
    per-field provenance; a librarian gets all of them."""
    wid, pos = pick(world, status="auto")
    c = make_client(world)
    html = c.get(f"/works/{wid}").text
    with world.store.connect() as conn:
        w = conn.execute(sa.select(works).where(works.c.work_id == wid)).one()
        paths = [p for (p,) in conn.execute(sa.text("select path from ingest_batches"))]
    assert paths and not any(p in html for p in paths)
    assert "from " + w.data["provenance"]["title"] not in html and 'class="prov"' not in html
    assert 'class="evidence"' not in html and "Score" not in html and "Joined because" not in html
    for s in w.data["sources"]:
        assert s["source_id"] in html  # which databases hold it: public
    assert "linked automatically" in html
    d = c.get(f"/api/works/{wid}").json()
    text = json.dumps(d)
    assert not any(p in text for p in paths) and d["provenance"] == {} and "provenance" not in d["data"]
    assert all(set(r) & {"file", "record", "evidence", "record_no", "format"} == set() for r in d["records"])
    assert all("score" not in a and "evidence" not in a for a in d["authors"])
    assert d["work_id"] == wid and d["records"] and d["authors"][pos - 1]["status"] == "auto"
    lib = login(world, "lib")
    ld = lib.get(f"/api/works/{wid}").json()
    assert ld["authors"][pos - 1]["evidence"]["decision"] and ld["provenance"] and ld["records"][0]["file"] in paths
    lhtml = lib.get(f"/works/{wid}").text
    assert 'class="evidence"' in lhtml and "from " + w.data["provenance"]["title"] in lhtml and "Joined because" in lhtml
    assert re.search(r'years \+0\.50 <span class="muted">\(\d{4}-', lhtml)  # what a point rests on
    assert c.get("/works/WNOPE").status_code == 404 and c.get("/api/works/WNOPE").status_code == 404


def test_titles_and_names_are_escaped(world):
    """The hostile RIS record: consolidation strips the tags from the work's display title, but the source
    record keeps its title as exported and the author's name keeps its markup; both are shown as text."""
    c = make_client(world)
    res = c.get("/api/search", params={"q": "Hostile Markup"}).json()
    assert res["total"] == 1
    wid = res["hits"][0]["work_id"]
    search_html, work_html = c.get("/", params={"q": "Hostile Markup"}).text, c.get(f"/works/{wid}").text
    for html in (search_html, work_html):
        assert "<script>alert" not in html and "<b>bold</b>" not in html and "<img src=x" not in html
        assert "&lt;img src=x onerror=alert" in html  # the author's name, as text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in work_html  # the source record's title, as text
    fac = login(world, "fac")
    html = fac.get("/me", params={"q": "Hostile Markup"}).text
    assert "&lt;img src=x onerror=alert" in html and "<img src=x" not in html


# ------------------------------------------------------------------------------ sign-in

def test_sign_in_and_out(world):
    c = make_client(world)
    assert c.post("/api/session", json={"username": "fac", "password": "wrong-password"}).status_code == 401
    assert c.post("/api/session", json={"username": "nobody", "password": PASSWORD}).status_code == 401
    tok = form_token(c.get("/login").text)
    r = c.post("/login", data={"username": "fac", "password": "nope", "csrf_token": tok})
    assert r.status_code == 401 and "Wrong user name or password" in r.text
    r = c.post("/login", data={"username": "fac", "password": PASSWORD, "csrf_token": tok}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/me"
    s = c.get("/api/session").json()
    assert s["user"]["username"] == "fac" and s["csrf_token"] != tok  # a new session on sign-in
    assert c.post("/logout", data={"csrf_token": s["csrf_token"]}, follow_redirects=False).status_code == 303
    assert c.get("/api/session").json()["user"] is None
    assert c.get("/me", follow_redirects=False).headers["location"].startswith("/login?next=%2Fme")


def test_login_form_without_csrf_is_refused(world):
    c = make_client(world)
    r = c.post("/login", data={"username": "fac", "password": PASSWORD})
    assert r.status_code == 403 and c.get("/api/session").json()["user"] is None


def test_next_parameter_cannot_leave_the_site(world):
    c = make_client(world)
    tok = form_token(c.get("/login").text)
    r = c.post("/login", data={"username": "lib", "password": PASSWORD, "csrf_token": tok, "next": "//evil.example/x"},
               follow_redirects=False)
    assert r.headers["location"] == "/"


# ------------------------------------------------------------------------------ faculty actions

def test_faculty_claims_own_suggestion_at_once_in_db_audit_and_index(world):
    c = login(world, "fac")
    sugg = c.get("/api/me/outputs").json()["suggestions"]
    assert sugg and all(s["person_id"] == world.faculty_person for s in sugg)
    wid, pos = sugg[0]["work_id"], sugg[0]["position"]
    before = audit_count(world)
    r = c.post(f"/api/authorships/{wid}/{pos}/claim", json={"note": "mine indeed"})
    assert r.status_code == 200, r.text
    assert "index_warning" not in r.json()
    got = row(world, wid, pos)
    assert (got["status"], got["person_id"], got["locked"], got["decided_by"]) == ("claimed", world.faculty_person, True, "fac")
    entries = c.get("/api/audit")  # faculty cannot read the audit log
    assert entries.status_code == 403
    lib = login(world, "lib")
    e = lib.get("/api/audit", params={"actor": "fac", "action": "claim"}).json()["entries"][0]
    assert audit_count(world) == before + 1
    assert e["object_id"] == f"{wid}:{pos}" and e["role"] == "faculty" and e["after"]["status"] == "claimed"
    assert e["before"]["status"] in ("suggested", "auto") and e["note"] == "mine indeed"
    found = c.get("/api/search", params={"person_status": f"{world.faculty_person}:claimed"}).json()
    assert wid in {h["work_id"] for h in found["hits"]}
    assert wid in {x["work_id"] for x in c.get("/api/me/outputs").json()["claimed"]}
    html = c.get("/", params={"person_status": f"{world.faculty_person}:claimed"}).text
    assert "claimed by you" in html


def test_faculty_claiming_for_someone_else_is_403_and_changes_nothing(world):
    c = login(world, "fac")
    wid, pos = pick(world, status=("unmatched", "external", "suggested"), n=3)
    before_row, before_audit = row(world, wid, pos), audit_count(world)
    r = c.post(f"/api/authorships/{wid}/{pos}/claim", json={"person_id": world.other_person})
    assert r.status_code == 403 and "themselves" in r.json()["detail"]
    # the form route refuses the same way
    tok = c.headers["X-CSRF-Token"]
    r = c.post(f"/authorships/{wid}/{pos}/claim", data={"csrf_token": tok, "person_id": world.other_person})
    assert r.status_code == 403
    assert row(world, wid, pos) == before_row and audit_count(world) == before_audit


@pytest.mark.parametrize("status", ["auto", "suggested"])
def test_faculty_claim_of_someone_elses_position_goes_to_the_librarians_queue(world, status):
    """Not locked, not changed: a claim request a librarian accepts (the position moves, audited) or
    declines."""
    from ir.attribute import candidates_of

    c = login(world, "fac")
    with world.store.connect() as conn:
        rows = conn.execute(sa.select(authorships.c.work_id, authorships.c.position).where(
            authorships.c.status == status, authorships.c.locked == sa.false(),
            authorships.c.person_id.not_in([world.faculty_person]), authorships.c.person_id.is_not(None))
            .order_by(authorships.c.work_id, authorships.c.position)).all()
        picked = [(w, p) for w, p in rows if world.faculty_person not in {x["person_id"] for x in candidates_of(conn, w, p)}]
    if not picked:  # the small demo suggests to one person only: the pipeline's doubt about another's link
        wid, pos = pick(world, person=world.other_person, status="auto", n=6)
        with world.store.begin() as conn:
            conn.execute(authorships.update().where(authorships.c.work_id == wid, authorships.c.position == pos)
                         .values(status="suggested"))
    else:
        wid, pos = picked[0]
    before_row, before_audit = row(world, wid, pos), audit_count(world)
    r = c.post(f"/api/authorships/{wid}/{pos}/claim", json={"note": "my PhD paper"})
    assert r.status_code == 200 and r.json()["pending_review"], r.text
    assert "review queue" in r.json()["message"] and "“" in r.json()["message"]  # names the work
    assert row(world, wid, pos) == before_row and not before_row["locked"]  # nothing changed, not locked
    assert audit_count(world) == before_audit + 1  # the request is audited
    again = c.post(f"/api/authorships/{wid}/{pos}/claim", json={})
    assert "already waiting" in again.json()["message"]
    assert [r["work_id"] for r in c.get("/api/me/outputs").json()["claim_requests"]].count(wid) == 1
    lib = login(world, "lib")
    reqs = [q for q in lib.get("/api/claim-requests").json() if q["work_id"] == wid and q["position"] == pos]
    assert len(reqs) == 1 and reqs[0]["person_id"] == world.faculty_person and reqs[0]["note"] == "my PhD paper"
    assert f'id="cr-{reqs[0]["id"]}"' in lib.get("/review").text
    assert c.post(f"/api/claim-requests/{reqs[0]['id']}/accept").status_code == 403  # faculty cannot decide
    if status == "auto":
        r = lib.post(f"/api/claim-requests/{reqs[0]['id']}/accept", json={"note": "checked the thesis"})
        assert r.status_code == 200, r.text
        got = row(world, wid, pos)
        assert (got["person_id"], got["status"], got["locked"]) == (world.faculty_person, "claimed", True)
        assert before_row["person_id"] in got["rejected_ids"]
    else:
        assert lib.post(f"/api/claim-requests/{reqs[0]['id']}/decline").status_code == 200
        assert row(world, wid, pos) == before_row
    assert lib.post(f"/api/claim-requests/{reqs[0]['id']}/decline").status_code == 409  # decided already
    assert not [q for q in lib.get("/api/claim-requests").json() if q["id"] == reqs[0]["id"]]
    acts = [e["action"] for e in lib.get("/api/audit", params={"object_type": "authorship"}).json()["entries"]
            if e["object_id"] == f"{wid}:{pos}"]
    assert acts[:2] == (["claim_request_accepted", "reassign"] if status == "auto" else ["claim_request_declined", "claim_request"])


def test_faculty_rejects_own_link_but_not_someone_elses(world):
    c = login(world, "fac")
    wid, pos = pick(world, person=world.faculty_person, status=("auto", "suggested"), n=0)
    r = c.post(f"/api/authorships/{wid}/{pos}/reject", json={"note": "not me"})
    assert r.status_code == 200
    got = row(world, wid, pos)
    assert got["status"] == "rejected" and world.faculty_person in got["rejected_ids"] and got["locked"]
    assert f"{wid}" in {x["work_id"] for x in c.get("/api/me/outputs").json()["rejected"]}
    owid, opos = pick(world, person=world.other_person, status="auto", n=1)
    before_row, before_audit = row(world, owid, opos), audit_count(world)
    assert c.post(f"/api/authorships/{owid}/{opos}/reject").status_code == 403
    assert row(world, owid, opos) == before_row and audit_count(world) == before_audit


def test_faculty_finds_a_missing_work_and_claims_a_position(world):
    c = login(world, "fac")
    wid, pos = pick(world, status="external", n=5)
    with world.store.connect() as conn:
        title = conn.execute(sa.select(works.c.title).where(works.c.work_id == wid)).scalar()
    html = c.get("/me", params={"q": f'"{title}"'}).text
    assert f"/authorships/{wid}/{pos}/claim" in html  # the position can be picked
    tok = form_token(html)
    r = c.post(f"/authorships/{wid}/{pos}/claim", data={"csrf_token": tok, "next": "/me"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/me"
    got = row(world, wid, pos)
    assert (got["status"], got["person_id"], got["decided_by"]) == ("claimed", world.faculty_person, "fac")
    assert "Claimed author" in c.get("/me").text  # the flash message


def test_csrf_is_required_on_every_change(world):
    c = login(world, "fac")
    wid, pos = pick(world, person=world.faculty_person, status=("auto", "suggested"), n=1)
    before_row, before_audit = row(world, wid, pos), audit_count(world)
    del c.headers["X-CSRF-Token"]
    assert c.post(f"/api/authorships/{wid}/{pos}/claim", json={}).status_code == 403
    c.headers["X-CSRF-Token"] = "forged"
    assert c.post(f"/api/authorships/{wid}/{pos}/claim", json={}).status_code == 403
    assert c.post(f"/authorships/{wid}/{pos}/claim", data={}).status_code == 403
    assert c.post(f"/authorships/{wid}/{pos}/claim", data={"csrf_token": "forged"}).status_code == 403
    assert c.delete("/api/session").status_code == 403
    assert row(world, wid, pos) == before_row and audit_count(world) == before_audit


def test_anonymous_users_change_nothing(world):
    c = make_client(world)
    tok = c.get("/api/session").json()["csrf_token"]
    wid, pos = pick(world, status="auto", n=2)
    before_row = row(world, wid, pos)
    r = c.post(f"/api/authorships/{wid}/{pos}/claim", json={"person_id": world.other_person}, headers={"X-CSRF-Token": tok})
    assert r.status_code == 401
    assert row(world, wid, pos) == before_row


# ------------------------------------------------------------------------------ role boundaries

LIBRARIAN_PAGES = ["/review", "/unknown-authors", "/works-admin", "/audit"]
LIBRARIAN_API = ["/api/review-queue", "/api/unknown-authors", "/api/audit"]


@pytest.mark.parametrize("username", ["fac", "ro"])
def test_librarian_pages_are_forbidden_to_other_roles(world, username):
    c = login(world, username)
    for path in LIBRARIAN_PAGES + LIBRARIAN_API:
        assert c.get(path).status_code == 403, path
    assert c.get("/users").status_code == 403
    wid, pos = pick(world, status=("suggested", "auto"))  # any link a librarian could confirm
    before_row, before_audit = row(world, wid, pos), audit_count(world)
    assert c.post(f"/api/authorships/{wid}/{pos}/confirm").status_code == 403
    assert c.post(f"/api/authorships/{wid}/{pos}/reassign", json={"person_id": world.other_person}).status_code == 403
    assert c.post(f"/api/works/{wid}/split", json={"records": ["wos:x"]}).status_code == 403
    assert c.post("/api/works/merge", json={"work_ids": [wid, "W0"]}).status_code == 403
    assert row(world, wid, pos) == before_row and audit_count(world) == before_audit


def test_anonymous_pages_redirect_to_sign_in_and_api_says_401(world):
    c = make_client(world)
    for path in LIBRARIAN_PAGES + ["/me", "/extract"]:
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    for path in LIBRARIAN_API + ["/api/me/outputs", "/api/extract"]:
        assert c.get(path).status_code == 401, path


def test_extract_page_for_research_office(world):
    ro = login(world, "ro")
    html = ro.get("/extract").text
    info = ro.get("/api/extract").json()
    assert info["available"] and info["years"], info  # ir.report is installed
    year = info["years"][0]
    assert f'href="/extract/{year}"' in html
    r = ro.get(f"/extract/{year}")
    assert r.status_code == 200 and r.content[:2] == b"PK" and "spreadsheetml" in r.headers["content-type"]
    assert login(world, "fac").get(f"/extract/{year}").status_code == 403


# ------------------------------------------------------------------------------ librarian actions

def test_librarian_review_queue_confirm_reassign_reject(world):
    lib = login(world, "lib")
    queue = lib.get("/api/review-queue").json()
    html = lib.get("/review").text
    assert "Review queue" in html
    wid, pos = pick(world, status="auto", exclude_person=world.faculty_person, n=3)
    r = lib.post(f"/api/authorships/{wid}/{pos}/confirm", json={"note": "checked the CV"})
    assert r.status_code == 200 and row(world, wid, pos)["status"] == "claimed"
    wid2, pos2 = pick(world, status="auto", exclude_person=world.faculty_person, n=4)
    old = row(world, wid2, pos2)["person_id"]
    assert lib.post(f"/api/authorships/{wid2}/{pos2}/reassign", json={"person_id": "P_NOBODY"}).status_code == 404
    r = lib.post(f"/api/authorships/{wid2}/{pos2}/reassign", json={"person_id": world.faculty_person})
    assert r.status_code == 200
    got = row(world, wid2, pos2)
    assert got["person_id"] == world.faculty_person and got["status"] == "claimed" and old in got["rejected_ids"]
    wid3, pos3 = pick(world, status="auto", exclude_person=world.faculty_person, n=5)
    assert lib.post(f"/api/authorships/{wid3}/{pos3}/reject").status_code == 200
    assert row(world, wid3, pos3)["status"] == "rejected"
    acts = {(e["action"], e["object_id"]) for e in lib.get("/api/audit", params={"actor": "lib"}).json()["entries"]}
    assert {("confirm", f"{wid}:{pos}"), ("reassign", f"{wid2}:{pos2}"), ("reject", f"{wid3}:{pos3}")} <= acts
    audit_html = lib.get("/audit", params={"actor": "lib"}).text
    assert f"{wid2}:{pos2}" in audit_html and "reassign" in audit_html
    assert {(q["work_id"], q["position"]) for q in queue} == {
        (r["work_id"], r["position"]) for r in lib.get("/api/review-queue", params={"limit": 1000}).json()[:len(queue)]}
    assert all(q["status"] == "suggested" and q["person_name"] for q in queue)
    unknown = lib.get("/api/unknown-authors").json()
    assert any(UNKNOWN_AUTHOR in g["name"] for g in unknown)
    assert UNKNOWN_AUTHOR in lib.get("/unknown-authors").text
    assert world.faculty_person in lib.get("/review", params={"person_q": world.faculty_person}).text


def test_review_form_actions(world):
    lib = login(world, "lib")
    wid, pos = pick(world, status="auto", exclude_person=world.faculty_person, n=6)
    tok = form_token(lib.get("/review").text)
    r = lib.post(f"/authorships/{wid}/{pos}/confirm", data={"csrf_token": tok, "next": "/review"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/review"
    assert row(world, wid, pos)["status"] == "claimed"
    assert "Confirmed" in lib.get("/review").text


def test_split_and_merge(world):
    lib = login(world, "lib")
    with world.store.connect() as conn:
        rows = conn.execute(sa.select(works.c.work_id, works.c.data).where(works.c.status == "active")
                            .order_by(works.c.work_id)).all()
    multi = next(r for r in rows if len(r.data["sources"]) >= 2)
    keys = [f"{s['source']}:{s['source_id']}" for s in multi.data["sources"]]
    assert lib.get(f"/works/{multi.work_id}/split").status_code == 200
    assert lib.post(f"/api/works/{multi.work_id}/split", json={"records": keys}).status_code == 409  # nothing left
    r = lib.post(f"/api/works/{multi.work_id}/split", json={"records": keys[-1:], "note": "two papers"})
    assert r.status_code == 200, r.text
    new_id = r.json()["after"]["new_work_id"]
    assert lib.get(f"/api/works/{new_id}").json()["records"][0]["key"] in keys
    assert new_id in {h["work_id"] for h in lib.get("/api/search", params={"size": 200}).json()["hits"]}
    r = lib.post("/api/works/merge", json={"work_ids": [multi.work_id, new_id], "note": "one paper after all"})
    assert r.status_code == 200
    target = r.json()["after"]["work_id"]
    gone = new_id if target == multi.work_id else multi.work_id
    assert lib.get(f"/works/{gone}", follow_redirects=False).headers["location"] == f"/works/{target}"
    ids = {h["work_id"] for h in lib.get("/api/search", params={"size": 200}).json()["hits"]}
    assert target in ids and gone not in ids
    acts = [e["action"] for e in lib.get("/api/audit", params={"object_type": "work"}).json()["entries"]]
    assert acts[:2] == ["merge", "split"]


# ------------------------------------------------------------------------------ decisions survive re-runs

def test_claims_and_rejections_survive_a_later_pipeline_run(world):
    from ir.attribute import attribute
    from ir.consolidate import consolidate
    from ir.search import index

    fac = login(world, "fac")
    wid, pos = pick(world, person=world.faculty_person, status=("auto", "suggested"), n=2)
    assert fac.post(f"/api/authorships/{wid}/{pos}/claim").status_code == 200
    rwid, rpos = pick(world, person=world.faculty_person, status=("auto", "suggested"), n=2)
    assert fac.post(f"/api/authorships/{rwid}/{rpos}/reject").status_code == 200
    consolidate(world.store)
    attribute(world.store, world.dictionaries)
    index(world.store, world.settings)
    assert row(world, wid, pos)["status"] == "claimed" and row(world, rwid, rpos)["status"] == "rejected"
    assert row(world, rwid, rpos)["person_id"] != world.faculty_person or row(world, rwid, rpos)["status"] == "rejected"
    found = fac.get("/api/search", params={"person_status": f"{world.faculty_person}:claimed", "size": 100}).json()
    assert wid in {h["work_id"] for h in found["hits"]}


# ------------------------------------------------------------------------------ single sign-on

def test_trusted_header_mode_maps_and_provisions_accounts(world):
    from ir.store.tables.attribution import dict_people

    with world.store.connect() as conn:
        person = conn.execute(sa.select(dict_people.c.person_id, dict_people.c.email).where(
            dict_people.c.email.is_not(None), dict_people.c.person_id.not_in([world.faculty_person, world.other_person]))
            .order_by(dict_people.c.person_id)).first()
    c = make_client(world, auth="header", provision=True, trusted_proxies=("127.0.0.1",))
    assert c.get("/api/session").json()["user"] is None
    s = c.get("/api/session", headers={"REMOTE_USER": person.email}).json()
    assert s["user"]["role"] == "faculty" and s["user"]["person_id"] == person.person_id
    assert s["user"]["auth_source"] == "header"
    # a local account with a password is never signed in by the header
    assert c.get("/api/session", headers={"REMOTE_USER": "lib"}).json()["user"] is None
    from ir.web.accounts import create_user as add

    if not any(u for u in [c.get("/api/session", headers={"REMOTE_USER": "sso-lib"}).json()["user"]] if u):
        add(world.store, "sso-lib", "librarian", auth_source="header")
    assert c.get("/api/session", headers={"REMOTE_USER": "sso-lib"}).json()["user"]["role"] == "librarian"
    assert c.get("/api/session", headers={"REMOTE_USER": "stranger@elsewhere.org"}).json()["user"] is None
    assert c.post("/api/session", json={"username": "fac", "password": PASSWORD}).status_code == 400
    strict = make_client(world, auth="header", provision=False, trusted_proxies=("127.0.0.1",))
    assert strict.get("/api/session", headers={"REMOTE_USER": "someone-new"}).json()["user"] is None
    # header mode still needs the CSRF token for changes
    wid, pos = pick(world, status="external", n=7)
    assert c.post(f"/api/authorships/{wid}/{pos}/claim", headers={"REMOTE_USER": person.email}).status_code == 403
    tok = c.get("/api/session", headers={"REMOTE_USER": person.email}).json()["csrf_token"]
    r = c.post(f"/api/authorships/{wid}/{pos}/claim", headers={"REMOTE_USER": person.email, "X-CSRF-Token": tok})
    assert r.status_code == 200 and row(world, wid, pos)["person_id"] == person.person_id


# ------------------------------------------------------------------------------ accounts and CLI

def test_users_cli_and_admin_page(world, monkeypatch):
    from ir.cli import app

    monkeypatch.setenv("IR_DATABASE_URL", world.store.url)
    runner = CliRunner()
    name = f"u{uuid.uuid4().hex[:6]}"
    res = runner.invoke(app, ["users", "add", name, "--role", "librarian", "--password", "long-enough-1"])
    assert res.exit_code == 0, res.output
    assert authenticate(world.store, name, "long-enough-1").role == "librarian"
    res = runner.invoke(app, ["users", "add", name + "f", "--role", "faculty"])
    assert res.exit_code == 2 and "--person-id" in res.output
    res = runner.invoke(app, ["users", "add", name + "g", "--role", "faculty", "--person-id", world.other_person])
    assert res.exit_code == 0 and "password: " in res.output
    res = runner.invoke(app, ["users", "list", "--json"])
    assert name in res.output and world.other_person in res.output
    adm = login(world, "adm")
    html = adm.get("/users").text
    assert name in html
    tok = form_token(html)
    adm.post("/users", data={"csrf_token": tok, "username": name + "h", "role": "research_office", "password": "long-enough-2"})
    assert authenticate(world.store, name + "h", "long-enough-2").role == "research_office"
    with pytest.raises(Exception):
        create_user(world.store, name, "librarian", password="long-enough-1")


def test_demo_accounts(world):
    from ir.web.accounts import ensure_demo_accounts

    accts = ensure_demo_accounts(world.store, password="demo-password-1")
    assert [a["role"] for a in accts] == ["faculty", "librarian", "research_office", "admin"]
    fac = next(a for a in accts if a["role"] == "faculty")
    c = make_client(world)
    r = c.post("/api/session", json={"username": fac["username"], "password": "demo-password-1"})
    assert r.status_code == 200
    assert c.get("/api/me/outputs").json()["suggestions"] or c.get("/api/me/outputs").json()["claimed"]


def test_openapi_lists_every_action(world):
    spec = make_client(world).get("/api/openapi.json").json()
    paths = set(spec["paths"])
    for p in ("/api/search", "/api/works/{work_id}", "/api/me/outputs", "/api/authorships/{work_id}/{position}/claim",
              "/api/authorships/{work_id}/{position}/reject", "/api/authorships/{work_id}/{position}/confirm",
              "/api/authorships/{work_id}/{position}/reassign", "/api/review-queue", "/api/unknown-authors",
              "/api/works/{work_id}/split", "/api/works/merge", "/api/audit", "/api/session", "/api/extract"):
        assert p in paths, p
