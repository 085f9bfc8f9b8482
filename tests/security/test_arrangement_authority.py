"""Issue 12, break 1 (critical): who acts on the /v1 arrangements API, and with which authority,
comes from the signed-in user's API token, never from the body, whatever the Content-Type's
spelling; approvals above a user's authority are a real step by a second user (maker–checker).

Every test runs on SQLite and PostgreSQL with real API tokens (no principal override)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from arrangement_desk import Desk, open_desk
from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.arrangements_repository import read_audit
from arrears.adapters.storage.arrangements_tables import (
    extensions,
    installment_plans,
    promises_to_pay,
    settlements,
)


@pytest.fixture
def desk(engine: Engine, cipher: FieldCipher) -> Desk:
    return open_desk(engine, cipher)


CONTENT_TYPES = (
    "Application/JSON",
    "application/json; charset=utf-8",
    "application/merge-patch+json",
    "APPLICATION/JSON",
)

# What a collector asked for "as the head of collections" in the security test.
CLAIMS = {"actor": "admin", "approved_by": "admin", "role": "head_of_collections",
          "approver_role": "head_of_collections"}
BEYOND_A_COLLECTOR = {
    "settlements": {"discount": "0.60", "first_due": "2026-12-20"},
    "plans": {"months": 60, "first_due": "2026-12-15", "fee_waiver": "1"},
    "extensions": {"original_due": "2026-12-15", "new_due": "2027-01-12"},  # 28 days
    "promises": {"amount": "500.00", "promised_date": "2026-12-05", "channel": "call"},
}


def _send(desk: Desk, who: str, path: str, body: dict[str, Any], content_type: str) -> Any:
    headers = {**desk.headers[who], "Content-Type": content_type}
    return desk.client.post(path, content=json.dumps(body).encode(), headers=headers)


def _forbidden_fields(answer: Any) -> set[str]:
    return {e["field"].rsplit(".", 1)[-1] for e in answer.json()["error"]["fields"] if e["type"] == "extra_forbidden"}


def _booked(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            "settlements": [tuple(r) for r in connection.execute(
                select(settlements.c.discount, settlements.c.offered_by, settlements.c.approved_by))],
            "plans": [tuple(r) for r in connection.execute(
                select(installment_plans.c.months, installment_plans.c.proposed_by, installment_plans.c.approved_by))],
            "extensions": [tuple(r) for r in connection.execute(
                select(extensions.c.original_due, extensions.c.new_due, extensions.c.granted_by))],
            "promises": [tuple(r) for r in connection.execute(select(promises_to_pay.c.taken_by))],
        }


@pytest.mark.parametrize("kind", sorted(BEYOND_A_COLLECTOR))
def test_a_collector_cannot_claim_another_actor_approver_or_role_in_the_body_whatever_the_content_type(
    desk: Desk, kind: str
) -> None:
    for n, content_type in enumerate(CONTENT_TYPES):
        body = {**BEYOND_A_COLLECTOR[kind], **CLAIMS}
        if kind == "extensions":
            body["new_due"] = f"2027-01-{12 + n:02d}"
        answer = _send(desk, "collector", f"/v1/accounts/A1/{kind}", body, content_type)
        assert answer.status_code == 422, (content_type, answer.status_code, answer.text)
        assert _forbidden_fields(answer) == set(CLAIMS), (content_type, answer.text)
    booked = _booked(desk.engine)
    assert booked[kind] == [], booked  # nothing booked, neither beyond authority nor "approved by admin"


def test_nothing_a_collector_books_is_beyond_their_authority_or_approved_by_someone_else(desk: Desk) -> None:
    for kind, terms in BEYOND_A_COLLECTOR.items():
        for content_type in CONTENT_TYPES:
            _send(desk, "collector", f"/v1/accounts/A1/{kind}", {**terms, **CLAIMS}, content_type)
        answer = _send(desk, "collector", f"/v1/accounts/A1/{kind}", terms, "Application/JSON")
        assert answer.status_code == (201 if kind == "promises" else 202), (kind, answer.text)
    booked = _booked(desk.engine)
    assert booked["settlements"] == [] and booked["plans"] == [] and booked["extensions"] == []
    assert booked["promises"] == [("collector",)]  # taken by the signed-in user


def test_a_collectors_60_percent_settlement_waits_for_the_head_of_collections(desk: Desk) -> None:
    asked = desk.post("collector", "/v1/accounts/A1/settlements",
                      {"discount": "0.60", "first_due": "2026-12-20", "settlement_id": "S60"})
    assert asked.status_code == 202, asked.text
    pending = asked.json()
    assert (pending["status"], pending["required_authority"]) == ("pending", "head_of_collections")
    assert "60%" in pending["reason_en"] and pending["reason_zh"]
    approval = pending["approval_id"]
    assert _booked(desk.engine)["settlements"] == []

    own = desk.post("collector", f"/v1/approvals/{approval}/approve")
    assert own.status_code == 403 and own.json()["error"]["rules"] == ["ARR-APPROVAL-03"]
    lead = desk.post("lead", f"/v1/approvals/{approval}/approve")
    assert lead.status_code == 403 and lead.json()["error"]["rules"] == ["ARR-APPROVAL-01"]
    assert approval not in [a["approval_id"] for a in desk.get("lead", "/v1/approvals").json()]
    assert [a["approval_id"] for a in desk.get("admin", "/v1/approvals?status=pending").json()] == [approval]
    assert _booked(desk.engine)["settlements"] == []

    approved = desk.post("admin", f"/v1/approvals/{approval}/approve", {"note": "hardship file checked"})
    assert approved.status_code == 200, approved.text
    settlement = approved.json()["settlement"]
    assert (settlement["settlement_id"], settlement["offered_by"]) == ("S60", "collector")
    assert (settlement["approved_by"], settlement["approver_role"]) == ("admin", "head_of_collections")
    assert (settlement["amount"], approved.json()["approval"]["status"]) == ("4800.00", "approved")
    assert _booked(desk.engine)["settlements"] == [("0.60", "collector", "admin")]

    with desk.engine.connect() as connection:
        steps = [(e.action, e.actor, e.detail.get("account_id")) for e in read_audit(connection)
                 if e.action.startswith("approval.")]
    assert steps == [("approval.requested", "collector", "A1"), ("approval.approved", "admin", "A1")]

    again = desk.post("admin", f"/v1/approvals/{approval}/approve")
    assert again.status_code == 409
    assert _booked(desk.engine)["settlements"] == [("0.60", "collector", "admin")]
    assert desk.get("admin", "/v1/approvals").json() == []


def test_a_rejected_request_records_the_reason_and_books_nothing(desk: Desk) -> None:
    asked = desk.post("collector", "/v1/accounts/A1/settlements", {"discount": "0.60", "first_due": "2026-12-20"})
    approval = asked.json()["approval_id"]
    assert desk.post("collector", f"/v1/approvals/{approval}/reject", {"reason": "mine"}).status_code == 403
    assert desk.post("admin", f"/v1/approvals/{approval}/reject", {}).status_code == 422  # a reason is required
    rejected = desk.post("admin", f"/v1/approvals/{approval}/reject", {"reason": "no hardship evidence 无困难证明"})
    assert rejected.status_code == 200, rejected.text
    decided = rejected.json()
    assert (decided["status"], decided["decided_by"], decided["reason"]) == (
        "rejected", "admin", "no hardship evidence 无困难证明")
    assert desk.post("admin", f"/v1/approvals/{approval}/approve").status_code == 409
    assert _booked(desk.engine)["settlements"] == []
    with desk.engine.connect() as connection:
        (entry,) = [e for e in read_audit(connection) if e.action == "approval.rejected"]
        assert connection.execute(select(func.count()).select_from(settlements)).scalar() == 0
    assert (entry.actor, entry.detail["account_id"], entry.detail["reason"]) == (
        "admin", "A1", "no hardship evidence 无困难证明")


def test_an_agency_user_cannot_list_or_decide_approvals_of_accounts_outside_their_agency(desk: Desk) -> None:
    in_house = desk.post("collector", "/v1/accounts/A1/settlements",
                         {"discount": "0.20", "first_due": "2026-12-20"}).json()["approval_id"]
    placed = desk.post("agency1", "/v1/accounts/A2/settlements",
                       {"discount": "0.20", "first_due": "2026-12-20"}).json()["approval_id"]
    assert [a["approval_id"] for a in desk.get("agency1_lead", "/v1/approvals").json()] == [placed]
    assert desk.get("agency2_lead", "/v1/approvals").json() == []
    for verb, body in (("approve", {}), ("reject", {"reason": "x"}), ("withdraw", {})):
        assert desk.post("agency1_lead", f"/v1/approvals/{in_house}/{verb}", body).status_code == 404
        assert desk.post("agency2_lead", f"/v1/approvals/{placed}/{verb}", body).status_code == 404
    assert desk.get("agency1_lead", f"/v1/approvals/{in_house}").status_code == 404
    assert _booked(desk.engine)["settlements"] == []
    assert sorted(a["approval_id"] for a in desk.get("lead", "/v1/approvals").json()) == sorted([in_house, placed])
    approved = desk.post("agency1_lead", f"/v1/approvals/{placed}/approve")
    assert approved.status_code == 200, approved.text
    assert Decimal(approved.json()["settlement"]["discount"]) == Decimal("0.20")
    assert approved.json()["settlement"]["approved_by"] == "agency1_lead"
