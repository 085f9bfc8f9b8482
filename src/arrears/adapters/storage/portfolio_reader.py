"""Reads the ingested portfolio (accounts, customers, contacts, payments) for the
arrangement services: satisfies ``services.arrangements.ports.IngestedPortfolio``."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from arrears.adapters.storage.tables import accounts, contacts, customers, payments
from arrears.adapters.storage.values import from_cents, from_utc, optional_money
from arrears.domain.arrangements.payments import IngestedAccount, Payment
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.vocabulary import DEFAULT_ZONE, Channel


class SqlPortfolioReader:
    """Reads on its own connection from an engine, or inside a caller's transaction when given
    its connection (the workbench reads the account it is writing to in one transaction).
    ``remember`` keeps each account read once for the reader's life: for one page's reads in one
    transaction, where the same account is asked for by several services."""

    def __init__(self, source: Engine | Connection, *, remember: bool = False) -> None:
        self._source = source
        self._known: dict[str, IngestedAccount | None] | None = {} if remember else None
        self._paid: dict[str, tuple[Payment, ...]] | None = {} if remember else None

    def _connect(self) -> AbstractContextManager[Connection]:
        if isinstance(self._source, Connection):
            return nullcontext(self._source)
        return self._source.connect()

    def account(self, account_id: str) -> IngestedAccount | None:
        if self._known is None:
            return self._read_account(account_id)
        if account_id not in self._known:
            self._known[account_id] = self._read_account(account_id)
        return self._known[account_id]

    def _read_account(self, account_id: str) -> IngestedAccount | None:
        query = (
            select(accounts, customers.c.timezone)
            .join(customers, customers.c.customer_id == accounts.c.customer_id)
            .where(accounts.c.account_id == account_id)
        )
        with self._connect() as connection:
            r = connection.execute(query).first()
        if r is None:
            return None
        cur = r.currency
        return IngestedAccount(
            r.account_id,
            r.customer_id,
            cur,
            from_cents(r.balance_cents, cur),
            optional_money(r.fees_cents, cur),
            optional_money(r.interest_cents, cur),
            optional_money(r.principal_cents, cur),
            from_cents(r.past_due_cents, cur),
            r.oldest_unpaid_due_date,
            r.timezone,
        )

    def _zone_and_currency(self, account_id: str) -> tuple[str, str]:
        found = self.account(account_id)
        return (found.zone, found.currency) if found else (DEFAULT_ZONE, "CNY")

    def contact_promises(self, account_id: str) -> tuple[PromiseToPay, ...]:
        """Promises taken in contacts (promise amount and date both given)."""
        zone, currency = self._zone_and_currency(account_id)
        query = (
            select(contacts)
            .where(contacts.c.account_id == account_id)
            .where(contacts.c.promise_amount_cents.is_not(None))
            .where(contacts.c.promise_date.is_not(None))
            .order_by(contacts.c.at, contacts.c.contact_id)
        )
        with self._connect() as connection:
            found = connection.execute(query).all()
        promises = []
        for r in found:
            made_at = from_utc(r.at)
            promises.append(
                PromiseToPay(
                    f"contact:{r.contact_id}",
                    account_id,
                    from_cents(r.promise_amount_cents, currency),
                    r.promise_date,
                    Channel(r.channel),
                    r.agent_id or "",
                    made_at,
                    made_at.astimezone(ZoneInfo(zone)).date(),
                )
            )
        return tuple(promises)

    def received_payments(self, account_id: str) -> tuple[Payment, ...]:
        """Ingested payments that were not reversed (the feed gives no reversal date, so a
        reversed payment never counts)."""
        if self._paid is None:
            return self._read_payments(account_id)
        if account_id not in self._paid:
            self._paid[account_id] = self._read_payments(account_id)
        return self._paid[account_id]

    def _read_payments(self, account_id: str) -> tuple[Payment, ...]:
        zone, currency = self._zone_and_currency(account_id)
        query = (
            select(payments)
            .where(payments.c.account_id == account_id)
            .where(payments.c.reversed.is_(False))
            .order_by(payments.c.paid_at, payments.c.payment_id)
        )
        with self._connect() as connection:
            found = connection.execute(query).all()
        return tuple(
            Payment.received(
                r.payment_id,
                account_id,
                from_cents(r.amount_cents, currency),
                from_utc(r.paid_at),
                zone=zone,
                channel=r.channel or "",
            )
            for r in found
        )
