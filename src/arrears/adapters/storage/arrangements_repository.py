"""SQL repositories of the arrangements capability and their unit of work.

Each repository works on the unit of work's connection, inside its one transaction; only
``SqlArrangementsUnitOfWork.commit`` commits, and leaving the block without committing (or
an error) rolls everything back. Rows are mapped to and from the frozen domain objects
exactly (money in cents, rates as decimal text, instants in UTC)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self

from sqlalchemy import Connection, Engine, Row, Table, insert, select, update

from arrears.adapters.storage import arrangements_rows as rows
from arrears.adapters.storage.approvals_repository import SqlApprovals
from arrears.adapters.storage.arrangements_tables import (
    counselling_referrals,
    extensions,
    hardship_programmes,
    installment_plans,
    ledger_payments,
    payment_ledgers,
    plan_installments,
    promises_to_pay,
    settlement_payments,
    settlements,
)
from arrears.adapters.storage.audit_log import SqlAuditLog
from arrears.domain.arrangements.payments import AccountLedger
from arrears.services.arrangement_ports import (
    ApprovalRepository,
    ArrangementsUnitOfWork,
    AuditLog,
    ExtensionRepository,
    HardshipRepository,
    LedgerRepository,
    PlanRepository,
    PromiseRepository,
    ReferralRepository,
    SettlementRepository,
)


def _upsert(connection: Connection, table: Table, key: str, values: Mapping[str, Any]) -> bool:
    """Update the row with this key or insert it; True when it was inserted."""
    column = table.c[key]
    found = connection.execute(select(column).where(column == values[key])).first()
    if found is None:
        connection.execute(insert(table).values(**values))
        return True
    connection.execute(update(table).where(column == values[key]).values(**values))
    return False


class SqlLedgers:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, account_id: str) -> AccountLedger | None:
        head = self._c.execute(select(payment_ledgers).where(payment_ledgers.c.account_id == account_id)).first()
        if head is None:
            return None
        entries = self._c.execute(
            select(ledger_payments).where(ledger_payments.c.account_id == account_id).order_by(ledger_payments.c.seq)
        ).all()
        return rows.ledger_from_rows(head, entries)

    def save(self, ledger: AccountLedger) -> None:
        """Store the ledger: the opening once, new payments appended, reversals marked."""
        _upsert(self._c, payment_ledgers, "account_id", rows.ledger_head(ledger))
        stored = {
            r.payment_id: r.reversed_on
            for r in self._c.execute(
                select(ledger_payments.c.payment_id, ledger_payments.c.reversed_on).where(
                    ledger_payments.c.account_id == ledger.account_id
                )
            )
        }
        for seq, entry in enumerate(ledger.entries):
            payment_id = entry.payment.payment_id
            if payment_id not in stored:
                self._c.execute(insert(ledger_payments).values(**rows.ledger_entry(ledger, seq, entry)))
            elif stored[payment_id] != entry.reversed_on:
                self._c.execute(
                    update(ledger_payments)
                    .where(ledger_payments.c.payment_id == payment_id)
                    .values(reversed_on=entry.reversed_on, reversal_reason=entry.reversal_reason)
                )

    def account_of_payment(self, payment_id: str) -> str | None:
        return self._c.execute(
            select(ledger_payments.c.account_id).where(ledger_payments.c.payment_id == payment_id)
        ).scalar_one_or_none()


class _Simple:
    """A table holding one domain object per row, keyed by its id."""

    table: Table
    key: str

    def __init__(
        self,
        connection: Connection,
        to_row: Callable[[Any], dict[str, Any]],
        from_row: Callable[[Row], Any],
    ) -> None:
        self._c = connection
        self._to_row = to_row
        self._from_row = from_row

    def get(self, item_id: str) -> Any:
        row = self._c.execute(select(self.table).where(self.table.c[self.key] == item_id)).first()
        return None if row is None else self._from_row(row)

    def for_account(self, account_id: str) -> tuple[Any, ...]:
        query = select(self.table).where(self.table.c.account_id == account_id).order_by(self.table.c[self.key])
        return tuple(self._from_row(r) for r in self._c.execute(query))

    def save(self, item: Any) -> None:
        values = self._to_row(item)
        _upsert(self._c, self.table, self.key, values)

    add = save


class SqlPromises(_Simple):
    table, key = promises_to_pay, "promise_id"

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, rows.promise_row, rows.promise_from_row)


class SqlExtensions(_Simple):
    table, key = extensions, "extension_id"

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, rows.extension_row, rows.extension_from_row)


class SqlHardship(_Simple):
    table, key = hardship_programmes, "programme_id"

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, rows.hardship_row, rows.hardship_from_row)


class SqlReferrals(_Simple):
    table, key = counselling_referrals, "referral_id"

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, rows.referral_row, rows.referral_from_row)


class _WithLines(_Simple):
    """A header row plus numbered lines written once, when the header is first stored."""

    lines: Table

    def __init__(
        self,
        connection: Connection,
        to_row: Callable[[Any], dict[str, Any]],
        from_rows: Callable[[Row, Sequence[Row]], Any],
        to_lines: Callable[[Any], list[dict[str, Any]]],
    ) -> None:
        super().__init__(connection, to_row, self._load)
        self._from_rows = from_rows
        self._to_lines = to_lines

    def _load(self, head: Row) -> Any:
        key = self.lines.c[self.key]
        found = self._c.execute(
            select(self.lines).where(key == head._mapping[self.key]).order_by(self.lines.c.number)
        ).all()
        return self._from_rows(head, found)

    def save(self, item: Any) -> None:
        if _upsert(self._c, self.table, self.key, self._to_row(item)):
            self._c.execute(insert(self.lines), self._to_lines(item))


class SqlPlans(_WithLines):
    table, key, lines = installment_plans, "plan_id", plan_installments

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, rows.plan_row, rows.plan_from_rows, rows.plan_lines)


class SqlSettlements(_WithLines):
    table, key, lines = settlements, "settlement_id", settlement_payments

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, rows.settlement_row, rows.settlement_from_rows, rows.settlement_lines)


class _Repositories:
    """The repositories of a unit of work, bound to one connection."""

    ledgers: LedgerRepository
    promises: PromiseRepository
    plans: PlanRepository
    settlements: SettlementRepository
    extensions: ExtensionRepository
    hardship: HardshipRepository
    referrals: ReferralRepository
    approvals: ApprovalRepository
    audit: AuditLog

    def _bind(self, connection: Connection) -> None:
        self.ledgers = SqlLedgers(connection)
        self.promises = SqlPromises(connection)
        self.plans = SqlPlans(connection)
        self.settlements = SqlSettlements(connection)
        self.extensions = SqlExtensions(connection)
        self.hardship = SqlHardship(connection)
        self.referrals = SqlReferrals(connection)
        self.approvals = SqlApprovals(connection)
        self.audit = SqlAuditLog(connection)


class SqlArrangementsUnitOfWork(_Repositories):
    """One transaction per ``with`` block. ``commit`` commits (and starts a fresh
    transaction for anything after it); leaving the block rolls back what was not committed
    and returns the connection."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already open")
        connection = self._engine.connect()
        connection.begin()
        self._connection = connection
        self._bind(connection)
        return self

    def __exit__(self, *args: object) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.rollback()
        finally:
            connection.close()

    def _open(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("use the unit of work in a `with` block")
        return self._connection

    def commit(self) -> None:
        connection = self._open()
        connection.commit()
        connection.begin()

    def rollback(self) -> None:
        connection = self._open()
        connection.rollback()
        connection.begin()

    def joined(self) -> ArrangementsUnitOfWork:
        return JoinedArrangementsUnitOfWork(self._open())


class JoinedArrangementsUnitOfWork(_Repositories):
    """The arrangement use cases inside a transaction another use case already holds (e.g.
    logging a contact that carries a promise): the repositories work on the caller's
    connection, ``commit`` leaves the commit to the caller, and leaving the block neither
    commits nor rolls back. An error raised in the block reaches the caller, whose
    transaction then rolls back everything, its own rows and the arrangement rows alike."""

    def __init__(self, connection: Connection) -> None:
        if not connection.in_transaction():
            raise RuntimeError("a joined unit of work needs the caller's open transaction")
        self._connection = connection
        self._bind(connection)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def commit(self) -> None:
        """The caller's transaction commits (or rolls back) everything at once."""

    def rollback(self) -> None:
        raise RuntimeError("a joined unit of work cannot roll back alone: raise, and the caller's transaction "
                           "rolls back")

    def joined(self) -> ArrangementsUnitOfWork:
        return self
