"""The SQL repositories store and load every arrangement exactly, on SQLite and PostgreSQL,
and the unit of work keeps nothing it did not commit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork, read_audit
from arrears.adapters.storage.arrangements_tables import ledger_payments
from arrears.domain.arrangements.approvals import Authority
from arrears.domain.arrangements.audit import AuditEntry
from arrears.domain.arrangements.counselling import Referral, ReferralOutcome
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.hardship import HardshipKind, HardshipProgramme
from arrears.domain.arrangements.payments import (
    AccountLedger,
    Balances,
    Component,
    Payment,
    post_payment,
    reverse_payment,
)
from arrears.domain.arrangements.plans import (
    InstallmentPlan,
    PlanBasis,
    PlanStatus,
    SignedAgreement,
    activate,
)
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.schedule import FeePolicy, quote_schedule
from arrears.domain.arrangements.settlements import SettlementStatus, offer_settlement
from arrears.domain.money import Money
from arrears.domain.vocabulary import Channel

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SH)


def _ledger_with_a_reversal() -> AccountLedger:
    opening = Balances.opening(
        Money.of("50.00"),
        Money.of("150.10"),
        Money.of("11800.00"),
        Money.of("1200.00"),
        date(2026, 1, 15),
    )
    order = (Component.INTEREST, Component.FEES, Component.PRINCIPAL)
    ledger = AccountLedger("A1", opening, order=order)
    first = Payment.received("P1", "A1", Money.of("300.33"), NOW, channel="bank")
    second = Payment.received("P2", "A1", Money.of("999.99"), datetime(2026, 3, 5, 23, 30, tzinfo=SH))
    ledger = post_payment(post_payment(ledger, first).ledger, second).ledger
    return reverse_payment(ledger, "P1", date(2026, 3, 6), "bounced").ledger


def test_a_ledger_round_trips_exactly_with_its_split_order_and_reversal(engine: Engine) -> None:
    ledger = _ledger_with_a_reversal()
    uow = SqlArrangementsUnitOfWork(engine)
    with uow:
        uow.ledgers.save(ledger)
        uow.commit()
    with uow:
        loaded = uow.ledgers.get("A1")
        assert uow.ledgers.account_of_payment("P2") == "A1"
        assert uow.ledgers.account_of_payment("P9") is None
    assert loaded == ledger
    assert loaded.balances() == ledger.balances()
    assert loaded.entries[1].payment.paid_on == date(2026, 3, 5)  # Beijing date, stored in UTC


def test_saving_a_ledger_again_appends_new_payments_and_marks_reversals_only(engine: Engine) -> None:
    ledger = _ledger_with_a_reversal()
    uow = SqlArrangementsUnitOfWork(engine)
    with uow:
        uow.ledgers.save(ledger)
        later = Payment.received("P3", "A1", Money.of("0.01"), datetime(2026, 3, 7, 9, tzinfo=SH))
        grown = reverse_payment(post_payment(ledger, later).ledger, "P2", date(2026, 3, 8)).ledger
        uow.ledgers.save(grown)
        uow.commit()
    with uow:
        assert uow.ledgers.get("A1") == grown
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ledger_payments)).scalar() == 3


def test_plans_settlements_and_other_arrangements_round_trip_exactly(engine: Engine) -> None:
    schedule = quote_schedule(Money.of("12345.67"), 7, date(2026, 1, 31), FeePolicy.interest(Decimal("0.18")))
    proposed = InstallmentPlan("PL1", "A1", PlanBasis.FULL_BALANCE, schedule, "u1", NOW, approved_by="u1 (team_lead)")
    agreement = SignedAgreement("customer:C1", NOW, "DOC-1", "ab" * 32, "oral_recording")
    plan = activate(proposed, agreement, date(2026, 1, 2))
    settlement = offer_settlement(
        settlement_id="S1",
        account_id="A1",
        balance=Money.of("9999.99"),
        discount=Decimal("0.35"),
        first_due=date(2026, 1, 31),
        payments=3,
        offered_by="u1",
        offered_at=NOW,
        approved_by="boss",
        approver_role=Authority.STRATEGY_MANAGER,
    ).moved_to(SettlementStatus.ACCEPTED, date(2026, 1, 3))
    promise = PromiseToPay("PR1", "A1", Money.of("800.50"), date(2026, 3, 10), Channel.SMS, "u1", NOW, date(2026, 3, 1))
    extension = Extension(
        "E1", "A1", "installment:PL1#2", date(2026, 2, 28), date(2026, 3, 20), date(2026, 2, 20), "u2", NOW
    )
    programme = HardshipProgramme(
        "H1",
        "A1",
        HardshipKind.TOKEN_PAYMENT,
        date(2026, 3, 1),
        date(2026, 8, 31),
        date(2026, 5, 1),
        "u3",
        NOW,
        "job loss 失业",
        Money.of("50.00"),
    )
    pause = HardshipProgramme(
        "H2", "A1", HardshipKind.PAUSE, date(2026, 9, 1), date(2026, 9, 30), date(2026, 9, 15), "u3", NOW
    )
    referral = Referral("R1", "A1", "ORG-1", "u4", NOW, True).with_outcome(
        ReferralOutcome.CONTACTED, date(2026, 3, 3), "回访"
    )
    uow = SqlArrangementsUnitOfWork(engine)
    with uow:
        uow.plans.save(plan)
        uow.settlements.save(settlement)
        uow.promises.add(promise)
        uow.extensions.add(extension)
        uow.hardship.add(programme)
        uow.hardship.add(pause)
        uow.referrals.save(referral)
        uow.commit()
    with uow:
        assert uow.plans.get("PL1") == plan
        assert uow.plans.for_account("A1") == (plan,)
        assert uow.plans.get("PL1").schedule.total_due == schedule.total_due
        assert uow.settlements.get("S1") == settlement
        assert uow.promises.for_account("A1") == (promise,)
        assert uow.extensions.for_account("A1") == (extension,)
        assert uow.hardship.for_account("A1") == (programme, pause)
        assert uow.referrals.get("R1") == referral
        assert uow.plans.for_account("A2") == ()


def test_a_status_change_updates_the_plan_without_rewriting_its_schedule(engine: Engine) -> None:
    schedule = quote_schedule(Money.of("1200.00"), 3, date(2026, 3, 15))
    plan = activate(InstallmentPlan("PL1", "A1", PlanBasis.PAST_DUE, schedule, "u1", NOW), AGREEMENT, date(2026, 3, 1))
    uow = SqlArrangementsUnitOfWork(engine)
    with uow:
        uow.plans.save(plan)
        uow.plans.save(plan.moved_to(PlanStatus.BROKEN, date(2026, 5, 1)))
        uow.commit()
    with uow:
        stored = uow.plans.get("PL1")
    assert stored.status == "broken" and stored.closed_on == date(2026, 5, 1)
    assert stored.schedule == schedule


AGREEMENT = SignedAgreement("customer:C1", NOW, "DOC-1", "cd" * 32)


def test_leaving_the_unit_of_work_without_commit_stores_nothing(engine: Engine) -> None:
    uow = SqlArrangementsUnitOfWork(engine)
    with uow:
        uow.ledgers.save(_ledger_with_a_reversal())
        uow.audit.append(AuditEntry(NOW, "u1", "ledger.opened", "account:A1", "none", "opened"))
    try:
        with uow:
            uow.promises.add(
                PromiseToPay("PR1", "A1", Money.of("1.00"), date(2026, 3, 2), Channel.CALL, "u", NOW, date(2026, 3, 1))
            )
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with uow:
        assert uow.ledgers.get("A1") is None
        assert uow.promises.for_account("A1") == ()
    with engine.connect() as connection:
        assert read_audit(connection) == ()


def test_the_audit_log_appends_in_order_with_utc_times_and_json_detail(engine: Engine) -> None:
    uow = SqlArrangementsUnitOfWork(engine)
    with uow:
        uow.audit.append(
            AuditEntry(NOW, "u1", "plan.agreed", "plan:PL1", "none", "active", {"months": 12, "理由": "是"})
        )
        uow.audit.append(AuditEntry(NOW, "u2", "payment.posted", "payment:P1", "a", "b"))
        uow.commit()
    with engine.connect() as connection:
        events = read_audit(connection)
        only_plan = read_audit(connection, subject_prefix="plan:")
    assert [e.action for e in events] == ["plan.agreed", "payment.posted"]
    assert events[0].at == NOW and events[0].at.tzinfo is not None
    assert events[0].detail == {"months": 12, "理由": "是"}
    assert [e.subject for e in only_plan] == ["plan:PL1"]
    assert not hasattr(uow.audit, "update") and not hasattr(uow.audit, "delete")


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"])
def test_the_database_refuses_to_change_or_delete_an_audit_event(engine: Engine, statement: str) -> None:
    uow = SqlArrangementsUnitOfWork(engine)
    with uow:
        uow.audit.append(AuditEntry(NOW, "u1", "plan.agreed", "plan:PL1", "none", "active"))
        uow.commit()
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        assert [e.actor for e in read_audit(connection)] == ["u1"]
