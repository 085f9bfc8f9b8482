from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.arrangements.payments import (
    DEFAULT_ORDER,
    AccountCured,
    AccountDelinquentAgain,
    AccountLedger,
    Balances,
    Component,
    OverpaymentCredited,
    Payment,
    PaymentError,
    post_payment,
    reverse_payment,
)
from arrears.domain.money import Money

from .builders import paid

fen = st.integers(min_value=0, max_value=5_000_00).map(lambda f: Money(Decimal(f) / 100))
positive = st.integers(min_value=1, max_value=8_000_00).map(lambda f: Money(Decimal(f) / 100))
orders = st.permutations(list(Component)).map(tuple)
DAY = date(2026, 3, 1)


@st.composite
def ledgers(draw):
    fees, interest, principal = draw(fen), draw(fen), draw(fen)
    owed = fees + interest + principal
    past_due = Money(Decimal(draw(st.integers(0, int(owed.amount * 100)))) / 100)
    opening = Balances.opening(
        fees, interest, principal, past_due, date(2026, 1, 10) if past_due.amount > 0 else None
    )
    return AccountLedger("A1", opening, order=draw(orders))


@st.composite
def payment_lists(draw):
    amounts = draw(st.lists(positive, min_size=1, max_size=6))
    return [paid(f"P{i}", str(a.amount), DAY + timedelta(days=i)) for i, a in enumerate(amounts)]


def _post_all(ledger, payments):
    for p in payments:
        ledger = post_payment(ledger, p).ledger
    return ledger


@settings(max_examples=200)
@given(ledgers(), payment_lists())
def test_allocation_never_over_pays_a_component(ledger, payments) -> None:
    for p in payments:
        before = ledger.balances()
        change = post_payment(ledger, p)
        allocation = change.ledger.entry(p.payment_id).allocation
        for component in Component:
            assert Decimal(0) <= allocation.of(component).amount <= before.of(component).amount
        after = change.ledger.balances()
        assert min(after.fees.amount, after.interest.amount, after.principal.amount) >= 0
        assert after.past_due.amount >= 0
        assert sum(allocation.of(c).amount for c in Component) + allocation.credit.amount == (
            p.amount.amount
        )
        ledger = change.ledger


@settings(max_examples=200)
@given(ledgers(), payment_lists(), positive)
def test_reversing_a_payment_restores_exactly_the_state_before_it(ledger, payments, last) -> None:
    ledger = _post_all(ledger, payments)
    before = ledger.balances()
    payment = paid("LAST", str(last.amount), DAY + timedelta(days=30))
    posted = post_payment(ledger, payment).ledger
    reversed_ = reverse_payment(posted, "LAST", DAY + timedelta(days=31)).ledger
    assert reversed_.balances() == before


@settings(max_examples=200)
@given(ledgers(), payment_lists())
def test_posting_the_same_payment_twice_is_a_no_op(ledger, payments) -> None:
    once = _post_all(ledger, payments)
    change = post_payment(once, payments[0])
    assert change.ledger == once
    assert change.events == ()


@settings(max_examples=100)
@given(ledgers(), payment_lists())
def test_reversing_an_earlier_payment_gives_back_exactly_what_it_took(ledger, payments) -> None:
    ledger = _post_all(ledger, payments)
    before = ledger.balances()
    taken = ledger.entry("P0").allocation
    after = reverse_payment(ledger, "P0", DAY + timedelta(days=40)).ledger.balances()
    for component in Component:
        assert after.of(component) == before.of(component) + taken.of(component)
    assert after.credit == before.credit - taken.credit


def _ledger(fees="50.00", interest="150.00", principal="800.00", past_due="300.00"):
    return AccountLedger(
        "A1",
        Balances.opening(
            Money.of(fees),
            Money.of(interest),
            Money.of(principal),
            Money.of(past_due),
            date(2026, 1, 10),
        ),
    )


def test_the_default_order_pays_fees_then_interest_then_principal() -> None:
    change = post_payment(_ledger(), paid("P1", "120.00", DAY))
    allocation = change.ledger.entry("P1").allocation
    assert DEFAULT_ORDER == (Component.FEES, Component.INTEREST, Component.PRINCIPAL)
    assert (allocation.fees.amount, allocation.interest.amount, allocation.principal.amount) == (
        Decimal("50.00"),
        Decimal("70.00"),
        Decimal("0.00"),
    )


def test_a_principal_first_order_pays_principal_first() -> None:
    ledger = AccountLedger(
        "A1", _ledger().opening, order=(Component.PRINCIPAL, Component.INTEREST, Component.FEES)
    )
    allocation = post_payment(ledger, paid("P1", "900.00", DAY)).ledger.entry("P1").allocation
    assert (allocation.principal.amount, allocation.interest.amount, allocation.fees.amount) == (
        Decimal("800.00"),
        Decimal("100.00"),
        Decimal("0.00"),
    )


def test_a_surplus_becomes_an_overpayment_credit() -> None:
    change = post_payment(_ledger(), paid("P1", "1100.00", DAY))
    assert change.ledger.balances().credit.amount == Decimal("100.00")
    assert change.ledger.balances().owed.is_zero
    assert any(isinstance(e, OverpaymentCredited) for e in change.events)


def test_paying_the_past_due_amount_cures_and_re_ages_the_account() -> None:
    change = post_payment(_ledger(), paid("P1", "300.00", DAY))
    cured = [e for e in change.events if isinstance(e, AccountCured)]
    assert cured and cured[0].bucket == "M0"
    assert cured[0].previous_oldest_unpaid_due_date == date(2026, 1, 10)
    assert change.ledger.balances().oldest_unpaid_due_date is None


def test_reversing_the_curing_payment_makes_the_account_delinquent_again() -> None:
    ledger = post_payment(_ledger(), paid("P1", "300.00", DAY)).ledger
    change = reverse_payment(ledger, "P1", DAY + timedelta(days=3), "returned")
    assert any(isinstance(e, AccountDelinquentAgain) for e in change.events)
    assert change.ledger.balances().oldest_unpaid_due_date == date(2026, 1, 10)


def test_reversing_twice_is_a_no_op_and_an_unknown_payment_is_an_error() -> None:
    ledger = post_payment(_ledger(), paid("P1", "10.00", DAY)).ledger
    once = reverse_payment(ledger, "P1", DAY).ledger
    assert reverse_payment(once, "P1", DAY).events == ()
    with pytest.raises(PaymentError, match="no payment P9"):
        reverse_payment(once, "P9", DAY)


def test_reusing_a_payment_id_for_another_amount_is_an_error() -> None:
    ledger = post_payment(_ledger(), paid("P1", "10.00", DAY)).ledger
    with pytest.raises(PaymentError, match="already used"):
        post_payment(ledger, paid("P1", "11.00", DAY))


def test_balances_as_of_a_date_replay_the_ledger_at_that_date() -> None:
    ledger = post_payment(_ledger(), paid("P1", "100.00", DAY)).ledger
    ledger = reverse_payment(ledger, "P1", DAY + timedelta(days=5)).ledger
    assert ledger.balances(DAY - timedelta(days=1)).fees.amount == Decimal("50.00")
    assert ledger.balances(DAY).fees.is_zero
    assert ledger.balances(DAY + timedelta(days=5)).fees.amount == Decimal("50.00")


def test_a_payment_late_in_the_evening_utc_is_the_next_day_in_beijing() -> None:
    at = datetime(2026, 3, 1, 17, 30, tzinfo=ZoneInfo("UTC"))
    assert Payment.received("P1", "A1", Money.of("1.00"), at).paid_on == date(2026, 3, 2)
