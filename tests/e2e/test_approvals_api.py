"""/v1 approvals over HTTP with real API tokens, on SQLite and PostgreSQL: plans and extensions
beyond the maker's authority wait for a checker, the maker withdraws, who may see and decide."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from arrangement_desk import Desk, open_desk
from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.arrangements_repository import read_audit


@pytest.fixture
def desk(engine: Engine, cipher: FieldCipher) -> Desk:
    return open_desk(engine, cipher)


def test_a_team_lead_approves_a_collectors_24_month_plan_and_it_is_booked_as_approved_by_them(desk: Desk) -> None:
    asked = desk.post("collector", "/v1/accounts/A1/plans", {"months": 24, "first_due": "2026-12-15", "plan_id": "PL1"})
    assert asked.status_code == 202 and asked.json()["required_authority"] == "team_lead"
    approval = asked.json()["approval_id"]
    shown = desk.get("collector", f"/v1/approvals/{approval}").json()  # the maker follows their request
    assert (shown["kind"], shown["maker"], shown["parameters"]["months"]) == ("plan", "collector", "24")
    assert desk.get("collector2", f"/v1/approvals/{approval}").status_code == 403
    approved = desk.post("lead", f"/v1/approvals/{approval}/approve")
    assert approved.status_code == 200, approved.text
    plan = approved.json()["plan"]
    assert (plan["plan_id"], plan["status"], plan["months"]) == ("PL1", "active", 24)
    assert (plan["proposed_by"], plan["approved_by"]) == ("collector", "lead (team_lead)")
    listed = desk.get("collector", "/v1/accounts/A1/arrangements").json()
    assert [p["plan_id"] for p in listed["plans"]] == ["PL1"]
    with desk.engine.connect() as connection:
        (agreed,) = [e for e in read_audit(connection) if e.action == "plan.agreed"]
    assert (agreed.actor, agreed.detail["approved_by"], agreed.detail["account_id"]) == ("collector", "lead", "A1")


def test_a_strategy_manager_who_logs_no_contacts_still_decides_within_their_authority(desk: Desk) -> None:
    asked = desk.post("collector", "/v1/accounts/A1/extensions",
                      {"original_due": "2026-12-15", "new_due": "2027-01-12"})
    assert asked.status_code == 202, asked.text
    approval = asked.json()["approval_id"]
    assert desk.post("strategist", "/v1/accounts/A1/extensions", {"original_due": "2026-12-15",
                                                                  "new_due": "2026-12-20"}).status_code == 403
    approved = desk.post("strategist", f"/v1/approvals/{approval}/approve", {"note": "医院证明"})
    assert approved.status_code == 200, approved.text
    extension = approved.json()["extension"]
    assert (extension["days"], extension["granted_by"]) == (28, "strategist")
    assert approved.json()["approval"]["reason"] == "医院证明"


def test_the_maker_withdraws_a_pending_request_and_then_nobody_can_decide_it(desk: Desk) -> None:
    approval = desk.post("collector", "/v1/accounts/A1/settlements",
                         {"discount": "0.20", "first_due": "2026-12-20"}).json()["approval_id"]
    assert desk.post("lead", f"/v1/approvals/{approval}/withdraw").status_code == 403
    assert desk.post("collector", f"/v1/approvals/{approval}/withdraw", {"actor": "lead"}).status_code == 422
    withdrawn = desk.post("collector", f"/v1/approvals/{approval}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert desk.post("lead", f"/v1/approvals/{approval}/approve").status_code == 409
    assert desk.get("lead", "/v1/approvals").json() == []
    assert [a["approval_id"] for a in desk.get("lead", "/v1/approvals?status=withdrawn").json()] == [approval]


def test_without_an_arrangements_authority_there_is_no_approvals_desk(desk: Desk) -> None:
    approval = desk.post("collector", "/v1/accounts/A1/settlements",
                         {"discount": "0.20", "first_due": "2026-12-20"}).json()["approval_id"]
    assert desk.get("auditor", "/v1/approvals").status_code == 403
    assert desk.post("auditor", f"/v1/approvals/{approval}/approve").status_code == 403
    assert desk.client.get("/v1/approvals").status_code == 401
    assert desk.post("admin", "/v1/approvals/AP-NOPE/approve").status_code == 404
    assert desk.post("admin", f"/v1/approvals/{approval}/approve", {"approved_by": "admin"}).status_code == 422
    assert desk.get("admin", "/v1/approvals?status=maybe").status_code == 422


def test_an_agency_user_reaches_plans_payments_and_settlements_of_their_agencys_accounts_only(desk: Desk) -> None:
    placed = desk.post("agency1", "/v1/accounts/A2/settlements",
                       {"discount": "0.05", "first_due": "2026-12-20", "settlement_id": "S2"})
    assert placed.status_code == 201, placed.text
    assert desk.post("collector", "/v1/accounts/A1/settlements",
                     {"discount": "0.05", "first_due": "2026-12-20", "settlement_id": "S1"}).status_code == 201
    assert desk.post("agency1", "/v1/settlements/S2/acceptance").status_code == 200
    assert desk.post("agency1", "/v1/settlements/S1/acceptance").status_code == 404
    assert desk.post("agency2_lead", "/v1/settlements/S2/acceptance").status_code == 404
    payment = {"payment_id": "P2", "amount": "10.00", "paid_at": "2026-12-01T09:00:00+08:00"}
    assert desk.post("agency1", "/v1/accounts/A2/payments", payment).status_code == 201
    assert desk.post("agency2_lead", "/v1/payments/P2/reversal").status_code == 404
    assert desk.post("agency1", "/v1/payments/P2/reversal").status_code == 200
