"""The outward shape of arrangements (API responses and the CLI's --json): Pydantic models
with money as strings to the fen ("1200.00") and dates as ISO text. Built from the domain
objects by the ``*_out`` functions; shared by the API and the CLI."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from arrears.domain.arrangements.counselling import Referral
from arrears.domain.arrangements.decisions import Decision
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.hardship import HardshipProgramme
from arrears.domain.arrangements.payments import Balances
from arrears.domain.arrangements.plans import InstallmentPlan
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.settlements import Settlement
from arrears.domain.money import MINOR_UNIT, Money
from arrears.services.arrangement_accounts import (
    AccountArrangements,
    AccountPromiseHistory,
    PlanView,
)
from arrears.services.arrangements import PaymentOutcome


def fen(money: Money) -> str:
    return str(money.amount.quantize(MINOR_UNIT))


class DecisionOut(BaseModel):
    rule_id: str
    allowed: bool
    reason_zh: str
    reason_en: str
    citation: str = ""


def decision_out(d: Decision) -> DecisionOut:
    return DecisionOut(**d.as_dict())  # type: ignore[arg-type]


class BalancesOut(BaseModel):
    currency: str
    fees: str
    interest: str
    principal: str
    owed: str
    past_due: str
    credit: str
    oldest_unpaid_due_date: date | None


def balances_out(b: Balances) -> BalancesOut:
    return BalancesOut(
        currency=b.principal.currency,
        fees=fen(b.fees),
        interest=fen(b.interest),
        principal=fen(b.principal),
        owed=fen(b.owed),
        past_due=fen(b.past_due),
        credit=fen(b.credit),
        oldest_unpaid_due_date=b.oldest_unpaid_due_date,
    )


class InstallmentOut(BaseModel):
    number: int
    due_date: date
    principal: str
    fee: str
    interest: str
    total: str
    paid: str | None = None
    status: str | None = None


class PlanOut(BaseModel):
    plan_id: str
    account_id: str
    basis: str
    status: str
    currency: str
    principal: str
    months: int
    first_due: date
    fee_kind: str
    fee_rate: str
    total_due: str
    proposed_by: str
    approved_by: str
    agreement_ref: str | None
    agreement_sha256: str | None
    activated_on: date | None
    closed_on: date | None
    as_of: date | None = None
    derived_status: str | None = None
    installments: list[InstallmentOut]


def plan_out(plan: InstallmentPlan, view: PlanView | None = None) -> PlanOut:
    s = plan.schedule
    progress = {p.installment.number: p for p in view.progress} if view else {}
    rows = []
    for i in s.installments:
        p = progress.get(i.number)
        rows.append(
            InstallmentOut(
                number=i.number,
                due_date=i.due_date,
                principal=fen(i.principal),
                fee=fen(i.fee),
                interest=fen(i.interest),
                total=fen(i.total),
                paid=fen(p.paid) if p else None,
                status=str(p.status) if p else None,
            )
        )
    return PlanOut(
        plan_id=plan.plan_id,
        account_id=plan.account_id,
        basis=str(plan.basis),
        status=str(plan.status),
        currency=s.principal.currency,
        principal=fen(s.principal),
        months=s.months,
        first_due=s.first_due,
        fee_kind=str(s.policy.kind),
        fee_rate=str(s.policy.rate),
        total_due=fen(s.total_due),
        proposed_by=plan.proposed_by,
        approved_by=plan.approved_by,
        agreement_ref=plan.agreement.document_ref if plan.agreement else None,
        agreement_sha256=plan.agreement.document_sha256 if plan.agreement else None,
        activated_on=plan.activated_on,
        closed_on=plan.closed_on,
        as_of=view.as_of if view else None,
        derived_status=str(view.derived_status) if view else None,
        installments=rows,
    )


class PromiseOut(BaseModel):
    promise_id: str
    account_id: str
    amount: str
    currency: str
    promised_date: date
    channel: str
    taken_by: str
    made_at: datetime
    status: str | None = None
    source: str | None = None


def promise_out(p: PromiseToPay, status: str | None = None, source: str | None = None) -> PromiseOut:
    return PromiseOut(
        promise_id=p.promise_id,
        account_id=p.account_id,
        amount=fen(p.amount),
        currency=p.amount.currency,
        promised_date=p.promised_date,
        channel=str(p.channel),
        taken_by=p.taken_by,
        made_at=p.made_at,
        status=status,
        source=source,
    )


class PromiseHistoryOut(BaseModel):
    account_id: str
    as_of: date
    made: int
    open: int
    kept: int
    partly_kept: int
    broken: int
    kept_ratio: float | None
    promises: list[PromiseOut]


def promise_history_out(h: AccountPromiseHistory) -> PromiseHistoryOut:
    s = h.summary
    return PromiseHistoryOut(
        account_id=h.account_id,
        as_of=h.as_of,
        made=s.made,
        open=s.open,
        kept=s.kept,
        partly_kept=s.partly_kept,
        broken=s.broken,
        kept_ratio=s.kept_ratio,
        promises=[promise_out(o.promise, str(o.status), o.source) for o in h.promises],
    )


class SettlementPaymentOut(BaseModel):
    number: int
    due_date: date
    amount: str


class SettlementOut(BaseModel):
    settlement_id: str
    account_id: str
    status: str
    currency: str
    balance: str
    discount: str
    amount: str
    forgiven: str
    offered_by: str
    approved_by: str
    approver_role: str | None
    accepted_on: date | None
    closed_on: date | None
    payments: list[SettlementPaymentOut]


def settlement_out(s: Settlement) -> SettlementOut:
    return SettlementOut(
        settlement_id=s.settlement_id,
        account_id=s.account_id,
        status=str(s.status),
        currency=s.amount.currency,
        balance=fen(s.balance),
        discount=str(s.discount),
        amount=fen(s.amount),
        forgiven=fen(s.forgiven),
        offered_by=s.offered_by,
        approved_by=s.approved_by,
        approver_role=None if s.approver_role is None else str(s.approver_role),
        accepted_on=s.accepted_on,
        closed_on=s.closed_on,
        payments=[
            SettlementPaymentOut(number=p.number, due_date=p.due_date, amount=fen(p.amount))
            for p in s.payments
        ],
    )


class ExtensionOut(BaseModel):
    extension_id: str
    account_id: str
    subject: str
    original_due: date
    new_due: date
    days: int
    granted_by: str


def extension_out(e: Extension) -> ExtensionOut:
    return ExtensionOut(
        extension_id=e.extension_id,
        account_id=e.account_id,
        subject=e.subject,
        original_due=e.original_due,
        new_due=e.new_due,
        days=e.days,
        granted_by=e.granted_by,
    )


class HardshipOut(BaseModel):
    programme_id: str
    account_id: str
    kind: str
    start: date
    end: date
    review_on: date
    enrolled_by: str
    reason: str
    token_amount: str | None


def hardship_out(p: HardshipProgramme) -> HardshipOut:
    return HardshipOut(
        programme_id=p.programme_id,
        account_id=p.account_id,
        kind=str(p.kind),
        start=p.start,
        end=p.end,
        review_on=p.review_on,
        enrolled_by=p.enrolled_by,
        reason=p.reason,
        token_amount=None if p.token_amount is None else fen(p.token_amount),
    )


class ReferralOut(BaseModel):
    referral_id: str
    account_id: str
    organisation_id: str
    referred_by: str
    consent: bool
    outcome: str
    outcome_on: date | None
    note: str


def referral_out(r: Referral) -> ReferralOut:
    return ReferralOut(
        referral_id=r.referral_id,
        account_id=r.account_id,
        organisation_id=r.organisation_id,
        referred_by=r.referred_by,
        consent=r.consent,
        outcome=str(r.outcome),
        outcome_on=r.outcome_on,
        note=r.note,
    )


class PaymentOutcomeOut(BaseModel):
    changed: bool
    events: list[str]
    effects: list[str]
    balances: BalancesOut | None = None


def outcome_out(o: PaymentOutcome, balances: Balances | None = None) -> PaymentOutcomeOut:
    return PaymentOutcomeOut(
        changed=o.changed,
        events=[type(e).__name__ for e in o.ledger_events],
        effects=[_effect(e) for e in o.effects],
        balances=None if balances is None else balances_out(balances),
    )


def _effect(event: object) -> str:
    name = type(event).__name__
    subject = getattr(event, "plan_id", None) or getattr(event, "promise_id", None)
    subject = subject or getattr(event, "settlement_id", "")
    number = getattr(event, "number", None)
    return f"{name}:{subject}" + (f"#{number}" if number is not None else "")


class AccountArrangementsOut(BaseModel):
    account_id: str
    balances: BalancesOut | None
    promises: list[PromiseOut]
    plans: list[PlanOut]
    settlements: list[SettlementOut]
    extensions: list[ExtensionOut]
    hardship: list[HardshipOut]
    referrals: list[ReferralOut]


def account_arrangements_out(a: AccountArrangements) -> AccountArrangementsOut:
    return AccountArrangementsOut(
        account_id=a.account_id,
        balances=None if a.balances is None else balances_out(a.balances),
        promises=[promise_out(p) for p in a.promises],
        plans=[plan_out(p) for p in a.plans],
        settlements=[settlement_out(s) for s in a.settlements],
        extensions=[extension_out(e) for e in a.extensions],
        hardship=[hardship_out(h) for h in a.hardship],
        referrals=[referral_out(r) for r in a.referrals],
    )
