"""The HTTP surface: a body size limit, 422s that do not echo the input, no 500 for malformed
input (lone surrogates, a list for a role, year-one dates), security headers on every
response, no inline script or style, and LIKE filters that treat % and _ as text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from security_support import CHUNK, MIB, drive, endless, login, plaintext_of
from sqlalchemy import Engine, update
from workbench_support import account_of_agency, bearer

from arrears.adapters.storage import tables as t
from arrears.services.workbench.context import Workbench

# ---------------------------------------------------------------- body size
JSON = [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")]


def _dialer(wb: Workbench) -> tuple[bytes, bytes]:
    """The Authorization header of a service token allowed to ask the compliance check (which
    refuses an anonymous caller before it reads a byte of the body)."""
    from arrears.services.workbench import service_tokens

    made = service_tokens.issue(wb, service_tokens.Actor(operator="test"), "dialer", ["compliance:check"])
    return (b"authorization", f"Bearer {made.token}".encode())


@pytest.mark.parametrize("path", ["/v1/compliance/check", "/v1/accounts/A00000001/contacts", "/login"])
def test_a_streamed_200_mb_body_is_refused_with_413_and_memory_stays_bounded(app: Any, wb: Workbench,
                                                                              path: str) -> None:
    headers = JSON if path.startswith("/v1") else [(b"content-type", b"application/x-www-form-urlencoded"),
                                                   (b"transfer-encoding", b"chunked")]
    if path == "/v1/compliance/check":
        headers = [*headers, _dialer(wb)]
    answer = drive(app, path, endless(200 * MIB), headers)
    assert answer["status"] == 413
    message = json.loads(answer["body"])["error"]
    assert "1048576" in message["message_zh"] and "1048576" in message["message_en"]
    assert answer["pulled"] <= MIB + CHUNK
    assert answer["peak"] < 16 * MIB


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(app: Any) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(200 * MIB).encode())]
    answer = drive(app, "/v1/compliance/check", endless(200 * MIB), headers)
    assert answer["status"] == 413 and answer["pulled"] == 0


def test_the_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch, wb: Workbench) -> None:
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.deps import get_engine
    from arrears.entrypoints.api.workbench import configure_workbench
    from arrears.settings import get_settings

    monkeypatch.setenv("ARREARS_MAX_BODY_BYTES", "2000")
    get_settings.cache_clear()
    try:
        small = create_app()
    finally:
        get_settings.cache_clear()
    small.dependency_overrides[get_engine] = lambda: wb.engine
    configure_workbench(small, wb)
    name, value = _dialer(wb)
    with TestClient(small, headers={name.decode(): value.decode()}) as client:
        assert client.post("/v1/compliance/check", content=b" " * 2001).status_code == 413
        assert client.post("/v1/compliance/check", content=b"{}").status_code == 422


# ---------------------------------------------------------------- 422 without the input
def test_a_validation_error_names_the_field_but_never_echoes_the_input(client: TestClient) -> None:
    sent = {"username": "new_user", "password": "Tr0ub4dor&3-secret", "role": "root-of-all-secrets"}
    reply = client.post("/v1/users", json=sent, headers=bearer(client, "admin"))
    assert reply.status_code == 422
    assert "Tr0ub4dor" not in reply.text and "root-of-all-secrets" not in reply.text
    error = reply.json()["error"]
    assert [item["field"] for item in error["fields"]] == ["body.role"] and error["field"] == "body.role"
    assert all(set(item) == {"field", "problem", "type"} for item in error["fields"])


# ---------------------------------------------------------------- no 500 for malformed input
SURROGATE_BODIES = [
    ("/v1/accounts/{account}/reveal", '{"field": "name", "purpose": "\\ud800\\ud800"}'),
    ("/v1/accounts/{account}/contacts", '{"channel": "call", "outcome": "no_answer", "notes": "\\udfff"}'),
    ("/v1/accounts/{account}/follow-ups", '{"kind": "reminder", "due_at": "2026-12-01T09:00:00+08:00", '
                                          '"note": "\\ud800"}'),
    ("/v1/auth/token", '{"username": "\\ud800", "password": "x"}'),
    ("/v1/users", '{"username": "abc", "password": "0123456789ab", "role": "\\ud800"}'),
    ("/v1/users", '{"\\udc00": 1, "username": "abc"}'),
    ("/v1/compliance/check", '{"id": "\\ud800"}'),
    ("/v1/arrangements/quote", '{"balance": "\\ud800"}'),
]


@pytest.mark.parametrize(("path", "body"), SURROGATE_BODIES)
def test_a_lone_surrogate_anywhere_in_a_json_body_is_a_clear_refusal_not_a_500(
    client: TestClient, wb: Workbench, path: str, body: str
) -> None:
    account = account_of_agency(wb.engine, None)
    reply = client.post(path.format(account=account), content=body.encode(),
                        headers={**bearer(client, "admin"), "content-type": "application/json"})
    assert reply.status_code in (400, 422), reply.text
    assert "surrogate" in reply.text


def test_raw_surrogate_bytes_in_a_json_body_are_refused(client: TestClient) -> None:
    reply = client.post("/v1/auth/token", content=b'{"username": "\xed\xa0\x80", "password": "x"}',
                        headers={"content-type": "application/json"})
    assert reply.status_code == 422


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
ENDPOINTS = ["/v1/accounts/{account}/reveal", "/v1/accounts/{account}/contacts", "/v1/accounts/{account}/attempts",
             "/v1/auth/token", "/v1/users", "/v1/compliance/check", "/v1/arrangements/quote", "/v1/me/language"]


@given(value=json_values, path=st.sampled_from(ENDPOINTS), where=st.integers(0, 10_000),
       half=st.sampled_from(["\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\u0000"]))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_json_body_with_a_lone_surrogate_or_nul_gets_a_server_error(
    app: Any, wb: Workbench, *, value: Any, path: str, where: int, half: str
) -> None:
    text = json.dumps({"field": "name", "purpose": "x", "channel": "call", "x": value})
    quotes = [m.end() for m in re.finditer(r'"', text)]
    at = quotes[where % len(quotes)] - 1  # inside a string (or a key), just before its closing quote
    body = text[:at] + half + text[at:] if text[at] == '"' else text
    with TestClient(app, raise_server_exceptions=False) as client:
        account = account_of_agency(wb.engine, None)
        reply = client.post(path.format(account=account), content=body.encode(),
                            headers={**bearer(client, "admin"), "content-type": "application/json"})
    assert reply.status_code < 500, (body, reply.text)


def test_a_list_where_a_role_is_expected_is_refused_not_a_500(client: TestClient) -> None:
    reply = client.post("/v1/arrangements/quote", json={"role": ["team_lead"]}, headers=bearer(client, "admin"))
    assert reply.status_code == 422 and "role" in reply.text


def test_year_one_and_year_9999_times_in_forms_and_bodies_are_refused_not_a_500(
    client: TestClient, wb: Workbench
) -> None:
    account = account_of_agency(wb.engine, None)
    csrf = login(client)
    for due in ("0001-01-01T00:00", "0001-01-01T07:59"):
        page = client.post(f"/accounts/{account}/follow-ups",
                           data={"kind": "reminder", "due_at": due, "csrf_token": csrf})
        assert page.status_code == 422 and "跟进时间" in page.text
    page = client.post(f"/accounts/{account}/contacts", data={
        "channel": "call", "outcome": "no_answer", "callback_at": "0001-01-01T00:00", "csrf_token": csrf})
    assert page.status_code == 422
    headers = bearer(client, "collector")
    for moment in ("9999-12-31T23:59:59-08:00", "0001-01-01T00:00:00+08:00"):
        api = client.post(f"/v1/accounts/{account}/contacts", headers=headers,
                          json={"channel": "call", "outcome": "no_answer", "callback_at": moment})
        assert api.status_code == 422, api.text
        api = client.post(f"/v1/accounts/{account}/follow-ups", headers=headers,
                          json={"kind": "reminder", "due_at": moment})
        assert api.status_code == 422, api.text


# ---------------------------------------------------------------- security headers
def _assert_headers(reply: Any, *, cached: bool = False) -> None:
    csp = reply.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, reply.request.url
    assert reply.headers.get("x-frame-options") == "DENY"
    assert reply.headers.get("x-content-type-options") == "nosniff"
    assert reply.headers.get("referrer-policy") == "no-referrer"
    if not cached:
        assert reply.headers.get("cache-control") == "no-store", reply.request.url


def test_every_page_and_api_answer_carries_the_security_headers(client: TestClient, wb: Workbench) -> None:
    plain = plaintext_of(wb.engine)
    _assert_headers(client.get("/login"))
    _assert_headers(client.get("/v1/health"))
    _assert_headers(client.get("/v1/accounts/NOPE", headers=bearer(client, "collector")))
    _assert_headers(client.get(f"/v1/accounts/{plain.account_id}", headers=bearer(client, "collector")))
    _assert_headers(client.post("/v1/compliance/check", content=b"{"))
    _assert_headers(client.get("/static/app.css"), cached=True)
    csrf = login(client)
    for path in ("/queue", f"/accounts/{plain.account_id}", "/my-day", "/accounts/NOPE"):
        _assert_headers(client.get(path))
    revealed = client.post(f"/accounts/{plain.account_id}/reveal",
                           data={"field": "national_id", "purpose": "核实身份", "csrf_token": csrf})
    assert plain.national_id in revealed.text
    _assert_headers(revealed)
    fragment = client.post(f"/accounts/{plain.account_id}/reveal", headers={"HX-Request": "true"},
                           data={"field": "national_id", "purpose": "核实身份", "csrf_token": csrf})
    _assert_headers(fragment)
    api = client.post(f"/v1/accounts/{plain.account_id}/reveal", headers=bearer(client, "collector"),
                      json={"field": "national_id", "purpose": "核实身份"})
    _assert_headers(api)


TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "arrears" / "entrypoints" / "web" / "templates"


def test_pages_need_no_inline_script_or_style_under_the_policy(client: TestClient, wb: Workbench) -> None:
    login(client)
    pages = [client.get(p).text for p in ("/queue", f"/accounts/{plain_account(wb)}", "/my-day")]
    for html in [*pages, *(p.read_text(encoding="utf-8") for p in TEMPLATES.glob("*.html"))]:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
        assert not re.search(r"<style\b|\sstyle=", html), "an inline style"
        assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    assert "'unsafe-inline'" not in client.get("/queue").headers["content-security-policy"]


def plain_account(wb: Workbench) -> str:
    return account_of_agency(wb.engine, None)


def test_every_route_decodes_json_strictly(app: Any) -> None:
    from fastapi.routing import APIRoute

    from arrears.entrypoints.api.inputs import StrictInputRoute

    def flat(routes: list[Any]) -> list[Any]:  # included routers keep their own routes
        return [leaf for r in routes for leaf in (flat(r.original_router.routes) if hasattr(r, "original_router")
                                                  else [r])]

    routes = [r for r in flat(app.routes) if isinstance(r, APIRoute)]
    assert len(routes) > 40
    assert [r.path for r in routes if not isinstance(r, StrictInputRoute)] == []


# ---------------------------------------------------------------- LIKE
def test_a_percent_or_underscore_in_the_flag_filter_is_a_character_not_a_wildcard(client: TestClient) -> None:
    headers = bearer(client, "admin")
    for flag in ("%", "%%", "\\", "_%"):
        assert client.get("/v1/accounts", params={"flag": flag, "limit": 500}, headers=headers).json() == []
    underscored = client.get("/v1/accounts", params={"flag": "_", "limit": 500}, headers=headers).json()
    assert underscored and all("_" in row["flags"] for row in underscored)


def test_the_flag_filter_matches_literally_on_both_databases(engine: Engine) -> None:
    from arrears.domain.access import Role
    from arrears.services.workbench.accounts import AccountFilter, list_accounts
    from arrears.services.workbench.principal import Principal
    from ingested_rows import ingest_account

    for account_id, flags in (("A1", "dispute"), ("A2", "50%_off"), ("A3", "5x_off\\")):
        ingest_account(engine, account_id)
        with engine.begin() as connection:
            connection.execute(update(t.accounts).where(t.accounts.c.account_id == account_id).values(flags=flags))
    wb = Workbench(engine=engine, cipher=None, gate=None)  # type: ignore[arg-type]
    admin = Principal("u", "admin", "Admin", Role.ADMIN, None, None)

    def found(flag: str) -> list[str]:
        return [r["account_id"] for r in list_accounts(wb, admin, AccountFilter(flag=flag))]

    assert found("%") == ["A2"] and found("_") == ["A2", "A3"] and found("0%_") == ["A2"]
    assert found("\\") == ["A3"] and found("%_") == ["A2"] and found("disp") == ["A1"]
    assert found("x") == ["A3"] and found("5_") == []

