"""Arrangement use cases. Each is one unit of work: load, let the domain decide, store the
result, append an audit entry, commit. Refusals raise ``ArrangementRefused`` with the
decision (rule id, zh and en reasons) and leave nothing half done. A request within policy
but above the authority given raises ``ApprovalNeeded`` (an ``ArrangementRefused``), checked
after every other rule, so that ``arrangement_approvals`` can turn it into an approval request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from arrears.domain.arrangements import plans as plan_rules
from arrears.domain.arrangements import settlements as settlement_rules
from arrears.domain.arrangements.affordability import (
    AffordabilityPolicy,
    Budget,
    check_affordability,
)
from arrears.domain.arrangements.approvals import (
    DEFAULT_LIMITS,
    ApprovalLimits,
    ApprovalRequest,
    Role,
    check_authority,
    lowest_role_allowed,
)
from arrears.domain.arrangements.counselling import (
    CounsellingDirectory,
    Referral,
    ReferralOutcome,
)
from arrears.domain.arrangements.decisions import Decision
from arrears.domain.arrangements.effects import ArrangementEvent, Arrangements, payment_effects
from arrears.domain.arrangements.extensions import Extension, ExtensionPolicy, review_extension
from arrears.domain.arrangements.fees import FeeLimits, FeePolicy
from arrears.domain.arrangements.hardship import HardshipPolicy, HardshipProgramme, check_programme
from arrears.domain.arrangements.payments import (
    AccountLedger,
    LedgerChange,
    Payment,
    PaymentEvent,
)
from arrears.domain.arrangements.payments import (
    post_payment as post_to_ledger,
)
from arrears.domain.arrangements.payments import (
    reverse_payment as reverse_on_ledger,
)
from arrears.domain.arrangements.plans import (
    InstallmentPlan,
    PlanBasis,
    PlanPolicy,
    SignedAgreement,
    activate,
)
from arrears.domain.arrangements.promises import PromisePolicy, PromiseToPay, check_promise
from arrears.domain.arrangements.schedule import Schedule, TermLimits, quote_schedule
from arrears.domain.arrangements.settlements import Settlement, SettlementPolicy
from arrears.domain.money import Money
from arrears.services.arrangement_ports import ArrangementsUnitOfWork, AuditEntry

DEFAULT_ZONE = "Asia/Shanghai"


class ArrangementRefused(Exception):
    """A rule refused the request; ``decision`` says which and why."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(f"{decision.rule_id}: {decision.reason_en}")
        self.decision = decision


class ApprovalNeeded(ArrangementRefused):
    """Everything else allows the request, but the authority given does not cover it:
    ``required`` is the least authority that does (None when no role may approve it)."""

    def __init__(self, decision: Decision, required: Role | None) -> None:
        super().__init__(decision)
        self.required = required


class NotFound(LookupError):
    """The account, plan, settlement or referral named does not exist."""


@dataclass(frozen=True, slots=True)
class ArrangementPolicies:
    """Every setting the use cases apply, in one place (defaults documented in
    docs/arrangements.md)."""

    terms: TermLimits = field(default_factory=TermLimits)
    fee_limits: FeeLimits = field(default_factory=FeeLimits)
    affordability: AffordabilityPolicy = field(default_factory=AffordabilityPolicy)
    promise: PromisePolicy = field(default_factory=PromisePolicy)
    plan: PlanPolicy = field(default_factory=PlanPolicy)
    extension: ExtensionPolicy = field(default_factory=ExtensionPolicy)
    settlement: SettlementPolicy = field(default_factory=SettlementPolicy)
    hardship: HardshipPolicy = field(default_factory=HardshipPolicy)
    limits: Mapping[Role, ApprovalLimits] = field(default_factory=lambda: DEFAULT_LIMITS)
    zone: str = DEFAULT_ZONE


DEFAULT_POLICIES = ArrangementPolicies()


def _today(now: datetime, policies: ArrangementPolicies) -> date:
    if now.tzinfo is None:
        raise ValueError("now must carry its time zone")
    return now.astimezone(ZoneInfo(policies.zone)).date()


def _refuse_unless(decision: Decision) -> None:
    if not decision.allowed:
        raise ArrangementRefused(decision)


def _needs_approval_unless(decision: Decision, request: ApprovalRequest, policies: ArrangementPolicies) -> None:
    if not decision.allowed:
        raise ApprovalNeeded(decision, lowest_role_allowed(request, policies.limits))


def _within_authority(role: Role | None, request: ApprovalRequest, policies: ArrangementPolicies) -> None:
    _needs_approval_unless(check_authority(role, request, policies.limits), request, policies)


# --- installment plans -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlanQuote:
    schedule: Schedule
    affordability: Decision | None


def quote_plan(
    balance: Money,
    months: int,
    first_due: date,
    fee_policy: FeePolicy | None = None,
    *,
    budget: Budget | None = None,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> PlanQuote:
    """The exact schedule, and whether it is affordable when a budget was declared."""
    schedule = quote_schedule(
        balance, months, first_due, fee_policy, terms=policies.terms, fee_limits=policies.fee_limits
    )
    affordable = (
        None if budget is None else check_affordability(schedule.largest_installment, budget, policies.affordability)
    )
    return PlanQuote(schedule, affordable)


@dataclass(frozen=True, slots=True)
class PlanTerms:
    plan_id: str
    account_id: str
    basis: PlanBasis
    principal: Money
    months: int
    first_due: date
    fee_policy: FeePolicy = field(default_factory=FeePolicy.none)
    fee_waiver: Decimal = Decimal("0")  # share of the issuer's standard pricing waived


def agree_plan(
    uow: ArrangementsUnitOfWork,
    terms: PlanTerms,
    agreement: SignedAgreement,
    *,
    actor: str,
    role: Role | None,
    now: datetime,
    approved_by: str = "",
    budget: Budget | None = None,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> InstallmentPlan:
    """Agree a signed plan: affordable when a budget was declared, no other plan active, and
    within the authority ``role`` of whoever approves it (``approved_by``; the actor when
    blank); it starts active and holds collection (CN-PLAN-01)."""
    quote = quote_plan(
        terms.principal,
        terms.months,
        terms.first_due,
        terms.fee_policy,
        budget=budget,
        policies=policies,
    )
    if quote.affordability is not None:
        _refuse_unless(quote.affordability)
    today = _today(now, policies)
    with uow:
        if any(p.status is plan_rules.PlanStatus.ACTIVE for p in uow.plans.for_account(terms.account_id)):
            raise ArrangementRefused(
                Decision(
                    "ARR-PLAN-01",
                    False,
                    "该账户已有履行中的分期协议",
                    "the account already has an active installment plan",
                )
            )
        _within_authority(role, ApprovalRequest(months=terms.months, fee_waiver=terms.fee_waiver), policies)
        approver = approved_by or actor
        proposed = InstallmentPlan(
            terms.plan_id,
            terms.account_id,
            terms.basis,
            quote.schedule,
            actor,
            now,
            approved_by=f"{approver} ({role})",
        )
        plan = activate(proposed, agreement, today)
        uow.plans.save(plan)
        uow.audit.append(
            AuditEntry(
                now,
                actor,
                "plan.agreed",
                f"plan:{plan.plan_id}",
                "none",
                f"active; {terms.months} months; total {quote.schedule.total_due.amount}; "
                f"agreement {agreement.document_ref} sha256 {agreement.document_sha256[:12]}; approved by {approver}",
                {"account_id": terms.account_id, "approved_by": approver, "authority": str(role)},
            )
        )
        uow.commit()
    return plan


def cancel_plan(
    uow: ArrangementsUnitOfWork,
    plan_id: str,
    *,
    actor: str,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> InstallmentPlan:
    with uow:
        plan = uow.plans.get(plan_id)
        if plan is None:
            raise NotFound(f"no plan {plan_id}")
        cancelled = plan_rules.cancel(plan, _today(now, policies))
        uow.plans.save(cancelled)
        uow.audit.append(AuditEntry(now, actor, "plan.cancelled", f"plan:{plan_id}", plan.status, cancelled.status))
        uow.commit()
    return cancelled


# --- promises ----------------------------------------------------------------------------
def vet_promise(promise: PromiseToPay, *, policies: ArrangementPolicies = DEFAULT_POLICIES) -> None:
    """Raise ``ArrangementRefused`` when the rules refuse the promise: what ``record_promise``
    checks before it stores anything, for a caller that must know before it writes its own rows."""
    _refuse_unless(check_promise(promise, policies.promise))


def record_promise(
    uow: ArrangementsUnitOfWork,
    promise: PromiseToPay,
    *,
    actor: str,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> PromiseToPay:
    vet_promise(promise, policies=policies)
    with uow:
        if any(p.promise_id == promise.promise_id for p in uow.promises.for_account(promise.account_id)):
            return promise  # the same promise recorded again: nothing to do
        uow.promises.add(promise)
        uow.audit.append(
            AuditEntry(
                now,
                actor,
                "promise.recorded",
                f"promise:{promise.promise_id}",
                "none",
                f"{promise.amount.amount} by {promise.promised_date} via {promise.channel}",
            )
        )
        uow.commit()
    return promise


# --- payments ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    ledger_events: tuple[PaymentEvent, ...]
    effects: tuple[ArrangementEvent, ...]

    @property
    def changed(self) -> bool:
        return bool(self.ledger_events)


def open_ledger(uow: ArrangementsUnitOfWork, ledger: AccountLedger, *, actor: str, now: datetime) -> None:
    """Start an account's payment ledger from its opening balances (ingestion does this)."""
    with uow:
        if uow.ledgers.get(ledger.account_id) is None:
            uow.ledgers.save(ledger)
            o = ledger.opening
            uow.audit.append(
                AuditEntry(
                    now,
                    actor,
                    "ledger.opened",
                    f"account:{ledger.account_id}",
                    "none",
                    f"fees {o.fees.amount} interest {o.interest.amount} principal "
                    f"{o.principal.amount} past due {o.past_due.amount}",
                )
            )
            uow.commit()


def post_payment(
    uow: ArrangementsUnitOfWork,
    payment: Payment,
    *,
    actor: str,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> PaymentOutcome:
    """Post a payment (idempotent by payment id) and return what it did."""
    with uow:
        ledger = _ledger(uow, payment.account_id)
        change = post_to_ledger(ledger, payment)
        as_of = max(_today(now, policies), payment.paid_on)
        return _apply_change(
            uow,
            ledger,
            change,
            action="payment.posted",
            payment_id=payment.payment_id,
            actor=actor,
            now=now,
            as_of=as_of,
            policies=policies,
        )


def reverse_payment(
    uow: ArrangementsUnitOfWork,
    account_id: str,
    payment_id: str,
    *,
    reason: str,
    actor: str,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> PaymentOutcome:
    with uow:
        ledger = _ledger(uow, account_id)
        change = reverse_on_ledger(ledger, payment_id, _today(now, policies), reason)
        return _apply_change(
            uow,
            ledger,
            change,
            action="payment.reversed",
            payment_id=payment_id,
            actor=actor,
            now=now,
            as_of=_today(now, policies),
            policies=policies,
        )


def _ledger(uow: ArrangementsUnitOfWork, account_id: str) -> AccountLedger:
    ledger = uow.ledgers.get(account_id)
    if ledger is None:
        raise NotFound(f"no payment ledger for account {account_id}")
    return ledger


def _apply_change(
    uow: ArrangementsUnitOfWork,
    before: AccountLedger,
    change: LedgerChange,
    *,
    action: str,
    payment_id: str,
    actor: str,
    now: datetime,
    as_of: date,
    policies: ArrangementPolicies,
) -> PaymentOutcome:
    if not change.changed:
        return PaymentOutcome((), ())
    today = as_of
    arrangements = _arrangements(uow, before.account_id, policies)
    effects = payment_effects(arrangements, before, change.ledger, today)
    uow.ledgers.save(change.ledger)
    _review_arrangements(uow, arrangements, change.ledger.live_payments(today), today, policies, actor=actor, now=now)
    b, a = before.balances(), change.ledger.balances()
    uow.audit.append(
        AuditEntry(
            now,
            actor,
            action,
            f"payment:{payment_id}",
            f"owed {b.owed.amount} past due {b.past_due.amount} credit {b.credit.amount}",
            f"owed {a.owed.amount} past due {a.past_due.amount} credit {a.credit.amount}; "
            f"effects: {', '.join(type(e).__name__ for e in effects) or 'none'}",
        )
    )
    uow.commit()
    return PaymentOutcome(change.events, effects)


def _arrangements(uow: ArrangementsUnitOfWork, account_id: str, policies: ArrangementPolicies) -> Arrangements:
    return Arrangements(
        uow.promises.for_account(account_id),
        uow.plans.for_account(account_id),
        uow.settlements.for_account(account_id),
        policies.promise,
        policies.plan,
        policies.settlement,
    )


def _review_arrangements(
    uow: ArrangementsUnitOfWork,
    arrangements: Arrangements,
    live: Sequence[Payment],
    today: date,
    policies: ArrangementPolicies,
    *,
    actor: str,
    now: datetime,
) -> int:
    """Store (and audit) plans and settlements that the payments live on ``today``
    completed or broke; returns how many changed."""
    changed = 0
    for plan in arrangements.plans:
        reviewed = plan_rules.review(plan, live, today, policies.plan)
        if reviewed.status is not plan.status:
            uow.plans.save(reviewed)
            uow.audit.append(
                AuditEntry(
                    now,
                    actor,
                    f"plan.{reviewed.status}",
                    f"plan:{plan.plan_id}",
                    plan.status,
                    reviewed.status,
                    {"account_id": plan.account_id, "on": str(today)},
                )
            )
            changed += 1
    for settlement in arrangements.settlements:
        reviewed_s = settlement_rules.review(settlement, live, today, policies.settlement)
        if reviewed_s.status is not settlement.status:
            uow.settlements.save(reviewed_s)
            uow.audit.append(
                AuditEntry(
                    now,
                    actor,
                    f"settlement.{reviewed_s.status}",
                    f"settlement:{settlement.settlement_id}",
                    settlement.status,
                    reviewed_s.status,
                    {"account_id": settlement.account_id, "on": str(today)},
                )
            )
            changed += 1
    return changed


def review_account(
    uow: ArrangementsUnitOfWork,
    account_id: str,
    *,
    actor: str,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> int:
    """Move the account's plans and settlements to completed, broken or failed when the
    ledger says so as of today; returns how many changed. The nightly run is the intended
    caller; ``plan show`` only reports the derived status without storing it."""
    today = _today(now, policies)
    with uow:
        ledger = _ledger(uow, account_id)
        changed = _review_arrangements(
            uow, _arrangements(uow, account_id, policies), ledger.live_payments(today), today, policies,
            actor=actor, now=now,
        )
        if changed:
            uow.commit()
    return changed


def review_account_on(
    uow: ArrangementsUnitOfWork,
    account_id: str,
    *,
    on: date,
    received: Sequence[Payment] = (),
    actor: str,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> int:
    """``review_account`` for a business date given explicitly (the nightly run's
    ``--as-of``), judging with the ledger's payments live on ``on`` and the ``received``
    payments (e.g. ingested, not yet posted) dated on or before it, each payment id once.
    An account without a ledger is judged on ``received`` alone."""
    with uow:
        ledger = uow.ledgers.get(account_id)
        live = {p.payment_id: p for p in received if p.paid_on <= on}
        if ledger is not None:
            live.update({p.payment_id: p for p in ledger.live_payments(on)})
        changed = _review_arrangements(
            uow, _arrangements(uow, account_id, policies), tuple(live.values()), on, policies,
            actor=actor, now=now,
        )
        if changed:
            uow.commit()
    return changed


# --- extensions, settlements, hardship, counselling --------------------------------------
def request_extension(
    uow: ArrangementsUnitOfWork,
    extension: Extension,
    *,
    role: Role | None,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> Extension:
    """Grant an extension within policy and within the authority ``role`` of whoever grants
    it (``extension.granted_by``)."""
    with uow:
        past = uow.extensions.for_account(extension.account_id)
        _refuse_unless(
            review_extension(
                extension.original_due,
                extension.new_due,
                extension.requested_on,
                past,
                policies.extension,
            )
        )
        _within_authority(role, ApprovalRequest(extension_days=extension.days), policies)
        uow.extensions.add(extension)
        uow.audit.append(
            AuditEntry(
                now,
                extension.granted_by,
                "extension.granted",
                f"{extension.subject}@account:{extension.account_id}",
                f"due {extension.original_due}",
                f"due {extension.new_due}",
                {"account_id": extension.account_id, "authority": str(role)},
            )
        )
        uow.commit()
    return extension


@dataclass(frozen=True, slots=True)
class SettlementTerms:
    settlement_id: str
    account_id: str
    balance: Money
    discount: Decimal
    first_due: date
    payments: int = 1


def offer_settlement(
    uow: ArrangementsUnitOfWork,
    terms: SettlementTerms,
    *,
    actor: str,
    now: datetime,
    approved_by: str = "",
    approver_role: Role | None = None,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> Settlement:
    """Offer a settlement within policy; a discount above the threshold needs the authority
    ``approver_role`` of its approver ``approved_by``."""
    _refuse_unless(settlement_rules.check_terms(terms.discount, terms.payments, policies.settlement))
    settlement_rules.amount_to_settle(terms.balance, terms.discount, terms.payments)
    _needs_approval_unless(
        settlement_rules.check_approval(terms.discount, approver_role, policies.settlement, policies.limits),
        ApprovalRequest(settlement_discount=terms.discount),
        policies,
    )
    offer = settlement_rules.offer_settlement(
        settlement_id=terms.settlement_id,
        account_id=terms.account_id,
        balance=terms.balance,
        discount=terms.discount,
        first_due=terms.first_due,
        payments=terms.payments,
        offered_by=actor,
        offered_at=now,
        approved_by=approved_by,
        approver_role=approver_role,
        policy=policies.settlement,
        limits=policies.limits,
    )
    with uow:
        uow.settlements.save(offer)
        uow.audit.append(
            AuditEntry(
                now,
                actor,
                "settlement.offered",
                f"settlement:{offer.settlement_id}",
                f"balance {offer.balance.amount}",
                f"pay {offer.amount.amount} in {len(offer.payments)}; discount {offer.discount}; "
                f"approved by {approved_by or 'not needed'}",
                {"account_id": offer.account_id, "approved_by": approved_by,
                 "authority": "" if approver_role is None else str(approver_role)},
            )
        )
        uow.commit()
    return offer


def accept_settlement(
    uow: ArrangementsUnitOfWork,
    settlement_id: str,
    *,
    actor: str,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> Settlement:
    with uow:
        offer = uow.settlements.get(settlement_id)
        if offer is None:
            raise NotFound(f"no settlement {settlement_id}")
        accepted = offer.moved_to(settlement_rules.SettlementStatus.ACCEPTED, _today(now, policies))
        uow.settlements.save(accepted)
        uow.audit.append(
            AuditEntry(
                now,
                actor,
                "settlement.accepted",
                f"settlement:{settlement_id}",
                offer.status,
                accepted.status,
            )
        )
        uow.commit()
    return accepted


def enrol_hardship(
    uow: ArrangementsUnitOfWork,
    programme: HardshipProgramme,
    *,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> HardshipProgramme:
    _refuse_unless(check_programme(programme, policies.hardship))
    with uow:
        uow.hardship.add(programme)
        uow.audit.append(
            AuditEntry(
                now,
                programme.enrolled_by,
                "hardship.enrolled",
                f"hardship:{programme.programme_id}",
                "none",
                f"{programme.kind} {programme.start}..{programme.end}; review {programme.review_on}",
            )
        )
        uow.commit()
    return programme


def refer_to_counselling(
    uow: ArrangementsUnitOfWork,
    referral: Referral,
    directory: CounsellingDirectory,
    *,
    now: datetime,
) -> Referral:
    if directory.get(referral.organisation_id) is None:
        raise NotFound(f"no counselling organisation {referral.organisation_id}")
    if not referral.consent:
        raise ArrangementRefused(
            Decision(
                "ARR-COUNSEL-01",
                False,
                "转介须经债务人同意",
                "a referral needs the debtor's consent",
            )
        )
    with uow:
        uow.referrals.save(referral)
        uow.audit.append(
            AuditEntry(
                now,
                referral.referred_by,
                "counselling.referred",
                f"referral:{referral.referral_id}",
                "none",
                f"to {referral.organisation_id}; consent given",
            )
        )
        uow.commit()
    return referral


def record_referral_outcome(
    uow: ArrangementsUnitOfWork,
    referral_id: str,
    outcome: ReferralOutcome,
    *,
    actor: str,
    now: datetime,
    note: str = "",
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> Referral:
    with uow:
        referral = uow.referrals.get(referral_id)
        if referral is None:
            raise NotFound(f"no referral {referral_id}")
        updated = referral.with_outcome(outcome, _today(now, policies), note)
        uow.referrals.save(updated)
        uow.audit.append(
            AuditEntry(
                now,
                actor,
                "counselling.outcome",
                f"referral:{referral_id}",
                referral.outcome,
                updated.outcome,
            )
        )
        uow.commit()
    return updated
