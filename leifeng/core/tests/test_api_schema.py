"""The JSON API against its own OpenAPI schema, fuzzed by schemathesis with a real Bearer token.

The schema is read once, at import, from the WSGI application (building /api/v1/openapi.json
needs no database). Each operation becomes its own pytest item; the cases are sent through the
same WSGI application inside the test's transaction, with the token of `county_a_admin`.

Why not `schemathesis.pytest.from_fixture` (a lazy schema)? With pytest 9 it fails at run time
with "AttributeError: 'Function' object has no attribute '_nodeid'" (schemathesis 4.32).

Every operation is checked for: no 5xx (`not_a_server_error`), responses matching the documented
schema, content type and headers, the negative/positive data and auth checks schemathesis runs by
default, that every status answered is documented (each operation lists its 4xx answers with
the one error body), and our one error body.
"""

import re

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from conftest import PASSWORD
from leifeng.accounts.services import token_create

OPENAPI = "/api/v1/openapi.json"
CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_KEYS = {"code", "message", "fields"}
PAGINATED = [
    "/api/v1/regions",
    "/api/v1/organisations",
    "/api/v1/organisations/roles",
    "/api/v1/audit",
]


def _load_schema():
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi(OPENAPI, application)


schema = _load_schema()


@pytest.fixture
def wsgi_app(db):
    """Let bare WSGI calls share the test transaction.

    Each call fires request_started/request_finished. Their close_old_connections would close the
    connection that holds the test transaction (SQLite in memory ignores that; PostgreSQL does
    not). Django's test client disconnects it for the same reason.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schema.app
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(org_tree) -> str:
    _row, text = token_create(actor=org_tree.county_a_admin, name="schemathesis")
    return text


def one_error_body(ctx, response, case):
    """Every API error answers {"code", "message", "fields"}, with the message in Chinese.

    405 is left to test_wrong_method_answers_405_in_the_one_error_body: schemathesis's coverage
    phase sends undocumented methods to every path, and one known bug would hide the rest.
    """
    if response.status_code < 400 or response.status_code == 405:
        return None
    body = response.json()
    assert isinstance(body, dict), f"error body is not an object: {body!r}"
    assert set(body) == ERROR_KEYS, f"error body keys {sorted(body)} != {sorted(ERROR_KEYS)}"
    assert isinstance(body["fields"], dict), f"fields is not an object: {body['fields']!r}"
    assert CJK.search(body["message"]), f"message is not Chinese: {body['message']!r}"
    return None


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case, token, wsgi_app):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # The default checks include not_a_server_error, response_schema_conformance and
        # status_code_conformance.
        additional_checks=[one_error_body],
    )


@pytest.mark.parametrize(
    "name", ["not_a_server_error", "response_schema_conformance", "status_code_conformance"]
)
def test_the_fuzzing_runs_the_required_checks(name):
    assert schema.config.checks_config_for().get_by_name(name=name).enabled


@pytest.mark.parametrize("path", PAGINATED)
def test_a_huge_page_number_is_not_a_server_error(client, org_tree, path):
    """Found by schemathesis: GET /api/v1/regions?page=429504015855604334592 answered 500.

    The offset (page - 1) * page_size no longer fits in a 64-bit integer, and the database
    refuses the query (SQLite: "datatype mismatch"; PostgreSQL: "bigint out of range").
    """
    _row, text = token_create(actor=org_tree.county_a_admin, name="t")
    response = client.get(f"{path}?page={2**63}", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert response.status_code < 500, response.content.decode()


def test_openapi_json_lists_the_main_paths(client, db):
    response = client.get(OPENAPI)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    paths = response.json()["paths"]
    assert {"/api/v1/me", "/api/v1/organisations", "/api/v1/regions"} <= set(paths)


def test_unauthenticated_me_answers_401_in_the_one_error_body(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "unauthenticated"
    assert body["fields"] == {}
    assert CJK.search(body["message"]), body["message"]


def test_wrong_method_answers_405_in_the_one_error_body(client, org_tree):
    """Found by the one_error_body check: a method a path does not have answers 405 with the
    plain-text body "Method not allowed" (text/html, English), not the error body.

    Django Ninja's PathView returns HttpResponseNotAllowed itself, so the 405 message in
    config/api.py (on_http_error) is never used.
    """
    _row, text = token_create(actor=org_tree.county_a_admin, name="t")
    response = client.delete("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert response["Content-Type"].startswith("application/json"), response.content.decode()
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert CJK.search(body["message"]), body["message"]


def test_interactive_docs_load_for_a_session_and_use_no_outside_origin(client, org_tree):
    logged_in = client.post(
        "/accounts/login/", {"username": "county_a_admin", "password": PASSWORD}
    )
    assert logged_in.status_code == 302
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "http://" not in html
    assert "https://" not in html
