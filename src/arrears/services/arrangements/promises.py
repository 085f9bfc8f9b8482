"""Promises to pay (承诺还款): vetting and recording a promise taken, and an account's promise
history judged against its payments.

A promise is a fact of a conversation (who took it, when, on which business day), so the
command that records it is the domain's ``PromiseToPay`` itself, made with
``PromiseToPay.taken`` by the API and the CLI, or by the workbench when a logged contact
carries one (on its own transaction: ``JoinedArrangementsUnitOfWork``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from arrears.domain.arrangements.payments import AccountLedger, Payment
from arrears.domain.arrangements.promises import (
    PromiseHistory,
    PromiseStatus,
    PromiseToPay,
    check_promise,
    check_promise_fits,
    promise_status,
)
from arrears.domain.arrangements.promises import promise_history as derive_history
from arrears.services.arrangements.common import DEFAULT_POLICIES, ArrangementPolicies, NotFound, audit, refuse_unless
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio


def vet_promise(promise: PromiseToPay, *, policies: ArrangementPolicies = DEFAULT_POLICIES) -> None:
    """Raise ``ArrangementRefused`` when the rules refuse the promise: what ``record_promise``
    checks before it stores anything, for a caller that must know before it writes its own rows."""
    refuse_unless(check_promise(promise, policies.promise))


def record_promise(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, promise: PromiseToPay, *,
                   actor: str, now: datetime, policies: ArrangementPolicies = DEFAULT_POLICIES) -> PromiseToPay:
    """Record a promise the rules allow (valid in itself, within the balance, no other promise
    open); the same promise recorded again does nothing."""
    vet_promise(promise, policies=policies)
    account = portfolio.account(promise.account_id)
    if account is None:
        raise NotFound(f"account {promise.account_id} not found")
    with uow:
        recorded = uow.promises.for_account(promise.account_id)
        if any(p.promise_id == promise.promise_id for p in recorded):
            return promise
        judged = _judged(recorded, uow.ledgers.get(promise.account_id), portfolio, promise.account_id,
                         as_of=promise.made_on, policies=policies)
        open_now = [o.promise for o in judged if o.status == PromiseStatus.OPEN]
        refuse_unless(check_promise_fits(promise, account.balance, open_now))
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
    outcomes = _judged(recorded, ledger, portfolio, account_id, as_of=as_of, policies=policies)
    paid = _payments(ledger, portfolio, account_id, as_of)
    summary = derive_history([o.promise for o in outcomes], paid, as_of, policies.promise)
    return AccountPromiseHistory(account_id, as_of, outcomes, summary)


def _payments(ledger: AccountLedger | None, portfolio: IngestedPortfolio, account_id: str,
              as_of: date) -> tuple[Payment, ...]:
    """The payments live on ``as_of``: the ingested ones not reversed, plus the ledger's posted
    payments (each payment id counted once)."""
    payments = {p.payment_id: p for p in portfolio.received_payments(account_id)}
    if ledger is not None:
        payments.update({p.payment_id: p for p in ledger.live_payments(as_of)})
    return tuple(payments.values())


def _judged(recorded: tuple[PromiseToPay, ...], ledger: AccountLedger | None, portfolio: IngestedPortfolio,
            account_id: str, *, as_of: date, policies: ArrangementPolicies) -> tuple[PromiseOutcome, ...]:
    """Every promise made on the account by ``as_of`` with its status then."""
    paid = _payments(ledger, portfolio, account_id, as_of)
    sourced = [(p, "contact") for p in portfolio.contact_promises(account_id)]
    sourced += [(p, "recorded") for p in recorded]
    made = [(p, s) for p, s in sourced if p.made_on <= as_of]
    return tuple(
        PromiseOutcome(p, promise_status(p, paid, as_of, policies.promise), s)
        for p, s in sorted(made, key=lambda item: (item[0].made_at, item[0].promise_id))
    )
