"""Payments: an append-only ledger per account, posted by payment id (idempotent),
allocated to fees, interest and principal in a configurable order, reversible exactly.

Balances are derived from the opening balances less the allocations of the payments that
are live (posted and not reversed) as of a date, so any past state can be replayed and a
reversal gives back exactly what its payment took. A surplus beyond everything owed is an
overpayment credit, never an over-paid component. When the past-due amount reaches zero the
account is cured and re-aged to current (M0); a reversal can make it delinquent again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from arrears.domain.aging import CURRENT
from arrears.domain.money import Money, total
from arrears.domain.vocabulary import DEFAULT_ZONE


class Component(StrEnum):
    FEES = "fees"
    INTEREST = "interest"
    PRINCIPAL = "principal"


DEFAULT_ORDER: tuple[Component, ...] = (Component.FEES, Component.INTEREST, Component.PRINCIPAL)


class PaymentError(ValueError):
    """A payment that cannot be posted or reversed as asked."""


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received. ``paid_on`` is the business date in the account's time zone."""

    payment_id: str
    account_id: str
    amount: Money
    paid_at: datetime
    paid_on: date
    channel: str = ""

    def __post_init__(self) -> None:
        if self.amount.amount <= 0:
            raise PaymentError(f"{self.payment_id}: a payment must be more than zero")
        if self.paid_at.tzinfo is None:
            raise PaymentError(f"{self.payment_id}: paid_at must carry its time zone")

    @classmethod
    def received(cls, payment_id: str, account_id: str, amount: Money, paid_at: datetime, *,
                 zone: str = DEFAULT_ZONE, channel: str = "") -> Payment:
        if paid_at.tzinfo is None:
            raise PaymentError(f"{payment_id}: paid_at must carry its time zone")
        paid_on = paid_at.astimezone(ZoneInfo(zone)).date()
        return cls(payment_id, account_id, amount, paid_at, paid_on, channel)


def paid_between(payments: Iterable[Payment], account_id: str, first: date, last: date, currency: str) -> Money:
    """What the account was paid from ``first`` through ``last`` (business dates, both days in):
    the payments that count towards a promise, a plan or a settlement made on ``first``."""
    return total([p.amount for p in payments if p.account_id == account_id and first <= p.paid_on <= last],
                 currency)


@dataclass(frozen=True, slots=True)
class Balances:
    """What the account owes, by component, plus the past-due part and any credit."""

    fees: Money
    interest: Money
    principal: Money
    past_due: Money
    credit: Money
    oldest_unpaid_due_date: date | None = None

    @classmethod
    def opening(cls, fees: Money, interest: Money, principal: Money, past_due: Money,
                oldest_unpaid_due_date: date | None = None) -> Balances:
        owed = fees + interest + principal
        if min(fees.amount, interest.amount, principal.amount, past_due.amount) < 0:
            raise PaymentError("opening balances cannot be negative")
        if past_due > owed:
            raise PaymentError(f"past due {past_due.amount} is more than owed {owed.amount}")
        if past_due.amount > 0 and oldest_unpaid_due_date is None:
            raise PaymentError("a past-due amount needs its oldest unpaid due date")
        oldest = oldest_unpaid_due_date if past_due.amount > 0 else None
        return cls(fees, interest, principal, past_due, Money.zero(fees.currency), oldest)

    def of(self, component: Component) -> Money:
        return _part(self, component)

    @property
    def owed(self) -> Money:
        return self.fees + self.interest + self.principal

    @property
    def is_current(self) -> bool:
        return self.past_due.is_zero


@dataclass(frozen=True, slots=True)
class IngestedAccount:
    """What the nightly portfolio says an account owes (components may be missing)."""

    account_id: str
    customer_id: str
    currency: str
    balance: Money
    fees: Money | None
    interest: Money | None
    principal: Money | None
    past_due: Money
    oldest_unpaid_due_date: date | None
    zone: str  # the customer's time zone

    def opening(self) -> Balances:
        """The balances a ledger opens with: fees, interest and principal as ingested; a balance
        given without its split is all principal. Raises PaymentError on a credit balance or
        inconsistent figures."""
        zero = Money.zero(self.currency)
        fees, interest = self.fees or zero, self.interest or zero
        principal = self.principal or (self.balance - fees - interest)
        return Balances.opening(fees, interest, principal, self.past_due, self.oldest_unpaid_due_date)


@dataclass(frozen=True, slots=True)
class Allocation:
    """Where one payment went. Recorded at posting; a reversal gives exactly this back."""

    fees: Money
    interest: Money
    principal: Money
    credit: Money
    past_due_reduced: Money

    def of(self, component: Component) -> Money:
        return _part(self, component)


def _part(amounts: Balances | Allocation, component: Component) -> Money:
    """The amount of one component: each component's value names its field."""
    part: Money = getattr(amounts, component.value)
    return part


@dataclass(frozen=True, slots=True)
class PostedPayment:
    payment: Payment
    allocation: Allocation
    reversed_on: date | None = None
    reversal_reason: str = ""

    def live_on(self, as_of: date | None) -> bool:
        if as_of is None:
            return self.reversed_on is None
        posted = self.payment.paid_on <= as_of
        return posted and (self.reversed_on is None or self.reversed_on > as_of)


# --- events -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PaymentPosted:
    account_id: str
    payment_id: str
    on: date
    allocation: Allocation


@dataclass(frozen=True, slots=True)
class OverpaymentCredited:
    account_id: str
    payment_id: str
    amount: Money


@dataclass(frozen=True, slots=True)
class AccountCured:
    """Past due reached zero: the account is current again and re-aged to M0."""

    account_id: str
    on: date
    previous_oldest_unpaid_due_date: date | None
    bucket: str = CURRENT


@dataclass(frozen=True, slots=True)
class PaymentReversed:
    account_id: str
    payment_id: str
    on: date
    allocation: Allocation


@dataclass(frozen=True, slots=True)
class AccountDelinquentAgain:
    """A reversal put a past-due amount back on a cured account."""

    account_id: str
    on: date
    oldest_unpaid_due_date: date | None


PaymentEvent = (
    PaymentPosted | OverpaymentCredited | AccountCured | PaymentReversed | AccountDelinquentAgain
)


# --- the ledger -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AccountLedger:
    account_id: str
    opening: Balances
    entries: tuple[PostedPayment, ...] = ()
    order: tuple[Component, ...] = DEFAULT_ORDER

    def __post_init__(self) -> None:
        if sorted(self.order) != sorted(Component) or len(self.order) != len(Component):
            raise PaymentError(f"allocation order must name each component once: {self.order}")

    def entry(self, payment_id: str) -> PostedPayment | None:
        return next((e for e in self.entries if e.payment.payment_id == payment_id), None)

    def balances(self, as_of: date | None = None) -> Balances:
        """Balances from the payments live on ``as_of`` (None: everything not reversed)."""
        return _apply(self.opening, [e.allocation for e in self.entries if e.live_on(as_of)])

    def live_payments(self, as_of: date | None = None) -> tuple[Payment, ...]:
        return tuple(e.payment for e in self.entries if e.live_on(as_of))


def _apply(opening: Balances, allocations: Sequence[Allocation]) -> Balances:
    fees, interest, principal = opening.fees, opening.interest, opening.principal
    past_due, credit = opening.past_due, opening.credit
    for a in allocations:
        fees, interest, principal = fees - a.fees, interest - a.interest, principal - a.principal
        past_due, credit = past_due - a.past_due_reduced, credit + a.credit
    oldest = opening.oldest_unpaid_due_date if past_due.amount > 0 else None
    return Balances(fees, interest, principal, past_due, credit, oldest)


def allocate(amount: Money, balances: Balances, order: Sequence[Component]) -> Allocation:
    """Split ``amount`` over the components in ``order``, never more than each owes."""
    remaining = amount
    taken: dict[Component, Money] = {}
    for component in order:
        owed = balances.of(component)
        part = owed if owed < remaining else remaining
        taken[component] = part
        remaining = remaining - part
    applied = amount - remaining
    past_due_cut = balances.past_due if balances.past_due < applied else applied
    return Allocation(
        taken[Component.FEES],
        taken[Component.INTEREST],
        taken[Component.PRINCIPAL],
        remaining,
        past_due_cut,
    )


@dataclass(frozen=True, slots=True)
class LedgerChange:
    ledger: AccountLedger
    events: tuple[PaymentEvent, ...]

    @property
    def changed(self) -> bool:
        return bool(self.events)


def post_payment(ledger: AccountLedger, payment: Payment) -> LedgerChange:
    """Post ``payment``. The same payment id again changes nothing (idempotent); the same id
    with different content is an error (an idempotency key cannot be reused)."""
    if payment.account_id != ledger.account_id:
        raise PaymentError(
            f"{payment.payment_id} is for {payment.account_id}, not {ledger.account_id}"
        )
    existing = ledger.entry(payment.payment_id)
    if existing is not None:
        if existing.payment != payment:
            raise PaymentError(
                f"payment id {payment.payment_id} was already used for another payment"
            )
        return LedgerChange(ledger, ())
    before = ledger.balances()
    allocation = allocate(payment.amount, before, ledger.order)
    after_ledger = replace(ledger, entries=(*ledger.entries, PostedPayment(payment, allocation)))
    events: list[PaymentEvent] = [
        PaymentPosted(ledger.account_id, payment.payment_id, payment.paid_on, allocation)
    ]
    if allocation.credit.amount > 0:
        events.append(OverpaymentCredited(ledger.account_id, payment.payment_id, allocation.credit))
    if not before.is_current and after_ledger.balances().is_current:
        events.append(
            AccountCured(ledger.account_id, payment.paid_on, before.oldest_unpaid_due_date)
        )
    return LedgerChange(after_ledger, tuple(events))


def reverse_payment(
    ledger: AccountLedger, payment_id: str, on: date, reason: str = ""
) -> LedgerChange:
    """Reverse a posted payment: its allocation is given back exactly. Reversing twice is a
    no-op; reversing an unknown payment is an error."""
    existing = ledger.entry(payment_id)
    if existing is None:
        raise PaymentError(f"no payment {payment_id} on account {ledger.account_id}")
    if existing.reversed_on is not None:
        return LedgerChange(ledger, ())
    if on < existing.payment.paid_on:
        raise PaymentError(
            f"{payment_id} cannot be reversed before it was paid ({existing.payment.paid_on})"
        )
    before = ledger.balances()
    reversed_entry = replace(existing, reversed_on=on, reversal_reason=reason)
    entries = tuple(reversed_entry if e is existing else e for e in ledger.entries)
    after_ledger = replace(ledger, entries=entries)
    events: list[PaymentEvent] = [
        PaymentReversed(ledger.account_id, payment_id, on, existing.allocation)
    ]
    after = after_ledger.balances()
    if before.is_current and not after.is_current:
        events.append(AccountDelinquentAgain(ledger.account_id, on, after.oldest_unpaid_due_date))
    return LedgerChange(after_ledger, tuple(events))
