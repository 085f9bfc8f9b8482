"""Payment references and providers' notices on SQLite or PostgreSQL
(``services.arrangements.payment_notices``, satisfied structurally).

A notice's key is (provider, transaction id). Two identical notices at once: on PostgreSQL
the second insert waits on the first's uncommitted key and then fails; on SQLite the second
waits for the write lock (the insert is the transaction's first write) and then fails. Either
way it becomes ``NoticeRecorded`` and the use case answers with the first notice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from arrears.adapters.storage.arrangements_repository import JoinedArrangementsUnitOfWork
from arrears.adapters.storage.cases_tables import payment_notices, payment_references
from arrears.adapters.storage.unit_of_work import SqlUnitOfWork
from arrears.adapters.storage.values import from_cents, to_cents
from arrears.domain.payment_reference import Notice, NoticeRecorded


class SqlReferences:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def of_account(self, account_id: str) -> str | None:
        r = payment_references.c
        return self._c.execute(select(r.reference).where(r.account_id == account_id)).scalar_one_or_none()

    def account_of(self, reference: str) -> str | None:
        r = payment_references.c
        return self._c.execute(select(r.account_id).where(r.reference == reference)).scalar_one_or_none()

    def add(self, account_id: str, reference: str, now: datetime) -> None:
        self._c.execute(insert(payment_references).values(account_id=account_id, reference=reference, created_at=now))


def _notice(row: Any) -> Notice:
    return Notice(row["provider"], row["transaction_id"], row["reference"], row["account_id"], row["payment_id"],
                  from_cents(row["amount_cents"], row["currency"]), row["paid_at"], row["received_at"],
                  row["received_by"])


class SqlNotices:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, provider: str, transaction_id: str) -> Notice | None:
        n = payment_notices.c
        row = self._c.execute(select(payment_notices).where(
            n.provider == provider, n.transaction_id == transaction_id)).mappings().first()
        return None if row is None else _notice(row)

    def add(self, notice: Notice) -> None:
        cents = to_cents(notice.amount)
        try:
            self._c.execute(insert(payment_notices).values(
                provider=notice.provider, transaction_id=notice.transaction_id, reference=notice.reference,
                account_id=notice.account_id, payment_id=notice.payment_id, amount_cents=cents,
                currency=notice.amount.currency, paid_at=notice.paid_at, received_at=notice.received_at,
                received_by=notice.received_by))
        except IntegrityError as exc:
            raise NoticeRecorded(f"{notice.provider} {notice.transaction_id}") from exc


class SqlPaymentsInUnitOfWork(SqlUnitOfWork):
    def _bind(self, connection: Connection) -> None:
        self.references = SqlReferences(connection)
        self.notices = SqlNotices(connection)
        self._arrangements = JoinedArrangementsUnitOfWork(connection)

    def arrangements(self) -> JoinedArrangementsUnitOfWork:
        self._open()
        return self._arrangements

