"""Payments on an account's ledger (还款入账与冲正): the ledger is opened from the ingested
account on first use; a received payment is posted by its id (the same id again does nothing,
the same id on another account or with other content is refused); a posted payment is
reversed exactly. Each is one unit of work with the review of the plans and settlements the
change completes or breaks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from arrears.domain.arrangements.effects import ArrangementEvent, payment_effects
from arrears.domain.arrangements.payments import (
    AccountLedger,
    Balances,
    LedgerChange,
    Payment,
    PaymentError,
    PaymentEvent,
)
from arrears.domain.arrangements.payments import post_payment as post_to_ledger
from arrears.domain.arrangements.payments import reverse_payment as reverse_on_ledger
from arrears.domain.money import Money
from arrears.services.arrangements.common import DEFAULT_POLICIES, ArrangementPolicies, audit, found, refusal, today
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio
from arrears.services.arrangements.review import arrangements_of, review_held


@dataclass(frozen=True, slots=True)
class PostPayment:
    account_id: str
    payment_id: str  # the idempotency key
    amount: Money
    paid_at: datetime
    channel: str = ""


@dataclass(frozen=True, slots=True)
class ReversePayment:
    payment_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    account_id: str
    ledger_events: tuple[PaymentEvent, ...]
    effects: tuple[ArrangementEvent, ...]
    balances: Balances  # the ledger's, after the change

    @property
    def changed(self) -> bool:
        return bool(self.ledger_events)


# --- the ledger ---------------------------------------------------------------------------
def ledger_of(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, account_id: str) -> tuple[AccountLedger, bool]:
    """In an open unit of work: the account's stored ledger, or one opened from the ingested
    account (not stored yet); the flag says whether it is new. A credit balance or inconsistent
    figures are refused with the reason (ARR-LEDGER-01)."""
    existing = uow.ledgers.get(account_id)
    if existing is not None:
        return existing, False
    account = found(portfolio.account(account_id), f"no account {account_id} 账户不存在")
    try:
        return AccountLedger(account_id, account.opening()), True
    except PaymentError as exc:
        raise refusal(
            "ARR-LEDGER-01",
            f"账户 {account_id} 的余额数据无法建立还款台账：{exc}",
            f"account {account_id}: the ingested balances cannot open a ledger: {exc}",
        ) from exc


def store_opened(uow: ArrangementsUnitOfWork, ledger: AccountLedger, *, actor: str, now: datetime) -> None:
    """In an open unit of work: store a new ledger and audit its opening balances."""
    uow.ledgers.save(ledger)
    o = ledger.opening
    audit(uow, now, actor, "ledger.opened", f"account:{ledger.account_id}", account_id=ledger.account_id,
          after=f"fees {o.fees.amount} interest {o.interest.amount} principal {o.principal.amount} "
                f"past due {o.past_due.amount}")


def open_ledger(uow: ArrangementsUnitOfWork, ledger: AccountLedger, *, actor: str, now: datetime) -> None:
    """Start an account's payment ledger from its opening balances (once)."""
    with uow:
        if uow.ledgers.get(ledger.account_id) is None:
            store_opened(uow, ledger, actor=actor, now=now)
            uow.commit()


# --- posting and reversing ----------------------------------------------------------------
def post_payment(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, command: PostPayment, *, actor: str,
                 now: datetime, policies: ArrangementPolicies = DEFAULT_POLICIES) -> PaymentOutcome:
    """Post a received payment by its id, on the ledger (opened from the portfolio when new)."""
    c = command
    if c.paid_at.tzinfo is not None and c.paid_at > now:
        raise refusal("ARR-PAY-01", f"还款时间 {c.paid_at.isoformat()} 晚于当前时间，不能预先入账",
                      f"paid at {c.paid_at.isoformat()} is in the future: a payment is posted once received")
    with uow:
        ledger, new = ledger_of(uow, portfolio, c.account_id)
        if new:
            store_opened(uow, ledger, actor=actor, now=now)
        holder = uow.ledgers.account_of_payment(c.payment_id)
        if holder not in (None, c.account_id):
            raise refusal("ARR-PAY-01", f"还款编号 {c.payment_id} 已用于账户 {holder}",
                          f"payment id {c.payment_id} was already posted to account {holder}")
        account = portfolio.account(c.account_id)
        try:
            payment = Payment.received(c.payment_id, c.account_id, c.amount, c.paid_at,
                                       zone=account.zone if account else policies.zone, channel=c.channel)
            change = post_to_ledger(ledger, payment)
        except PaymentError as exc:
            raise refusal("ARR-PAY-01", f"还款无法入账：{exc}", f"the payment cannot be posted: {exc}") from exc
        on = max(today(now, policies), payment.paid_on)
        outcome = _changed(uow, ledger, change, "payment.posted", c.payment_id, on=on, actor=actor, now=now,
                           policies=policies)
        uow.commit()
    return outcome


def reverse_payment(uow: ArrangementsUnitOfWork, command: ReversePayment, *, actor: str, now: datetime,
                    policies: ArrangementPolicies = DEFAULT_POLICIES) -> PaymentOutcome:
    """Reverse a posted payment exactly; reversing it again does nothing."""
    on = today(now, policies)
    with uow:
        account_id = found(uow.ledgers.account_of_payment(command.payment_id),
                           f"no posted payment {command.payment_id} 未找到该还款")
        ledger = found(uow.ledgers.get(account_id), f"no payment ledger for account {account_id}")
        try:
            change = reverse_on_ledger(ledger, command.payment_id, on, command.reason)
        except PaymentError as exc:
            raise refusal("ARR-PAY-02", f"还款无法冲正：{exc}", f"the payment cannot be reversed: {exc}") from exc
        outcome = _changed(uow, ledger, change, "payment.reversed", command.payment_id, on=on, actor=actor, now=now,
                           policies=policies)
        uow.commit()
    return outcome


def _changed(uow: ArrangementsUnitOfWork, before: AccountLedger, change: LedgerChange, action: str, payment_id: str, *,
             on: date, actor: str, now: datetime, policies: ArrangementPolicies) -> PaymentOutcome:
    """Store the changed ledger, the arrangements it completes or breaks, and the audit entry."""
    account_id = before.account_id
    if not change.changed:
        return PaymentOutcome(account_id, (), (), before.balances())
    held = arrangements_of(uow, account_id, policies)
    effects = payment_effects(held, before, change.ledger, on)
    uow.ledgers.save(change.ledger)
    review_held(uow, held, change.ledger.live_payments(on), on, policies, actor=actor, now=now)
    b, a = before.balances(), change.ledger.balances()
    audit(uow, now, actor, action, f"payment:{payment_id}", account_id=account_id,
          before=f"owed {b.owed.amount} past due {b.past_due.amount} credit {b.credit.amount}",
          after=f"owed {a.owed.amount} past due {a.past_due.amount} credit {a.credit.amount}; "
                f"effects: {', '.join(type(e).__name__ for e in effects) or 'none'}")
    return PaymentOutcome(account_id, change.events, effects, a)
