"""Promises to pay (承诺还款): vetting and recording a promise taken, and an account's promise
history judged against its payments.

A promise is a fact of a conversation (who took it, when, on which business day), so the
command that records it is the domain's ``PromiseToPay`` itself, made with
``PromiseToPay.taken`` by the API and the CLI, or by the workbench when a logged contact
carries one (on its own transaction: ``JoinedArrangementsUnitOfWork``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from arrears.domain.arrangements.promises import (
    PromiseHistory,
    PromiseStatus,
    PromiseToPay,
    check_promise,
    promise_status,
)
from arrears.domain.arrangements.promises import promise_history as derive_history
from arrears.services.arrangements.common import DEFAULT_POLICIES, ArrangementPolicies, audit, refuse_unless
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio


def vet_promise(promise: PromiseToPay, *, policies: ArrangementPolicies = DEFAULT_POLICIES) -> None:
    """Raise ``ArrangementRefused`` when the rules refuse the promise: what ``record_promise``
    checks before it stores anything, for a caller that must know before it writes its own rows."""
    refuse_unless(check_promise(promise, policies.promise))


def record_promise(uow: ArrangementsUnitOfWork, promise: PromiseToPay, *, actor: str, now: datetime,
                   policies: ArrangementPolicies = DEFAULT_POLICIES) -> PromiseToPay:
    """Record a promise the rules allow; the same promise recorded again does nothing."""
    vet_promise(promise, policies=policies)
    with uow:
        if any(p.promise_id == promise.promise_id for p in uow.promises.for_account(promise.account_id)):
            return promise
        uow.promises.save(promise)
        audit(uow, now, actor, "promise.recorded", f"promise:{promise.promise_id}", account_id=promise.account_id,
              after=f"{promise.amount.amount} by {promise.promised_date} via {promise.channel}")
        uow.commit()
    return promise


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


def promise_history(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, account_id: str, as_of: date, *,
                    policies: ArrangementPolicies = DEFAULT_POLICIES) -> AccountPromiseHistory:
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
