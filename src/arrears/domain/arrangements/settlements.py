"""Settlements (减免结清): the debt closed for less, paid in one or a few payments.

The settlement amount is the balance less the discount, rounded half-up to the fen, split
into ``payments`` parts like a schedule (rounded down, the remainder on the last). A
discount above ``approval_threshold`` needs an approver whose role may give it. The
settlement is completed when, as of each due date plus the grace days, the payments since
acceptance cover everything due by then and the whole amount is paid; it fails as soon as
a due date plus grace passes uncovered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from arrears.domain.arrangements.approvals import (
    DEFAULT_LIMITS,
    ApprovalLimits,
    ApprovalRequest,
    Authority,
    check_authority,
)
from arrears.domain.arrangements.decisions import Decision, allow, deny, ensure_transition, reviewed
from arrears.domain.arrangements.payments import Payment, paid_between
from arrears.domain.arrangements.schedule import add_months, split_evenly
from arrears.domain.money import Money
from arrears.domain.transitions import transitions


class SettlementStatus(StrEnum):
    """结清状态: offered → accepted (or withdrawn) → completed (paid in time) | failed."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


SETTLEMENT_TRANSITIONS = transitions(SettlementStatus, {
    SettlementStatus.OFFERED: {SettlementStatus.ACCEPTED, SettlementStatus.WITHDRAWN},
    SettlementStatus.ACCEPTED: {SettlementStatus.COMPLETED, SettlementStatus.FAILED},
})


class SettlementError(ValueError):
    """A settlement that cannot be offered or changed."""


@dataclass(frozen=True, slots=True)
class SettlementPolicy:
    approval_threshold: Decimal = Decimal("0.10")  # discounts above need approval
    max_discount: Decimal = Decimal("0.70")
    max_payments: int = 3
    grace_days: int = 3


@dataclass(frozen=True, slots=True)
class SettlementPayment:
    number: int
    due_date: date
    amount: Money


@dataclass(frozen=True, slots=True)
class Settlement:
    settlement_id: str
    account_id: str
    balance: Money  # owed when offered
    discount: Decimal  # share forgiven, 0..1
    amount: Money  # to pay
    payments: tuple[SettlementPayment, ...]
    offered_by: str
    offered_at: datetime
    status: SettlementStatus = SettlementStatus.OFFERED
    approved_by: str = ""
    approver_role: Authority | None = None
    accepted_on: date | None = None
    closed_on: date | None = None

    @property
    def forgiven(self) -> Money:
        return self.balance - self.amount

    def moved_to(self, target: SettlementStatus, on: date) -> Settlement:
        ensure_transition(
            SETTLEMENT_TRANSITIONS, self.status, target, f"settlement {self.settlement_id}"
        )
        closed = on if target is not SettlementStatus.ACCEPTED else None
        accepted = on if target is SettlementStatus.ACCEPTED else self.accepted_on
        return replace(self, status=target, closed_on=closed, accepted_on=accepted)


def settlement_amount(balance: Money, discount: Decimal) -> Money:
    return (balance * (1 - discount)).rounded()


def settlement_payments(
    amount: Money, first_due: date, count: int
) -> tuple[SettlementPayment, ...]:
    """``count`` monthly payments from ``first_due`` adding up exactly to ``amount``."""
    parts = split_evenly(amount, count)
    return tuple(
        SettlementPayment(n, add_months(first_due, n - 1), part)
        for n, part in enumerate(parts, start=1)
    )


def check_terms(
    discount: Decimal, payments: int, policy: SettlementPolicy = SettlementPolicy()
) -> Decision:
    """Whether the discount and the number of payments are within policy (whoever approves)."""
    if not Decimal("0") <= discount <= policy.max_discount:
        return deny(
            "ARR-SETTLE-01",
            f"减免比例须在 0 到 {policy.max_discount} 之间",
            f"the discount must be 0 to {policy.max_discount}, not {discount}",
        )
    if not 1 <= payments <= policy.max_payments:
        return deny(
            "ARR-SETTLE-01",
            f"结清须分 1 到 {policy.max_payments} 笔支付",
            f"a settlement is paid in 1 to {policy.max_payments} payments",
        )
    return allow("ARR-SETTLE-01", "结清条件在政策范围内", "the settlement terms are within policy")


def check_approval(discount: Decimal, approver_role: Authority | None, policy: SettlementPolicy = SettlementPolicy(),
                   limits: Mapping[Authority, ApprovalLimits] = DEFAULT_LIMITS) -> Decision:
    """Whether ``discount`` needs no approval, or ``approver_role`` may give it."""
    if discount <= policy.approval_threshold:
        return allow(
            "ARR-SETTLE-02",
            f"减免 {discount} 不超过 {policy.approval_threshold}，无需审批",
            f"discount {discount} is within {policy.approval_threshold}: no approval needed",
        )
    if approver_role is None:
        return deny(
            "ARR-SETTLE-02",
            f"减免 {discount} 超过 {policy.approval_threshold}，需要审批",
            f"discount {discount} is above {policy.approval_threshold}: approval needed",
        )
    return check_authority(approver_role, ApprovalRequest(settlement_discount=discount), limits)


def check_offer(discount: Decimal, payments: int, approver_role: Authority | None,
                policy: SettlementPolicy = SettlementPolicy(),
                limits: Mapping[Authority, ApprovalLimits] = DEFAULT_LIMITS) -> Decision:
    """Whether a settlement with ``discount`` in ``payments`` parts may be offered."""
    terms = check_terms(discount, payments, policy)
    return terms if not terms.allowed else check_approval(discount, approver_role, policy, limits)


def amount_to_settle(balance: Money, discount: Decimal, payments: int) -> Money:
    """What the debtor pays to settle ``balance`` less ``discount``; raises
    ``SettlementError`` when there is nothing to settle or too little for ``payments``."""
    if balance.amount <= 0:
        raise SettlementError("there is nothing to settle")
    amount = settlement_amount(balance, discount)
    if amount.amount < Decimal("0.01") * payments:
        raise SettlementError("the settlement amount is too small for that many payments")
    return amount


def offer_settlement(*, settlement_id: str, account_id: str, balance: Money, discount: Decimal, first_due: date,
                     payments: int, offered_by: str, offered_at: datetime, approved_by: str = "",
                     approver_role: Authority | None = None, policy: SettlementPolicy = SettlementPolicy(),
                     limits: Mapping[Authority, ApprovalLimits] = DEFAULT_LIMITS) -> Settlement:
    decision = check_offer(discount, payments, approver_role, policy, limits)
    if not decision.allowed:
        raise SettlementError(decision.reason_en)
    amount = amount_to_settle(balance, discount, payments)
    return Settlement(
        settlement_id,
        account_id,
        balance,
        discount,
        amount,
        settlement_payments(amount, first_due, payments),
        offered_by,
        offered_at,
        approved_by=approved_by,
        approver_role=approver_role,
    )


def paid_towards_settlement(
    settlement: Settlement, payments: Iterable[Payment], through: date
) -> Money:
    start = settlement.accepted_on
    if start is None:
        return Money.zero(settlement.amount.currency)
    return paid_between(payments, settlement.account_id, start, through, settlement.amount.currency)


def derived_status(settlement: Settlement, payments: Iterable[Payment], as_of: date,
                   policy: SettlementPolicy = SettlementPolicy()) -> SettlementStatus:
    """What the payments say an accepted settlement is as of ``as_of``."""
    if settlement.status is not SettlementStatus.ACCEPTED:
        return settlement.status
    paid = tuple(payments)
    if paid_towards_settlement(settlement, paid, as_of) >= settlement.amount:
        return SettlementStatus.COMPLETED
    due_so_far = Money.zero(settlement.amount.currency)
    for part in settlement.payments:
        due_so_far = due_so_far + part.amount
        cutoff = part.due_date + timedelta(days=policy.grace_days)
        if cutoff < as_of and paid_towards_settlement(settlement, paid, cutoff) < due_so_far:
            return SettlementStatus.FAILED
    return SettlementStatus.ACCEPTED


def review(settlement: Settlement, payments: Iterable[Payment], as_of: date,
           policy: SettlementPolicy = SettlementPolicy()) -> Settlement:
    return reviewed(settlement, derived_status(settlement, payments, as_of, policy), as_of)
