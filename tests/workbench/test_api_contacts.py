"""Logging contacts: the gate is asked before the call; blocked attempts are refused with reasons."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from workbench_support import CAP, QUIET, SHANGHAI, FakeGate, account_of_agency, bearer, end_mandate

from arrears.adapters.clock import FixedClock
from arrears.entrypoints.api.workbench.dialer_routes import ReservationsOut
from arrears.services.workbench.context import Workbench


def _phone(client: TestClient, account_id: str, headers: dict[str, str]) -> str:
    view = client.get(f"/v1/accounts/{account_id}", headers=headers).json()
    return next(p["contact_point_id"] for p in view["contact_points"] if p["kind"] in ("mobile", "home", "work"))


def test_a_no_answer_then_a_conversation_with_a_promise_and_a_callback_are_logged(
    client: TestClient, wb: Workbench, gate: FakeGate, clock: FixedClock
) -> None:
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    phone = _phone(client, account_id, headers)
    first = client.post(f"/v1/accounts/{account_id}/contacts", headers=headers,
                        json={"channel": "call", "contact_point_id": phone, "outcome": "no_answer"})
    assert first.status_code == 201, first.text
    clock.set(clock.now + timedelta(minutes=5))
    attempt = client.post(f"/v1/accounts/{account_id}/attempts", headers=headers,
                          json={"channel": "call", "contact_point_id": phone})
    assert attempt.status_code == 201 and attempt.json()["verdict"]["allowed"]
    callback = datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI).isoformat()
    second = client.post(f"/v1/accounts/{account_id}/contacts", headers=headers, json={
        "channel": "call", "contact_point_id": phone, "outcome": "conversation", "party": "debtor",
        "notes": "客户说月底发工资", "promise_amount": "1500.00", "promise_date": "2026-12-05",
        "callback_at": callback, "attempt_id": attempt.json()["attempt_id"]})
    assert second.status_code == 201, second.text
    assert second.json()["promise_amount_cents"] == 150000
    assert gate.outcomes[attempt.json()["attempt_id"]][0] == "conversation"
    view = client.get(f"/v1/accounts/{account_id}", headers=headers).json()
    mine = [c for c in view["contacts"] if c["source"] == "workbench"]
    assert [c["outcome"] for c in mine] == ["conversation", "no_answer"]
    assert mine[0]["notes"] == "客户说月底发工资"
    assert view["promises"][0]["promise_amount_cents"] == 150000
    day = client.get("/v1/follow-ups", headers=headers).json()
    assert [f["account_id"] for f in day["later"]] == [account_id]


def test_a_call_at_22_00_beijing_time_is_refused_before_it_happens_with_the_rule_and_reason(
    client: TestClient, wb: Workbench, gate: FakeGate, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 29, 22, 0, tzinfo=SHANGHAI))
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    phone = _phone(client, account_id, headers)
    reply = client.post(f"/v1/accounts/{account_id}/contacts", headers=headers,
                        json={"channel": "call", "contact_point_id": phone, "outcome": "no_answer"})
    assert reply.status_code == 409
    error = reply.json()["error"]
    assert error["decision"] == "deny" and error["rules"] == [QUIET]
    assert "免打扰" in error["reasons"][0]
    assert not gate.ledger
    blocked = client.get("/v1/compliance/blocked", headers=bearer(client, "compliance")).json()
    assert blocked[0]["rule"] == QUIET and blocked[0]["blocked"] == 1


def test_the_fourth_call_of_the_day_hits_the_cap_in_english_when_asked(
    client: TestClient, wb: Workbench
) -> None:
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    phone = _phone(client, account_id, headers)
    for _ in range(3):
        client.post(f"/v1/accounts/{account_id}/contacts", headers=headers,
                    json={"channel": "call", "contact_point_id": phone, "outcome": "busy"})
    fourth = client.post(f"/v1/accounts/{account_id}/contacts?lang=en", headers=headers,
                         json={"channel": "call", "contact_point_id": phone, "outcome": "busy"})
    assert fourth.status_code == 409
    assert fourth.json()["error"]["rules"] == [CAP]
    assert "daily cap" in fourth.json()["error"]["reasons"][0]


def test_bad_contact_entries_are_refused_by_field(client: TestClient, wb: Workbench, clock: FixedClock) -> None:
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    phone = _phone(client, account_id, headers)
    url = f"/v1/accounts/{account_id}/contacts"
    base = {"channel": "call", "contact_point_id": phone}
    cases = [
        ({**base, "outcome": "teleported"}, 422),
        ({**base, "outcome": "no_answer", "promise_amount": "100", "promise_date": "2026-12-01"}, 422),
        ({**base, "outcome": "conversation", "promise_amount": "100", "promise_date": "2026-11-01"}, 422),
        ({**base, "outcome": "no_answer", "callback_at": (clock.now - timedelta(hours=1)).isoformat()}, 422),
        ({"channel": "email", "contact_point_id": phone, "outcome": "delivered"}, 422),
        ({"channel": "call", "contact_point_id": "NOT-MINE", "outcome": "no_answer"}, 422),
        ({**base, "outcome": "no_answer", "attempt_id": "att-unknown"}, 404),
    ]
    for body, expected in cases:
        reply = client.post(url, json=body, headers=headers)
        assert reply.status_code == expected, (body, reply.text)
    assert client.post(url, json={**base, "outcome": "no_answer"}, headers=bearer(client, "auditor")).status_code == 403


def test_an_attempt_gets_exactly_one_outcome(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    phone = _phone(client, account_id, headers)
    attempt = client.post(f"/v1/accounts/{account_id}/attempts", headers=headers,
                          json={"channel": "call", "contact_point_id": phone}).json()["attempt_id"]
    body = {"channel": "call", "contact_point_id": phone, "outcome": "no_answer", "attempt_id": attempt}
    assert client.post(f"/v1/accounts/{account_id}/contacts", json=body, headers=headers).status_code == 201
    assert client.post(f"/v1/accounts/{account_id}/contacts", json=body, headers=headers).status_code == 409
    other = client.post(f"/v1/accounts/{account_id}/contacts", json=body, headers=bearer(client, "collector2"))
    assert other.status_code == 404


def test_a_collector_with_lapsed_training_cannot_make_a_call(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    reply = client.post(f"/v1/accounts/{account_id}/attempts", headers=bearer(client, "lapsed"),
                        json={"channel": "visit"})
    assert reply.status_code == 403
    assert reply.json()["error"]["rules"] == ["access.training_lapsed"]


def test_an_agency_whose_mandate_ended_cannot_take_work(client: TestClient, wb: Workbench) -> None:
    end_mandate(wb.engine, "AG01")
    headers = bearer(client, "agency1")
    reply = client.post("/v1/queue/next", headers=headers)
    assert reply.status_code == 403
    assert reply.json()["error"]["rules"] == ["access.agency_mandate_ended"]
    own = account_of_agency(wb.engine, "AG01")
    assert client.post(f"/v1/accounts/{own}/attempts", json={"channel": "visit"}, headers=headers).status_code == 403


def test_a_complaint_shows_in_the_compliance_view(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    phone = _phone(client, account_id, headers)
    client.post(f"/v1/accounts/{account_id}/contacts", headers=headers, json={
        "channel": "call", "contact_point_id": phone, "outcome": "conversation", "party": "debtor", "complaint": True})
    rows = client.get("/v1/compliance/complaints", headers=bearer(client, "compliance")).json()
    assert rows[0]["account_id"] == account_id and rows[0]["source"] == "workbench"
    assert client.get("/v1/compliance/complaints", headers=headers).status_code == 403


def test_an_outcome_that_does_not_fit_the_channel_is_refused(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    url = f"/v1/accounts/{account_id}/contacts"
    for channel, outcome in (("letter", "busy"), ("voicemail", "conversation"), ("sms", "conversation")):
        reply = client.post(url, json={"channel": channel, "outcome": outcome}, headers=headers)
        assert reply.status_code == 422 and "outcome" in reply.text, (channel, outcome, reply.text)


def test_a_promise_must_fit_the_balance_and_stand_alone(client: TestClient, wb: Workbench, clock: FixedClock) -> None:
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    phone = _phone(client, account_id, headers)
    url = f"/v1/accounts/{account_id}/contacts"
    talk = {"channel": "call", "contact_point_id": phone, "outcome": "conversation", "party": "debtor",
            "promise_date": "2026-12-05"}
    too_much = client.post(url, json={**talk, "promise_amount": "99999999.00"}, headers=headers)
    assert too_much.status_code == 422 and "balance" in too_much.text
    first = client.post(url, json={**talk, "promise_amount": "1500.00"}, headers=headers)
    assert first.status_code == 201, first.text
    clock.set(clock.now + timedelta(minutes=30))
    second = client.post(url, json={**talk, "promise_amount": "1000.00"}, headers=headers)
    assert second.status_code == 422 and "open promise" in second.text
    view = client.get(f"/v1/accounts/{account_id}", headers=headers).json()
    assert [p["promise_amount_cents"] for p in view["promises"]] == [150000]


def test_an_inbound_call_at_22_00_is_logged_without_asking_the_gate_and_shows_as_inbound(
    client: TestClient, wb: Workbench, gate: FakeGate, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 29, 22, 0, tzinfo=SHANGHAI))  # calling now would be refused (quiet hours)
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    reply = client.post(f"/v1/accounts/{account_id}/contacts", headers=headers, json={
        "channel": "call", "direction": "inbound", "party": "debtor", "outcome": "conversation",
        "notes": "客户来电询问还款方式", "promise_amount": "600", "promise_date": "2026-12-03"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["direction"] == "inbound" and reply.json()["promise_amount_cents"] == 60000
    assert not gate.ledger and not gate.outcomes  # never reserved, never judged
    view = client.get(f"/v1/accounts/{account_id}", headers=headers).json()
    [mine] = [c for c in view["contacts"] if c["source"] == "workbench"]
    assert (mine["direction"], mine["outcome"], mine["notes"]) == ("inbound", "conversation", "客户来电询问还款方式")
    trail = client.get("/v1/audit", params={"kind": "inbound_contact"}, headers=bearer(client, "auditor"))
    assert [r["account_id"] for r in trail.json()] == [account_id]


def test_an_inbound_call_only_takes_what_an_answered_call_can_be(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    url = f"/v1/accounts/{account_id}/contacts"
    inbound = {"channel": "call", "direction": "inbound", "party": "debtor"}
    cases = [
        ({**inbound, "outcome": "no_answer"}, "outcome"),
        ({**inbound, "outcome": "voicemail"}, "outcome"),
        ({**inbound, "outcome": "busy"}, "outcome"),
        ({**inbound, "outcome": "wrong_number"}, "outcome"),
        ({**inbound, "channel": "sms", "outcome": "delivered"}, "channel"),
        ({**inbound, "outcome": "conversation", "attempt_id": "att-1"}, "attempt_id"),
        ({"channel": "call", "direction": "inbound", "outcome": "conversation"}, "party"),
        ({**inbound, "outcome": "answered_other"}, "party"),
        ({**inbound, "party": "spouse", "outcome": "conversation"}, "party"),
        ({**inbound, "outcome": "conversation", "contact_point_id": "NOT-MINE"}, "contact_point_id"),
    ]
    for body, field in cases:
        reply = client.post(url, json=body, headers=headers)
        assert reply.status_code == 422 and reply.json()["error"]["field"] == field, (body, reply.text)
    other = client.post(url, json={**inbound, "party": "spouse", "outcome": "answered_other"}, headers=headers)
    assert other.status_code == 201, other.text
    assert client.post(url, json={**inbound, "outcome": "conversation"},  # an agency's user: not their account
                       headers=bearer(client, "agency1")).status_code == 404


def _service_token(client: TestClient, *scopes: str, name: str = "dialer-1") -> dict[str, str]:
    reply = client.post("/v1/service-tokens", json={"name": name, "scopes": list(scopes)},
                        headers=bearer(client, "admin"))
    assert reply.status_code == 201, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def _collectors_call(client: TestClient, wb: Workbench) -> tuple[str, dict[str, str], str, str]:
    """An in-house account, the collector's token, the account's phone and the collector's agent id."""
    account_id = account_of_agency(wb.engine, None)
    headers = bearer(client, "collector")
    return account_id, headers, _phone(client, account_id, headers), client.get("/v1/me", headers=headers).json()[
        "agent_id"]


def test_a_dialer_with_its_service_token_reserves_an_attempt_for_the_collector_it_names(
    client: TestClient, wb: Workbench, gate: FakeGate
) -> None:
    account_id, headers, phone, agent = _collectors_call(client, wb)
    dialer = _service_token(client, "dialer")
    reply = client.post(f"/v1/accounts/{account_id}/attempts", headers=dialer,
                        json={"channel": "call", "contact_point_id": phone, "agent_id": agent})
    assert reply.status_code == 201, reply.text
    assert reply.json()["verdict"]["allowed"]
    assert gate.ledger[reply.json()["attempt_id"]].agent_id == agent  # judged as the collector's
    # the attempt is the collector's: they record what came of it
    logged = client.post(f"/v1/accounts/{account_id}/contacts", headers=headers, json={
        "channel": "call", "contact_point_id": phone, "outcome": "no_answer", "attempt_id": reply.json()["attempt_id"]})
    assert logged.status_code == 201, logged.text


def test_a_reservation_by_service_token_needs_the_dialer_scope_and_a_collector_and_a_user_names_no_one(
    client: TestClient, wb: Workbench
) -> None:
    account_id, headers, phone, agent = _collectors_call(client, wb)
    body = {"channel": "call", "contact_point_id": phone, "agent_id": agent}
    url = f"/v1/accounts/{account_id}/attempts"
    assert client.post(url, json=body, headers=_service_token(client, "compliance:check", name="checker")
                       ).status_code == 403
    dialer = _service_token(client, "dialer")
    assert client.post(url, json={**body, "agent_id": None}, headers=dialer).status_code == 422
    assert client.post(url, json={**body, "agent_id": "NOBODY"}, headers=dialer).status_code == 404
    assert client.post(url, json=body, headers=headers).status_code == 422


def test_a_dialer_reserves_many_calls_in_one_request_each_answered_in_order(
    client: TestClient, wb: Workbench, gate: FakeGate
) -> None:
    account_id, _headers, phone, agent = _collectors_call(client, wb)
    dialer = _service_token(client, "dialer")
    calls = [{"account_id": account_id, "contact_point_id": phone}] * 4 + [
        {"account_id": "NO-SUCH-ACCOUNT", "contact_point_id": phone},
        {"account_id": account_id, "contact_point_id": "NOT-MINE"}]
    reply = client.post("/v1/dialer/reservations?lang=en", headers=dialer, json={"agent_id": agent, "calls": calls})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    ReservationsOut.model_validate(body)  # the documented shape
    assert [c["status"] for c in body["calls"]] == [201, 201, 201, 409, 404, 422]
    assert (body["reserved"], body["refused"], body["failed"]) == (3, 1, 2)
    assert body["calls"][3]["verdict"]["rules"] == [CAP] and "daily cap" in body["calls"][3]["verdict"]["reasons"][0]
    assert body["calls"][5]["error"]["field"] == "contact_point_id"
    assert all(gate.ledger[c["attempt_id"]].agent_id == agent for c in body["calls"][:3])


def test_a_batch_of_reservations_needs_the_dialer_scope_a_collector_and_at_most_200_calls(
    client: TestClient, wb: Workbench
) -> None:
    account_id, headers, phone, agent = _collectors_call(client, wb)
    body = {"agent_id": agent, "calls": [{"account_id": account_id, "contact_point_id": phone}]}
    url = "/v1/dialer/reservations"
    assert client.post(url, json=body, headers=_service_token(client, "compliance:check", name="checker")
                       ).status_code == 403
    assert client.post(url, json=body, headers=headers).status_code in (401, 403)  # a user's token: not a dialer
    dialer = _service_token(client, "dialer")
    assert client.post(url, json={**body, "agent_id": "NOBODY"}, headers=dialer).status_code == 404
    assert client.post(url, json={**body, "calls": []}, headers=dialer).status_code == 422
    assert client.post(url, json={**body, "calls": body["calls"] * 201}, headers=dialer).status_code == 422
    lapsed = _service_token(client, "dialer", name="dialer-2")
    lapsed_agent = client.get("/v1/me", headers=bearer(client, "lapsed")).json()["agent_id"]
    assert client.post(url, json={**body, "agent_id": lapsed_agent}, headers=lapsed).status_code == 403
