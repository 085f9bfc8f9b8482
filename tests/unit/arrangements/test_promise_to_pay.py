from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.arrangements.promises import (
    PROMISE_TRANSITIONS,
    PromiseError,
    PromisePolicy,
    PromiseStatus,
    PromiseToPay,
    check_promise,
    contact_hold_until,
    holds_contact,
    promise_history,
    promise_status,
)
from arrears.domain.money import Money
from arrears.domain.vocabulary import Channel

from .builders import paid

MADE = date(2026, 3, 2)
PROMISED = date(2026, 3, 10)


def promise(amount: str = "1000.00", promised: date = PROMISED, pid: str = "PTP1") -> PromiseToPay:
    return PromiseToPay.taken(
        promise_id=pid,
        account_id="A1",
        amount=Money.of(amount),
        promised_date=promised,
        channel=Channel.CALL,
        taken_by="agent-7",
        made_at=datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    )


def test_a_promise_is_open_until_paid_or_its_deadline() -> None:
    assert promise_status(promise(), [], PROMISED + timedelta(days=2)) is PromiseStatus.OPEN


def test_paying_90_percent_within_two_days_of_the_date_keeps_the_promise() -> None:
    payments = [paid("P1", "900.00", PROMISED + timedelta(days=2))]
    assert promise_status(promise(), payments, PROMISED + timedelta(days=2)) is PromiseStatus.KEPT


def test_a_payment_three_days_late_does_not_keep_the_promise() -> None:
    payments = [paid("P1", "1000.00", PROMISED + timedelta(days=3))]
    as_of = PROMISED + timedelta(days=3)
    assert promise_status(promise(), payments, as_of) is PromiseStatus.BROKEN


def test_paying_half_by_the_deadline_is_partly_kept_once_the_deadline_passes() -> None:
    payments = [paid("P1", "500.00", PROMISED)]
    assert promise_status(promise(), payments, PROMISED + timedelta(days=2)) is PromiseStatus.OPEN
    after = PROMISED + timedelta(days=3)
    assert promise_status(promise(), payments, after) is PromiseStatus.PARTLY_KEPT


def test_the_tolerance_is_a_policy_setting() -> None:
    strict = PromisePolicy(min_share=Decimal("1.00"), grace_days=0)
    payments = [paid("P1", "950.00", PROMISED)]
    assert promise_status(promise(), payments, PROMISED + timedelta(days=1), strict) is (
        PromiseStatus.PARTLY_KEPT
    )


def test_a_payment_before_the_promise_was_made_does_not_count() -> None:
    payments = [paid("P1", "1000.00", MADE - timedelta(days=1))]
    assert promise_status(promise(), payments, PROMISED + timedelta(days=5)) is (
        PromiseStatus.BROKEN
    )


def test_contacts_are_held_while_open_and_resume_the_day_it_breaks() -> None:
    p = promise()
    assert contact_hold_until(p) == date(2026, 3, 12)
    assert holds_contact(p, [], date(2026, 3, 12)).allowed
    resumed = holds_contact(p, [], date(2026, 3, 13))
    assert not resumed.allowed and "broken" in resumed.reason_en


def test_a_promise_dated_before_it_was_made_or_too_far_ahead_is_refused() -> None:
    with pytest.raises(PromiseError):
        promise(promised=MADE - timedelta(days=1))
    with pytest.raises(PromiseError, match="30 days"):
        promise(promised=MADE + timedelta(days=31))


def test_a_refused_promise_names_the_field_the_refusal_is_about() -> None:
    valid = promise()
    too_far = replace(valid, promised_date=MADE + timedelta(days=31))
    nothing = replace(valid, amount=Money.of("0.00"))
    assert [(d.allowed, d.field) for d in map(check_promise, (valid, too_far, nothing))] == [
        (True, ""), (False, "promised_date"), (False, "amount")]
    assert check_promise(too_far).as_dict()["field"] == "promised_date"
    assert "field" not in check_promise(valid).as_dict()


def test_the_history_counts_kept_partly_kept_and_broken_promises() -> None:
    promises = [
        promise(pid="a"),
        promise(pid="b", promised=date(2026, 3, 20)),
        promise(pid="c", promised=date(2026, 3, 25), amount="100.00"),
    ]
    payments = [paid("P1", "1000.00", date(2026, 3, 9)), paid("P2", "50.00", date(2026, 3, 24))]
    # every payment from the day a promise was made to its deadline counts towards it
    history = promise_history(promises, payments, date(2026, 3, 30))
    assert (history.made, history.kept) == (3, 3)
    broken = promise_history([promise(pid="d")], [], date(2026, 3, 30))
    assert (broken.broken, broken.kept_ratio) == (1, 0.0)
    assert promise_history([], [], date(2026, 3, 30)).kept_ratio is None


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(0, 20), st.integers(1, 1200)), max_size=5),
    st.sets(st.integers(0, 4), max_size=3),
)
def test_day_by_day_status_changes_follow_the_transition_table(raw, reversed_idx) -> None:
    """Walk the dates with payments arriving and some reversed later: every change of the
    derived status is an allowed transition, and nothing comes back from broken."""
    from arrears.domain.arrangements.payments import (
        AccountLedger,
        Balances,
        post_payment,
        reverse_payment,
    )

    ledger = AccountLedger(
        "A1", Balances.opening(Money.zero(), Money.zero(), Money.of("100000.00"), Money.zero())
    )
    for i, (offset, amount) in enumerate(raw):
        ledger = post_payment(
            ledger, paid(f"P{i}", f"{amount}.00", MADE + timedelta(offset))
        ).ledger
    for i in reversed_idx:
        if i < len(raw):
            ledger = reverse_payment(ledger, f"P{i}", MADE + timedelta(days=raw[i][0] + 3)).ledger
    p = promise()
    previous = PromiseStatus.OPEN
    for offset in range(0, 30):
        day = MADE + timedelta(days=offset)
        status = promise_status(p, ledger.live_payments(day), day)
        if status is not previous:
            assert status in PROMISE_TRANSITIONS[previous], (previous, status, day)
        previous = status
    assert previous is not PromiseStatus.OPEN
