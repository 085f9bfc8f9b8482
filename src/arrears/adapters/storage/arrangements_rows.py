"""Row <-> domain object mapping for the arrangements tables (exact, both ways)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Row

from arrears.adapters.storage.values import (
    from_cents,
    from_utc,
    optional_money,
    to_cents,
    to_utc,
)
from arrears.domain.arrangements.approvals import Role
from arrears.domain.arrangements.counselling import Referral, ReferralOutcome
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.fees import FeeKind, FeePolicy
from arrears.domain.arrangements.hardship import HardshipKind, HardshipProgramme
from arrears.domain.arrangements.payments import (
    AccountLedger,
    Allocation,
    Balances,
    Component,
    Payment,
    PostedPayment,
)
from arrears.domain.arrangements.plans import (
    InstallmentPlan,
    PlanBasis,
    PlanStatus,
    SignedAgreement,
)
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.schedule import Installment, Schedule
from arrears.domain.arrangements.settlements import (
    Settlement,
    SettlementPayment,
    SettlementStatus,
)
from arrears.domain.vocabulary import Channel

Values = dict[str, Any]


# --- ledgers ------------------------------------------------------------------------------
def ledger_head(ledger: AccountLedger) -> Values:
    o = ledger.opening
    return {
        "account_id": ledger.account_id,
        "currency": o.principal.currency,
        "opening_fees_cents": to_cents(o.fees),
        "opening_interest_cents": to_cents(o.interest),
        "opening_principal_cents": to_cents(o.principal),
        "opening_past_due_cents": to_cents(o.past_due),
        "oldest_unpaid_due_date": o.oldest_unpaid_due_date,
        "allocation_order": ",".join(ledger.order),
    }


def ledger_entry(ledger: AccountLedger, seq: int, entry: PostedPayment) -> Values:
    p, a = entry.payment, entry.allocation
    return {
        "payment_id": p.payment_id,
        "account_id": ledger.account_id,
        "seq": seq,
        "amount_cents": to_cents(p.amount),
        "paid_at": to_utc(p.paid_at),
        "paid_on": p.paid_on,
        "channel": p.channel,
        "fees_cents": to_cents(a.fees),
        "interest_cents": to_cents(a.interest),
        "principal_cents": to_cents(a.principal),
        "credit_cents": to_cents(a.credit),
        "past_due_reduced_cents": to_cents(a.past_due_reduced),
        "reversed_on": entry.reversed_on,
        "reversal_reason": entry.reversal_reason,
    }


def ledger_from_rows(head: Row, entries: Sequence[Row]) -> AccountLedger:
    cur = head.currency
    opening = Balances(
        from_cents(head.opening_fees_cents, cur),
        from_cents(head.opening_interest_cents, cur),
        from_cents(head.opening_principal_cents, cur),
        from_cents(head.opening_past_due_cents, cur),
        from_cents(0, cur),
        head.oldest_unpaid_due_date,
    )
    order = tuple(Component(c) for c in head.allocation_order.split(","))
    posted = tuple(_posted(r, cur) for r in entries)
    return AccountLedger(head.account_id, opening, posted, order)


def _posted(r: Row, cur: str) -> PostedPayment:
    payment = Payment(
        r.payment_id,
        r.account_id,
        from_cents(r.amount_cents, cur),
        from_utc(r.paid_at),
        r.paid_on,
        r.channel,
    )
    allocation = Allocation(
        from_cents(r.fees_cents, cur),
        from_cents(r.interest_cents, cur),
        from_cents(r.principal_cents, cur),
        from_cents(r.credit_cents, cur),
        from_cents(r.past_due_reduced_cents, cur),
    )
    return PostedPayment(payment, allocation, r.reversed_on, r.reversal_reason)


# --- promises -----------------------------------------------------------------------------
def promise_row(p: PromiseToPay) -> Values:
    return {
        "promise_id": p.promise_id,
        "account_id": p.account_id,
        "amount_cents": to_cents(p.amount),
        "currency": p.amount.currency,
        "promised_date": p.promised_date,
        "channel": str(p.channel),
        "taken_by": p.taken_by,
        "made_at": to_utc(p.made_at),
        "made_on": p.made_on,
    }


def promise_from_row(r: Row) -> PromiseToPay:
    return PromiseToPay(
        r.promise_id,
        r.account_id,
        from_cents(r.amount_cents, r.currency),
        r.promised_date,
        Channel(r.channel),
        r.taken_by,
        from_utc(r.made_at),
        r.made_on,
    )


# --- plans --------------------------------------------------------------------------------
def plan_row(plan: InstallmentPlan) -> Values:
    s, a = plan.schedule, plan.agreement
    return {
        "plan_id": plan.plan_id,
        "account_id": plan.account_id,
        "basis": str(plan.basis),
        "principal_cents": to_cents(s.principal),
        "currency": s.principal.currency,
        "months": s.months,
        "first_due": s.first_due,
        "fee_kind": str(s.policy.kind),
        "fee_rate": str(s.policy.rate),
        "proposed_by": plan.proposed_by,
        "proposed_at": to_utc(plan.proposed_at),
        "status": str(plan.status),
        "approved_by": plan.approved_by,
        "agreement_signed_by": a.signed_by if a else None,
        "agreement_signed_at": to_utc(a.signed_at) if a else None,
        "agreement_ref": a.document_ref if a else None,
        "agreement_sha256": a.document_sha256 if a else None,
        "agreement_form": a.form if a else None,
        "activated_on": plan.activated_on,
        "closed_on": plan.closed_on,
    }


def plan_lines(plan: InstallmentPlan) -> list[Values]:
    return [
        {
            "plan_id": plan.plan_id,
            "number": i.number,
            "due_date": i.due_date,
            "principal_cents": to_cents(i.principal),
            "fee_cents": to_cents(i.fee),
            "interest_cents": to_cents(i.interest),
        }
        for i in plan.schedule.installments
    ]


def plan_from_rows(r: Row, lines: Sequence[Row]) -> InstallmentPlan:
    cur = r.currency
    installments = tuple(
        Installment(
            line.number,
            line.due_date,
            from_cents(line.principal_cents, cur),
            from_cents(line.fee_cents, cur),
            from_cents(line.interest_cents, cur),
        )
        for line in lines
    )
    policy = FeePolicy(FeeKind(r.fee_kind), Decimal(r.fee_rate))
    schedule = Schedule(from_cents(r.principal_cents, cur), r.months, r.first_due, policy, installments)
    agreement = (
        None
        if r.agreement_ref is None
        else SignedAgreement(
            r.agreement_signed_by,
            from_utc(r.agreement_signed_at),
            r.agreement_ref,
            r.agreement_sha256,
            r.agreement_form,
        )
    )
    return InstallmentPlan(
        r.plan_id,
        r.account_id,
        PlanBasis(r.basis),
        schedule,
        r.proposed_by,
        from_utc(r.proposed_at),
        PlanStatus(r.status),
        r.approved_by,
        agreement,
        r.activated_on,
        r.closed_on,
    )


# --- settlements --------------------------------------------------------------------------
def settlement_row(s: Settlement) -> Values:
    return {
        "settlement_id": s.settlement_id,
        "account_id": s.account_id,
        "balance_cents": to_cents(s.balance),
        "amount_cents": to_cents(s.amount),
        "currency": s.amount.currency,
        "discount": str(s.discount),
        "offered_by": s.offered_by,
        "offered_at": to_utc(s.offered_at),
        "status": str(s.status),
        "approved_by": s.approved_by,
        "approver_role": None if s.approver_role is None else str(s.approver_role),
        "accepted_on": s.accepted_on,
        "closed_on": s.closed_on,
    }


def settlement_lines(s: Settlement) -> list[Values]:
    return [
        {
            "settlement_id": s.settlement_id,
            "number": p.number,
            "due_date": p.due_date,
            "amount_cents": to_cents(p.amount),
        }
        for p in s.payments
    ]


def settlement_from_rows(r: Row, lines: Sequence[Row]) -> Settlement:
    cur = r.currency
    return Settlement(
        r.settlement_id,
        r.account_id,
        from_cents(r.balance_cents, cur),
        Decimal(r.discount),
        from_cents(r.amount_cents, cur),
        tuple(SettlementPayment(p.number, p.due_date, from_cents(p.amount_cents, cur)) for p in lines),
        r.offered_by,
        from_utc(r.offered_at),
        SettlementStatus(r.status),
        r.approved_by,
        None if r.approver_role is None else Role(r.approver_role),
        r.accepted_on,
        r.closed_on,
    )


# --- extensions, hardship, referrals ------------------------------------------------------
def extension_row(e: Extension) -> Values:
    return {
        "extension_id": e.extension_id,
        "account_id": e.account_id,
        "subject": e.subject,
        "original_due": e.original_due,
        "new_due": e.new_due,
        "requested_on": e.requested_on,
        "granted_by": e.granted_by,
        "granted_at": to_utc(e.granted_at),
    }


def extension_from_row(r: Row) -> Extension:
    return Extension(
        r.extension_id,
        r.account_id,
        r.subject,
        r.original_due,
        r.new_due,
        r.requested_on,
        r.granted_by,
        from_utc(r.granted_at),
    )


def hardship_row(p: HardshipProgramme) -> Values:
    token = p.token_amount
    return {
        "programme_id": p.programme_id,
        "account_id": p.account_id,
        "kind": str(p.kind),
        "start": p.start,
        "end": p.end,
        "review_on": p.review_on,
        "enrolled_by": p.enrolled_by,
        "enrolled_at": to_utc(p.enrolled_at),
        "reason": p.reason,
        "token_amount_cents": None if token is None else to_cents(token),
        "token_currency": None if token is None else token.currency,
    }


def hardship_from_row(r: Row) -> HardshipProgramme:
    return HardshipProgramme(
        r.programme_id,
        r.account_id,
        HardshipKind(r.kind),
        r.start,
        r.end,
        r.review_on,
        r.enrolled_by,
        from_utc(r.enrolled_at),
        r.reason,
        optional_money(r.token_amount_cents, r.token_currency),
    )


def referral_row(r: Referral) -> Values:
    return {
        "referral_id": r.referral_id,
        "account_id": r.account_id,
        "organisation_id": r.organisation_id,
        "referred_by": r.referred_by,
        "referred_at": to_utc(r.referred_at),
        "consent": r.consent,
        "outcome": str(r.outcome),
        "outcome_on": r.outcome_on,
        "note": r.note,
    }


def referral_from_row(r: Row) -> Referral:
    return Referral(
        r.referral_id,
        r.account_id,
        r.organisation_id,
        r.referred_by,
        from_utc(r.referred_at),
        bool(r.consent),
        ReferralOutcome(r.outcome),
        r.outcome_on,
        r.note,
    )
