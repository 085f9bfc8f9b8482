"""Arrangement use cases on ingested accounts: open an account's payment ledger from the
portfolio, post and reverse payments by id, agree plans and offer settlements on the
ledger's balances, review an account, and the read models (plan view, an account's
arrangements, promise history against the ingested contacts and payments).

The ingested portfolio is read through the small ``IngestedPortfolio`` protocol; the SQL
reader is ``arrears.adapters.storage.portfolio_reader``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from arrears.domain.arrangements import plans as plan_rules
from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.approvals import Role
from arrears.domain.arrangements.counselling import Referral
from arrears.domain.arrangements.decisions import Decision
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.fees import FeePolicy
from arrears.domain.arrangements.hardship import HardshipProgramme
from arrears.domain.arrangements.payments import AccountLedger, Balances, Payment, PaymentError
from arrears.domain.arrangements.plans import (
    InstallmentPlan,
    InstallmentProgress,
    PlanBasis,
    PlanStatus,
    SignedAgreement,
)
from arrears.domain.arrangements.promises import (
    PromiseHistory,
    PromiseStatus,
    PromiseToPay,
    promise_status,
)
from arrears.domain.arrangements.promises import promise_history as derive_history
from arrears.domain.arrangements.settlements import Settlement
from arrears.domain.money import Money
from arrears.services import arrangements as svc
from arrears.services.arrangement_ports import ArrangementsUnitOfWork
from arrears.services.arrangements import (
    DEFAULT_POLICIES,
    ArrangementPolicies,
    ArrangementRefused,
    NotFound,
)


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


class IngestedPortfolio(Protocol):
    def account(self, account_id: str) -> IngestedAccount | None: ...
    def contact_promises(self, account_id: str) -> tuple[PromiseToPay, ...]: ...
    def received_payments(self, account_id: str) -> tuple[Payment, ...]: ...


def _refuse(rule_id: str, zh: str, en: str) -> ArrangementRefused:
    return ArrangementRefused(Decision(rule_id, False, zh, en))


# --- the ledger ---------------------------------------------------------------------------
def opening_balances(account: IngestedAccount) -> Balances:
    """Fees, interest and principal as ingested; a balance given without its split is all
    principal. A credit balance or inconsistent figures are refused with the reason."""
    zero = Money.zero(account.currency)
    fees, interest = account.fees or zero, account.interest or zero
    principal = account.principal or (account.balance - fees - interest)
    oldest = account.oldest_unpaid_due_date
    try:
        return Balances.opening(fees, interest, principal, account.past_due, oldest)
    except PaymentError as exc:
        raise _refuse(
            "ARR-LEDGER-01",
            f"账户 {account.account_id} 的余额数据无法建立还款台账：{exc}",
            f"account {account.account_id}: the ingested balances cannot open a ledger: {exc}",
        ) from exc


def current_ledger(
    uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, account_id: str
) -> tuple[AccountLedger, bool]:
    """The account's stored ledger, or (not yet stored) one opened from the ingested
    account; the flag says whether it still has to be stored."""
    with uow:
        existing = uow.ledgers.get(account_id)
    if existing is not None:
        return existing, False
    account = portfolio.account(account_id)
    if account is None:
        raise NotFound(f"no account {account_id} 账户不存在")
    return AccountLedger(account_id, opening_balances(account)), True


def ensure_ledger(
    uow: ArrangementsUnitOfWork,
    portfolio: IngestedPortfolio,
    account_id: str,
    *,
    actor: str,
    now: datetime,
) -> AccountLedger:
    """The account's ledger, opened from the ingested account when it has none yet."""
    ledger, new = current_ledger(uow, portfolio, account_id)
    if new:
        svc.open_ledger(uow, ledger, actor=actor, now=now)
    return ledger


def post_received_payment(
    uow: ArrangementsUnitOfWork,
    portfolio: IngestedPortfolio,
    *,
    account_id: str,
    payment_id: str,
    amount: Money,
    paid_at: datetime,
    channel: str = "",
    actor: str,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> svc.PaymentOutcome:
    """Post a payment by its id: the same id again is a no-op, the same id on another
    account or with other content is refused."""
    if paid_at.tzinfo is not None and paid_at > now:
        raise _refuse(
            "ARR-PAY-01",
            f"还款时间 {paid_at.isoformat()} 晚于当前时间，不能预先入账",
            f"paid at {paid_at.isoformat()} is in the future: a payment is posted once received",
        )
    ensure_ledger(uow, portfolio, account_id, actor=actor, now=now)
    with uow:
        holder = uow.ledgers.account_of_payment(payment_id)
    if holder is not None and holder != account_id:
        raise _refuse(
            "ARR-PAY-01",
            f"还款编号 {payment_id} 已用于账户 {holder}",
            f"payment id {payment_id} was already posted to account {holder}",
        )
    account = portfolio.account(account_id)
    zone = account.zone if account else policies.zone
    try:
        payment = Payment.received(payment_id, account_id, amount, paid_at, zone=zone, channel=channel)
        return svc.post_payment(uow, payment, actor=actor, now=now, policies=policies)
    except PaymentError as exc:
        raise _refuse("ARR-PAY-01", f"还款无法入账：{exc}", f"the payment cannot be posted: {exc}") from exc


def reverse_posted_payment(
    uow: ArrangementsUnitOfWork,
    payment_id: str,
    *,
    reason: str,
    actor: str,
    now: datetime,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> svc.PaymentOutcome:
    with uow:
        account_id = uow.ledgers.account_of_payment(payment_id)
    if account_id is None:
        raise NotFound(f"no posted payment {payment_id} 未找到该还款")
    try:
        return svc.reverse_payment(uow, account_id, payment_id, reason=reason, actor=actor, now=now, policies=policies)
    except PaymentError as exc:
        raise _refuse("ARR-PAY-02", f"还款无法冲正：{exc}", f"the payment cannot be reversed: {exc}") from exc


# --- plans and settlements on the ledger's balances ---------------------------------------
@dataclass(frozen=True, slots=True)
class PlanRequest:
    plan_id: str
    account_id: str
    months: int
    first_due: date
    basis: PlanBasis = PlanBasis.PAST_DUE
    fee_policy: FeePolicy = field(default_factory=FeePolicy.none)
    fee_waiver: Decimal = Decimal("0")
    agreement_ref: str = ""
    agreement_sha256: str = ""  # of the signed document; derived from the terms when blank
    agreement_form: str = "electronic"
    budget: Budget | None = None


def plan_principal(ledger: AccountLedger, basis: PlanBasis) -> Money:
    balances = ledger.balances()
    principal = balances.past_due if basis is PlanBasis.PAST_DUE else balances.owed
    if principal.amount <= 0:
        raise _refuse(
            "ARR-PLAN-02",
            f"账户没有可分期的{'逾期' if basis is PlanBasis.PAST_DUE else ''}金额",
            f"the account has no {basis.replace('_', ' ')} amount to spread",
        )
    return principal


def terms_digest(request: PlanRequest, principal: Money) -> str:
    """SHA-256 of the agreed terms, when no signed document's digest was given."""
    text = "|".join(
        (
            request.plan_id,
            request.account_id,
            str(principal),
            str(request.months),
            request.first_due.isoformat(),
            str(request.fee_policy.kind),
            str(request.fee_policy.rate),
        )
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def agree_plan_for_account(
    uow: ArrangementsUnitOfWork,
    portfolio: IngestedPortfolio,
    request: PlanRequest,
    *,
    actor: str,
    role: Role | None,
    now: datetime,
    approved_by: str = "",
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> InstallmentPlan:
    """Agree a plan on the ledger's balance, within the authority ``role`` of whoever approves
    it (``approved_by``; the actor when blank)."""
    ledger, new = current_ledger(uow, portfolio, request.account_id)
    principal = plan_principal(ledger, request.basis)
    account = portfolio.account(request.account_id)
    signer = f"customer:{account.customer_id}" if account else f"account:{request.account_id}"
    agreement = SignedAgreement(
        signer,
        now,
        request.agreement_ref or f"AGR-{request.plan_id}",
        request.agreement_sha256 or terms_digest(request, principal),
        request.agreement_form,
    )
    terms = svc.PlanTerms(
        request.plan_id,
        request.account_id,
        request.basis,
        principal,
        request.months,
        request.first_due,
        request.fee_policy,
        request.fee_waiver,
    )
    plan = svc.agree_plan(
        uow,
        terms,
        agreement,
        actor=actor,
        role=role,
        now=now,
        approved_by=approved_by,
        budget=request.budget,
        policies=policies,
    )
    if new:  # only once the plan was agreed: a refusal stores nothing
        svc.open_ledger(uow, ledger, actor=actor, now=now)
    return plan


def offer_settlement_for_account(
    uow: ArrangementsUnitOfWork,
    portfolio: IngestedPortfolio,
    *,
    settlement_id: str,
    account_id: str,
    discount: Decimal,
    first_due: date,
    payments: int,
    actor: str,
    now: datetime,
    approved_by: str = "",
    approver_role: Role | None = None,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> Settlement:
    """Offer to settle what the ledger says is owed now, less ``discount``."""
    ledger, new = current_ledger(uow, portfolio, account_id)
    terms = svc.SettlementTerms(settlement_id, account_id, ledger.balances().owed, discount, first_due, payments)
    offer = svc.offer_settlement(
        uow,
        terms,
        actor=actor,
        now=now,
        approved_by=approved_by,
        approver_role=approver_role,
        policies=policies,
    )
    if new:  # only once the offer was made: a refusal stores nothing
        svc.open_ledger(uow, ledger, actor=actor, now=now)
    return offer


# --- read models --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlanView:
    plan: InstallmentPlan
    as_of: date
    derived_status: PlanStatus
    progress: tuple[InstallmentProgress, ...]


def plan_view(
    uow: ArrangementsUnitOfWork,
    plan_id: str,
    *,
    as_of: date,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> PlanView:
    """The stored plan and each installment's progress from the ledger as of ``as_of``."""
    with uow:
        plan = uow.plans.get(plan_id)
        if plan is None:
            raise NotFound(f"no plan {plan_id} 未找到该分期")
        ledger = uow.ledgers.get(plan.account_id)
    live = ledger.live_payments(as_of) if ledger else ()
    return PlanView(
        plan,
        as_of,
        plan_rules.derived_status(plan, live, as_of, policies.plan),
        plan_rules.installment_progress(plan, live, as_of, policies.plan),
    )


@dataclass(frozen=True, slots=True)
class AccountArrangements:
    account_id: str
    balances: Balances | None  # None until the ledger is opened
    promises: tuple[PromiseToPay, ...]
    plans: tuple[InstallmentPlan, ...]
    settlements: tuple[Settlement, ...]
    extensions: tuple[Extension, ...]
    hardship: tuple[HardshipProgramme, ...]
    referrals: tuple[Referral, ...]


def account_arrangements(uow: ArrangementsUnitOfWork, account_id: str) -> AccountArrangements:
    with uow:
        ledger = uow.ledgers.get(account_id)
        return AccountArrangements(
            account_id,
            ledger.balances() if ledger else None,
            uow.promises.for_account(account_id),
            uow.plans.for_account(account_id),
            uow.settlements.for_account(account_id),
            uow.extensions.for_account(account_id),
            uow.hardship.for_account(account_id),
            uow.referrals.for_account(account_id),
        )


@dataclass(frozen=True, slots=True)
class PromiseOutcome:
    promise: PromiseToPay
    status: PromiseStatus
    source: str  # "contact" (ingested contacts) or "recorded" (promises_to_pay)


@dataclass(frozen=True, slots=True)
class AccountPromiseHistory:
    account_id: str
    as_of: date
    promises: tuple[PromiseOutcome, ...]
    summary: PromiseHistory


def promise_history(
    uow: ArrangementsUnitOfWork,
    portfolio: IngestedPortfolio,
    account_id: str,
    as_of: date,
    *,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> AccountPromiseHistory:
    """Every promise on the account (from the ingested contacts and those recorded here),
    judged by the domain against the payments live on ``as_of``: the ingested payments not
    reversed, plus the ledger's posted payments (each payment id counted once)."""
    with uow:
        recorded = uow.promises.for_account(account_id)
        ledger = uow.ledgers.get(account_id)
    payments = {p.payment_id: p for p in portfolio.received_payments(account_id)}
    if ledger is not None:
        payments.update({p.payment_id: p for p in ledger.live_payments(as_of)})
    paid = tuple(payments.values())
    sourced = [(p, "contact") for p in portfolio.contact_promises(account_id)]
    sourced += [(p, "recorded") for p in recorded]
    made = [(p, s) for p, s in sourced if p.made_on <= as_of]
    outcomes = tuple(
        PromiseOutcome(p, promise_status(p, paid, as_of, policies.promise), s)
        for p, s in sorted(made, key=lambda item: (item[0].made_at, item[0].promise_id))
    )
    summary = derive_history([o.promise for o in outcomes], paid, as_of, policies.promise)
    return AccountPromiseHistory(account_id, as_of, outcomes, summary)
