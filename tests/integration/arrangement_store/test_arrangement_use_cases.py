"""The arrangement use cases on a real database (SQLite and PostgreSQL), wired to an
ingested account: plans through their life, idempotent posting, reversals, promise history
against the ingested contacts and payments, the audit trail, and refusals that store nothing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork, read_audit
from arrears.adapters.storage.arrangements_tables import (
    installment_plans,
    payment_ledgers,
    plan_installments,
    settlements,
)
from arrears.adapters.storage.audit_tables import audit_events
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.approvals import Authority
from arrears.domain.arrangements.effects import InstallmentPaid, InstallmentUnpaid, PromiseKept
from arrears.domain.arrangements.plans import InstallmentStatus, PlanStatus
from arrears.domain.arrangements.promises import PromiseStatus, PromiseToPay
from arrears.domain.arrangements.settlements import SettlementStatus
from arrears.domain.money import Money
from arrears.domain.vocabulary import Channel
from arrears.services.arrangements import common as svc
from arrears.services.arrangements.common import Signer
from arrears.services.arrangements.payments import PostPayment, ReversePayment, post_payment, reverse_payment
from arrears.services.arrangements.plans import AgreePlan, agree_plan, plan_view
from arrears.services.arrangements.promises import promise_history, record_promise
from arrears.services.arrangements.review import ReviewAccount, review_account
from arrears.services.arrangements.settlements import (
    AcceptSettlement,
    OfferSettlement,
    accept_settlement,
    offer_settlement,
)
from ingested_rows import ingest_account, ingest_contact_promise, ingest_payment

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SH)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


@pytest.fixture
def setup(engine: Engine) -> tuple[SqlArrangementsUnitOfWork, SqlPortfolioReader]:
    ingest_account(engine, "A1")  # owes 50 + 150 + 11800.00, 1200.00 past due
    return SqlArrangementsUnitOfWork(engine), SqlPortfolioReader(engine)


def _agree(uow, portfolio, *, months: int = 12, role: Authority = Authority.COLLECTOR, **kw):  # type: ignore[no-untyped-def]
    command = AgreePlan("PL1", "A1", months, date(2026, 12, 15), **kw)
    return agree_plan(uow, portfolio, command, maker="u1", approver=Signer("u1", role), now=NOW)


def _pay(uow, portfolio, payment_id: str, amount: str, day: date):  # type: ignore[no-untyped-def]
    command = PostPayment("A1", payment_id, Money.of(amount), at(day))
    return post_payment(uow, portfolio, command, actor="bank-feed", now=at(day, 20))


def _count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_agreeing_a_plan_opens_the_ledger_from_the_ingested_account_and_stores_it_active(engine: Engine, setup) -> None:  # type: ignore[no-untyped-def]
    uow, portfolio = setup
    plan = _agree(uow, portfolio)
    with uow:
        stored = uow.plans.get("PL1")
        ledger = uow.ledgers.get("A1")
    assert stored == plan and stored.status is PlanStatus.ACTIVE
    assert stored.schedule.principal == Money.of("1200.00")
    assert stored.agreement.signed_by == "customer:C-A1" and len(stored.agreement.document_sha256) == 64
    o = ledger.opening
    assert (o.fees, o.interest, o.principal, o.past_due) == (
        Money.of("50.00"),
        Money.of("150.00"),
        Money.of("11800.00"),
        Money.of("1200.00"),
    )
    with engine.connect() as connection:
        assert [e.action for e in read_audit(connection)] == ["plan.agreed", "ledger.opened"]
    assert _count(engine, plan_installments) == 12


def test_payments_pay_installments_and_two_missed_installments_break_the_plan(engine: Engine, setup) -> None:  # type: ignore[no-untyped-def]
    uow, portfolio = setup
    _agree(uow, portfolio)
    first = _pay(uow, portfolio, "P1", "100.00", date(2026, 12, 14))
    second = _pay(uow, portfolio, "P2", "100.00", date(2027, 1, 14))
    assert InstallmentPaid("PL1", 1, date(2026, 12, 14)) in first.effects
    assert InstallmentPaid("PL1", 2, date(2027, 1, 14)) in second.effects
    view = plan_view(uow, "PL1", as_of=date(2027, 1, 20))
    assert [p.status for p in view.progress[:3]] == [
        InstallmentStatus.PAID,
        InstallmentStatus.PAID,
        InstallmentStatus.UPCOMING,
    ]
    changed = review_account(uow, ReviewAccount("A1"), actor="nightly", now=at(date(2027, 3, 25)))
    assert changed == 1
    with uow:
        broken = uow.plans.get("PL1")
    assert broken.status is PlanStatus.BROKEN and broken.closed_on == date(2027, 3, 25)
    with engine.connect() as connection:
        assert [e.action for e in read_audit(connection, subject="plan:PL1")] == ["plan.agreed", "plan.broken"]
    assert review_account(uow, ReviewAccount("A1"), actor="nightly", now=at(date(2027, 3, 26))) == 0


def test_a_plan_paid_in_full_is_completed_by_the_last_payment(setup) -> None:  # type: ignore[no-untyped-def]
    uow, portfolio = setup
    _agree(uow, portfolio, months=2)
    _pay(uow, portfolio, "P1", "600.00", date(2026, 12, 10))
    _pay(uow, portfolio, "P2", "600.00", date(2027, 1, 10))
    with uow:
        assert uow.plans.get("PL1").status is PlanStatus.COMPLETED
        assert uow.ledgers.get("A1").balances().past_due.is_zero


def test_posting_the_same_payment_twice_is_a_no_op_audited_once(engine: Engine, setup) -> None:  # type: ignore[no-untyped-def]
    uow, portfolio = setup
    first = _pay(uow, portfolio, "P1", "250.00", date(2026, 12, 3))
    again = _pay(uow, portfolio, "P1", "250.00", date(2026, 12, 3))
    assert first.changed and not again.changed
    with uow:
        ledger = uow.ledgers.get("A1")
    assert len(ledger.entries) == 1
    assert ledger.balances().owed == Money.of("11750.00")
    with engine.connect() as connection:
        assert [e.action for e in read_audit(connection)] == ["ledger.opened", "payment.posted"]


def test_the_same_payment_id_with_another_amount_or_account_is_refused(engine: Engine, setup) -> None:  # type: ignore[no-untyped-def]
    uow, portfolio = setup
    ingest_account(engine, "A2")
    _pay(uow, portfolio, "P1", "250.00", date(2026, 12, 3))
    with pytest.raises(svc.ArrangementRefused, match="already used"):
        _pay(uow, portfolio, "P1", "251.00", date(2026, 12, 3))
    with pytest.raises(svc.ArrangementRefused, match="already posted to account A1"):
        post_payment(uow, portfolio, PostPayment("A2", "P1", Money.of("1.00"), NOW), actor="u", now=NOW)


def test_a_reversal_restores_the_ledger_and_unpays_the_installment(setup) -> None:  # type: ignore[no-untyped-def]
    uow, portfolio = setup
    _agree(uow, portfolio)
    with uow:
        before = uow.ledgers.get("A1").balances()
    _pay(uow, portfolio, "P1", "100.00", date(2026, 12, 14))
    outcome = reverse_payment(uow, ReversePayment("P1", "bounced 退票"), actor="ops", now=at(date(2026, 12, 16)))
    assert InstallmentUnpaid("PL1", 1, date(2026, 12, 16)) in outcome.effects
    with uow:
        ledger = uow.ledgers.get("A1")
    assert ledger.balances() == before
    assert ledger.entry("P1").reversed_on == date(2026, 12, 16)
    again = reverse_payment(uow, ReversePayment("P1"), actor="ops", now=at(date(2026, 12, 17)))
    assert not again.changed
    with pytest.raises(svc.NotFound):
        reverse_payment(uow, ReversePayment("P404"), actor="ops", now=NOW)


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"months": 24, "role": Authority.COLLECTOR}, "ARR-APPROVAL-01"),
        ({"budget": Budget(Money.of("3000.00"), Money.of("2900.00"))}, "ARR-AFFORD-01"),
    ],
)
def test_a_refused_plan_stores_nothing_not_even_the_ledger(engine: Engine, setup, kwargs, rule) -> None:  # type: ignore[no-untyped-def]
    uow, portfolio = setup
    with pytest.raises(svc.ArrangementRefused) as refused:
        _agree(uow, portfolio, **kwargs)
    assert refused.value.decision.rule_id == rule
    for table in (installment_plans, plan_installments, payment_ledgers, audit_events):
        assert _count(engine, table) == 0


def test_a_settlement_is_offered_on_the_ledger_balance_accepted_and_completed_by_payment(engine: Engine, setup) -> None:  # type: ignore[no-untyped-def]
    uow, portfolio = setup
    terms = OfferSettlement("S1", "A1", Decimal("0.40"), date(2026, 12, 20))
    offer = offer_settlement(uow, portfolio, terms, maker="u1", approver=Signer("boss", Authority.STRATEGY_MANAGER),
                             now=NOW)
    assert offer.amount == Money.of("7200.00")  # 12000.00 x 0.60
    accept_settlement(uow, AcceptSettlement("S1"), actor="u1", now=NOW)
    outcome = _pay(uow, portfolio, "P1", "7200.00", date(2026, 12, 18))
    assert any(type(e).__name__ == "SettlementCompleted" for e in outcome.effects)
    with uow:
        assert uow.settlements.get("S1").status is SettlementStatus.COMPLETED
    with pytest.raises(svc.ArrangementRefused):
        offer_settlement(uow, portfolio, OfferSettlement("S2", "A1", Decimal("0.40"), date(2026, 12, 20)), maker="u1",
                         approver=Signer("u1", None), now=NOW)
    assert _count(engine, settlements) == 1


def test_promise_history_judges_contact_promises_against_the_ingested_payments(engine: Engine, setup) -> None:  # type: ignore[no-untyped-def]
    uow, portfolio = setup
    ingest_contact_promise(engine, "K1", "A1", at=at(date(2026, 11, 1)), cents=50_000, on=date(2026, 11, 5))
    ingest_payment(engine, "X1", "A1", at=at(date(2026, 11, 4)), cents=48_000)  # 96%: kept
    ingest_contact_promise(engine, "K2", "A1", at=at(date(2026, 11, 10)), cents=30_000, on=date(2026, 11, 12))
    ingest_payment(engine, "X2", "A1", at=at(date(2026, 11, 11)), cents=30_000, reversed_=True)  # not counted
    ingest_contact_promise(engine, "K3", "A1", at=at(date(2026, 11, 27)), cents=20_000, on=date(2026, 12, 3))
    promise = PromiseToPay.taken(
        promise_id="PR1",
        account_id="A1",
        amount=Money.of("100.00"),
        promised_date=date(2026, 12, 5),
        channel=Channel.SMS,
        taken_by="u1",
        made_at=at(date(2026, 11, 25)),  # before K3 was made: no other promise open then
    )
    record_promise(uow, portfolio, promise, actor="u1", now=NOW)
    outcome = _pay(uow, portfolio, "P1", "100.00", date(2026, 12, 4))
    assert PromiseKept("PR1", date(2026, 12, 4)) in outcome.effects

    history = promise_history(uow, portfolio, "A1", date(2026, 12, 4))
    statuses = {o.promise.promise_id: (o.status, o.source) for o in history.promises}
    assert statuses == {
        "contact:K1": (PromiseStatus.KEPT, "contact"),
        "contact:K2": (PromiseStatus.BROKEN, "contact"),
        "contact:K3": (PromiseStatus.OPEN, "contact"),
        "PR1": (PromiseStatus.KEPT, "recorded"),
    }
    assert (history.summary.kept, history.summary.broken, history.summary.open) == (2, 1, 1)
    earlier = promise_history(uow, portfolio, "A1", date(2026, 11, 20))
    assert [o.promise.promise_id for o in earlier.promises] == ["contact:K1", "contact:K2"]


def test_every_change_is_in_the_audit_trail(engine: Engine, setup) -> None:  # type: ignore[no-untyped-def]
    uow, portfolio = setup
    _agree(uow, portfolio)
    _pay(uow, portfolio, "P1", "100.00", date(2026, 12, 14))
    reverse_payment(uow, ReversePayment("P1", "bounced"), actor="ops", now=at(date(2026, 12, 15)))
    with engine.connect() as connection:
        events = read_audit(connection)
    assert [(e.actor, e.action) for e in events] == [
        ("u1", "plan.agreed"),
        ("u1", "ledger.opened"),
        ("bank-feed", "payment.posted"),
        ("ops", "payment.reversed"),
    ]
    assert "owed 12000.00" in events[2].before and "owed 11900.00" in events[2].after
