"""Installment plans (个性化分期): the quote, agreeing a signed plan on the ledger's balance,
cancelling it, and the plan with each installment's progress."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from arrears.domain.arrangements import plans as plan_rules
from arrears.domain.arrangements.affordability import Budget, check_affordability
from arrears.domain.arrangements.approvals import ApprovalRequest
from arrears.domain.arrangements.decisions import Decision
from arrears.domain.arrangements.payments import AccountLedger
from arrears.domain.arrangements.plans import (
    InstallmentPlan,
    InstallmentProgress,
    PlanBasis,
    PlanStatus,
    SignedAgreement,
    activate,
)
from arrears.domain.arrangements.schedule import FeePolicy, Schedule, quote_schedule
from arrears.domain.money import Money
from arrears.services.arrangements.common import (
    DEFAULT_POLICIES,
    ArrangementPolicies,
    Signer,
    audit,
    change,
    found,
    refusal,
    refuse_unless,
    today,
    within_authority,
)
from arrears.services.arrangements.payments import ledger_of, store_opened
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio


@dataclass(frozen=True, slots=True)
class PlanQuote:
    schedule: Schedule
    affordability: Decision | None


def quote_plan(balance: Money, months: int, first_due: date, fee_policy: FeePolicy | None = None, *,
               budget: Budget | None = None, policies: ArrangementPolicies = DEFAULT_POLICIES) -> PlanQuote:
    """The exact schedule, and whether it is affordable when a budget was declared."""
    schedule = quote_schedule(
        balance, months, first_due, fee_policy, terms=policies.terms, fee_limits=policies.fee_limits
    )
    affordable = (
        None if budget is None else check_affordability(schedule.largest_installment, budget, policies.affordability)
    )
    return PlanQuote(schedule, affordable)


def quote_account_plan(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, account_id: str, *, months: int,
                       first_due: date, basis: PlanBasis = PlanBasis.PAST_DUE, fee_policy: FeePolicy | None = None,
                       policies: ArrangementPolicies = DEFAULT_POLICIES) -> PlanQuote:
    """The quote of a plan on the account as ``agree_plan`` would book it now: the same amount
    (the ledger's past-due amount or whole balance, the ledger opened from the ingested account
    if it has none) and the same schedule. Stores nothing."""
    with uow:
        ledger, _ = ledger_of(uow, portfolio, account_id)
    return quote_plan(plan_principal(ledger, basis), months, first_due, fee_policy, policies=policies)


@dataclass(frozen=True, slots=True)
class AgreePlan:
    """A plan on the account's past-due amount (or whole balance), signed by the debtor."""

    plan_id: str
    account_id: str
    months: int
    first_due: date
    basis: PlanBasis = PlanBasis.PAST_DUE
    fee_policy: FeePolicy = field(default_factory=FeePolicy.none)
    fee_waiver: Decimal = Decimal("0")  # share of the issuer's standard pricing waived
    agreement_ref: str = ""
    agreement_sha256: str = ""  # of the signed document; derived from the terms when blank
    agreement_form: str = "electronic"
    budget: Budget | None = None  # declared: the plan must be affordable

    def asks(self) -> ApprovalRequest:
        return ApprovalRequest(months=self.months, fee_waiver=self.fee_waiver)


def plan_principal(ledger: AccountLedger, basis: PlanBasis) -> Money:
    balances = ledger.balances()
    principal = balances.past_due if basis is PlanBasis.PAST_DUE else balances.owed
    if principal.amount <= 0:
        raise refusal(
            "ARR-PLAN-02",
            f"账户没有可分期的{'逾期' if basis is PlanBasis.PAST_DUE else ''}金额",
            f"the account has no {basis.replace('_', ' ')} amount to spread",
        )
    return principal


def terms_digest(command: AgreePlan, principal: Money) -> str:
    """SHA-256 of the agreed terms, when no signed document's digest was given."""
    c = command
    terms = (c.plan_id, c.account_id, str(principal), str(c.months), c.first_due.isoformat(),
             str(c.fee_policy.kind), str(c.fee_policy.rate))
    return hashlib.sha256("|".join(terms).encode("utf-8")).hexdigest()


def agree_plan(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, command: AgreePlan, *, maker: str,
               approver: Signer, now: datetime, policies: ArrangementPolicies = DEFAULT_POLICIES) -> InstallmentPlan:
    """Agree a signed plan on the ledger's balance: affordable when a budget was declared, no
    other plan active, and within the authority of ``approver`` (the maker, when their own
    authority covers it); it starts active and holds collection (CN-PLAN-01). The ledger is
    opened from the ingested account if it has none; a refusal stores nothing."""
    c = command
    with uow:
        ledger, new = ledger_of(uow, portfolio, c.account_id)
        principal = plan_principal(ledger, c.basis)
        quote = quote_plan(principal, c.months, c.first_due, c.fee_policy, budget=c.budget, policies=policies)
        if quote.affordability is not None:
            refuse_unless(quote.affordability)
        on = today(now, policies)
        if any(p.status is PlanStatus.ACTIVE for p in uow.plans.for_account(c.account_id)):
            raise refusal("ARR-PLAN-01", "该账户已有履行中的分期协议",
                          "the account already has an active installment plan")
        within_authority(approver.authority, c.asks(), policies)
        account = portfolio.account(c.account_id)
        agreement = SignedAgreement(
            f"customer:{account.customer_id}" if account else f"account:{c.account_id}",
            now,
            c.agreement_ref or f"AGR-{c.plan_id}",
            c.agreement_sha256 or terms_digest(c, principal),
            c.agreement_form,
        )
        proposed = InstallmentPlan(c.plan_id, c.account_id, c.basis, quote.schedule, maker, now,
                                   approved_by=f"{approver.username} ({approver.authority})")
        plan = activate(proposed, agreement, on)
        uow.plans.save(plan)
        audit(uow, now, maker, "plan.agreed", f"plan:{plan.plan_id}", account_id=c.account_id,
              after=f"active; {c.months} months; total {quote.schedule.total_due.amount}; agreement "
                    f"{agreement.document_ref} sha256 {agreement.document_sha256[:12]}; "
                    f"approved by {approver.username}",
              approved_by=approver.username, authority=str(approver.authority))
        if new:
            store_opened(uow, ledger, actor=maker, now=now)
        uow.commit()
    return plan


@dataclass(frozen=True, slots=True)
class CancelPlan:
    plan_id: str


def cancel_plan(uow: ArrangementsUnitOfWork, command: CancelPlan, *, actor: str, now: datetime,
                policies: ArrangementPolicies = DEFAULT_POLICIES) -> InstallmentPlan:
    return change(uow, "plan", command.plan_id, lambda plan: plan_rules.cancel(plan, today(now, policies)),
                  actor=actor, now=now)


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: InstallmentPlan
    as_of: date
    derived_status: PlanStatus
    progress: tuple[InstallmentProgress, ...]


def plan_view(uow: ArrangementsUnitOfWork, plan_id: str, *, as_of: date,
              policies: ArrangementPolicies = DEFAULT_POLICIES) -> PlanView:
    """The stored plan and each installment's progress from the ledger as of ``as_of``."""
    with uow:
        plan = found(uow.plans.get(plan_id), f"no plan {plan_id} 未找到该分期")
        ledger = uow.ledgers.get(plan.account_id)
    live = ledger.live_payments(as_of) if ledger else ()
    return PlanView(
        plan,
        as_of,
        plan_rules.derived_status(plan, live, as_of, policies.plan),
        plan_rules.installment_progress(plan, live, as_of, policies.plan),
    )
