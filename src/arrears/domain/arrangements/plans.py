"""Installment plans (个性化分期): the agreement, its state machine and its progress.

Payments made on or after the day a plan becomes active pay its installments oldest first.
An installment is missed when it is still unpaid after its due date plus the grace days;
a plan with ``missed_to_break`` missed installments is broken, and so is a plan whose last
installment is missed (it can no longer be completed on time). Collection is held while a
plan is active and not broken (CN-PLAN-01, 办法 Art. 70).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from arrears.domain.arrangements.decisions import Decision, allow, deny, ensure_transition, reviewed
from arrears.domain.arrangements.payments import Payment, paid_between
from arrears.domain.arrangements.schedule import CN_MAX_MONTHS_CITATION, Installment, Schedule
from arrears.domain.money import Money
from arrears.domain.transitions import transitions


class PlanBasis(StrEnum):
    PAST_DUE = "past_due"  # 逾期金额分期
    FULL_BALANCE = "full_balance"  # 全部余额分期


class PlanStatus(StrEnum):
    """分期状态: proposed → active (signed) → completed | broken; cancelled before it ends."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"
    CANCELLED = "cancelled"


PLAN_TRANSITIONS = transitions(PlanStatus, {
    PlanStatus.PROPOSED: {PlanStatus.ACTIVE, PlanStatus.CANCELLED},
    PlanStatus.ACTIVE: {PlanStatus.COMPLETED, PlanStatus.BROKEN, PlanStatus.CANCELLED},
})


class InstallmentStatus(StrEnum):
    UPCOMING = "upcoming"  # not yet due
    IN_GRACE = "in_grace"  # due, unpaid, within the grace days
    PAID = "paid"
    MISSED = "missed"  # unpaid after the grace days


class PlanError(ValueError):
    """A plan change that cannot be made."""


@dataclass(frozen=True, slots=True)
class PlanPolicy:
    grace_days: int = 5
    missed_to_break: int = 2


@dataclass(frozen=True, slots=True)
class SignedAgreement:
    """The signed (or recorded oral) agreement. Art. 70: an oral agreement's recording is
    kept until the debt is settled."""

    signed_by: str
    signed_at: datetime
    document_ref: str
    document_sha256: str
    form: str = "written"  # written | electronic | oral_recording

    def __post_init__(self) -> None:
        if self.signed_at.tzinfo is None:
            raise PlanError("signed_at must carry its time zone")
        digest = self.document_sha256.lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise PlanError("document_sha256 must be 64 hexadecimal characters")


@dataclass(frozen=True, slots=True)
class InstallmentPlan:
    plan_id: str
    account_id: str
    basis: PlanBasis
    schedule: Schedule
    proposed_by: str
    proposed_at: datetime
    status: PlanStatus = PlanStatus.PROPOSED
    approved_by: str = ""
    agreement: SignedAgreement | None = None
    activated_on: date | None = None
    closed_on: date | None = None

    def moved_to(self, target: PlanStatus, on: date) -> InstallmentPlan:
        ensure_transition(PLAN_TRANSITIONS, self.status, target, f"plan {self.plan_id}")
        closed = (
            on
            if target in (PlanStatus.COMPLETED, PlanStatus.BROKEN, PlanStatus.CANCELLED)
            else None
        )
        return replace(self, status=target, closed_on=closed)


def activate(plan: InstallmentPlan, agreement: SignedAgreement, on: date) -> InstallmentPlan:
    """proposed -> active, only with a signed agreement, before the first due date."""
    if on > plan.schedule.first_due:
        raise PlanError(
            f"plan {plan.plan_id}: its first installment ({plan.schedule.first_due}) "
            f"is already due; quote it again"
        )
    active = plan.moved_to(PlanStatus.ACTIVE, on)
    return replace(active, agreement=agreement, activated_on=on)


def cancel(plan: InstallmentPlan, on: date) -> InstallmentPlan:
    return plan.moved_to(PlanStatus.CANCELLED, on)


@dataclass(frozen=True, slots=True)
class InstallmentProgress:
    installment: Installment
    paid: Money
    status: InstallmentStatus


def plan_payments(plan: InstallmentPlan, payments: Iterable[Payment], as_of: date) -> Money:
    """What was paid towards the plan from its activation day through ``as_of``."""
    start = plan.activated_on
    currency = plan.schedule.principal.currency
    if start is None:
        return Money.zero(currency)
    return paid_between(payments, plan.account_id, start, as_of, currency)


def installment_progress(plan: InstallmentPlan, payments: Iterable[Payment], as_of: date,
                         policy: PlanPolicy = PlanPolicy()) -> tuple[InstallmentProgress, ...]:
    """Each installment paid oldest first from the plan's payments as of ``as_of``."""
    available = plan_payments(plan, payments, as_of)
    rows = []
    for item in plan.schedule.installments:
        paid = item.total if available >= item.total else available
        available = available - paid
        rows.append(InstallmentProgress(item, paid, _installment_status(item, paid, as_of, policy)))
    return tuple(rows)


def _installment_status(
    item: Installment, paid: Money, as_of: date, policy: PlanPolicy
) -> InstallmentStatus:
    if paid == item.total:
        return InstallmentStatus.PAID
    if as_of <= item.due_date:
        return InstallmentStatus.UPCOMING
    if as_of <= item.due_date + timedelta(days=policy.grace_days):
        return InstallmentStatus.IN_GRACE
    return InstallmentStatus.MISSED


def derived_status(plan: InstallmentPlan, payments: Iterable[Payment], as_of: date,
                   policy: PlanPolicy = PlanPolicy()) -> PlanStatus:
    """What the payments say an active plan is as of ``as_of``; other statuses stand."""
    if plan.status is not PlanStatus.ACTIVE:
        return plan.status
    progress = installment_progress(plan, payments, as_of, policy)
    if all(p.status is InstallmentStatus.PAID for p in progress):
        return PlanStatus.COMPLETED
    missed = sum(1 for p in progress if p.status is InstallmentStatus.MISSED)
    final_missed = progress[-1].status is InstallmentStatus.MISSED
    if missed >= policy.missed_to_break or final_missed:
        return PlanStatus.BROKEN
    return PlanStatus.ACTIVE


def review(plan: InstallmentPlan, payments: Iterable[Payment], as_of: date,
           policy: PlanPolicy = PlanPolicy()) -> InstallmentPlan:
    """Move an active plan to completed or broken when its payments say so."""
    return reviewed(plan, derived_status(plan, payments, as_of, policy), as_of)


def collection_held(plan: InstallmentPlan, payments: Iterable[Payment], on: date,
                    policy: PlanPolicy = PlanPolicy()) -> Decision:
    """CN-PLAN-01: collection stops while a signed plan is active and honoured."""
    status = derived_status(plan, payments, on, policy)
    if status is PlanStatus.ACTIVE:
        return allow(
            "CN-PLAN-01",
            "个性化分期协议履行中，停止催收（服务类通知除外）",
            "an individual installment agreement is active: collection is held "
            "(service messages allowed)",
            CN_MAX_MONTHS_CITATION,
        )
    return deny(
        "CN-PLAN-01",
        f"分期状态为 {status}，不停催",
        f"the plan is {status}: it does not hold collection",
        CN_MAX_MONTHS_CITATION,
    )
