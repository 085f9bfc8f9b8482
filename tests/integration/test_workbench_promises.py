"""A promise to pay logged with a workbench contact is recorded in the arrangements, in the
contact's transaction (SQLite and PostgreSQL): the promise row and its audit entry come with
the contact row or not at all; the rules the arrangements API applies refuse it the same way;
the payments and the nightly run judge it like any other promise."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, Engine, func, insert, select, update

from arrears.adapters.clock import FixedClock
from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import arrangements_repository
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork, read_audit
from arrears.adapters.storage.arrangements_tables import promises_to_pay
from arrears.adapters.storage.audit_tables import audit_events
from arrears.adapters.storage.gate_tables import (
    LOGGED_IN_WORKBENCH,
    LOGGED_STATE,
    compliance_decisions,
    contact_attempts,
)
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.bootstrap import nightly_ports
from arrears.domain.access import Role
from arrears.domain.aging import DEFAULT_LADDER
from arrears.domain.arrangements.effects import PromiseKept
from arrears.domain.arrangements.promises import PromiseStatus
from arrears.domain.money import Money
from arrears.services.arrangements.payments import PostPayment, post_payment
from arrears.services.arrangements.promises import promise_history
from arrears.services.contact_gate import SqlContactGate
from arrears.services.contact_gate_port import ContactRequest, GateVerdict
from arrears.services.nightly.job import RunNightly, run_nightly
from arrears.services.scoring_run import scorecard_fallback
from arrears.services.workbench.contacts import LogContact, log_contact, reserve_attempt
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import InvalidInput, NotFound
from arrears.services.workbench.principal import Principal
from arrears.services.workbench.understanding import arrangements_view
from ingested_rows import ingest_account, ingest_payment

SH = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 29, 10, 0, tzinfo=SH)
WANG = Principal("u-wang", "wang", "王催收", Role.COLLECTOR, None, "AGT-1")


class AllowingGate:
    """The ContactGate port, allowing everything; it remembers what it was told."""

    def __init__(self) -> None:
        self.reserved: list[str] = []
        self.outcomes: dict[str, str] = {}

    def preview(self, _request: ContactRequest, _language: str = "zh") -> GateVerdict:
        return GateVerdict("allow")

    def reserve(self, request: ContactRequest, _language: str = "zh", *,
                connection: Connection | None = None) -> GateVerdict:  # noqa: ARG002 (keyword of the protocol)
        self.reserved.append(f"att-{len(self.reserved) + 1}-{request.account_id}")
        return GateVerdict("allow", attempt_id=self.reserved[-1])

    def record_outcome(self, attempt_id: str, outcome: str, _party: str | None = None, _language: str = "zh", *,
                       connection: Connection | None = None) -> GateVerdict:  # noqa: ARG002 (keyword of the protocol)
        self.outcomes[attempt_id] = outcome
        return GateVerdict("allow", attempt_id=attempt_id)


def _phone(engine: Engine, account_id: str) -> str:
    point_id = f"P-{account_id}"
    with engine.begin() as connection:
        connection.execute(insert(t.contact_points).values(
            contact_point_id=point_id, customer_id=f"C-{account_id}", kind="mobile", value_enc=b"\x00",
            value_hash="h" * 32, value_masked="138****0000", owner="debtor", status="valid", do_not_contact=False,
            row_digest="d" * 32, in_portfolio=True))
    return point_id


@pytest.fixture
def wb(engine: Engine) -> Workbench:
    for account_id in ("A1", "A2"):
        ingest_account(engine, account_id)
        _phone(engine, account_id)
    with engine.begin() as connection:
        connection.execute(insert(t.agents).values(agent_id="AGT-1", training_valid_until=date(2027, 12, 31),
                                                   row_digest="d" * 32))
        connection.execute(insert(t.agencies).values(agency_id="AG01", name="华信", authorized_until=date(2027, 12, 31),
                                                     row_digest="d" * 32))
        connection.execute(update(t.accounts).where(t.accounts.c.account_id == "A2").values(agency_id="AG01"))
    return Workbench(engine=engine, cipher=FieldCipher(b"k" * 32, b"h" * 32), gate=AllowingGate(),
                     clock=FixedClock(NOON))


def _promise(amount: str = "500.00", on: date = date(2026, 12, 5), *, account_id: str = "A1",
             attempt_id: str | None = None) -> LogContact:
    return LogContact(channel="call", outcome="conversation", contact_point_id=f"P-{account_id}", party="debtor",
                      promise_amount=amount, promise_date=on, attempt_id=attempt_id)


def _count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def _nothing_written(wb: Workbench) -> None:
    with wb.engine.connect() as connection:
        logged = connection.execute(select(func.count()).select_from(contact_attempts)
                                    .where(LOGGED_IN_WORKBENCH)).scalar_one()
    assert (logged, _count(wb.engine, promises_to_pay), _count(wb.engine, audit_events)) == (0, 0, 0)


def test_a_promise_is_made_on_the_customers_own_business_day(wb: Workbench) -> None:
    with wb.engine.begin() as connection:  # 10:00 in Shanghai is 21:00 the day before in New York
        connection.execute(update(t.customers).where(t.customers.c.customer_id == "C-A1").values(
            timezone="America/New_York"))
    log_contact(wb, WANG, "A1", _promise())
    with SqlArrangementsUnitOfWork(wb.engine) as uow:
        (promise,) = uow.promises.for_account("A1")
    assert (promise.made_at, promise.made_on) == (NOON, date(2026, 11, 28))


def test_a_new_york_customers_same_day_promise_is_accepted_after_11_new_york_time(wb: Workbench) -> None:
    with wb.engine.begin() as connection:  # 12:00 in New York is already tomorrow in Shanghai
        connection.execute(update(t.customers).where(t.customers.c.customer_id == "C-A1").values(
            timezone="America/New_York"))
    noon_in_new_york = datetime(2026, 11, 29, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    new_york = replace(wb, clock=FixedClock(noon_in_new_york))
    logged = log_contact(new_york, WANG, "A1", _promise(on=date(2026, 11, 29)))
    with SqlArrangementsUnitOfWork(wb.engine) as uow:
        (promise,) = uow.promises.for_account("A1")
    assert (promise.promise_id, promise.promised_date, promise.made_on) == (
        logged["promise_id"], date(2026, 11, 29), date(2026, 11, 29))


def test_a_promise_dated_before_the_customers_own_today_is_refused(wb: Workbench) -> None:
    with pytest.raises(InvalidInput) as refused:  # 10:00 in Shanghai on 29 November
        log_contact(wb, WANG, "A1", _promise(on=date(2026, 11, 28)))
    assert refused.value.field == "promise_date"
    _nothing_written(wb)


def test_a_promise_logged_with_a_contact_is_recorded_in_the_arrangements_with_its_audit_entry(wb: Workbench) -> None:
    logged = log_contact(wb, WANG, "A1", _promise())
    assert logged["promise_id"] == f"workbench:{logged['contact_id']}"
    with SqlArrangementsUnitOfWork(wb.engine) as uow:
        (promise,) = uow.promises.for_account("A1")
    assert (promise.promise_id, promise.amount, promise.promised_date, promise.channel, promise.taken_by) == (
        logged["promise_id"], Money.of("500.00"), date(2026, 12, 5), "call", "wang")
    assert (promise.made_at, promise.made_on) == (NOON, date(2026, 11, 29))
    with wb.engine.connect() as connection:
        (entry,) = read_audit(connection, subject=f"promise:{logged['promise_id']}")
        row = connection.execute(select(contact_attempts, LOGGED_STATE).where(
            contact_attempts.c.contact_id == logged["contact_id"])).one()
    assert (entry.action, entry.actor, entry.after) == ("promise.recorded", "wang", "500.00 by 2026-12-05 via call")
    assert (row.state, row.promise_amount_cents, row.promise_date) == ("logged", 50_000, date(2026, 12, 5))


def test_a_promise_the_rules_refuse_leaves_no_contact_row_no_promise_and_no_audit_row(wb: Workbench) -> None:
    with pytest.raises(InvalidInput) as refused:  # 36 days ahead: the arrangements allow at most 30
        log_contact(wb, WANG, "A1", _promise(on=date(2027, 1, 4)))
    assert refused.value.field == "promise_date"
    assert refused.value.message("zh").startswith("承诺还款日期：承诺日期不能超过 30 天之后（ARR-PTP-01）")
    assert "at most 30 days ahead (ARR-PTP-01)" in refused.value.message("en")
    assert _count(wb.engine, contact_attempts) == 0  # refused before the attempt was reserved
    assert wb.gate.reserved == []  # type: ignore[attr-defined]
    _nothing_written(wb)


def test_a_refused_promise_on_a_reserved_attempt_leaves_the_attempt_open_to_log_again(wb: Workbench) -> None:
    attempt = reserve_attempt(wb, WANG, "A1", "call", "P-A1")["attempt_id"]
    with pytest.raises(InvalidInput):
        log_contact(wb, WANG, "A1", _promise(on=date(2027, 1, 4), attempt_id=attempt))
    _nothing_written(wb)
    assert wb.gate.outcomes == {}  # type: ignore[attr-defined]
    again = log_contact(wb, WANG, "A1", _promise(on=date(2026, 12, 28), attempt_id=attempt))
    assert again["promise_id"] and _count(wb.engine, promises_to_pay) == 1


def test_a_failure_while_recording_the_promise_undoes_the_contact_outcome_too(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempt = reserve_attempt(wb, WANG, "A1", "call", "P-A1")["attempt_id"]

    def broken_append(_self, _entry) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(arrangements_repository.SqlAuditLog, "append", broken_append)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        log_contact(wb, WANG, "A1", _promise(attempt_id=attempt))
    _nothing_written(wb)  # the promise row was inserted, then rolled back with the contact's update
    with wb.engine.connect() as connection:
        assert connection.execute(select(LOGGED_STATE)).scalar_one() == "reserved"


def test_an_agency_collector_cannot_record_a_promise_on_an_account_outside_the_agency(wb: Workbench) -> None:
    agency_user = Principal("u-ag", "agency1", "华信一号", Role.COLLECTOR, "AG01", "AGT-1")
    with pytest.raises(NotFound):
        log_contact(wb, agency_user, "A1", _promise())
    _nothing_written(wb)
    logged = log_contact(wb, agency_user, "A2", _promise(account_id="A2"))  # placed with AG01
    with wb.engine.connect() as connection:
        (entry,) = read_audit(connection, action="promise.recorded")
    assert (entry.subject, entry.actor) == (f"promise:{logged['promise_id']}", "agency1")


def test_a_payment_posted_to_the_ledger_keeps_the_workbench_promise(wb: Workbench) -> None:
    logged = log_contact(wb, WANG, "A1", _promise())
    outcome = post_payment(
        SqlArrangementsUnitOfWork(wb.engine), SqlPortfolioReader(wb.engine),
        PostPayment("A1", "PAY-1", Money.of("500.00"), datetime(2026, 12, 3, 9, tzinfo=SH)), actor="bank",
        now=datetime(2026, 12, 3, 10, tzinfo=SH))
    assert PromiseKept(logged["promise_id"], date(2026, 12, 3)) in outcome.effects


def test_the_nightly_run_judges_workbench_promises_kept_and_broken_like_any_other(wb: Workbench) -> None:
    kept = log_contact(wb, WANG, "A1", _promise())
    broken = log_contact(wb, WANG, "A2", _promise("300.00", account_id="A2"))
    ingest_payment(wb.engine, "Y1", "A1", at=datetime(2026, 12, 4, 12, tzinfo=SH), cents=50_000)
    day = date(2026, 12, 10)  # after 5 Dec + 2 grace days
    night = RunNightly(day, datetime(2026, 12, 10, 23, tzinfo=SH), DEFAULT_LADDER, scorecard_fallback())
    report = run_nightly(nightly_ports(wb.engine), night)
    assert report.arrangements.failures == []
    portfolio = SqlPortfolioReader(wb.engine)
    for account_id, promise_id, status in (("A1", kept["promise_id"], PromiseStatus.KEPT),
                                           ("A2", broken["promise_id"], PromiseStatus.BROKEN)):
        history = promise_history(SqlArrangementsUnitOfWork(wb.engine), portfolio, account_id, day)
        assert [(o.promise.promise_id, o.status, o.source) for o in history.promises] == [
            (promise_id, status, "recorded")]
        view = arrangements_view(wb, account_id, day)  # the account page: listed once, judged the same
        assert [(p["promise_id"], p["status"]) for p in view["promises"]] == [(promise_id, str(status))]
        assert view["promise_summary"]["made"] == 1


def test_with_the_stored_contact_gate_the_attempt_the_contact_and_the_promise_are_all_recorded(
    wb: Workbench,
) -> None:
    real = replace(wb, gate=SqlContactGate(wb.engine))
    with wb.engine.begin() as connection:  # a jurisdiction the gate has a rule pack for
        connection.execute(update(t.customers).values(jurisdiction="CN"))
    logged = log_contact(real, WANG, "A1", _promise())
    with wb.engine.connect() as connection:
        outcome = connection.execute(select(contact_attempts.c.outcome)
                                     .where(contact_attempts.c.attempt_id == logged["attempt_id"])).scalar_one()
    assert outcome == "conversation"
    assert _count(wb.engine, promises_to_pay) == 1


def test_logging_a_call_with_a_promise_is_one_transaction_with_the_gates_decisions(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = replace(wb, gate=SqlContactGate(wb.engine))
    with wb.engine.begin() as connection:
        connection.execute(update(t.customers).values(jurisdiction="CN"))

    def broken_append(_self, _entry) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(arrangements_repository.SqlAuditLog, "append", broken_append)  # after both verdicts
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        log_contact(real, WANG, "A1", _promise())
    assert (_count(wb.engine, contact_attempts), _count(wb.engine, compliance_decisions),
            _count(wb.engine, promises_to_pay), _count(wb.engine, audit_events)) == (0, 0, 0, 0)
    monkeypatch.undo()
    logged = log_contact(real, WANG, "A1", _promise())  # the same call, the store back: all of it at once
    with wb.engine.connect() as connection:
        modes = connection.execute(select(compliance_decisions.c.mode).order_by(
            compliance_decisions.c.decision_id)).scalars().all()
        outcome = connection.execute(select(contact_attempts.c.outcome)).scalar_one()
    assert (modes, outcome, _count(wb.engine, promises_to_pay)) == (["reserve", "outcome"], "conversation", 1)
    assert logged["promise_id"] == f"workbench:{logged['contact_id']}"
