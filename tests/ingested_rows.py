"""Minimal ingested rows (a customer, an account, contacts, payments) written straight to
the foundation tables, for the arrangement integration, CLI and API tests."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, insert

from arrears.adapters.storage.tables import accounts, contacts, customers, payments


def ingest_account(
    engine: Engine,
    account_id: str = "A1",
    *,
    fees: int = 5_000,
    interest: int = 15_000,
    principal: int = 1_180_000,
    past_due: int = 120_000,
    oldest_unpaid: date | None = date(2026, 10, 15),
    zone: str = "Asia/Shanghai",
) -> None:
    """An account owing ``fees + interest + principal`` cents, ``past_due`` of it past due."""
    customer_id = f"C-{account_id}"
    with engine.begin() as connection:
        connection.execute(
            insert(customers).values(
                customer_id=customer_id,
                name_enc=b"\x00",
                name_hash="h" * 32,
                name_masked="张*",
                language="zh",
                timezone=zone,
                jurisdiction="CN-31",
                row_digest="d" * 32,
                in_portfolio=True,
            )
        )
        connection.execute(
            insert(accounts).values(
                account_id=account_id,
                customer_id=customer_id,
                product="card",
                currency="CNY",
                balance_cents=fees + interest + principal,
                principal_cents=principal,
                interest_cents=interest,
                fees_cents=fees,
                past_due_cents=past_due,
                oldest_unpaid_due_date=oldest_unpaid,
                status="open",
                flags="",
                row_digest="d" * 32,
                in_portfolio=True,
            )
        )


def ingest_contact_promise(
    engine: Engine, contact_id: str, account_id: str, *, at: datetime, cents: int, on: date
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(contacts).values(
                contact_id=contact_id,
                account_id=account_id,
                customer_id=f"C-{account_id}",
                channel="call",
                direction="outbound",
                at=at,
                party="debtor",
                outcome="conversation",
                promise_amount_cents=cents,
                promise_date=on,
                complaint=False,
                agent_id="AG1",
                row_digest="d" * 32,
            )
        )


def ingest_payment(
    engine: Engine,
    payment_id: str,
    account_id: str,
    *,
    at: datetime,
    cents: int,
    reversed_: bool = False,
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(payments).values(
                payment_id=payment_id,
                account_id=account_id,
                paid_at=at,
                amount_cents=cents,
                channel="bank",
                reversed=reversed_,
                row_digest="d" * 32,
            )
        )
