"""/v1/auth, /v1/me, /v1/users: tokens, throttling and lockout, roles."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from workbench_support import PASSWORD, bearer

from arrears.adapters.clock import FixedClock


def test_a_token_is_issued_for_the_right_password_and_names_the_user(client: TestClient) -> None:
    me = client.get("/v1/me", headers=bearer(client, "collector"))
    assert me.status_code == 200
    assert me.json()["role"] == "collector"
    assert "take_work" in me.json()["permissions"]


def test_a_wrong_password_gets_401_without_saying_which_part_was_wrong(client: TestClient) -> None:
    reply = client.post("/v1/auth/token", json={"username": "collector", "password": "nope-nope-nope"})
    assert reply.status_code == 401
    assert reply.json()["error"]["message_zh"] == "用户名或密码错误，或账户已被暂时锁定"
    unknown = client.post("/v1/auth/token", json={"username": "nobody", "password": "nope-nope-nope"})
    assert unknown.json()["error"]["message_en"] == reply.json()["error"]["message_en"]


def test_five_failures_lock_the_user_for_fifteen_minutes_even_with_the_right_password(
    client: TestClient, clock: FixedClock
) -> None:
    for _ in range(5):
        client.post("/v1/auth/token", json={"username": "collector", "password": "wrong-password"})
    locked = client.post("/v1/auth/token", json={"username": "collector", "password": PASSWORD})
    assert locked.status_code == 401
    assert "locked" in locked.json()["error"]["message_en"]
    clock.set(clock.now + timedelta(minutes=16))
    assert client.post("/v1/auth/token", json={"username": "collector", "password": PASSWORD}).status_code == 200


def test_requests_without_a_valid_token_get_401(client: TestClient) -> None:
    assert client.get("/v1/accounts").status_code == 401
    assert client.get("/v1/accounts", headers={"Authorization": "Bearer arr_forged"}).status_code == 401


def test_a_revoked_token_no_longer_works(client: TestClient) -> None:
    headers = bearer(client, "collector")
    assert client.delete("/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/v1/me", headers=headers).status_code == 401


def test_a_token_expires(client: TestClient, clock: FixedClock) -> None:
    headers = bearer(client, "collector")
    clock.set(clock.now + timedelta(days=31))
    assert client.get("/v1/me", headers=headers).status_code == 401


def test_only_an_admin_creates_users_and_usernames_are_unique(client: TestClient) -> None:
    body = {"username": "newbie", "password": "a-long-password", "role": "collector", "agency_id": "AG02"}
    assert client.post("/v1/users", json=body, headers=bearer(client, "lead")).status_code == 403
    made = client.post("/v1/users", json=body, headers=bearer(client, "admin"))
    assert made.status_code == 201
    again = client.post("/v1/users", json=body, headers=bearer(client, "admin"))
    assert again.status_code == 422
    assert again.json()["error"]["field"] == "username"
    assert client.post("/v1/auth/token", json={"username": "newbie", "password": "a-long-password"}).status_code == 200


def test_a_short_password_is_refused_with_its_field(client: TestClient) -> None:
    body = {"username": "short", "password": "abc", "role": "collector"}
    reply = client.post("/v1/users", json=body, headers=bearer(client, "admin"))
    assert reply.status_code == 422


def test_the_language_setting_is_kept(client: TestClient) -> None:
    headers = bearer(client, "collector")
    assert client.put("/v1/me/language", json={"language": "en"}, headers=headers).status_code == 204
    assert client.get("/v1/me", headers=headers).json()["language"] == "en"
    assert client.put("/v1/me/language", json={"language": "fr"}, headers=headers).status_code == 422


def test_logins_lockouts_and_failures_are_in_the_audit_trail(client: TestClient) -> None:
    for _ in range(5):
        client.post("/v1/auth/token", json={"username": "collector2", "password": "wrong-password"})
    trail = client.get("/v1/audit", params={"username": "collector2"}, headers=bearer(client, "auditor")).json()
    kinds = [e["kind"] for e in trail]
    assert kinds.count("login_failed") == 4
    assert kinds[0] == "lockout"
