"""No compliance cap can be exceeded through the workbench (issue 12), on real SQLite and
PostgreSQL: a reserved attempt counts as every contact it could still become, recording an
outcome is judged against the caps under the debtor's lock and in the workbench's own
transaction, and a collector's notes are never stored in clear."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from security_support import api, at_once, collectors, statuses
from sqlalchemy import Engine, and_, delete, func, insert, inspect, or_, select, update
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD

from arrears.adapters.clock import FixedClock
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.contacts_repository import SqlContactLedger
from arrears.adapters.storage.gate_tables import (
    LOGGED_IN_WORKBENCH,
    LOGGED_STATE,
    compliance_decisions,
    contact_attempts,
)
from arrears.adapters.storage.workbench_tables import access_audit, follow_ups
from arrears.services.contact_gate import SqlContactGate
from arrears.services.contact_gate_port import ContactRequest
from arrears.services.workbench import contacts
from arrears.services.workbench.auth import authenticate
from arrears.services.workbench.context import Workbench

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONVERSATIONS = ("conversation", "refused", "dispute")
NOTE = "客户说下周三发工资后还 800 元，母亲住院"


@pytest.fixture
def debtor(portfolio: Engine) -> dict[str, str]:
    """An in-house CN account of a Beijing-time customer with a valid mobile of their own and an
    emergency contact's mobile; the customer's ingested contacts are cleared, so the attempts
    made here are the whole history."""
    a, c, p = t.accounts.c, t.customers.c, t.contact_points.c

    def point(owner: str, status: str | None = None) -> Any:
        return (select(p.contact_point_id).where(p.customer_id == a.customer_id, p.owner == owner, p.kind == "mobile",
                                                 p.status == status if status else p.status.is_not(None),
                                                 p.do_not_contact.is_(False))
                .order_by(p.contact_point_id).limit(1).scalar_subquery())

    query = (select(a.account_id, a.customer_id, point("debtor", "valid").label("phone"),
                    point("emergency_contact").label("relay"))
             .join(t.customers, c.customer_id == a.customer_id)
             .where(c.timezone == "Asia/Shanghai", c.jurisdiction == "CN", a.status == "open",
                    or_(a.agency_id.is_(None), a.agency_id == ""), or_(a.flags.is_(None), a.flags == ""))
             .order_by(a.account_id))
    with portfolio.begin() as connection:
        row = next(r for r in connection.execute(query) if r.phone and r.relay)
        connection.execute(delete(t.contacts).where(t.contacts.c.customer_id == row.customer_id))
    return {"account": row.account_id, "customer": row.customer_id, "phone": row.phone, "relay": row.relay}


def gated(engine: Engine) -> Workbench:
    return Workbench(engine=engine, cipher=CIPHER, gate=SqlContactGate(engine), clock=FixedClock(AS_OF_NOON))


def conversations_on(engine: Engine, customer: str, day: date) -> int:
    """Effective conversations with the debtor in the ledger that (Beijing) day."""
    m = contact_attempts.c
    start = datetime.combine(day, datetime.min.time(), SHANGHAI)
    with engine.connect() as connection:
        return connection.execute(select(func.count()).where(
            m.customer_id == customer, m.outcome.in_(CONVERSATIONS), or_(m.outcome_party.is_(None),
                                                                         m.outcome_party == "debtor"),
            m.at >= start, m.at < start + timedelta(days=1))).scalar_one()


def open_reservations(engine: Engine, customer: str) -> int:
    m = contact_attempts.c
    with engine.connect() as connection:
        return connection.execute(select(func.count()).where(m.customer_id == customer, m.outcome.is_(None))
                                  ).scalar_one()


def call(ids: dict[str, str], at: datetime, *, to: str = "phone", purpose: str = "collection") -> ContactRequest:
    return ContactRequest(ids["account"], "call", at, ids[to], "G001", purpose=purpose)


def reserve(client: TestClient, headers: dict[str, str], ids: dict[str, str]) -> Any:
    return client.post(f"/v1/accounts/{ids['account']}/attempts", headers=headers,
                       json={"channel": "call", "contact_point_id": ids["phone"]})


def record(client: TestClient, headers: dict[str, str], ids: dict[str, str], attempt_id: str,
           outcome: str = "conversation") -> Any:
    return client.post(f"/v1/accounts/{ids['account']}/contacts", headers=headers, json={
        "channel": "call", "contact_point_id": ids["phone"], "outcome": outcome, "party": "debtor",
        "attempt_id": attempt_id, "notes": NOTE})


def rules_of(reply: Any) -> list[str]:
    return reply.json()["error"]["rules"]


# ---------------------------------------------------------------- 20 collectors at once
def test_twenty_collectors_reserving_and_recording_conversations_at_once_never_exceed_three_a_day(
    portfolio: Engine, debtor: dict[str, str]
) -> None:
    wb = gated(portfolio)
    people = collectors(wb, 20)
    with api(wb) as client:

        def call_and_talk(headers: dict[str, str]) -> tuple[Any, Any]:
            reserved = reserve(client, headers, debtor)
            if reserved.status_code != 201:
                return reserved, None
            return reserved, record(client, headers, debtor, reserved.json()["attempt_id"])

        results = at_once(call_and_talk, people)
    reserved = [r for r, _ in results]
    recorded = [r for _, r in results if r is not None]
    assert all(r.status_code < 500 for r in reserved + recorded), statuses(reserved + recorded)
    assert set(statuses(reserved)) <= {201, 409} and set(statuses(recorded)) <= {201, 409}
    assert all("CN-FREQ-01" in rules_of(r) for r in reserved + recorded if r.status_code == 409)
    assert conversations_on(portfolio, debtor["customer"], AS_OF_NOON.date()) == 3
    with portfolio.connect() as connection:
        logged = connection.execute(select(func.count()).where(
            contact_attempts.c.customer_id == debtor["customer"], LOGGED_IN_WORKBENCH)).scalar_one()
    assert logged == 3
    fourth = SqlContactGate(portfolio).preview(call(debtor, AS_OF_NOON + timedelta(hours=2)))
    assert fourth.decision == "deny" and "CN-FREQ-01" in fourth.rules


def test_twenty_collectors_reserving_at_once_hold_no_more_open_reservations_than_the_caps_allow(
    portfolio: Engine, debtor: dict[str, str]
) -> None:
    wb = gated(portfolio)
    people = collectors(wb, 20)
    with api(wb) as client:
        replies = at_once(lambda headers: reserve(client, headers, debtor), people)
    assert statuses(replies) == {201: 3, 409: 17}
    assert all(rules_of(r) == ["CN-FREQ-01"] for r in replies if r.status_code == 409)
    assert open_reservations(portfolio, debtor["customer"]) == 3


def test_twenty_dialers_at_once_never_exceed_the_us_call_caps(portfolio: Engine, debtor: dict[str, str]) -> None:
    with portfolio.begin() as connection:  # the same debtor, now a New York consumer under Reg F
        connection.execute(update(t.customers).where(t.customers.c.customer_id == debtor["customer"])
                           .values(jurisdiction="US", timezone="America/New_York"))
    gate, at = SqlContactGate(portfolio), datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("America/New_York"))
    opened = at_once(lambda minute: gate.reserve(call(debtor, at + timedelta(minutes=minute))), list(range(20)))
    assert [v.decision for v in opened].count("allow") == 1  # an open call may still be a conversation
    assert all(v.rules == ("US-FREQ-02",) for v in opened if not v.allowed)
    (first,) = [v for v in opened if v.allowed]
    assert gate.record_outcome(first.attempt_id, "no_answer").allowed  # type: ignore[arg-type]

    def dial_until_refused(minute: int) -> list[str]:
        made = []
        for _ in range(200):
            verdict = gate.reserve(call(debtor, at + timedelta(minutes=minute)))
            if verdict.allowed:
                made.append(gate.record_outcome(verdict.attempt_id, "no_answer").decision)  # type: ignore[arg-type]
            elif "US-FREQ-01" in verdict.rules:
                return made
        return made

    made = [decision for each in at_once(dial_until_refused, list(range(20, 40))) for decision in each]
    assert made == ["allow"] * 6  # with the first: 7 calls in 7 days, no more
    m = contact_attempts.c
    with portfolio.connect() as connection:
        calls = connection.execute(select(func.count()).where(m.customer_id == debtor["customer"])).scalar_one()
    assert calls == 7 and open_reservations(portfolio, debtor["customer"]) == 0


# ---------------------------------------------------------------- recording re-checks the caps
def test_an_outcome_that_would_break_a_cap_is_refused_with_a_clear_bilingual_error_and_nothing_written(
    portfolio: Engine, debtor: dict[str, str]
) -> None:
    wb = gated(portfolio)
    (headers,) = collectors(wb, 1)
    with api(wb) as client:
        attempt_id = reserve(client, headers, debtor).json()["attempt_id"]
        with portfolio.begin() as connection:  # meanwhile an agency's three conversations come in
            for minute in (1, 2, 3):
                connection.execute(insert(t.contacts).values(
                    contact_id=f"K-AG-{minute}", account_id=debtor["account"], customer_id=debtor["customer"],
                    contact_point_id=debtor["phone"], channel="call", direction="outbound",
                    at=AS_OF_NOON + timedelta(minutes=minute), party="debtor", outcome="conversation",
                    complaint=False, agency_id="AG01", row_digest="d" * 32))
        refused = record(client, headers, debtor, attempt_id)
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["rules"] == ["CN-FREQ-01"] and error["field"] == "outcome"
        assert "CN-FREQ-01" in error["message_zh"] and "CN-FREQ-01" in error["message_en"]
        assert "未保存" in error["message_zh"] and "not saved" in error["message_en"]  # and says so
        with portfolio.connect() as connection:
            state = connection.execute(select(LOGGED_STATE, contact_attempts.c.notes_enc).where(
                contact_attempts.c.attempt_id == attempt_id)).one()
            kinds = connection.execute(select(access_audit.c.kind)).scalars().all()
        assert tuple(state) == ("reserved", None) and "outcome_refused" in kinds
        assert open_reservations(portfolio, debtor["customer"]) == 1
        assert record(client, headers, debtor, attempt_id, "no_answer").status_code == 201


def test_a_call_reserved_to_a_third_party_and_recorded_as_a_fourth_conversation_with_the_debtor_is_refused(
    portfolio: Engine, debtor: dict[str, str]
) -> None:
    gate, day = SqlContactGate(portfolio), datetime(2026, 11, 30, 9, tzinfo=SHANGHAI)
    for hour in (9, 10, 11):  # yesterday: three dials nobody answered -> the debtor is lost today
        made = gate.reserve(call(debtor, day - timedelta(days=1, hours=9 - hour)))
        assert gate.record_outcome(made.attempt_id, "no_answer").allowed  # type: ignore[arg-type]
    relay = gate.reserve(call(debtor, day, to="relay", purpose="location"))
    assert relay.allowed, relay
    for hour in (10, 11, 12):
        made = gate.reserve(call(debtor, day.replace(hour=hour)))
        assert gate.record_outcome(made.attempt_id, "conversation", "debtor").allowed  # type: ignore[arg-type]
    refused = gate.record_outcome(relay.attempt_id, "conversation", "debtor", "en")  # type: ignore[arg-type]
    assert (refused.decision, refused.rules) == ("deny", ("CN-FREQ-01",))
    assert "daily limit of 3" in refused.reasons[0]
    assert conversations_on(portfolio, debtor["customer"], day.date()) == 3
    with portfolio.connect() as connection:
        modes = connection.execute(select(compliance_decisions.c.mode, compliance_decisions.c.decision).where(
            compliance_decisions.c.attempt_id == relay.attempt_id)).all()
    assert sorted(map(tuple, modes)) == [("outcome", "deny"), ("reserve", "allow")]
    assert gate.record_outcome(relay.attempt_id, "answered_other", "emergency_contact").allowed  # type: ignore[arg-type]


# ---------------------------------------------------------------- one transaction
def test_a_failure_after_the_gate_leaves_neither_the_outcome_nor_the_logged_contact(
    portfolio: Engine, debtor: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = gated(portfolio)
    collector = authenticate(wb, "collector", PASSWORD)
    attempt_id = contacts.reserve_attempt(wb, collector, debtor["account"], "call", debtor["phone"])["attempt_id"]
    entry = contacts.LogContact(channel="call", outcome="conversation", contact_point_id=debtor["phone"],
                                party="debtor", notes=NOTE, attempt_id=attempt_id,
                                callback_at=AS_OF_NOON + timedelta(hours=3))

    def follow_up_store_down(*_args: Any, **_kwargs: Any) -> str:
        raise RuntimeError("follow-up store unavailable")

    monkeypatch.setattr(contacts, "add_follow_up_in", follow_up_store_down)
    with pytest.raises(RuntimeError, match="follow-up store unavailable"):
        contacts.log_contact(wb, collector, debtor["account"], entry)
    m = contact_attempts.c
    with portfolio.connect() as connection:
        outcome = connection.execute(select(m.outcome, m.completed_at).where(m.attempt_id == attempt_id)).one()
        state = connection.execute(select(LOGGED_STATE).where(
            contact_attempts.c.attempt_id == attempt_id)).scalar_one()
        callbacks = connection.execute(select(func.count()).select_from(follow_ups)).scalar_one()
    assert (tuple(outcome), state, callbacks) == ((None, None), "reserved", 0)
    monkeypatch.undo()
    assert contacts.log_contact(wb, collector, debtor["account"], entry)["outcome"] == "conversation"


def test_a_reservation_and_who_logs_it_are_written_together(
    portfolio: Engine, debtor: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = gated(portfolio)
    collector = authenticate(wb, "collector", PASSWORD)

    def contact_store_down(*_args: Any) -> Any:
        raise RuntimeError("contact store unavailable")

    monkeypatch.setattr(SqlContactLedger, "log", contact_store_down)  # after the gate allowed it
    with pytest.raises(RuntimeError, match="contact store unavailable"):
        contacts.reserve_attempt(wb, collector, debtor["account"], "call", debtor["phone"])
    assert open_reservations(portfolio, debtor["customer"]) == 0


# ---------------------------------------------------------------- notes
def test_a_collectors_notes_are_stored_only_encrypted(portfolio: Engine, debtor: dict[str, str]) -> None:
    wb = gated(portfolio)
    collector = authenticate(wb, "collector", PASSWORD)
    contacts.log_contact(wb, collector, debtor["account"], contacts.LogContact(
        channel="call", outcome="conversation", contact_point_id=debtor["phone"], party="debtor", notes=NOTE))
    assert "notes" not in {column["name"] for column in inspect(portfolio).get_columns("contact_attempts")}
    texts = []
    with portfolio.connect() as connection:
        for table in (contact_attempts, compliance_decisions, access_audit):
            for row in connection.execute(select(table)):
                texts += [str(value) for value in row]
        stored = connection.execute(select(contact_attempts.c.notes_enc).where(and_(
            contact_attempts.c.customer_id == debtor["customer"], LOGGED_IN_WORKBENCH))).scalar_one()
    assert not any("发工资" in text for text in texts)
    assert CIPHER.decrypt(stored) == NOTE
