"""Exact installment schedules (个性化分期), to the fen.

Fees: none, a monthly fee on the plan principal, or interest on the declining balance (annual
rate / 12, equal payments: an annuity). Due dates never drift: each is the first due date's
day of month, clamped to the length of its month (31 January -> 28/29 February -> 31 March).

Rounding rules (one place):
- equal principal (no fee, monthly fee): each installment's principal is the plan principal
  divided by the months, rounded DOWN to the fen; the last installment carries the
  remainder, so it is never smaller than the others and the principal adds up exactly;
- monthly fee: each month's fee is principal x monthly rate, rounded half-up to the fen;
- interest (annuity, 等额本息): the level payment is P*r/(1-(1+r)^-n) rounded half-up, each
  month's interest is the remaining principal x r rounded half-up, the principal part is
  the payment less that interest, and the last installment repays the remaining principal
  exactly (plus its interest), so it may differ from the level payment by a few fen.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal, localcontext
from enum import StrEnum

from arrears.domain.money import MINOR_UNIT, Money, total

CN_MAX_MONTHS = 60  # 商业银行信用卡业务监督管理办法 Art. 70: 个性化分期 up to 5 years
CN_MAX_MONTHS_CITATION = "商业银行信用卡业务监督管理办法 第七十条 (CN-PLAN-01)"


class FeeKind(StrEnum):
    NONE = "none"
    MONTHLY_FEE = "monthly_fee"  # 每期手续费 = 本金 x 月费率
    INTEREST = "interest"  # 按剩余本金计息 (等额本息)


class FeePolicyError(ValueError):
    """A fee policy outside what the issuer allows."""


@dataclass(frozen=True, slots=True)
class FeeLimits:
    """The issuer's ceilings on plan pricing (settings, not law)."""

    max_monthly_fee_rate: Decimal = Decimal("0.02")
    max_annual_rate: Decimal = Decimal("0.24")


@dataclass(frozen=True, slots=True)
class FeePolicy:
    """How a plan is priced. ``rate`` is the monthly fee rate or the annual interest rate."""

    kind: FeeKind = FeeKind.NONE
    rate: Decimal = Decimal("0")

    @classmethod
    def none(cls) -> FeePolicy:
        return cls(FeeKind.NONE, Decimal("0"))

    @classmethod
    def monthly_fee(cls, rate: Decimal) -> FeePolicy:
        return cls(FeeKind.MONTHLY_FEE, rate)

    @classmethod
    def interest(cls, annual_rate: Decimal) -> FeePolicy:
        return cls(FeeKind.INTEREST, annual_rate)

    @classmethod
    def chosen(cls, monthly_fee_rate: Decimal | None, annual_rate: Decimal | None, names: tuple[str, str]) -> FeePolicy:
        """The policy of the one rate given (none: no fees); both is an error naming the two inputs."""
        if monthly_fee_rate is not None and annual_rate is not None:
            one, other = names
            raise FeePolicyError(f"{one} 与 {other} 只能选一个 / give one of {one} and {other}, not both")
        if monthly_fee_rate is not None:
            return cls.monthly_fee(monthly_fee_rate)
        return cls.none() if annual_rate is None else cls.interest(annual_rate)

    @property
    def monthly_rate(self) -> Decimal:
        """The rate applied each month: the fee rate, or the annual interest rate / 12."""
        return self.rate / 12 if self.kind is FeeKind.INTEREST else self.rate

    def check(self, limits: FeeLimits = FeeLimits()) -> None:
        """Raise FeePolicyError when the rate is negative, not Decimal, or above the limit."""
        if isinstance(self.rate, bool) or not isinstance(self.rate, Decimal):
            raise FeePolicyError("rates are Decimal, never float")
        if not self.rate.is_finite() or self.rate < 0:
            raise FeePolicyError(f"rate must be zero or more, not {self.rate}")
        if self.kind is FeeKind.NONE and self.rate != 0:
            raise FeePolicyError("a plan without fees has no rate")
        if self.kind is FeeKind.MONTHLY_FEE and self.rate > limits.max_monthly_fee_rate:
            raise FeePolicyError(
                f"monthly fee rate {self.rate} is above the limit {limits.max_monthly_fee_rate}"
            )
        if self.kind is FeeKind.INTEREST and self.rate > limits.max_annual_rate:
            raise FeePolicyError(
                f"annual rate {self.rate} is above the limit {limits.max_annual_rate}"
            )


def add_months(anchor: date, months: int) -> date:
    """``anchor`` moved by whole months, its day clamped to the target month's length."""
    month_index = anchor.month - 1 + months
    year = anchor.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def monthly_due_dates(first_due: date, count: int) -> tuple[date, ...]:
    """``count`` due dates, each computed from ``first_due`` (not from the previous one)."""
    return tuple(add_months(first_due, index) for index in range(count))


class ScheduleError(ValueError):
    """A plan that cannot be scheduled: bad months, amount or pricing."""


@dataclass(frozen=True, slots=True)
class TermLimits:
    """How long a plan may run. The CN cap is 60 months; an issuer may set it lower."""

    max_months: int = CN_MAX_MONTHS
    min_months: int = 1
    min_monthly_principal: Decimal = Decimal("1.00")  # a plan repays at least this a month

    def __post_init__(self) -> None:
        if not 1 <= self.min_months <= self.max_months <= CN_MAX_MONTHS:
            raise ScheduleError(
                f"term limits must satisfy 1 <= min <= max <= {CN_MAX_MONTHS}, "
                f"not {self.min_months}..{self.max_months}"
            )


@dataclass(frozen=True, slots=True)
class Installment:
    number: int  # 1-based
    due_date: date
    principal: Money
    fee: Money
    interest: Money

    @property
    def total(self) -> Money:
        return self.principal + self.fee + self.interest


@dataclass(frozen=True, slots=True)
class Schedule:
    principal: Money
    months: int
    first_due: date
    policy: FeePolicy
    installments: tuple[Installment, ...]

    @property
    def total_principal(self) -> Money:
        return total([i.principal for i in self.installments], self.principal.currency)

    @property
    def total_fee(self) -> Money:
        return total([i.fee for i in self.installments], self.principal.currency)

    @property
    def total_interest(self) -> Money:
        return total([i.interest for i in self.installments], self.principal.currency)

    @property
    def total_due(self) -> Money:
        return self.total_principal + self.total_fee + self.total_interest

    @property
    def largest_installment(self) -> Money:
        return max((i.total for i in self.installments), key=lambda m: m.amount)

    @property
    def last_due(self) -> date:
        return self.installments[-1].due_date


def split_evenly(amount: Money, parts: int) -> tuple[Money, ...]:
    """``amount`` in ``parts`` shares rounded down to the fen, the remainder on the last."""
    if parts < 1:
        raise ScheduleError("parts must be at least 1")
    share = Money(
        (amount.amount / parts).quantize(MINOR_UNIT, rounding=ROUND_DOWN), amount.currency
    )
    last = amount - share * (parts - 1)
    return (*([share] * (parts - 1)), last)


def quote_schedule(principal: Money, months: int, first_due: date, policy: FeePolicy | None = None, *,
                   terms: TermLimits | None = None, fee_limits: FeeLimits | None = None) -> Schedule:
    """The exact schedule of a plan of ``principal`` over ``months``, first due ``first_due``."""
    policy = policy or FeePolicy.none()
    _check_inputs(principal, months, terms or TermLimits())
    policy.check(fee_limits or FeeLimits())
    dates = monthly_due_dates(first_due, months)
    if policy.kind is FeeKind.INTEREST and policy.rate > 0:
        rows = _annuity(principal, dates, policy.monthly_rate)
    else:
        rows = _equal_principal(principal, dates, policy)
    schedule = Schedule(principal, months, first_due, policy, rows)
    _check_result(schedule)
    return schedule


def _check_inputs(principal: Money, months: int, terms: TermLimits) -> None:
    if isinstance(months, bool) or not isinstance(months, int):
        raise ScheduleError("months must be a whole number")
    if not terms.min_months <= months <= terms.max_months:
        raise ScheduleError(
            f"months must be {terms.min_months} to {terms.max_months}, not {months}"
        )
    exponent = principal.amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise ScheduleError(f"the plan amount {principal.amount} has more than 2 decimals")
    if principal.amount <= 0:
        raise ScheduleError("the plan amount must be more than zero")
    if principal.amount < terms.min_monthly_principal * months:
        raise ScheduleError(
            f"{principal.amount} is too small to spread over {months} months "
            f"(at least {terms.min_monthly_principal} a month)"
        )


def _equal_principal(
    principal: Money, dates: tuple[date, ...], policy: FeePolicy
) -> tuple[Installment, ...]:
    zero = Money.zero(principal.currency)
    fee = (principal * policy.rate).rounded() if policy.kind is FeeKind.MONTHLY_FEE else zero
    shares = split_evenly(principal, len(dates))
    return tuple(
        Installment(n, due, share, fee, zero)
        for n, (due, share) in enumerate(zip(dates, shares, strict=True), start=1)
    )


def level_payment(principal: Money, months: int, monthly_rate: Decimal) -> Money:
    """The annuity payment P*r/(1-(1+r)^-n), rounded half-up to the fen."""
    with localcontext() as context:
        context.prec = 40
        factor = monthly_rate / (1 - (1 + monthly_rate) ** -months)
        return Money(principal.amount * factor, principal.currency).rounded()


def _annuity(
    principal: Money, dates: tuple[date, ...], monthly_rate: Decimal
) -> tuple[Installment, ...]:
    zero = Money.zero(principal.currency)
    payment = level_payment(principal, len(dates), monthly_rate)
    remaining = principal
    rows = []
    for number, due in enumerate(dates, start=1):
        interest = (remaining * monthly_rate).rounded()
        part = remaining if number == len(dates) else payment - interest
        if part.amount <= 0 or part > remaining:
            raise ScheduleError(
                f"{principal.amount} over {len(dates)} months at {monthly_rate}/month "
                f"does not amortise to the fen; choose fewer months"
            )
        rows.append(Installment(number, due, part, zero, interest))
        remaining = remaining - part
    return tuple(rows)


def _check_result(schedule: Schedule) -> None:
    """Guard the invariants every schedule must keep (never silently wrong)."""
    if schedule.total_principal != schedule.principal:
        raise ScheduleError("internal: principal does not add up")  # pragma: no cover
    for row in schedule.installments:
        if (
            row.total.amount <= 0
            or min(row.principal.amount, row.fee.amount, row.interest.amount) < 0
        ):
            raise ScheduleError(f"installment {row.number} would be {row.total.amount}")
