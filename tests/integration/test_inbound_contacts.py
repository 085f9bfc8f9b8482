"""Inbound calls logged in the workbench with the stored contact gate, on real SQLite and PostgreSQL
(issue 16): the call a customer makes to us is not reserved through the gate, is one row of the
one ledger with direction inbound, and the gate's history reads it as inbound, so no outbound cap
counts it and the rules that look at contacts from a person see it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from sqlalchemy import Engine, func, select, update

from arrears.adapters.clock import FixedClock
from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_tables import promises_to_pay
from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.bootstrap import ingest_uow
from arrears.domain.access import Role
from arrears.services.contact_gate import SqlContactGate
from arrears.services.contact_gate_port import ContactRequest
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.portfolio_files import read_portfolio
from arrears.services.workbench.contacts import LogContact, log_contact
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import ContactBlocked
from arrears.services.workbench.principal import Principal

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
AS_OF = date(2026, 11, 29)
CIPHER = FieldCipher(b"k" * 32, b"h" * 32)


@pytest.fixture
def desk(engine: Engine, small_demo: Path) -> tuple[Workbench, Principal, dict[str, str]]:
    """The demo portfolio ingested, the stored gate, an in-house collector with valid training,
    and an in-house account with the debtor's mobile and an emergency contact's mobile."""
    ingest_portfolio(ingest_uow(engine, CIPHER), IngestPortfolio(read_portfolio(small_demo, AS_OF), AS_OF,
                                                               datetime(2026, 11, 29, tzinfo=UTC)))
    accounts = pl.read_csv(small_demo / "accounts.csv", infer_schema=False)
    points = pl.read_csv(small_demo / "contact_points.csv", infer_schema=False)
    customers = pl.read_csv(small_demo / "customers.csv", infer_schema=False)
    shanghai = customers.filter(pl.col("timezone") == "Asia/Shanghai")["customer_id"]
    plain = accounts.filter(pl.col("flags").is_null() & pl.col("agency_id").is_null()
                            & pl.col("customer_id").is_in(shanghai.to_list()))
    valid = points.filter(pl.col("kind") == "mobile", pl.col("status") != "invalid", pl.col("do_not_contact") != "true")
    debtor = valid.filter(pl.col("owner") == "debtor").select("customer_id", pl.col("contact_point_id").alias("phone"))
    helper = valid.filter(pl.col("owner") == "emergency_contact").select(
        "customer_id", pl.col("contact_point_id").alias("helper"))
    row = (plain.join(debtor, on="customer_id").join(helper, on="customer_id")
           .unique("customer_id", keep="first").sort("account_id").row(0, named=True))
    a = t.agents.c
    with engine.connect() as connection:
        agent = connection.execute(select(a.agent_id).where(a.agency_id.is_(None), a.training_valid_until >= AS_OF)
                                   .order_by(a.agent_id).limit(1)).scalar_one()
    clock = FixedClock(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
    wb = Workbench(engine=engine, cipher=CIPHER, gate=SqlContactGate(engine, cipher=CIPHER), clock=clock)
    wang = Principal("u-wang", "wang", "王催收", Role.COLLECTOR, None, agent)
    return wb, wang, {"account": row["account_id"], "customer": row["customer_id"], "phone": row["phone"],
                      "helper": row["helper"]}


def _inbound(**given: str) -> LogContact:
    return LogContact(channel="call", outcome=given.pop("outcome", "conversation"), direction="inbound",
                      party=given.pop("party", "debtor"), **given)  # type: ignore[arg-type]


def _ledger(engine: Engine, account_id: str) -> list[dict[str, object]]:
    m = contact_attempts.c
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(
            m.direction, m.outcome, m.outcome_party, m.logged_by, m.notes_enc, m.completed_at, m.pack_versions)
            .where(m.account_id == account_id).order_by(m.at)).mappings()]


def test_an_inbound_call_is_logged_in_the_ledger_without_a_reservation_and_with_its_promise_at_once(desk) -> None:  # type: ignore[no-untyped-def]
    wb, wang, ids = desk
    logged = log_contact(wb, wang, ids["account"], _inbound(
        notes="客户来电，月底发工资后还款", promise_amount="800.00", promise_date=date(2026, 12, 10)))
    assert logged["direction"] == "inbound" and logged["promise_id"] == f"workbench:{logged['contact_id']}"
    [row] = _ledger(wb.engine, ids["account"])
    assert (row["direction"], row["outcome"], row["outcome_party"], row["logged_by"]) == (
        "inbound", "conversation", "debtor", "u-wang")
    assert row["completed_at"] is not None and row["pack_versions"] is None  # no gate judged it
    assert b"\xe6\x9c\x88\xe5\xba\x95" not in bytes(row["notes_enc"])  # type: ignore[arg-type]  # 月底: never in clear
    with wb.engine.connect() as connection:
        decisions = connection.execute(select(func.count()).select_from(compliance_decisions)).scalar_one()
        promised = connection.execute(select(promises_to_pay.c.amount_cents)).scalars().all()
        audited = connection.execute(select(access_audit.c.account_id, access_audit.c.detail).where(
            access_audit.c.kind == "inbound_contact")).all()
    assert decisions == 0 and promised == [80000]
    assert [r.account_id for r in audited] == [ids["account"]]
    assert '"contact_outcome": "conversation"' in audited[0].detail


def test_an_inbound_call_is_logged_when_the_gate_forbids_calling_the_customer(desk) -> None:  # type: ignore[no-untyped-def]
    wb, wang, ids = desk
    wb.clock.set(datetime(2026, 11, 30, 22, 30, tzinfo=SHANGHAI))  # type: ignore[attr-defined]
    with pytest.raises(ContactBlocked):  # calling now: CN-TIME-01
        log_contact(wb, wang, ids["account"], LogContact(channel="call", outcome="no_answer",
                                                         contact_point_id=ids["phone"]))
    with wb.engine.begin() as connection:  # and the customer asked us to stop calling
        connection.execute(update(t.accounts).where(t.accounts.c.account_id == ids["account"]).values(flags="cease"))
    log_contact(wb, wang, ids["account"], _inbound(outcome="dispute", contact_point_id=ids["phone"]))
    assert [r["direction"] for r in _ledger(wb.engine, ids["account"])] == ["inbound"]


def test_an_inbound_conversation_is_not_counted_by_the_outbound_conversation_cap(desk) -> None:  # type: ignore[no-untyped-def]
    wb, wang, ids = desk
    log_contact(wb, wang, ids["account"], _inbound())
    for _ in range(3):  # CN-FREQ-01: three effective conversations a day, made by us
        wb.clock.set(wb.now() + timedelta(minutes=10))  # type: ignore[attr-defined]
        log_contact(wb, wang, ids["account"], LogContact(channel="call", outcome="conversation", party="debtor",
                                                         contact_point_id=ids["phone"]))
    wb.clock.set(wb.now() + timedelta(minutes=10))  # type: ignore[attr-defined]
    with pytest.raises(ContactBlocked) as fourth:
        log_contact(wb, wang, ids["account"], LogContact(channel="call", outcome="conversation", party="debtor",
                                                         contact_point_id=ids["phone"]))
    assert fourth.value.verdict is not None and "CN-FREQ-01" in fourth.value.verdict.rules
    assert [r["direction"] for r in _ledger(wb.engine, ids["account"])] == ["inbound"] + ["outbound"] * 3


def test_the_us_location_rule_sees_the_third_party_who_called_us_since_the_last_communication(desk) -> None:  # type: ignore[no-untyped-def]
    wb, wang, ids = desk
    with wb.engine.begin() as connection:
        connection.execute(update(t.customers).where(t.customers.c.customer_id == ids["customer"])
                           .values(jurisdiction="US", timezone="America/New_York"))
    gate = wb.gate
    at = datetime(2026, 11, 30, 10, 0, tzinfo=NEW_YORK)

    def location_call(minutes: int):  # type: ignore[no-untyped-def]
        return gate.reserve(ContactRequest(ids["account"], "call", at + timedelta(minutes=minutes), ids["helper"],
                                           wang.agent_id, purpose="location"), "en")

    first = location_call(0)
    assert first.allowed, first
    gate.record_outcome(first.attempt_id, "answered_other")  # type: ignore[arg-type]
    second = location_call(5)
    assert not second.allowed and "US-3P-03" in second.rules  # one location communication with a person
    wb.clock.set(at + timedelta(minutes=10))  # type: ignore[attr-defined]
    log_contact(wb, wang, ids["account"], _inbound(outcome="answered_other", party="emergency_contact",
                                                   contact_point_id=ids["helper"]))
    third = location_call(15)  # they called us since: a request to talk again (1006.10(c))
    assert third.allowed, third
    assert any("contacted us" in w for w in third.warnings)


def test_a_debtor_who_called_us_is_no_longer_lost_so_a_third_party_may_not_be_called(desk) -> None:  # type: ignore[no-untyped-def]
    wb, wang, ids = desk
    gate = wb.gate

    def call(at: datetime, point: str, purpose: str = "collection") -> ContactRequest:
        return ContactRequest(ids["account"], "call", at, point, wang.agent_id, purpose=purpose)

    for minute in (0, 10, 20):  # three calls nobody answers: from the next day the debtor is lost
        verdict = gate.reserve(call(datetime(2026, 11, 30, 10, minute, tzinfo=SHANGHAI), ids["phone"]))
        assert verdict.allowed, verdict
        gate.record_outcome(verdict.attempt_id, "no_answer")  # type: ignore[arg-type]
    next_day = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    assert gate.preview(call(next_day, ids["helper"], "location")).allowed  # lost: a third party may be asked
    wb.clock.set(datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI))  # type: ignore[attr-defined]
    log_contact(wb, wang, ids["account"], _inbound(outcome="dropped"))  # the debtor called; the line dropped
    refused = gate.preview(call(next_day, ids["helper"], "location"))
    assert not refused.allowed and "CN-3P-02" in refused.rules
