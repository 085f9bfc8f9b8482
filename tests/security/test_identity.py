"""Security regressions (issue 12): user administration within scope and authority, the password policy,
login answers that do not enumerate usernames, audits that keep no mistyped password, denied reveals
audited, a real login CSRF double submit, and no server error on malformed input."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from workbench_support import AS_OF_NOON, PASSWORD, account_of_agency, bearer

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage.workbench_tables import access_audit, users
from arrears.domain.access import Role
from arrears.services.workbench import accounts
from arrears.services.workbench.auth import NewUser, create_user
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.demo_users import create_demo_users
from arrears.services.workbench.errors import Forbidden, InvalidInput, NotFound
from arrears.services.workbench.principal import Principal

STRONG = "plum-orchard-ledger-42"
SAME_ANSWER = "wrong username or password, or the account is locked for a while"


def _agency_admin(wb: Workbench, agency: str = "AG01") -> dict[str, str]:
    create_user(wb.engine, NewUser(f"admin_{agency.lower()}", PASSWORD, Role.ADMIN, agency_id=agency), AS_OF_NOON)
    return {"username": f"admin_{agency.lower()}"}


def _audit(wb: Workbench, kind: str) -> list[dict[str, Any]]:
    with wb.engine.connect() as connection:
        rows = connection.execute(select(access_audit).where(access_audit.c.kind == kind)
                                  .order_by(access_audit.c.audit_id)).mappings().all()
    return [{**r, "detail": json.loads(r["detail"])} for r in rows]


def _user(wb: Workbench, username: str) -> Any:
    with wb.engine.connect() as connection:
        return connection.execute(select(users).where(users.c.username == username)).first()


# ---------------------------------------------------------------- user administration
@pytest.mark.parametrize("body", [
    {"username": "rogue_admin", "role": "admin"},
    {"username": "rogue_admin", "role": "admin", "agency_id": "AG01"},
    {"username": "inhouse_collector", "role": "collector"},
    {"username": "other_agency", "role": "collector", "agency_id": "AG02"},
], ids=["in-house admin", "admin of its own agency", "in-house collector", "other agency's collector"])
def test_an_agency_admin_cannot_create_a_user_outside_its_agency_or_an_admin(
    client: TestClient, wb: Workbench, body: dict[str, str]
) -> None:
    admin = bearer(client, _agency_admin(wb)["username"])
    reply = client.post("/v1/users", json={**body, "password": STRONG}, headers=admin)
    assert reply.status_code == 403, reply.text
    assert reply.json()["error"]["message_zh"] and reply.json()["error"]["message_en"]
    assert _user(wb, body["username"]) is None
    denied = _audit(wb, "user_admin_denied")
    assert denied and denied[-1]["username"] == "admin_ag01" and denied[-1]["detail"]["target"] == body["username"]


def test_an_agency_admin_creates_collectors_of_its_own_agency_only(client: TestClient, wb: Workbench) -> None:
    admin = bearer(client, _agency_admin(wb)["username"])
    made = client.post("/v1/users", json={"username": "ag01_new", "password": STRONG, "role": "collector",
                                          "agency_id": "AG01"}, headers=admin)
    assert made.status_code == 201, made.text
    assert _user(wb, "ag01_new").agency_id == "AG01"
    assert _audit(wb, "user_created")[-1]["detail"]["target"] == "ag01_new"


def test_an_in_house_admin_creates_admins_and_users_of_any_agency(client: TestClient) -> None:
    admin = bearer(client, "admin")
    for body in ({"username": "second_admin", "role": "admin"},
                 {"username": "ag02_admin", "role": "admin", "agency_id": "AG02"},
                 {"username": "ag02_collector", "role": "collector", "agency_id": "AG02"}):
        assert client.post("/v1/users", json={**body, "password": STRONG}, headers=admin).status_code == 201


def test_a_user_is_linked_only_to_an_agent_of_the_same_agency(client: TestClient, wb: Workbench) -> None:
    in_house_agent = _user(wb, "collector").agent_id
    reply = client.post("/v1/users", json={"username": "ag02_x", "password": STRONG, "role": "collector",
                                           "agency_id": "AG02", "agent_id": in_house_agent},
                        headers=bearer(client, "admin"))
    assert reply.status_code == 403 and "access.agent_of_other_agency" in reply.json()["error"]["rules"]


@pytest.mark.parametrize("change", [{"role": "admin"}, {"agency_id": None}, {"agency_id": "AG02"}],
                         ids=["made admin", "moved in house", "moved to another agency"])
def test_an_agency_admin_cannot_raise_or_move_its_users(
    client: TestClient, wb: Workbench, change: dict[str, Any]
) -> None:
    admin = bearer(client, _agency_admin(wb)["username"])
    reply = client.patch("/v1/users/agency1", json=change, headers=admin)
    assert reply.status_code == 403, reply.text
    assert _user(wb, "agency1").role == "collector" and _user(wb, "agency1").agency_id == "AG01"
    assert _audit(wb, "user_admin_denied")[-1]["detail"]["action"] == "change"


@pytest.mark.parametrize("change", [{"active": False}, {"password": STRONG}, {"role": "team_lead"}])
def test_an_agency_admin_cannot_change_an_in_house_user(
    client: TestClient, wb: Workbench, change: dict[str, Any]
) -> None:
    admin = bearer(client, _agency_admin(wb)["username"])
    assert client.patch("/v1/users/collector", json=change, headers=admin).status_code == 403
    assert _user(wb, "collector").active and _user(wb, "collector").role == "collector"


def test_an_admin_cannot_change_their_own_standing(client: TestClient) -> None:
    assert client.patch("/v1/users/admin", json={"active": False}, headers=bearer(client, "admin")).status_code == 403


def test_an_agency_admin_deactivates_its_own_collector_and_the_collector_is_signed_out(
    client: TestClient, wb: Workbench
) -> None:
    collector = bearer(client, "agency1")
    admin = bearer(client, _agency_admin(wb)["username"])
    reply = client.patch("/v1/users/agency1", json={"active": False}, headers=admin)
    assert reply.status_code == 200 and reply.json()["active"] is False
    assert client.get("/v1/me", headers=collector).status_code == 401


def test_a_password_reset_meets_the_policy_and_ends_the_users_tokens(client: TestClient) -> None:
    collector, admin = bearer(client, "collector"), bearer(client, "admin")
    weak = client.patch("/v1/users/collector", json={"password": "password1234"}, headers=admin)
    assert weak.status_code == 422 and weak.json()["error"]["field"] == "password"
    assert client.patch("/v1/users/collector", json={"password": STRONG}, headers=admin).status_code == 200
    assert client.get("/v1/me", headers=collector).status_code == 401
    assert client.post("/v1/auth/token", json={"username": "collector", "password": STRONG}).status_code == 200


def test_a_collector_cannot_administer_users(client: TestClient) -> None:
    headers = bearer(client, "collector")
    assert client.patch("/v1/users/collector2", json={"active": False}, headers=headers).status_code == 403
    assert client.post("/v1/users", json={"username": "x_y", "password": STRONG, "role": "collector"},
                       headers=headers).status_code == 403


# ---------------------------------------------------------------- passwords
WEAK = ["aaaaaaaaaa", "password12", " " * 10, "newcomer_li", "aaaaaaaaaaaa", "password1234", " " * 12,
        "NEWCOMER_LI_2026", "abcabcabcabc", "123456789012", "qwertyuiopas", "dragon2024!!!!", "woaini1314520"]


@pytest.mark.parametrize("password", WEAK)
def test_a_weak_password_is_refused_when_a_user_is_created(client: TestClient, wb: Workbench, password: str) -> None:
    reply = client.post("/v1/users", json={"username": "newcomer_li", "password": password, "role": "collector"},
                        headers=bearer(client, "admin"))
    assert reply.status_code == 422, reply.text
    assert _user(wb, "newcomer_li") is None


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "password12", " " * 10, "collector"])
def test_a_weak_password_is_refused_when_a_user_changes_theirs(client: TestClient, password: str) -> None:
    headers = bearer(client, "collector")
    reply = client.post("/v1/me/password", json={"current_password": PASSWORD, "new_password": password},
                        headers=headers)
    assert reply.status_code == 422 and reply.json()["error"]["field"] == "password"
    changed = client.post("/v1/me/password", json={"current_password": PASSWORD, "new_password": STRONG},
                          headers=headers)
    assert changed.status_code == 204
    assert client.post("/v1/auth/token", json={"username": "collector", "password": STRONG}).status_code == 200


def test_the_current_password_is_needed_to_change_it(client: TestClient, wb: Workbench) -> None:
    reply = client.post("/v1/me/password", json={"current_password": "not-the-password", "new_password": STRONG},
                        headers=bearer(client, "collector"))
    assert reply.status_code == 403
    assert _audit(wb, "password_change_denied")


def test_demo_users_get_passwords_that_pass_the_policy_and_sign_in(client: TestClient, wb: Workbench) -> None:
    from arrears.adapters.common_passwords import common_passwords
    from arrears.domain.passwords import password_refusals

    made = create_demo_users(wb.engine, AS_OF_NOON)
    assert {role for _, role, _ in made} >= {r.value for r in Role}
    for username, _role, password in made:
        assert password_refusals(password, username, common_passwords()) == ()
        assert client.post("/v1/auth/token", json={"username": username, "password": password}).status_code == 200


# ---------------------------------------------------------------- login answers and the audit
def _answer(client: TestClient, username: str, password: str = "wrong-password-here") -> tuple[int, str]:
    reply = client.post("/v1/auth/token", json={"username": username, "password": password})
    return reply.status_code, reply.json()["error"]["message_en"]


def test_unknown_inactive_locked_and_wrong_password_logins_get_the_same_answer(
    client: TestClient, wb: Workbench, clock: FixedClock
) -> None:
    client.patch("/v1/users/collector2", json={"active": False}, headers=bearer(client, "admin"))
    answers = {"wrong password": _answer(client, "collector"), "unknown": _answer(client, "nobody_here"),
               "inactive": _answer(client, "collector2", PASSWORD)}
    for _ in range(5):
        _answer(client, "lead")
    answers["locked"] = _answer(client, "lead", PASSWORD)
    assert set(answers.values()) == {(401, SAME_ANSWER)}, answers
    assert _audit(wb, "lockout") and _audit(wb, "login_locked")  # the lock itself stays, and is audited
    clock.set(clock.now + timedelta(minutes=16))
    assert client.post("/v1/auth/token", json={"username": "lead", "password": PASSWORD}).status_code == 200


def test_a_password_typed_into_the_username_field_is_not_kept_in_the_audit(client: TestClient, wb: Workbench) -> None:
    typed = "Plum-Orchard-Secret-77"
    assert client.post("/v1/auth/token", json={"username": typed, "password": "x"}).status_code == 401
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": typed, "password": "x", "csrf_token": token})
    failures = [r for r in _audit(wb, "login_failed") if r["detail"].get("reason") == "unknown user"]
    assert len(failures) == 2
    with wb.engine.connect() as connection:
        everything = json.dumps([dict(r) for r in connection.execute(select(access_audit)).mappings()], default=str)
    assert typed not in everything and typed.lower() not in everything.lower()
    assert failures[0]["detail"]["typed_username_hash"] == wb.cipher.lookup_hash("login-username:" + typed)


# ---------------------------------------------------------------- reveals
def _principal(wb: Workbench, username: str) -> Principal:
    from arrears.services.workbench.auth import principal_from_row

    return principal_from_row(_user(wb, username))


@pytest.mark.parametrize(("username", "field", "account_agency", "error"), [
    ("strategist", "name", None, Forbidden),
    ("collector", "salary", None, InvalidInput),
    ("agency1", "name", None, NotFound),
], ids=["role without the permission", "unknown field", "account out of scope"])
def test_a_denied_reveal_is_audited_with_the_reason(
    wb: Workbench, username: str, field: str, account_agency: str | None, error: type[Exception]
) -> None:
    account_id = account_of_agency(wb.engine, account_agency)
    with pytest.raises(error):
        accounts.reveal(wb, _principal(wb, username), account_id, field=field, purpose="核实身份")
    denied = _audit(wb, "reveal_denied")
    assert len(denied) == 1 and not _audit(wb, "reveal")
    row = denied[0]
    assert (row["username"], row["account_id"], row["field"], row["outcome"]) == (username, account_id, field,
                                                                                 "denied")
    assert row["detail"]["reason"]


def test_a_denied_reveal_through_the_api_is_audited(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    reply = client.post(f"/v1/accounts/{account_id}/reveal", json={"field": "name", "purpose": "核实身份"},
                        headers=bearer(client, "agency1"))
    assert reply.status_code == 404
    assert _audit(wb, "reveal_denied")[0]["detail"]["reason"] == f"no account {account_id}"


# ---------------------------------------------------------------- login CSRF
def test_login_with_a_dash_token_and_no_cookie_is_refused(client: TestClient) -> None:
    reply = client.post("/login", data={"username": "collector", "password": PASSWORD, "csrf_token": "-"},
                        follow_redirects=False)
    assert reply.status_code == 403
    assert "arrears_session" not in reply.cookies


def test_login_needs_the_cookie_and_the_form_to_carry_the_same_token(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.cookies.get("arrears_login_csrf") == token
    other = client.post("/login", data={"username": "collector", "password": PASSWORD, "csrf_token": token[::-1]})
    assert other.status_code == 403
    client.cookies.delete("arrears_login_csrf")
    assert client.post("/login", data={"username": "collector", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 403
    client.get("/login")
    fresh = client.cookies.get("arrears_login_csrf")
    reply = client.post("/login", data={"username": "collector", "password": PASSWORD, "csrf_token": fresh},
                        follow_redirects=False)
    assert reply.status_code == 303


def _signed_in(client: TestClient, username: str = "lead") -> None:
    client.get("/login")
    token = client.cookies.get("arrears_login_csrf")
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert reply.status_code == 303


def test_every_form_post_of_the_pages_is_refused_without_a_valid_token(client: TestClient, wb: Workbench) -> None:
    from arrears.entrypoints.web import followup_pages, pages

    posts = [r.path for router in (pages.router, followup_pages.router) for r in router.routes
             if isinstance(r, APIRoute) and "POST" in r.methods]
    assert len(posts) >= 10
    _signed_in(client)
    account_id = account_of_agency(wb.engine, None)
    fields = {"username": "lead", "password": PASSWORD, "field": "name", "purpose": "核实身份", "channel": "call",
              "outcome": "no_answer", "kind": "reminder", "due_at": "2026-12-01T10:00", "from_username": "collector",
              "to_username": "collector2", "reason": "customer_busy"}
    # every required field of every form, so only the token is missing
    for path in posts:
        url = path.replace("{account_id}", account_id).replace("{follow_up_id}", "F1")
        for token in (None, "-", "", "x" * 43):
            data = {**fields, "csrf_token": token} if token is not None else fields
            reply = client.post(url, data=data, follow_redirects=False)
            assert reply.status_code == 403, (url, token, reply.status_code)


# ---------------------------------------------------------------- malformed input
NASTY: list[Any] = [["collector"], {"role": "admin"}, "\ud800", "a\udfffb", "0001-01-01", "9999-12-31",
                    "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", None, True, 1e300, 10**30, "",
                    "\u0000", "x" * 5000]


def _json_body(template: dict[str, Any], value: Any) -> bytes:
    """The template with every "?" replaced by the value, written as JSON (a lone surrogate as its escape)."""
    body = {k: (value if v == "?" else v) for k, v in template.items()}
    return json.dumps(body, ensure_ascii=True).encode()


def _api_cases(account_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("POST", "/v1/auth/token", {"username": "?", "password": "?"}),
        ("POST", "/v1/auth/token", {"username": "collector", "password": "?", "name": "?"}),
        ("POST", "/v1/users", {"username": "fuzz_user", "password": STRONG, "role": "?", "language": "?"}),
        ("POST", "/v1/users", {"username": "?", "password": "?", "role": "collector"}),
        ("POST", "/v1/users", {"username": "fuzz_user", "password": STRONG, "role": "collector", "agency_id": "?",
                               "agent_id": "?", "display_name": "?"}),
        ("PATCH", "/v1/users/agency2", {"role": "?", "agency_id": "?"}),
        ("PATCH", "/v1/users/agency2", {"active": "?", "password": "?", "agent_id": "?"}),
        ("POST", "/v1/me/password", {"current_password": "?", "new_password": "?"}),
        ("PUT", "/v1/me/language", {"language": "?"}),
        ("POST", "/v1/service-tokens", {"name": "?", "scopes": "?", "expires_at": "?"}),
        ("POST", "/v1/service-tokens", {"name": "fuzz", "scopes": ["dialer"], "expires_at": "?"}),
        ("POST", f"/v1/accounts/{account_id}/reveal", {"field": "name", "purpose": "?", "contact_point_id": "?"}),
        ("POST", f"/v1/accounts/{account_id}/follow-ups", {"kind": "callback", "due_at": "?", "note": "?"}),
        ("POST", f"/v1/accounts/{account_id}/plans", {"actor": "?", "role": "?", "approver_role": "?"}),
        ("POST", "/v1/follow-ups/handover", {"from_username": "?", "to_username": "?"}),
        ("POST", "/v1/compliance/check", {"id": "?", "packs": ["CN"], "at": "?"}),
    ]


def test_no_malformed_json_or_query_value_gets_a_server_error(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    admin = {**bearer(client, "admin"), "content-type": "application/json"}
    failures = []
    for value in NASTY:
        for method, path, template in _api_cases(account_id):
            reply = client.request(method, path, content=_json_body(template, value), headers=admin)
            if reply.status_code >= 500:
                failures.append((method, path, repr(value)[:30], reply.status_code))
        text = value if isinstance(value, str) else json.dumps(value)
        for path in ("/v1/team?day=", "/v1/audit?since=", "/v1/audit/trail?until=", "/v1/compliance/blocked?since=",
                     "/v1/audit?username=", "/v1/accounts?bucket="):
            reply = client.get(path + quote(text.encode("utf-8", "surrogatepass"), safe=""), headers=admin)
            if reply.status_code >= 500:
                failures.append(("GET", path, repr(value)[:30], reply.status_code))
    for raw in (b'{"username": "\\ud800", "password": "x"}', b'{"username": NaN, "password": 1e999}', b"\xff\xfe",
                b"[" * 5000):
        reply = client.post("/v1/auth/token", content=raw, headers={"content-type": "application/json"})
        if reply.status_code >= 500:
            failures.append(("POST", "/v1/auth/token", raw[:20], reply.status_code))
    assert failures == []
    nul = client.post("/v1/users", json={"username": "fuzz_user", "password": STRONG, "role": "collector",
                                         "display_name": "a\u0000b"}, headers=admin)
    assert nul.status_code == 422  # PostgreSQL stores no NUL in text: refused before it gets there
    assert client.get("/v1/audit?username=a%00b", headers=admin).status_code == 422


def test_no_malformed_form_value_gets_a_server_error_on_the_pages(client: TestClient, wb: Workbench) -> None:
    _signed_in(client)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text).group(1)
    account_id = account_of_agency(wb.engine, None)
    forms = [(f"/accounts/{account_id}/follow-ups", {"kind": "callback", "due_at": "?", "note": "?"}),
             (f"/accounts/{account_id}/follow-ups", {"kind": "?", "due_at": "2026-12-01T10:00"}),
             (f"/accounts/{account_id}/contacts", {"channel": "call", "outcome": "no_answer", "promise_date": "?",
                                                   "callback_at": "?"}),
             (f"/accounts/{account_id}/contacts", {"channel": "?", "outcome": "?", "party": "?"}),
             (f"/accounts/{account_id}/reveal", {"field": "?", "purpose": "?", "contact_point_id": "?"}),
             ("/follow-ups/handover", {"from_username": "?", "to_username": "?"})]
    failures = []
    for value in ["0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59:59-23:59",  # percent-encoded
                  "0001-01-01T00:00:00%2B23:59", "%ED%A0%80", "x" * 5000, "%00", "%FF%FE"]:
        for path, form in forms:
            data = "&".join(f"{k}={v if v != '?' else value}" for k, v in {**form, "csrf_token": csrf}.items())
            reply = client.post(path, content=data.encode(), follow_redirects=False,
                                headers={"content-type": "application/x-www-form-urlencoded"})
            if reply.status_code >= 500:
                failures.append((path, value[:30], reply.status_code))
        for path in ("/compliance?kind=", "/compliance?username=", "/compliance?source="):
            if client.get(path + value).status_code >= 500:
                failures.append((path, value[:30]))
    login = client.post("/login", content=b"username=%ED%A0%80&password=%ED%A0%80&csrf_token=-",
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert login.status_code < 500
    assert failures == []


def test_a_list_or_an_object_where_a_role_is_expected_is_a_422(client: TestClient, wb: Workbench) -> None:
    admin = bearer(client, "admin")
    for role in (["admin"], {"admin": True}):
        made = client.post("/v1/users", json={"username": "x_role", "password": STRONG, "role": role}, headers=admin)
        assert made.status_code == 422
        plan = client.post(f"/v1/accounts/{account_of_agency(wb.engine, None)}/plans",
                           json={"actor": "admin", "role": role, "months": 6}, headers=admin)
        assert plan.status_code == 422


def test_the_demo_users_command_prints_username_role_and_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from arrears.entrypoints.cli.main import app as cli
    from arrears.settings import get_settings

    monkeypatch.setenv("ARREARS_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("ARREARS_KEY_FILE", str(tmp_path / "demo.key"))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["demo-users"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "username" in result.stdout and "role" in result.stdout and "password" in result.stdout
    rows = [line.split("│")[1:4] for line in result.stdout.splitlines() if line.count("│") >= 4]
    assert {r[1].strip() for r in rows} >= {r.value for r in Role}
