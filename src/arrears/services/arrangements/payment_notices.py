"""Payments in from a provider (还款到账通知) and what a customer needs to pay.

- ``payment_reference``: the account's stable reference (ISO 11649, ``domain.payment_reference``)
  made once from a keyed hash of the account id and stored, so a provider's notice quoting it
  finds the account and nothing personal is in it;
- ``pay_instruction``: payee, account and provider (from settings, through the
  ``PaymentProvider`` port) with the reference and the past-due amount as a suggestion;
- ``post_notice``: a provider's confirmation posted through the one payment posting
  (``payments.post_payment``), so balances, promises and plans change as for any payment.
  The notice is recorded first, keyed by (provider, transaction id), in the same transaction
  as the posting: the same transaction again, even at the same instant from another process,
  finds the first one and posts nothing (``already_posted``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from arrears.domain.money import Money
from arrears.domain.payment_reference import (
    Notice,
    NoticeRecorded,
    PayInstruction,
    creditor_reference,
    is_valid_reference,
    normalise,
    reference_body,
)
from arrears.services.arrangements.common import NotFound, refusal
from arrears.services.arrangements.payments import PaymentOutcome, PostPayment, post_payment
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio
from arrears.services.unit_of_work import UnitOfWork


class PaymentProvider(Protocol):
    """A way to pay the institution (a bank transfer today; UnionPay, WeChat Pay, Alipay or a
    card acquirer later): what to show the customer, and the text its QR code carries."""

    @property
    def name(self) -> str: ...
    def instruction(self, reference: str, amount: Money | None) -> PayInstruction: ...
    def qr_payload(self, instruction: PayInstruction) -> str: ...


class References(Protocol):
    def of_account(self, account_id: str) -> str | None: ...
    def account_of(self, reference: str) -> str | None: ...
    def add(self, account_id: str, reference: str, now: datetime) -> None: ...


class Notices(Protocol):
    def get(self, provider: str, transaction_id: str) -> Notice | None: ...
    def add(self, notice: Notice) -> None:
        """Record the notice; NoticeRecorded when its key is already taken (the transaction is
        then unusable: the caller leaves it)."""
        ...


class PaymentsInUnitOfWork(UnitOfWork, Protocol):
    @property
    def references(self) -> References: ...
    @property
    def notices(self) -> Notices: ...
    def arrangements(self) -> ArrangementsUnitOfWork:
        """The arrangements' repositories inside this transaction (their commit is this one's)."""
        ...


# --- the reference and the instruction ------------------------------------------------------
def payment_reference(uow: PaymentsInUnitOfWork, portfolio: IngestedPortfolio, account_id: str, *,
                      keyed_hash: Callable[[str], str], now: datetime) -> str:
    """The account's reference, made and stored on first use (the same one ever after)."""
    with uow:
        stored = uow.references.of_account(account_id)
        if stored is not None:
            return stored
        if portfolio.account(account_id) is None:
            raise NotFound(f"no account {account_id} 账户不存在")
        reference = creditor_reference(reference_body(keyed_hash(f"payment-reference:{account_id}")))
        uow.references.add(account_id, reference, now)
        uow.commit()
    return reference


def pay_instruction(uow: PaymentsInUnitOfWork, portfolio: IngestedPortfolio, provider: PaymentProvider,
                    account_id: str, *, keyed_hash: Callable[[str], str], now: datetime) -> PayInstruction:
    """How this account's customer pays: the provider's instruction with the reference and the
    past-due amount as a suggestion."""
    reference = payment_reference(uow, portfolio, account_id, keyed_hash=keyed_hash, now=now)
    with uow:
        ledger = uow.arrangements().ledgers.get(account_id)
    account = portfolio.account(account_id)
    due = ledger.balances().past_due if ledger is not None else account.past_due if account is not None else None
    return provider.instruction(reference, due if due is not None and due.amount > 0 else None)


# --- a provider's notice ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PostNotice:
    provider: str
    transaction_id: str
    reference: str
    amount: Money
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class NoticeOutcome:
    already_posted: bool
    notice: Notice
    payment: PaymentOutcome | None  # None when it was already posted


def notice_payment_id(provider: str, transaction_id: str) -> str:
    """The posted payment's id (its idempotency key): short, stable, from the provider's key."""
    digest = hashlib.sha256(f"{provider}\x1f{transaction_id}".encode()).hexdigest()[:24].upper()
    return f"PN-{digest}"


def post_notice(uow: PaymentsInUnitOfWork, portfolio: IngestedPortfolio, command: PostNotice, *, actor: str,
                now: datetime) -> NoticeOutcome:
    """Post a provider's confirmation once; the same (provider, transaction id) again answers
    ``already_posted`` with the first notice (a different amount or reference is refused)."""
    c = command
    if not is_valid_reference(c.reference):
        raise refusal("ARR-NOTICE-01", f"还款识别码 {c.reference} 无效（校验位不符）",
                      f"the payment reference {c.reference} is not valid (its check digits disagree)")
    if c.amount.amount <= 0:
        raise refusal("ARR-NOTICE-02", "到账金额须大于零", "the amount paid must be above zero")
    reference = normalise(c.reference)
    earlier = _earlier(uow, c, reference)
    if earlier is not None:
        return earlier
    try:
        with uow:
            account_id = uow.references.account_of(reference)
            if account_id is None:
                raise NotFound(f"no account has the payment reference {reference} 没有使用该还款识别码的账户")
            notice = Notice(c.provider, c.transaction_id, reference, account_id,
                            notice_payment_id(c.provider, c.transaction_id), c.amount, c.paid_at, now, actor)
            uow.notices.add(notice)  # first: a concurrent twin waits here, then finds this one
            outcome = post_payment(uow.arrangements(), portfolio, PostPayment(
                account_id, notice.payment_id, c.amount, c.paid_at, channel=c.provider), actor=actor, now=now)
            uow.commit()
    except NoticeRecorded:
        again = _earlier(uow, c, reference)
        if again is None:
            raise
        return again
    return NoticeOutcome(False, notice, outcome)


def _earlier(uow: PaymentsInUnitOfWork, c: PostNotice, reference: str) -> NoticeOutcome | None:
    with uow:
        notice = uow.notices.get(c.provider, c.transaction_id)
    if notice is None:
        return None
    if notice.reference != reference or notice.amount != c.amount:
        first = f"{notice.amount.amount} {notice.reference}"
        raise refusal("ARR-NOTICE-03", f"交易 {c.transaction_id} 已以不同的金额或识别码入账（{first}）",
                      f"transaction {c.transaction_id} was already posted with another amount or reference "
                      f"({first})")
    return NoticeOutcome(True, notice, None)
