"""/v1/queue and /v1/follow-ups, and the team view."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from workbench_support import SHANGHAI, account_of_agency, bearer

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage import tables as t
from arrears.services.workbench.context import Workbench


def test_next_account_hands_out_the_highest_priority_and_never_the_same_twice(client: TestClient) -> None:
    one, two = bearer(client, "collector"), bearer(client, "collector2")
    first = client.post("/v1/queue/next", headers=one).json()
    second = client.post("/v1/queue/next", headers=two).json()
    assert first["account_id"] and second["account_id"] and first["account_id"] != second["account_id"]
    assert first["priority"] >= second["priority"]
    queue = client.get("/v1/queue", headers=one).json()
    assert [r["account_id"] for r in queue["held"]] == [first["account_id"]]
    assert queue["counts"]["assigned"] == 2


def test_an_agency_collector_is_handed_only_that_agencys_accounts(client: TestClient, wb: Workbench) -> None:
    headers = bearer(client, "agency1")
    with wb.engine.connect() as connection:
        placed = set(connection.execute(select(t.accounts.c.account_id).where(t.accounts.c.agency_id == "AG01"))
                     .scalars())
    for _ in range(5):
        got = client.post("/v1/queue/next", headers=headers).json()
        assert got["account_id"] in placed
    assert all(r["account_id"] in placed for r in client.get("/v1/queue", headers=headers).json()["waiting"])


def test_an_account_i_worked_is_done_when_i_take_the_next_one_and_one_i_did_not_goes_back(
    client: TestClient, clock: FixedClock
) -> None:
    headers = bearer(client, "collector")
    first = client.post("/v1/queue/next", headers=headers).json()["account_id"]
    second = client.post("/v1/queue/next", headers=headers).json()["account_id"]
    assert first != second
    queue = client.get("/v1/queue", headers=headers).json()
    assert queue["counts"]["done"] == 0 and queue["counts"]["assigned"] == 1
    client.post(f"/v1/accounts/{second}/contacts", headers=headers, json={"channel": "visit", "outcome": "no_answer"})
    clock.set(clock.now + timedelta(minutes=1))
    client.post("/v1/queue/next", headers=headers)
    assert client.get("/v1/queue", headers=headers).json()["counts"]["done"] == 1


def test_a_lease_that_ran_out_lets_another_collector_take_the_account(client: TestClient, clock: FixedClock) -> None:
    taken = client.post("/v1/queue/next", headers=bearer(client, "collector")).json()["account_id"]
    clock.set(clock.now + timedelta(minutes=31))
    again = client.post("/v1/queue/next", headers=bearer(client, "collector2")).json()["account_id"]
    assert again == taken


def test_releasing_an_account_i_do_not_hold_is_404(client: TestClient) -> None:
    headers = bearer(client, "collector")
    held = client.post("/v1/queue/next", headers=headers).json()["account_id"]
    assert client.post(f"/v1/queue/{held}/release", headers=bearer(client, "collector2")).status_code == 404
    assert client.post(f"/v1/queue/{held}/release", headers=headers).status_code == 204


def test_a_due_callback_comes_before_the_queue(client: TestClient, wb: Workbench, clock: FixedClock) -> None:
    headers = bearer(client, "collector")
    account_id = account_of_agency(wb.engine, None)
    due = (clock.now + timedelta(minutes=30)).isoformat()
    made = client.post(f"/v1/accounts/{account_id}/follow-ups", headers=headers,
                       json={"kind": "callback", "due_at": due, "note": "客户要求下午回电"})
    assert made.status_code == 201
    assert client.post("/v1/queue/next", headers=headers).json()["callback"] is False
    clock.set(clock.now + timedelta(minutes=45))
    got = client.post("/v1/queue/next", headers=headers).json()
    assert got["account_id"] == account_id and got["callback"] is True


def test_my_day_sorts_overdue_today_and_later_and_done_closes_one(
    client: TestClient, wb: Workbench, clock: FixedClock
) -> None:
    headers = bearer(client, "collector")
    account_id = account_of_agency(wb.engine, None)
    for when in (clock.now + timedelta(hours=1), clock.now + timedelta(hours=3),
                 datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)):
        made = client.post(f"/v1/accounts/{account_id}/follow-ups", headers=headers,
                           json={"kind": "reminder", "due_at": when.isoformat()})
        assert made.status_code == 201, made.text
    clock.set(clock.now + timedelta(hours=2))  # the first one is now overdue
    day = client.get("/v1/follow-ups", headers=headers).json()
    assert [len(day[k]) for k in ("overdue", "today", "later")] == [1, 1, 1]
    overdue = day["overdue"][0]["follow_up_id"]
    assert client.post(f"/v1/follow-ups/{overdue}/done", headers=headers).status_code == 204
    assert client.post(f"/v1/follow-ups/{overdue}/done", headers=headers).status_code == 409
    assert client.post(f"/v1/follow-ups/{overdue}/done", headers=bearer(client, "collector2")).status_code == 404
    assert client.post("/v1/follow-ups/nope/done", headers=headers).status_code == 404


def test_a_follow_up_cannot_be_due_in_the_past(client: TestClient, wb: Workbench, clock: FixedClock) -> None:
    account_id = account_of_agency(wb.engine, None)
    reply = client.post(f"/v1/accounts/{account_id}/follow-ups", headers=bearer(client, "collector"),
                        json={"kind": "callback", "due_at": (clock.now - timedelta(minutes=5)).isoformat()})
    assert reply.status_code == 422 and "past" in reply.text
    assert client.get("/v1/follow-ups", headers=bearer(client, "collector")).json()["overdue"] == []


def test_a_follow_up_needs_a_zone_aware_time(client: TestClient, wb: Workbench) -> None:
    account_id = account_of_agency(wb.engine, None)
    reply = client.post(f"/v1/accounts/{account_id}/follow-ups", headers=bearer(client, "collector"),
                        json={"kind": "callback", "due_at": "2026-11-30T10:00:00"})
    assert reply.status_code == 422


def test_a_team_lead_hands_over_an_absent_collectors_follow_ups(client: TestClient, wb: Workbench,
                                                                  clock: FixedClock) -> None:
    account_id = account_of_agency(wb.engine, None)
    client.post(f"/v1/accounts/{account_id}/follow-ups", headers=bearer(client, "collector"),
                json={"kind": "callback", "due_at": (clock.now + timedelta(hours=1)).isoformat()})
    lead = bearer(client, "lead")
    assert client.post("/v1/follow-ups/handover", headers=bearer(client, "collector"),
                       json={"from_username": "collector", "to_username": "collector2"}).status_code == 403
    assert client.post("/v1/follow-ups/handover", headers=lead,
                       json={"from_username": "collector", "to_username": "agency1"}).status_code == 422
    moved = client.post("/v1/follow-ups/handover", headers=lead,
                        json={"from_username": "collector", "to_username": "collector2"})
    assert moved.json() == {"moved": 1}
    today = client.get("/v1/follow-ups", headers=bearer(client, "collector2")).json()["today"]
    assert today[0]["handed_over_from"] is not None
    assert client.post("/v1/follow-ups/handover", headers=bearer(client, "agency1_lead"),
                       json={"from_username": "collector2", "to_username": "collector"}).status_code == 404


def test_the_team_view_counts_attempts_and_rates_per_collector(client: TestClient, wb: Workbench) -> None:
    headers = bearer(client, "collector")
    account_id = account_of_agency(wb.engine, None)
    for outcome in ("no_answer", "conversation"):
        client.post(f"/v1/accounts/{account_id}/contacts", headers=headers, json={"channel": "visit",
                    "outcome": outcome, **({"promise_amount": "200", "promise_date": "2026-12-01"}
                                           if outcome == "conversation" else {})})
    team = client.get("/v1/team", headers=bearer(client, "lead")).json()
    row = next(r for r in team["collectors"] if r["username"] == "collector")
    assert (row["attempts"], row["contacts"], row["right_party"], row["promises"]) == (2, 1, 1, 1)
    assert row["contact_rate"] == 0.5 and row["promise_rate"] == 1.0
    assert client.get("/v1/team", headers=headers).status_code == 403
    agency_team = client.get("/v1/team", headers=bearer(client, "agency1_lead")).json()
    assert {r["agency_id"] for r in agency_team["collectors"]} == {"AG01"}


def test_the_audit_trail_filters_and_is_closed_to_collectors(client: TestClient) -> None:
    bearer(client, "collector")
    auditor = bearer(client, "auditor")
    logins = client.get("/v1/audit", params={"kind": "login", "username": "collector"}, headers=auditor).json()
    assert logins and all(e["kind"] == "login" and e["username"] == "collector" for e in logins)
    assert client.get("/v1/audit", headers=bearer(client, "collector")).status_code == 403
