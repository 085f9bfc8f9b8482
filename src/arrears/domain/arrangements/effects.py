"""What a posted or reversed payment did to the account's arrangements.

Statuses are derived from the ledger, so the effects are the differences between the
arrangements' statuses before and after the change, as of the same date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from arrears.domain.arrangements import plans, settlements
from arrears.domain.arrangements.payments import AccountLedger, Payment
from arrears.domain.arrangements.plans import InstallmentPlan, InstallmentStatus, PlanPolicy
from arrears.domain.arrangements.promises import (
    PromisePolicy,
    PromiseStatus,
    PromiseToPay,
    promise_status,
)
from arrears.domain.arrangements.settlements import Settlement, SettlementPolicy


@dataclass(frozen=True, slots=True)
class PromiseKept:
    promise_id: str
    on: date


@dataclass(frozen=True, slots=True)
class PromiseStatusChanged:
    promise_id: str
    on: date
    before: PromiseStatus
    after: PromiseStatus


@dataclass(frozen=True, slots=True)
class InstallmentPaid:
    plan_id: str
    number: int
    on: date


@dataclass(frozen=True, slots=True)
class InstallmentUnpaid:
    """A reversal took back the money that paid this installment."""

    plan_id: str
    number: int
    on: date


@dataclass(frozen=True, slots=True)
class PlanCompleted:
    plan_id: str
    on: date


@dataclass(frozen=True, slots=True)
class SettlementCompleted:
    settlement_id: str
    on: date


ArrangementEvent = (
    PromiseKept
    | PromiseStatusChanged
    | InstallmentPaid
    | InstallmentUnpaid
    | PlanCompleted
    | SettlementCompleted
)


@dataclass(frozen=True, slots=True)
class Arrangements:
    """An account's promises, plans and settlements, with the policies that judge them."""

    promises: tuple[PromiseToPay, ...] = ()
    plans: tuple[InstallmentPlan, ...] = ()
    settlements: tuple[Settlement, ...] = ()
    promise_policy: PromisePolicy = field(default_factory=PromisePolicy)
    plan_policy: PlanPolicy = field(default_factory=PlanPolicy)
    settlement_policy: SettlementPolicy = field(default_factory=SettlementPolicy)


Payments = Iterable[Payment]


def payment_effects(
    arrangements: Arrangements, before: AccountLedger, after: AccountLedger, as_of: date
) -> tuple[ArrangementEvent, ...]:
    """Events for every arrangement whose status differs between the two ledgers."""
    old, new = before.live_payments(as_of), after.live_payments(as_of)
    events: list[ArrangementEvent] = []
    events += _promise_effects(arrangements, old, new, as_of)
    events += _plan_effects(arrangements, old, new, as_of)
    events += _settlement_effects(arrangements, old, new, as_of)
    return tuple(events)


def _promise_effects(a: Arrangements, old: Payments, new: Payments, as_of: date) -> list[ArrangementEvent]:
    old, new = tuple(old), tuple(new)
    events: list[ArrangementEvent] = []
    for promise in a.promises:
        was = promise_status(promise, old, as_of, a.promise_policy)
        now = promise_status(promise, new, as_of, a.promise_policy)
        if was is now:
            continue
        if now is PromiseStatus.KEPT:
            events.append(PromiseKept(promise.promise_id, as_of))
        else:
            events.append(PromiseStatusChanged(promise.promise_id, as_of, was, now))
    return events


def _plan_effects(a: Arrangements, old: Payments, new: Payments, as_of: date) -> list[ArrangementEvent]:
    old, new = tuple(old), tuple(new)
    events: list[ArrangementEvent] = []
    for plan in a.plans:
        if plan.status is not plans.PlanStatus.ACTIVE:
            continue
        was = plans.installment_progress(plan, old, as_of, a.plan_policy)
        now = plans.installment_progress(plan, new, as_of, a.plan_policy)
        for w, n in zip(was, now, strict=True):
            paid_before = w.status is InstallmentStatus.PAID
            paid_after = n.status is InstallmentStatus.PAID
            if paid_after and not paid_before:
                events.append(InstallmentPaid(plan.plan_id, n.installment.number, as_of))
            if paid_before and not paid_after:
                events.append(InstallmentUnpaid(plan.plan_id, n.installment.number, as_of))
        if plans.derived_status(plan, new, as_of, a.plan_policy) is plans.PlanStatus.COMPLETED:
            events.append(PlanCompleted(plan.plan_id, as_of))
    return events


def _settlement_effects(a: Arrangements, old: Payments, new: Payments, as_of: date) -> list[ArrangementEvent]:
    old, new = tuple(old), tuple(new)
    events: list[ArrangementEvent] = []
    for s in a.settlements:
        was = settlements.derived_status(s, old, as_of, a.settlement_policy)
        now = settlements.derived_status(s, new, as_of, a.settlement_policy)
        if now is settlements.SettlementStatus.COMPLETED and was is not now:
            events.append(SettlementCompleted(s.settlement_id, as_of))
    return events
