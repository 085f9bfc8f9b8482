import itertools
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.arrangements.schedule import (
    FeeLimits,
    FeePolicy,
    FeePolicyError,
    ScheduleError,
    TermLimits,
    add_months,
    monthly_due_dates,
    quote_schedule,
    split_evenly,
)
from arrears.domain.money import Money

months = st.integers(min_value=1, max_value=60)
first_dues = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
fee_rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.02"), places=4)
annual_rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("0.24"), places=4)
policies = st.one_of(
    st.just(FeePolicy.none()),
    fee_rates.map(FeePolicy.monthly_fee),
    annual_rates.map(FeePolicy.interest),
)


@st.composite
def plans(draw):
    n = draw(months)
    fen = draw(st.integers(min_value=100 * n, max_value=10_000_000_00))
    return Money(Decimal(fen) / 100), n, draw(first_dues), draw(policies)


@settings(max_examples=300)
@given(plans())
def test_every_schedule_sums_exactly_to_the_plan_amount_plus_fees_or_interest(plan) -> None:
    principal, n, first_due, policy = plan
    schedule = quote_schedule(principal, n, first_due, policy)
    rows = schedule.installments
    assert len(rows) == n
    assert sum(r.principal.amount for r in rows) == principal.amount
    assert sum(r.total.amount for r in rows) == (
        principal.amount + schedule.total_fee.amount + schedule.total_interest.amount
    )
    assert schedule.total_due.amount == sum(r.total.amount for r in rows)
    for row in rows:
        assert row.total.amount > 0
        assert min(row.principal.amount, row.fee.amount, row.interest.amount) >= 0
        assert -row.total.amount.as_tuple().exponent <= 2


@settings(max_examples=200)
@given(plans())
def test_due_dates_are_strictly_monthly_on_the_first_due_day_clamped(plan) -> None:
    principal, n, first_due, policy = plan
    rows = quote_schedule(principal, n, first_due, policy).installments
    for index, row in enumerate(rows):
        month_index = first_due.month - 1 + index
        assert (row.due_date.year, row.due_date.month) == (
            first_due.year + month_index // 12,
            month_index % 12 + 1,
        )
        next_month_first = add_months(row.due_date.replace(day=1), 1)
        assert row.due_date.day == min(first_due.day, (next_month_first - timedelta(days=1)).day)
    assert all(a.due_date < b.due_date for a, b in itertools.pairwise(rows))


@given(plans())
def test_a_monthly_fee_is_the_same_every_month_and_never_interest(plan) -> None:
    principal, n, first_due, _ = plan
    schedule = quote_schedule(principal, n, first_due, FeePolicy.monthly_fee(Decimal("0.006")))
    # half up (四舍五入), as money is rounded everywhere: 57.50 x 0.6% = 0.345 is 0.35, not the banker's 0.34
    expected = (principal.amount * Decimal("0.006")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert {r.fee.amount for r in schedule.installments} == {expected}
    assert schedule.total_interest.is_zero


def test_a_monthly_fee_of_half_a_fen_is_rounded_up() -> None:
    schedule = quote_schedule(Money(Decimal("57.50")), 3, date(2026, 12, 15), FeePolicy.monthly_fee(Decimal("0.006")))
    assert {r.fee.amount for r in schedule.installments} == {Decimal("0.35")}


def test_31_january_falls_on_29_february_in_a_leap_year_then_31_march() -> None:
    assert monthly_due_dates(date(2024, 1, 31), 4) == (
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    )


def test_31_january_falls_on_28_february_in_a_common_year() -> None:
    assert monthly_due_dates(date(2027, 1, 31), 3)[1] == date(2027, 2, 28)


def test_12000_over_12_months_without_fees_is_1000_a_month() -> None:
    schedule = quote_schedule(Money.of("12000.00"), 12, date(2026, 12, 15))
    assert {r.total.amount for r in schedule.installments} == {Decimal("1000.00")}
    assert schedule.installments[-1].due_date == date(2027, 11, 15)


def test_12000_over_12_months_at_0_6_percent_a_month_costs_864_in_fees() -> None:
    schedule = quote_schedule(
        Money.of("12000.00"), 12, date(2026, 12, 15), FeePolicy.monthly_fee(Decimal("0.006"))
    )
    assert schedule.installments[0].total.amount == Decimal("1072.00")
    assert schedule.total_fee.amount == Decimal("864.00")


def test_12000_over_12_months_at_18_percent_a_year_is_an_annuity_of_1100_16() -> None:
    schedule = quote_schedule(
        Money.of("12000.00"), 12, date(2026, 12, 15), FeePolicy.interest(Decimal("0.18"))
    )
    rows = schedule.installments
    assert rows[0].interest.amount == Decimal("180.00")  # 12000 x 1.5%
    assert {r.total.amount for r in rows[:-1]} == {Decimal("1100.16")}
    assert rows[-1].total.amount == Decimal("1100.19")
    assert schedule.total_interest.amount == Decimal("1201.95")


def test_the_remainder_of_the_principal_goes_on_the_last_installment() -> None:
    assert [m.amount for m in split_evenly(Money.of("100.00"), 3)] == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]


@pytest.mark.parametrize("n", [0, 61, -1])
def test_months_outside_1_to_60_are_refused(n: int) -> None:
    with pytest.raises(ScheduleError, match="months must be 1 to 60"):
        quote_schedule(Money.of("1000.00"), n, date(2026, 1, 1))


def test_an_issuer_may_set_a_lower_cap_than_60_months() -> None:
    with pytest.raises(ScheduleError, match="1 to 36"):
        quote_schedule(Money.of("1000.00"), 48, date(2026, 1, 1), terms=TermLimits(max_months=36))


def test_no_issuer_may_set_a_cap_above_the_cn_60_months() -> None:
    with pytest.raises(ScheduleError):
        TermLimits(max_months=72)


def test_an_amount_with_three_decimals_is_refused() -> None:
    with pytest.raises(ScheduleError, match="more than 2 decimals"):
        quote_schedule(Money(Decimal("1000.005")), 12, date(2026, 1, 1))


def test_an_amount_too_small_for_the_term_is_refused() -> None:
    with pytest.raises(ScheduleError, match="too small"):
        quote_schedule(Money.of("0.11"), 12, date(2026, 1, 1))


def test_a_rate_above_the_issuer_limit_is_refused() -> None:
    with pytest.raises(FeePolicyError, match="above the limit"):
        quote_schedule(
            Money.of("1000.00"),
            12,
            date(2026, 1, 1),
            FeePolicy.interest(Decimal("0.30")),
            fee_limits=FeeLimits(max_annual_rate=Decimal("0.24")),
        )
