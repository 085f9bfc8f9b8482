"""Promises to pay (承诺还款): status derived from the payments ledger as of a date.

A promise is kept when, between the day it was made and the promised date plus the grace
days, the debtor paid at least the tolerance share of the amount (default: 90% within
2 days). After that deadline it is partly kept when something was paid, broken when
nothing was. Collection contacts are held while a promise is open and resume on the day
after the deadline (the day it breaks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from arrears.domain.arrangements.decisions import Decision, allow, deny
from arrears.domain.arrangements.payments import Payment, paid_between
from arrears.domain.money import Money
from arrears.domain.transitions import transitions
from arrears.domain.vocabulary import DEFAULT_ZONE, Channel


class PromiseStatus(StrEnum):
    """承诺状态, judged by the payments: open until the deadline, then kept, partly kept or broken."""

    OPEN = "open"
    KEPT = "kept"
    PARTLY_KEPT = "partly_kept"
    BROKEN = "broken"


# Moves a recorded promise status may make. Payments move it forward; a reversal of the
# payment that kept it moves it back (to open before the deadline, else partly kept/broken).
PROMISE_TRANSITIONS = transitions(PromiseStatus, {
    PromiseStatus.OPEN: {PromiseStatus.KEPT, PromiseStatus.PARTLY_KEPT, PromiseStatus.BROKEN},
    PromiseStatus.KEPT: {PromiseStatus.OPEN, PromiseStatus.PARTLY_KEPT, PromiseStatus.BROKEN},
    PromiseStatus.PARTLY_KEPT: {PromiseStatus.BROKEN},
})


class PromiseError(ValueError):
    """A promise that cannot be recorded."""


@dataclass(frozen=True, slots=True)
class PromisePolicy:
    min_share: Decimal = Decimal("0.90")  # share of the amount that counts as kept
    grace_days: int = 2  # days after the promised date still counted
    max_days_ahead: int = 30  # how far ahead a promise may be dated


@dataclass(frozen=True, slots=True)
class PromiseToPay:
    promise_id: str
    account_id: str
    amount: Money
    promised_date: date
    channel: Channel
    taken_by: str
    made_at: datetime
    made_on: date  # business date of made_at in the account's zone

    @classmethod
    def taken(cls, *, promise_id: str, account_id: str, amount: Money, promised_date: date, channel: Channel,
              taken_by: str, made_at: datetime, zone: str = DEFAULT_ZONE,
              policy: PromisePolicy = PromisePolicy()) -> PromiseToPay:
        if made_at.tzinfo is None:
            raise PromiseError("made_at must carry its time zone")
        made_on = made_at.astimezone(ZoneInfo(zone)).date()
        promise = cls(
            promise_id=promise_id,
            account_id=account_id,
            amount=amount,
            promised_date=promised_date,
            channel=Channel(channel),
            taken_by=taken_by,
            made_at=made_at,
            made_on=made_on,
        )
        refusal = check_promise(promise, policy)
        if not refusal.allowed:
            raise PromiseError(refusal.reason_en)
        return promise


def check_promise(promise: PromiseToPay, policy: PromisePolicy = PromisePolicy()) -> Decision:
    if promise.amount.amount <= 0:
        return deny("ARR-PTP-01", "承诺金额必须大于零", "a promise must be for more than zero", field="amount")
    if promise.promised_date < promise.made_on:
        return deny(
            "ARR-PTP-01",
            "承诺日期不能早于承诺当天",
            "the promised date cannot be before the day the promise was made",
            field="promised_date",
        )
    if (promise.promised_date - promise.made_on).days > policy.max_days_ahead:
        return deny(
            "ARR-PTP-01",
            f"承诺日期不能超过 {policy.max_days_ahead} 天之后",
            f"a promise may be dated at most {policy.max_days_ahead} days ahead",
            field="promised_date",
        )
    return allow("ARR-PTP-01", "承诺有效", "the promise is valid")


def check_promise_fits(promise: PromiseToPay, balance: Money, open_promises: Iterable[PromiseToPay]) -> Decision:
    """A promise fits the account: not more than the balance owed, and not beside another
    promise still open (follow that one up first: two open promises would hold contact twice
    and count the same money twice)."""
    if promise.amount > balance:
        return deny("ARR-PTP-02", f"承诺金额超过账户余额 {balance.amount:,.2f}",
                    f"the promise is for more than the balance of {balance.amount:,.2f}", field="amount")
    standing = sorted(p.promised_date for p in open_promises if p.promise_id != promise.promise_id)
    if standing:
        return deny("ARR-PTP-03", f"该账户已有未到期的承诺还款（{standing[0]}），请先跟进该承诺",
                    f"the account already has an open promise (due {standing[0]}); follow that one up first",
                    field="amount")
    return allow("ARR-PTP-02", "承诺与账户相符", "the promise fits the account")


def deadline(promise: PromiseToPay, policy: PromisePolicy = PromisePolicy()) -> date:
    """The last day a payment counts towards the promise."""
    return promise.promised_date + timedelta(days=policy.grace_days)


def contact_hold_until(promise: PromiseToPay, policy: PromisePolicy = PromisePolicy()) -> date:
    """Collection contacts are held through this date while the promise is open."""
    return deadline(promise, policy)


def paid_towards(promise: PromiseToPay, payments: Iterable[Payment], as_of: date,
                 policy: PromisePolicy = PromisePolicy()) -> Money:
    """What the debtor paid between the promise day and min(as_of, deadline)."""
    last_day = min(as_of, deadline(promise, policy))
    return paid_between(payments, promise.account_id, promise.made_on, last_day, promise.amount.currency)


def promise_status(promise: PromiseToPay, payments: Iterable[Payment], as_of: date,
                   policy: PromisePolicy = PromisePolicy()) -> PromiseStatus:
    """The status as of ``as_of``, from the payments live on that date."""
    paid = paid_towards(promise, payments, as_of, policy)
    if paid.amount >= promise.amount.amount * policy.min_share:
        return PromiseStatus.KEPT
    if as_of <= deadline(promise, policy):
        return PromiseStatus.OPEN
    return PromiseStatus.PARTLY_KEPT if paid.amount > 0 else PromiseStatus.BROKEN


def holds_contact(promise: PromiseToPay, payments: Iterable[Payment], on: date,
                  policy: PromisePolicy = PromisePolicy()) -> Decision:
    """Whether this promise holds collection contacts on ``on`` (held while open)."""
    status = promise_status(promise, payments, on, policy)
    if status is PromiseStatus.OPEN:
        until = contact_hold_until(promise, policy)
        return allow(
            "ARR-PTP-HOLD",
            f"承诺还款期内停催至 {until}",
            f"collection held while the promise is open, until {until}",
        )
    return deny(
        "ARR-PTP-HOLD",
        f"承诺状态为 {status}，不再停催",
        f"the promise is {status}: it no longer holds collection",
    )


@dataclass(frozen=True, slots=True)
class PromiseHistory:
    """A customer's promise keeping, for willingness scoring."""

    made: int
    open: int
    kept: int
    partly_kept: int
    broken: int

    @property
    def resolved(self) -> int:
        return self.kept + self.partly_kept + self.broken

    @property
    def kept_ratio(self) -> float | None:
        """Kept / resolved promises (a ratio of counts); None when none resolved yet."""
        return self.kept / self.resolved if self.resolved else None


def promise_history(promises: Iterable[PromiseToPay], payments: Iterable[Payment], as_of: date,
                    policy: PromisePolicy = PromisePolicy()) -> PromiseHistory:
    paid = tuple(payments)
    counts = dict.fromkeys(PromiseStatus, 0)
    made = 0
    for promise in promises:
        if promise.made_on > as_of:
            continue
        made += 1
        counts[promise_status(promise, paid, as_of, policy)] += 1
    return PromiseHistory(
        made,
        counts[PromiseStatus.OPEN],
        counts[PromiseStatus.KEPT],
        counts[PromiseStatus.PARTLY_KEPT],
        counts[PromiseStatus.BROKEN],
    )
