"""The web app's security rules, tried as an attacker would: over HTTP against ``ir serve`` (uvicorn) on a
free loopback port, never through a test client.

- single sign-on header mode: a forged ``REMOTE_USER`` from a client that reaches the app directly is
  ignored; from the trusted proxy (a second loopback address, 127.0.0.2) it signs in only accounts
  without a password; the server warns at start without a trusted proxy list;
- sessions end on the server: a cookie replayed after sign-out or after a password change signs in no one;
- sign-in is throttled per account and per client address, with a message and Retry-After;
- every parameter has a bound: NUL characters, integers beyond 64 bits, a 5 MB note answer 400/413/422
  with a message, never 500;
- ``GET /extract/{year}`` stores nothing and leaves no temporary folder; a snapshot is a POST;
- the session cookie is Secure whenever the request came over HTTPS (directly or via the trusted proxy).
"""

from __future__ import annotations

import glob
import os
import tempfile
import uuid

import httpx
import pytest
import sqlalchemy as sa

from conftest import need_service
from ir.config import Settings
from ir.store.tables.audit import audit_log
from ir.store.tables.reports import report_snapshots
from ir.store.tables.repository import users, web_sessions
from test_web_support import PASSWORD, Server, add_accounts, build, generate_demo, sqlite_world

pytestmark = [pytest.mark.slow]
PROXY = "127.0.0.2"  # the front proxy: another loopback address of this machine
OTHER_CLIENT = "127.0.0.3"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("websec")
    w = sqlite_world(tmp)
    w.tmp = tmp
    yield w
    w.store.dispose()


@pytest.fixture(scope="module")
def local(world):
    srv = Server(world, world.tmp / "local", {"IR_LOGIN_MAX_FAILURES": "5", "IR_LOGIN_WINDOW": "600"})
    yield srv
    srv.stop()


def client(base: str, source: str = "127.0.0.1", **kw) -> httpx.Client:
    return httpx.Client(base_url=base, transport=httpx.HTTPTransport(local_address=source), timeout=60, **kw)


def sign_in(base: str, username: str, password: str = PASSWORD, source: str = "127.0.0.1") -> httpx.Client:
    c = client(base, source)
    r = c.post("/api/session", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def count(world, table) -> int:
    with world.store.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


# ------------------------------------------------------------------------------ single sign-on


def test_forged_remote_user_from_a_direct_client_is_nobody(world):
    """IR_AUTH=header with the proxy at 127.0.0.2: a client at 127.0.0.1 sends REMOTE_USER: adm (the
    local admin) and tries to create an admin account with the CSRF token of that session."""
    from ir.web.accounts import create_user, find_user

    if find_user(world.store, "sso-admin") is None:
        create_user(world.store, "sso-admin", "admin", auth_source="header")
    srv = Server(world, world.tmp / "header", {"IR_AUTH": "header", "IR_TRUSTED_PROXIES": PROXY})
    try:
        before = count(world, users)
        for who in ("adm", "sso-admin"):
            direct = client(srv.base, headers={"REMOTE_USER": who, "X-Forwarded-For": PROXY})
            s = direct.get("/api/session").json()
            assert s["user"] is None, who
            assert direct.get("/users").status_code in (303, 200) and "Accounts" not in direct.get("/users").text
            tok = s["csrf_token"]
            r = direct.post("/users", data={"csrf_token": tok, "username": "evil", "role": "admin"}, follow_redirects=False)
            assert r.status_code in (303, 401)
            assert direct.get("/api/audit").status_code == 401
        assert count(world, users) == before and find_user(world.store, "evil") is None
        # through the proxy: its own users sign in, a local account with a password does not
        proxy = client(srv.base, PROXY)
        assert proxy.get("/api/session", headers={"REMOTE_USER": "sso-admin"}).json()["user"]["role"] == "admin"
        assert proxy.get("/api/session", headers={"REMOTE_USER": "adm"}).json()["user"] is None
        assert proxy.get("/api/audit", headers={"REMOTE_USER": "sso-admin"}).status_code == 200
    finally:
        srv.stop()


def test_header_mode_without_trusted_proxies_warns_at_start_and_believes_nobody(world):
    srv = Server(world, world.tmp / "header-open", {"IR_AUTH": "header"})
    try:
        assert "IR_TRUSTED_PROXIES" in srv.log() and "warning" in srv.log().lower()
        for source in ("127.0.0.1", PROXY):
            c = client(srv.base, source, headers={"REMOTE_USER": "sso-admin"})
            assert c.get("/api/session").json()["user"] is None
    finally:
        srv.stop()


# ------------------------------------------------------------------------------ sessions


def test_a_cookie_replayed_after_sign_out_signs_in_no_one(world, local):
    c = sign_in(local.base, "lib")
    cookie = c.cookies["ir_session"]
    assert c.get("/api/review-queue").status_code == 200
    assert c.delete("/api/session").status_code == 200
    replay = client(local.base, cookies={"ir_session": cookie})
    assert replay.get("/api/session").json()["user"] is None
    assert replay.get("/api/review-queue").status_code == 401
    # the page form too
    c = sign_in(local.base, "lib")
    cookie = c.cookies["ir_session"]
    tok = c.headers["X-CSRF-Token"]
    assert c.post("/logout", data={"csrf_token": tok}, follow_redirects=False).status_code == 303
    assert client(local.base, cookies={"ir_session": cookie}).get("/review", follow_redirects=False).status_code == 303


def test_a_password_change_ends_every_session(world, local):
    from ir.web.accounts import create_user, set_password

    name = f"pw{uuid.uuid4().hex[:6]}"
    create_user(world.store, name, "librarian", password="first-pass-1")
    a = sign_in(local.base, name, "first-pass-1")
    b = sign_in(local.base, name, "first-pass-1", source=OTHER_CLIENT)
    stolen = b.cookies["ir_session"]
    assert b.get("/api/review-queue").status_code == 200
    r = a.post("/api/session/password", json={"current_password": "wrong", "new_password": "second-pass-2"})
    assert r.status_code == 422 and "current password" in r.json()["detail"]
    r = a.post("/api/session/password", json={"current_password": "first-pass-1", "new_password": "second-pass-2"})
    assert r.status_code == 200 and r.json()["sessions_ended"] == 2
    assert a.get("/api/review-queue").status_code == 200  # the changer keeps a new session
    assert client(local.base, cookies={"ir_session": stolen}).get("/api/review-queue").status_code == 401
    assert b.get("/api/review-queue").status_code == 401
    # the command line (ir users passwd) ends them too
    c = sign_in(local.base, name, "second-pass-2")
    assert set_password(world.store, name, "third-pass-33") >= 1
    assert c.get("/api/review-queue").status_code == 401
    with world.store.connect() as conn:
        e = conn.execute(sa.select(audit_log).where(audit_log.c.action == "password_set",
                                                    audit_log.c.object_id == name).order_by(audit_log.c.id)).all()
    assert len(e) == 2


# ------------------------------------------------------------------------------ throttling


def test_sign_in_is_throttled_per_account_with_a_message(world, local):
    from ir.web.accounts import create_user

    name = f"th{uuid.uuid4().hex[:6]}"
    create_user(world.store, name, "research_office", password="right-pass-1")
    c = client(local.base, OTHER_CLIENT)
    codes = [c.post("/api/session", json={"username": name, "password": f"wrong-{i}"}).status_code for i in range(5)]
    assert codes == [401] * 5
    r = c.post("/api/session", json={"username": name, "password": "right-pass-1"})  # the right one, too late
    assert r.status_code == 429 and "Too many failed sign-ins for this account" in r.json()["detail"]
    assert 1 <= int(r.headers["Retry-After"]) <= 600
    # from another address as well: the account is protected, wherever the guesses come from
    assert client(local.base).post("/api/session", json={"username": name, "password": "right-pass-1"}).status_code == 429
    page = client(local.base)
    tok = page.get("/api/session").json()["csrf_token"]
    r = page.post("/login", data={"csrf_token": tok, "username": name, "password": "right-pass-1"})
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text
    assert page.get("/api/session").json()["user"] is None
    # other accounts are not affected
    assert sign_in(local.base, "ro").get("/api/session").json()["user"]["username"] == "ro"


def test_sign_in_is_throttled_per_client_address(world, local):
    """20 failures (four times the per-account limit) from one address over several accounts: that
    address must wait, another address signs in."""
    c = client(local.base, "127.0.0.4")
    names = [f"nobody{i}" for i in range(20)]
    assert {c.post("/api/session", json={"username": n, "password": "x" * 8}).status_code for n in names} == {401}
    r = c.post("/api/session", json={"username": "lib", "password": PASSWORD})
    assert r.status_code == 429 and "your address" in r.json()["detail"]
    assert client(local.base, "127.0.0.5").post("/api/session", json={"username": "lib", "password": PASSWORD}).status_code == 200


# ------------------------------------------------------------------------------ bounded inputs


BIG = str(2**70)


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("GET", "/?q=a%00b", {}, 400),
    ("GET", "/api/search?q=a%00b", {}, 400),
    ("GET", "/me?q=%00", {}, 400),
    ("GET", "/works/W%00X", {}, 400),
    ("GET", "/api/works/W%00X", {}, 400),
    ("GET", f"/api/search?page={BIG}", {}, 422),
    ("GET", f"/api/search?size={BIG}", {}, 422),
    ("GET", f"/api/search?page=-{BIG}", {}, 422),
    ("GET", f"/?page={BIG}", {}, 422),
    ("GET", f"/api/search?year={BIG}", {}, 422),
    ("GET", f"/api/review-queue?limit={BIG}", {}, 422),
    ("GET", f"/review?limit={BIG}", {}, 422),
    ("GET", f"/audit?page={BIG}", {}, 422),
    ("GET", f"/api/audit?page={BIG}&size={BIG}", {}, 422),
    ("GET", f"/api/unknown-authors?limit={BIG}", {}, 422),
    ("GET", f"/extract/{BIG}", {}, 422),
    ("GET", "/extract/-1", {}, 422),
    ("GET", f"/api/extract/{BIG}/preview", {}, 422),
    ("GET", f"/extract?year={BIG}", {}, 422),
    ("POST", f"/api/authorships/W1/{BIG}/claim", {"json": {}}, 422),
    ("POST", "/api/authorships/W1/0/claim", {"json": {}}, 422),
    ("POST", f"/authorships/W1/{BIG}/claim", {"data": {}}, 400),  # the form parser refuses the 5 MB field first
    ("POST", "/api/authorships/W1/1/reject", {"json": {"note": "x" * (5 * 1024 * 1024)}}, 422),
    ("POST", "/api/authorships/W1/1/reject", {"json": {"note": "a\u0000b"}}, 422),
    ("POST", "/api/authorships/W1/1/reject", {"content": b"{" * (11 * 1024 * 1024),
                                              "headers": {"content-type": "application/json"}}, 413),
    ("POST", "/api/authorships/bulk", {"json": {"action": "confirm", "items": [{"work_id": "W1", "position": BIG}]}}, 422),
    ("GET", "/api/works/" + "W" * 5000, {}, 422),
])
def test_bad_input_answers_4xx_with_a_message(world, local, method, path, kwargs, status):
    c = sign_in(local.base, "lib")
    kwargs = dict(kwargs)
    if "data" in kwargs:  # a form: with its CSRF token and a 5 MB note
        kwargs["data"] = {"csrf_token": c.headers["X-CSRF-Token"], "note": "x" * (5 * 1024 * 1024), **kwargs["data"]}
    r = c.request(method, path, **kwargs)
    assert r.status_code == status, (path, r.status_code, r.text[:300])
    body = r.text
    assert body and "Traceback" not in body and "Internal Server Error" not in body
    if path.startswith("/api/"):
        assert r.json()["detail"], r.text


def test_a_5mb_note_in_a_form_is_refused_with_a_message(world, local):
    c = sign_in(local.base, "lib")
    with world.store.connect() as conn:
        wid, pos = conn.execute(sa.text("select work_id, position from authorships where status = 'auto' "
                                        "order by work_id, position limit 1")).one()
    before = count(world, audit_log)
    r = c.post(f"/authorships/{wid}/{pos}/confirm", data={"csrf_token": c.headers["X-CSRF-Token"],
                                                          "note": "n" * (5 * 1024 * 1024)})
    assert r.status_code == 400 and "exceeded maximum size" in r.text  # starlette's form parser: 1 MB a field
    r = c.post(f"/authorships/{wid}/{pos}/confirm", data={"csrf_token": c.headers["X-CSRF-Token"],
                                                          "note": "n" * 5000})
    assert r.status_code == 422 and "note: at most 4000 characters" in r.text
    assert count(world, audit_log) == before


# ------------------------------------------------------------------------------ extract


def test_get_extract_stores_nothing_and_leaves_no_temporary_folder(world, local):
    ro = sign_in(local.base, "ro")
    years = ro.get("/api/extract").json()["years"]
    assert years
    tmp_before = set(glob.glob(os.path.join(tempfile.gettempdir(), "ir-extract-*")))
    before = count(world, report_snapshots)
    for _ in range(2):
        r = ro.get(f"/extract/{years[0]}")
        assert r.status_code == 200 and r.content[:2] == b"PK" and "spreadsheetml" in r.headers["content-type"]
    assert ro.get(f"/api/extract/{years[0]}/preview").status_code == 200
    assert ro.get("/extract").status_code == 200
    assert ro.get("/extract/1999").status_code == 404  # a year without works: nothing to extract
    assert count(world, report_snapshots) == before
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "ir-extract-*"))) == tmp_before
    # a snapshot is taken on purpose
    r = ro.post(f"/api/extract/{years[0]}/snapshots", json={"note": "for the ministry"})
    assert r.status_code == 200 and count(world, report_snapshots) == before + 1
    assert ro.get(f"/extract/snapshots/{r.json()['snapshot_id']}").content[:2] == b"PK"
    del ro.headers["X-CSRF-Token"]
    assert ro.post(f"/api/extract/{years[0]}/snapshots", json={}).status_code == 403


# ------------------------------------------------------------------------------ cookies


def _set_cookie(r: httpx.Response) -> str:
    return next(v for k, v in r.headers.multi_items() if k.lower() == "set-cookie" and v.startswith("ir_session="))


def test_session_cookie_is_secure_whenever_the_request_came_over_https(world):
    srv = Server(world, world.tmp / "proxied", {"IR_TRUSTED_PROXIES": PROXY})
    try:
        body = {"username": "lib", "password": PASSWORD}
        plain = client(srv.base).post("/api/session", json=body)
        assert plain.status_code == 200 and "secure" not in _set_cookie(plain).lower()
        # a direct client claiming HTTPS is not believed
        forged = client(srv.base).post("/api/session", json=body, headers={"X-Forwarded-Proto": "https"})
        assert "secure" not in _set_cookie(forged).lower()
        # the proxy terminated TLS and says so
        via = client(srv.base, PROXY).post("/api/session", json=body,
                                           headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"})
        assert via.status_code == 200 and "; secure" in _set_cookie(via).lower()
        assert "httponly" in _set_cookie(via).lower() and "samesite=lax" in _set_cookie(via).lower()
        with world.store.connect() as conn:  # the session remembers the client, not the proxy
            assert conn.execute(sa.select(web_sessions.c.client).order_by(web_sessions.c.created_at.desc())).first()[0] \
                == "198.51.100.7"
    finally:
        srv.stop()
    always = Server(world, world.tmp / "secure", {"IR_COOKIE_SECURE": "1"})
    try:
        r = client(always.base).post("/api/session", json={"username": "lib", "password": PASSWORD})
        assert "; secure" in _set_cookie(r).lower()
    finally:
        always.stop()


def test_bad_settings_stop_the_server_with_a_message(world, tmp_path):
    with pytest.raises(RuntimeError, match="IR_TRUSTED_PROXIES"):
        Server(world, tmp_path, {"IR_TRUSTED_PROXIES": "not-an-address"})


# ------------------------------------------------------------------------------ the production pair


@pytest.mark.postgres
@pytest.mark.es
def test_nul_and_huge_integers_on_postgres_and_elasticsearch(tmp_path_factory):
    """The same bounds where PostgreSQL refuses NUL in text and Elasticsearch parses the query."""
    from conftest import _pg_store

    es = need_service("Elasticsearch (IR_TEST_ES_URL)", os.environ.get("IR_TEST_ES_URL"))
    pg = need_service("PostgreSQL (IR_TEST_POSTGRES_URL)", os.environ.get("IR_TEST_POSTGRES_URL"))
    tmp = tmp_path_factory.mktemp("websec-pg")
    conf = tmp / "ir.toml"
    conf.write_text(f'[search]\nindex_alias = "irtest-sec-{uuid.uuid4().hex[:8]}"\nreplicas = 0\n')
    gen = _pg_store(pg)
    st = next(gen)
    settings = Settings(database_url=st.url, search_url=es, config_file=conf,
                        dictionaries=tmp / "demo" / "dictionaries")
    demo = generate_demo(tmp / "demo")
    w = build(st, settings, demo)
    add_accounts(w)
    srv = None
    try:
        srv = Server(w, tmp / "srv", {"IR_DATABASE_URL": st.url})
        c = sign_in(srv.base, "lib")
        for path, status in (("/api/search?q=a%00b", 400), ("/api/works/W%00", 400), (f"/api/search?page={BIG}", 422),
                             ("/api/people?q=%00", 400), ("/people/P%00", 400), ("/api/search?q=" + "a" * 600, 422)):
            r = c.get(path)
            assert r.status_code == status, (path, r.text[:200])
        r = c.post("/api/authorships/W1/1/reject", json={"note": "a\u0000b"})
        assert r.status_code == 422 and "control character" in r.text
        assert c.get("/api/search", params={"q": "heavy metals"}).status_code == 200
    finally:
        if srv:
            srv.stop()
        from ir.search import open_backend

        backend = open_backend(settings, st)
        backend.drop()
        backend.close()
        gen.close()
