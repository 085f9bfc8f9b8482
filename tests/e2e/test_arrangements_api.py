"""/v1 arrangements over HTTP (FastAPI TestClient) on a real SQLite file, the engine and
the clock given through dependency overrides; refusals and bad input answer 4xx with a
clear detail."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from arrears.adapters.storage.arrangements_repository import read_audit
from arrears.domain.access import Role
from arrears.entrypoints.api import deps
from arrears.entrypoints.api.app import create_app
from arrears.entrypoints.api.routes import arrangements
from arrears.entrypoints.api.workbench.deps import current_principal
from arrears.services.workbench.principal import Principal
from ingested_rows import ingest_account

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def client(sqlite_engine: Engine) -> TestClient:
    ingest_account(sqlite_engine, "A1")  # owes 12000.00, 1200.00 past due
    app = create_app()
    app.dependency_overrides[deps.get_engine] = lambda: sqlite_engine
    app.dependency_overrides[deps.get_now] = lambda: NOW
    app.dependency_overrides[current_principal] = lambda: IN_HOUSE
    return TestClient(app)


IN_HOUSE = Principal("u1", "u1", "张伟", Role.COLLECTOR, None, "G001")
BOSS = Principal("u0", "boss", "李总", Role.ADMIN, None, None)


def test_a_body_naming_an_actor_or_role_is_refused_with_422_naming_the_field(
    client: TestClient, sqlite_engine: Engine
) -> None:
    answer = client.post("/v1/accounts/A1/plans", json={**PLAN, "actor": "someone_else", "role": "team_lead"})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["error"]["fields"]} == {"body.actor", "body.role"}
    with sqlite_engine.connect() as connection:
        assert read_audit(connection) == ()


def _client_as(sqlite_engine: Engine, principal: Principal | None) -> TestClient:
    app = create_app()
    app.dependency_overrides[deps.get_engine] = lambda: sqlite_engine
    if principal is not None:
        app.dependency_overrides[current_principal] = lambda: principal
    return TestClient(app)


def test_without_a_valid_api_token_every_arrangements_endpoint_answers_401(
    sqlite_engine: Engine, cipher
) -> None:  # type: ignore[no-untyped-def]
    from arrears.adapters.clock import FixedClock
    from arrears.entrypoints.api.workbench.state import UnconfiguredGate, get_workbench
    from arrears.services.workbench.context import Workbench

    client = _client_as(sqlite_engine, None)
    wb = Workbench(engine=sqlite_engine, cipher=cipher, gate=UnconfiguredGate(), clock=FixedClock(NOW))
    client.app.dependency_overrides[get_workbench] = lambda: wb  # type: ignore[attr-defined]
    assert client.get("/v1/accounts/A1/arrangements").status_code == 401
    assert client.post("/v1/accounts/A1/promises", json={}).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.get("/v1/accounts/A1/arrangements", headers=bad).status_code == 401


def test_a_read_only_auditor_cannot_change_arrangements(sqlite_engine: Engine) -> None:
    ingest_account(sqlite_engine, "A1")
    auditor = Principal("u9", "audit", "审计", Role.AUDITOR, None, None)
    client = _client_as(sqlite_engine, auditor)
    assert client.get("/v1/accounts/A1/arrangements").status_code == 200
    assert client.post("/v1/accounts/A1/plans", json=PLAN).status_code == 403


def test_an_agency_user_cannot_reach_an_account_placed_elsewhere(sqlite_engine: Engine) -> None:
    ingest_account(sqlite_engine, "A1")  # in house
    agency = Principal("u7", "ag", "委外", Role.COLLECTOR, "AG01", "AG0101")
    client = _client_as(sqlite_engine, agency)
    assert client.get("/v1/accounts/A1/arrangements").status_code == 404
    assert client.post("/v1/accounts/A1/plans", json=PLAN).status_code == 404
    assert client.get("/v1/plans/PL1").status_code == 404


PLAN = {"months": 12, "first_due": "2026-12-15", "plan_id": "PL1"}


def test_a_quote_gives_the_schedule_with_money_as_strings(client: TestClient) -> None:
    body = {"balance": "12000.00", "months": 12, "first_due": "2027-01-31", "monthly_fee_rate": "0.006"}
    answer = client.post("/v1/arrangements/quote", json=body)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["totals"] == {"principal": "12000.00", "fee": "864.00", "interest": "0.00", "total": "12864.00"}
    assert data["installments"][1]["due_date"] == "2027-02-28"
    assert data["affordability"] is None


def test_a_quote_with_a_float_like_amount_or_13_months_too_many_is_a_422(client: TestClient) -> None:
    bad = client.post("/v1/arrangements/quote", json={"balance": "12000.001", "months": 12, "first_due": "2027-01-31"})
    assert bad.status_code == 422
    assert (
        client.post(
            "/v1/arrangements/quote", json={"balance": "1.00", "months": 61, "first_due": "2027-01-31"}
        ).status_code
        == 422
    )


def test_agree_a_plan_get_it_and_list_the_account(client: TestClient) -> None:
    agreed = client.post("/v1/accounts/A1/plans", json=PLAN)
    assert agreed.status_code == 201, agreed.text
    assert (agreed.json()["status"], agreed.json()["principal"]) == ("active", "1200.00")
    assert (agreed.json()["proposed_by"], agreed.json()["approved_by"]) == ("u1", "u1 (collector)")
    plan = client.get("/v1/plans/PL1", params={"as_of": "2026-12-16"}).json()
    assert plan["installments"][0]["status"] == "in_grace"
    listed = client.get("/v1/accounts/A1/arrangements").json()
    assert [p["plan_id"] for p in listed["plans"]] == ["PL1"]
    assert listed["balances"]["past_due"] == "1200.00"


def test_a_plan_beyond_the_users_authority_waits_for_approval_and_a_refused_one_answers_422(
    client: TestClient, sqlite_engine: Engine
) -> None:
    waiting = client.post("/v1/accounts/A1/plans", json={**PLAN, "months": 24})
    assert waiting.status_code == 202, waiting.text
    pending = waiting.json()
    assert (pending["status"], pending["required_authority"], pending["rule_id"]) == (
        "pending", "team_lead", "ARR-APPROVAL-01")
    assert "需上级审批" in pending["reason_zh"]
    assert client.get("/v1/accounts/A1/arrangements").json()["plans"] == []
    unaffordable = {**PLAN, "budget": {"monthly_income": "3000.00", "monthly_expenses": "2950.00"}}
    refused = client.post("/v1/accounts/A1/plans", json=unaffordable)
    assert refused.status_code == 422 and refused.json()["error"]["rules"] == ["ARR-AFFORD-01"]
    also_long = client.post("/v1/accounts/A1/plans", json={**unaffordable, "months": 24})
    assert also_long.json()["error"]["rules"] == ["ARR-AFFORD-01"]  # every other rule first, authority last
    with sqlite_engine.connect() as connection:
        assert [e.action for e in read_audit(connection)] == ["approval.requested"]


def test_unknown_ids_answer_404(client: TestClient) -> None:
    assert client.get("/v1/plans/NOPE").status_code == 404
    assert client.post("/v1/accounts/NOPE/plans", json=PLAN).status_code == 404
    assert client.post("/v1/payments/NOPE/reversal", json={}).status_code == 404
    assert "NOPE" in client.get("/v1/plans/NOPE").json()["error"]["message_en"]


def test_posting_is_idempotent_and_a_reversal_restores_the_balance(client: TestClient) -> None:
    client.post("/v1/accounts/A1/plans", json=PLAN)
    payment = {"payment_id": "P1", "amount": "100.00", "paid_at": "2026-12-01T09:00:00+08:00"}
    first = client.post("/v1/accounts/A1/payments", json=payment)
    assert first.status_code == 201, first.text
    assert first.json()["effects"] == ["InstallmentPaid:PL1#1"]
    assert first.json()["balances"]["owed"] == "11900.00"
    again = client.post("/v1/accounts/A1/payments", json=payment)
    assert again.status_code == 200 and again.json()["changed"] is False
    assert again.json()["balances"]["owed"] == "11900.00"
    other = client.post("/v1/accounts/A1/payments", json={**payment, "amount": "101.00"})
    assert other.status_code == 422 and "already used" in other.json()["error"]["message_en"]
    reversal = client.post("/v1/payments/P1/reversal", json={"reason": "bounced"})
    assert reversal.status_code == 200, reversal.text
    assert reversal.json()["balances"]["owed"] == "12000.00"
    assert reversal.json()["effects"] == ["InstallmentUnpaid:PL1#1"]


def test_a_naive_payment_time_is_a_422_naming_the_field(client: TestClient) -> None:
    payment = {"payment_id": "P1", "amount": "100.00", "paid_at": "2026-12-01T09:00:00"}
    answer = client.post("/v1/accounts/A1/payments", json=payment)
    assert answer.status_code == 422
    fields = answer.json()["error"]["fields"]
    assert [(f["field"].split(".")[-1], f["type"]) for f in fields] == [("paid_at", "timezone_aware")]


def test_promises_and_their_history(client: TestClient) -> None:
    made = client.post(
        "/v1/accounts/A1/promises",
        json={"amount": "500.00", "promised_date": "2026-12-05", "channel": "call", "promise_id": "PR1"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["taken_by"] == "u1"  # the signed-in user
    too_far = client.post(
        "/v1/accounts/A1/promises",
        json={"amount": "500.00", "promised_date": "2027-03-01", "channel": "call"},
    )
    assert too_far.status_code == 400 and "30 days" in too_far.json()["error"]["message_en"]
    history = client.get("/v1/accounts/A1/promise-history", params={"as_of": "2026-12-10"}).json()
    assert (history["broken"], history["promises"][0]["promise_id"]) == (1, "PR1")


def test_settlement_offer_approval_and_acceptance(client: TestClient) -> None:
    body = {"discount": "0.40", "first_due": "2026-12-20", "settlement_id": "S1"}
    needs = client.post("/v1/accounts/A1/settlements", json=body)
    assert needs.status_code == 202, needs.text  # a collector's 40% waits for a strategy manager or above
    assert (needs.json()["rule_id"], needs.json()["required_authority"]) == ("ARR-APPROVAL-01", "strategy_manager")
    claimed = client.post(
        "/v1/accounts/A1/settlements", json={**body, "approved_by": "u1", "approver_role": "strategy_manager"}
    )
    assert claimed.status_code == 422  # nobody claims an approver or a role in the body
    assert {e["field"] for e in claimed.json()["error"]["fields"]} == {"body.approved_by", "body.approver_role"}
    client.app.dependency_overrides[current_principal] = lambda: BOSS  # type: ignore[attr-defined]
    approved = client.post("/v1/accounts/A1/settlements", json=body)
    client.app.dependency_overrides[current_principal] = lambda: IN_HOUSE  # type: ignore[attr-defined]
    assert approved.status_code == 201, approved.text  # within the head of collections' own authority
    assert (approved.json()["amount"], approved.json()["forgiven"]) == ("7200.00", "4800.00")
    assert (approved.json()["approved_by"], approved.json()["approver_role"]) == ("boss", "head_of_collections")
    accepted = client.post("/v1/settlements/S1/acceptance")
    assert accepted.json()["status"] == "accepted"
    assert client.post("/v1/settlements/S1/acceptance", json={}).status_code == 400
    assert client.post("/v1/settlements/S1/acceptance", json={"actor": "u1"}).status_code == 422


def test_extension_hardship_and_referral(client: TestClient) -> None:
    ext = {"original_due": "2026-12-15", "new_due": "2026-12-25"}
    granted = client.post("/v1/accounts/A1/extensions", json=ext)
    assert granted.status_code == 201 and granted.json()["granted_by"] == "u1"
    above_a_collector = client.post("/v1/accounts/A1/extensions", json={**ext, "new_due": "2027-01-10"})
    assert above_a_collector.status_code == 202 and above_a_collector.json()["required_authority"] == "team_lead"
    beyond_policy = client.post("/v1/accounts/A1/extensions", json={**ext, "new_due": "2027-01-20"})
    assert beyond_policy.status_code == 422 and beyond_policy.json()["error"]["rules"] == ["ARR-EXT-01"]
    hardship = {
        "kind": "token_payment",
        "start": "2026-12-01",
        "end": "2027-05-31",
        "review_on": "2027-02-01",
        "token_amount": "50.00",
        "reason": "illness 疾病",
    }
    answer = client.post("/v1/accounts/A1/hardship", json=hardship)
    assert answer.status_code == 201, answer.text
    assert answer.json()["token_amount"] == "50.00"
    referral = {"organisation_id": "NOPE", "consent": True}
    assert client.post("/v1/accounts/A1/referrals", json=referral).status_code == 404
    org = arrangements.get_directory().organisations[0].organisation_id
    no_consent = client.post("/v1/accounts/A1/referrals", json={**referral, "organisation_id": org, "consent": False})
    assert no_consent.status_code == 422 and no_consent.json()["error"]["rules"] == ["ARR-COUNSEL-01"]
    assert client.post("/v1/accounts/A1/referrals", json={**referral, "organisation_id": org}).status_code == 201


def test_the_app_uses_one_engine_from_the_process_container(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from arrears import bootstrap
    from arrears.settings import get_settings

    monkeypatch.setenv("ARREARS_DATABASE_URL", f"sqlite:///{tmp_path / 'api.db'}")
    monkeypatch.setenv("ARREARS_KEY_FILE", str(tmp_path / "api.key"))
    get_settings.cache_clear()
    try:
        app = create_app()
        app.dependency_overrides[current_principal] = lambda: IN_HOUSE
        client = TestClient(app)
        assert client.get("/v1/accounts/A1/arrangements").json()["balances"] is None
        engine = app.state.workbench.engine
        assert client.get("/v1/accounts/A1/arrangements").status_code == 200
        assert app.state.workbench.engine is engine and str(tmp_path) in str(engine.url)
        assert bootstrap.container().engine is engine  # the workbench's and the API's: one engine, one pool
    finally:
        get_settings.cache_clear()
