"""Security regressions (issue 12): service tokens with scopes, and the HTTP compliance check that needs
a signed-in user with the permission or a service token with compliance:check, names its caller in the
audit, and refuses batches over 1,000 requests."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner
from workbench_support import PASSWORD, bearer

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage import workbench_tables
from arrears.adapters.storage.gate_tables import compliance_decisions
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.domain.access import Role
from arrears.entrypoints.api.deps import get_engine
from arrears.entrypoints.api.workbench import configure_workbench
from arrears.services.workbench.auth import NewUser, create_user
from arrears.services.workbench.context import Workbench

# New in this change (imported where used, so that each test fails on the code before it by what it checks)


def request(request_id: str = "r-1", at: str = "2026-11-30T09:15:00+08:00") -> dict[str, Any]:
    return {"id": request_id, "packs": ["CN"], "at": at,
            "action": {"channel": "call", "to": {"party": "debtor", "kind": "mobile"}, "debt_ids": ["A1"],
                       "agent": {"id": "G7"}},
            "debtor": {"id": "C1", "zones": ["Asia/Shanghai"]}}


@pytest.fixture
def api(client: TestClient, wb: Workbench) -> TestClient:
    client.app.dependency_overrides[get_engine] = lambda: wb.engine  # type: ignore[attr-defined]
    return client


def _issue(client: TestClient, name: str, *scopes: str, **extra: Any) -> dict[str, Any]:
    reply = client.post("/v1/service-tokens", json={"name": name, "scopes": list(scopes), **extra},
                        headers=bearer(client, "admin"))
    assert reply.status_code == 201, reply.text
    return reply.json()


def _as(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['token']}"}


def _decision_count(wb: Workbench) -> int:
    with wb.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(compliance_decisions)).scalar_one()


def _decisions(wb: Workbench) -> list[tuple[str | None, str | None]]:
    with wb.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(compliance_decisions.c.request_id,
                                                            compliance_decisions.c.caller)
                                                     .order_by(compliance_decisions.c.decision_id))]


def _audit(wb: Workbench, kind: str) -> list[dict[str, Any]]:
    with wb.engine.connect() as connection:
        rows = connection.execute(select(access_audit).where(access_audit.c.kind == kind)).mappings().all()
    return [{**r, "detail": json.loads(r["detail"])} for r in rows]


# ---------------------------------------------------------------- the compliance check needs a caller
def test_an_anonymous_compliance_check_gets_401_and_writes_nothing(api: TestClient, wb: Workbench) -> None:
    assert api.post("/v1/compliance/check", json=request()).status_code == 401
    assert api.post("/v1/compliance/check/batch", json=[request()]).status_code == 401
    forged = {"Authorization": "Bearer svc_forged"}
    assert api.post("/v1/compliance/check", json=request(), headers=forged).status_code == 401
    assert _decision_count(wb) == 0


def test_a_token_without_the_compliance_scope_gets_403(api: TestClient, wb: Workbench) -> None:
    dialer = _issue(api, "gateway-01", "outreach:callback", "payments:notify")
    assert api.post("/v1/compliance/check", json=request(), headers=_as(dialer)).status_code == 403
    assert _decision_count(wb) == 0


def test_a_revoked_or_expired_token_gets_401(api: TestClient, clock: FixedClock) -> None:
    revoked = _issue(api, "dialer-01", "compliance:check")
    assert api.post("/v1/compliance/check", json=request(), headers=_as(revoked)).status_code == 200
    assert api.delete(f"/v1/service-tokens/{revoked['token_id']}", headers=bearer(api, "admin")).status_code == 204
    assert api.post("/v1/compliance/check", json=request(), headers=_as(revoked)).status_code == 401
    expiring = _issue(api, "dialer-02", "compliance:check", expires_at=(clock.now + timedelta(hours=1)).isoformat())
    assert api.post("/v1/compliance/check", json=request(), headers=_as(expiring)).status_code == 200
    clock.set(clock.now + timedelta(hours=2))
    assert api.post("/v1/compliance/check", json=request(), headers=_as(expiring)).status_code == 401


def test_a_user_needs_the_compliance_check_permission(api: TestClient) -> None:
    assert api.post("/v1/compliance/check", json=request(), headers=bearer(api, "strategist")).status_code == 403
    for username in ("collector", "lead", "compliance", "admin"):
        assert api.post("/v1/compliance/check", json=request(), headers=bearer(api, username)).status_code == 200


def test_the_audit_rows_name_the_caller(api: TestClient, wb: Workbench) -> None:
    dialer = _issue(api, "dialer-01", "compliance:check")
    api.post("/v1/compliance/check", json=request("by-dialer"), headers=_as(dialer))
    api.post("/v1/compliance/check/batch", json=[request("b1"), request("b2")], headers=bearer(api, "collector"))
    assert _decisions(wb) == [("by-dialer", "service:dialer-01"), ("b1", "user:collector"), ("b2", "user:collector")]
    trail = api.get("/v1/audit/trail", params={"source": "gate", "who": "service:dialer-01"},
                    headers=bearer(api, "auditor")).json()
    assert [r["who"] for r in trail] == ["service:dialer-01"]


def test_a_batch_of_twenty_thousand_requests_is_refused_and_writes_nothing(api: TestClient, wb: Workbench) -> None:
    dialer = _issue(api, "dialer-01", "compliance:check")
    reply = api.post("/v1/compliance/check/batch", json=[request(f"r{i}") for i in range(20_000)],
                     headers=_as(dialer))
    assert reply.status_code == 413
    assert reply.json() == {"id": None, "error": "a batch holds at most 1000 requests, got 20000; "
                                                 "split it into several batches"}
    assert _decision_count(wb) == 0
    full = api.post("/v1/compliance/check/batch", json=[request(f"r{i}") for i in range(1_000)], headers=_as(dialer))
    assert full.status_code == 200 and len(full.json()) == 1_000


def test_the_answers_are_the_contracts(api: TestClient) -> None:
    dialer = _issue(api, "dialer-01", "compliance:check")
    late = api.post("/v1/compliance/check", json=request(at="2026-11-30T22:30:00+08:00"), headers=_as(dialer))
    assert late.status_code == 200 and "CN-TIME-01" in late.json()["rules"] and late.json()["decision"] == "deny"
    bad = api.post("/v1/compliance/check", json={"id": "x"}, headers=_as(dialer))
    assert bad.status_code == 422 and set(bad.json()) == {"id", "error"}


# ---------------------------------------------------------------- issuing, listing, revoking
def test_an_admin_issues_a_token_shown_once_and_stored_as_its_hash(api: TestClient, wb: Workbench) -> None:
    made = _issue(api, "dialer-01", "compliance:check", "dialer")
    assert made["token"].startswith("svc_") and sorted(made["scopes"]) == ["compliance:check", "dialer"]
    with wb.engine.connect() as connection:
        stored = connection.execute(select(workbench_tables.service_tokens)).mappings().one()
    assert stored["token_hash"] == hashlib.sha256(made["token"].encode()).hexdigest()
    assert made["token"] not in json.dumps(dict(stored), default=str)
    listed = api.get("/v1/service-tokens", headers=bearer(api, "admin"))
    assert listed.status_code == 200 and listed.json()[0]["name"] == "dialer-01"
    assert made["token"] not in listed.text and stored["token_hash"] not in listed.text
    assert _audit(wb, "service_token_issued")[0]["detail"]["name"] == "dialer-01"


def test_revoking_is_audited(api: TestClient, wb: Workbench) -> None:
    made = _issue(api, "dialer-01", "dialer")
    api.delete(f"/v1/service-tokens/{made['token_id']}", headers=bearer(api, "admin"))
    assert _audit(wb, "service_token_revoked")[0]["detail"]["token_id"] == made["token_id"]
    assert api.delete("/v1/service-tokens/nope", headers=bearer(api, "admin")).status_code == 404


def test_only_in_house_admins_manage_service_tokens(api: TestClient, wb: Workbench) -> None:
    from workbench_support import AS_OF_NOON

    create_user(wb.engine, NewUser("admin_ag01", PASSWORD, Role.ADMIN, agency_id="AG01"), AS_OF_NOON)
    body = {"name": "sneaky", "scopes": ["compliance:check"]}
    for username in ("admin_ag01", "collector", "compliance"):
        assert api.post("/v1/service-tokens", json=body, headers=bearer(api, username)).status_code == 403
        assert api.get("/v1/service-tokens", headers=bearer(api, username)).status_code == 403
    assert len(_audit(wb, "service_token_denied")) >= 2


def test_an_unknown_scope_or_a_past_expiry_is_refused(api: TestClient, clock: FixedClock) -> None:
    admin = bearer(api, "admin")
    assert api.post("/v1/service-tokens", json={"name": "x", "scopes": ["root"]}, headers=admin).status_code == 422
    past = (clock.now - timedelta(days=1)).isoformat()
    assert api.post("/v1/service-tokens", json={"name": "x", "scopes": ["dialer"], "expires_at": past},
                    headers=admin).status_code == 422


# ---------------------------------------------------------------- require_scope for other endpoints
def test_require_scope_admits_only_live_tokens_with_the_scope_and_records_last_use(wb: Workbench) -> None:
    from arrears.domain.access import ServiceScope
    from arrears.entrypoints.api.workbench.deps import require_scope
    from arrears.services.workbench import service_tokens as tokens

    app = FastAPI()
    configure_workbench(app, wb)
    gateway_only = Depends(require_scope(ServiceScope.OUTREACH_CALLBACK))

    @app.post("/callback")
    def callback(caller: Any = gateway_only) -> dict[str, str]:
        return {"caller": caller.label}

    operator = tokens.Actor(operator="test")
    gateway = tokens.issue(wb, operator, "sms-gateway", ["outreach:callback"])
    dialer = tokens.issue(wb, operator, "dialer-01", ["dialer"])
    client = TestClient(app)
    assert client.post("/callback").status_code == 401
    assert client.post("/callback", headers={"Authorization": f"Bearer {dialer.token}"}).status_code == 403
    ok = client.post("/callback", headers={"Authorization": f"Bearer {gateway.token}"})
    assert ok.status_code == 200 and ok.json() == {"caller": "service:sms-gateway"}
    with wb.engine.connect() as connection:
        table = workbench_tables.service_tokens
        used = connection.execute(select(table.c.last_used_at).where(table.c.name == "sms-gateway")).scalar()
    assert used is not None
    tokens.revoke(wb, operator, gateway.token_id)
    assert client.post("/callback", headers={"Authorization": f"Bearer {gateway.token}"}).status_code == 401


# ---------------------------------------------------------------- the command line
def test_the_cli_creates_lists_and_revokes_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arrears.entrypoints.cli.main import app as cli
    from arrears.settings import get_settings

    monkeypatch.setenv("ARREARS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ARREARS_KEY_FILE", str(tmp_path / "cli.key"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(cli, ["token", "create", "dialer-01", "--scope", "compliance:check", "--scope", "dialer"])
        assert made.exit_code == 0, made.output
        token = made.stdout.strip().splitlines()[-1]
        assert token.startswith("svc_")
        listed = runner.invoke(cli, ["token", "list"])
        assert listed.exit_code == 0 and "dialer-01" in listed.stdout and token not in listed.stdout
        from arrears.bootstrap import bootstrap

        engine = bootstrap().engine
        service_tokens = workbench_tables.service_tokens
        with engine.connect() as connection:
            token_id = connection.execute(select(service_tokens.c.token_id)).scalar_one()
            issued_by = connection.execute(select(access_audit.c.username).where(
                access_audit.c.kind == "service_token_issued")).scalar_one()
        assert issued_by.startswith("cli:")
        assert runner.invoke(cli, ["token", "revoke", token_id]).exit_code == 0
        with engine.connect() as connection:
            revoked = select(func.count()).where(service_tokens.c.revoked_at.is_not(None))
            assert connection.execute(revoked).scalar() == 1
        bad = runner.invoke(cli, ["token", "create", "x", "--scope", "root"])
        assert bad.exit_code == 2 and "unknown scope" in bad.output
    finally:
        get_settings.cache_clear()
