"""Fuzzing every route's parameters over HTTP against ``ir serve``: no input may give a 500.

- The JSON API: schemathesis generates requests from the app's own OpenAPI document (every operation,
  every parameter and body, values inside and outside the declared bounds), signed in as a librarian
  with the CSRF header, so the requests reach the actions.
- The pages (not in the OpenAPI document): hypothesis fills every path and query parameter of every
  page route, read from the app's routes, with hostile values (NUL and other control characters,
  integers far beyond 64 bits, long and non-Latin texts), and posts every form route with them.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_web_support import PASSWORD, Server, sqlite_world

pytestmark = [pytest.mark.slow]
EXAMPLES = 20  # per API operation / per page route
SKIP_OPERATIONS = {("DELETE", "/api/session"), ("POST", "/api/session/password")}  # would end the fuzzing session


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("webfuzz")
    world = sqlite_world(tmp)
    # a high per-address limit: the fuzzer's sign-in attempts must not lock the librarian out
    srv = Server(world, tmp / "srv", {"IR_LOGIN_MAX_FAILURES": "100000"})
    c = httpx.Client(base_url=srv.base, timeout=60)
    r = c.post("/api/session", json={"username": "lib", "password": PASSWORD})
    assert r.status_code == 200
    auth = {"Cookie": f"ir_session={c.cookies['ir_session']}", "X-CSRF-Token": r.json()["csrf_token"]}
    yield srv, auth, c
    c.close()
    srv.stop()
    world.store.dispose()


def test_api_never_answers_500(served):
    """Every operation of /api/openapi.json, EXAMPLES generated requests each (schemathesis strategies)."""
    srv, auth, _ = served
    schema = schemathesis.openapi.from_url(srv.base + "/api/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 25
    tried = []
    for op in operations:
        if (op.method.upper(), op.path) in SKIP_OPERATIONS:
            continue

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=op.as_strategy())
        def probe(case):
            headers = dict(case.headers or {})
            headers.update(auth)
            response = case.call(base_url=srv.base, headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, case.query, case.body,
                                                response.text[:500])

        probe()
        tried.append(f"{op.method.upper()} {op.path}")
    assert "POST /api/authorships/bulk" in tried and "GET /api/search" in tried


# ------------------------------------------------------------------------------ pages

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=5),
    st.integers(min_value=-2**80, max_value=2**80).map(str),
    st.sampled_from(["", "0", "-1", "18446744073709551616", "W" * 300, "a\x00b", "催化剂", "../../etc/passwd",
                     "' OR 1=1 --", "%00", "<script>x</script>", "1e999", "NaN"]),
)


def page_routes() -> list[tuple[str, str, list[str], list[str]]]:
    """(method, path, path parameters, query/form parameters) of every page route of the app."""
    from fastapi.routing import APIRoute

    from ir.web import pages

    out = []
    for r in pages.router.routes:
        if not isinstance(r, APIRoute):
            continue
        for method in sorted(r.methods - {"HEAD"}):
            out.append((method, r.path, [p.name for p in r.dependant.path_params],
                        [p.name for p in r.dependant.query_params]))
    return out


FORM_FIELDS = ["note", "person_id", "next", "username", "password", "action", "items", "work_ids", "records",
               "role", "current_password", "new_password", "repeat_password", "q"]


@pytest.mark.parametrize("method, path, path_params, query_params", page_routes(),
                         ids=[f"{m} {p}" for m, p, _, _ in page_routes()])
def test_pages_never_answer_500(served, method, path, path_params, query_params):
    srv, auth, _ = served
    assert path_params or query_params or method == "POST" or path in ("/", "/works-admin", "/unknown-authors",
                                                                        "/users", "/account/password"), path
    client = httpx.Client(base_url=srv.base, timeout=60, headers={"Cookie": auth["Cookie"]})

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(values=st.fixed_dictionaries({n: HOSTILE for n in path_params}),
           query=st.dictionaries(st.sampled_from(query_params or ["q"]), HOSTILE, max_size=3),
           form=st.dictionaries(st.sampled_from(FORM_FIELDS), HOSTILE, max_size=4))
    def probe(values, query, form):
        url = path
        for name, value in values.items():
            url = url.replace("{" + name + "}", quote(value, safe="") or "x")
        url = re.sub(r"/+", "/", url)
        if method == "GET":
            r = client.get(url, params=query, follow_redirects=False)
        else:
            r = client.post(url, params=query, data={"csrf_token": auth["X-CSRF-Token"], **form}, follow_redirects=False)
        assert r.status_code < 500, (method, url, query, form, r.text[:500])

    try:
        probe()
    finally:
        client.close()
