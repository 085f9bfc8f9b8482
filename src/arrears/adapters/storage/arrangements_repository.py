"""SQL repositories of the arrangements capability, their unit of work, and the audit log.

Each domain dataclass is stored by one ``RowCodec`` (``row_codec``: money in cents, rates as
decimal text, instants in UTC, enums as values, schedule lines as numbered rows); the shapes
below say only where a dataclass's layout differs from its fields' names. Each repository
works on the unit of work's connection, inside its one transaction; only
``SqlArrangementsUnitOfWork.commit`` commits, and leaving the block without committing (or an
error) rolls everything back. The audit log is append-only: there is no update or delete path
(and the database refuses one, see ``audit_tables``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Self, TypeVar

from sqlalchemy import Connection, insert, select, update

from arrears.adapters.storage.arrangements_tables import (
    approval_requests,
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
from arrears.adapters.storage.audit_tables import audit_events
from arrears.adapters.storage.row_codec import Lines, RowCodec, Shape
from arrears.adapters.storage.text_filters import starts_with
from arrears.adapters.storage.unit_of_work import SqlUnitOfWork
from arrears.domain.arrangements.approvals import Approval, ApprovalStatus
from arrears.domain.arrangements.audit import AuditEntry
from arrears.domain.arrangements.counselling import Referral
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.hardship import HardshipProgramme
from arrears.domain.arrangements.payments import AccountLedger, Allocation, Balances, Payment, PostedPayment
from arrears.domain.arrangements.plans import InstallmentPlan, SignedAgreement
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.schedule import FeePolicy, Installment, Schedule
from arrears.domain.arrangements.settlements import Settlement, SettlementPayment

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoredAuditEvent:
    """An audit entry as read back, with its place in the log."""

    event_id: int
    at: datetime
    actor: str
    action: str
    subject: str
    before: str
    after: str
    detail: dict[str, object]


AGREEMENT = Shape(SignedAgreement, "agreement_", {"document_ref": "agreement_ref",
                                                  "document_sha256": "agreement_sha256"})
SCHEDULE = Shape(Schedule, nested={"policy": Shape(FeePolicy, "fee_")}, lines={"installments": Lines(
    plan_installments, Shape(Installment))})
OPENING = Shape(Balances, "opening_", {"oldest_unpaid_due_date": "oldest_unpaid_due_date"}, zero=frozenset({"credit"}))
ENTRIES = Lines(ledger_payments, Shape(PostedPayment, nested={"payment": Shape(Payment), "allocation": Shape(
    Allocation)}), number="seq", changing=("reversed_on", "reversal_reason"))

LEDGERS: RowCodec[AccountLedger] = RowCodec(payment_ledgers, "account_id", Shape(
    AccountLedger, columns={"order": "allocation_order"}, nested={"opening": OPENING}, lines={"entries": ENTRIES}))
PLANS: RowCodec[InstallmentPlan] = RowCodec(installment_plans, "plan_id", Shape(
    InstallmentPlan, nested={"schedule": SCHEDULE, "agreement": AGREEMENT}))
SETTLEMENTS: RowCodec[Settlement] = RowCodec(settlements, "settlement_id", Shape(
    Settlement, lines={"payments": Lines(settlement_payments, Shape(SettlementPayment))}))
PROMISES: RowCodec[PromiseToPay] = RowCodec(promises_to_pay, "promise_id", Shape(PromiseToPay))
EXTENSIONS: RowCodec[Extension] = RowCodec(extensions, "extension_id", Shape(Extension))
HARDSHIP: RowCodec[HardshipProgramme] = RowCodec(hardship_programmes, "programme_id", Shape(
    HardshipProgramme, currency="token_currency"))
REFERRALS: RowCodec[Referral] = RowCodec(counselling_referrals, "referral_id", Shape(Referral))
APPROVALS: RowCodec[Approval] = RowCodec(approval_requests, "approval_id", Shape(Approval))
AUDIT: RowCodec[AuditEntry] = RowCodec(audit_events, "event_id", Shape(AuditEntry))
STORED_AUDIT: RowCodec[StoredAuditEvent] = RowCodec(audit_events, "event_id", Shape(StoredAuditEvent))


class SqlRecords(Generic[T]):
    """Objects of one kind by id and by account (ordered by id); their lines are written once,
    and later only their changing columns."""

    def __init__(self, connection: Connection, codec: RowCodec[T]) -> None:
        self._c, self._codec = connection, codec
        self._table, self._key = codec.table, codec.table.c[codec.key]

    def get(self, item_id: str) -> T | None:
        row = self._c.execute(select(self._table).where(self._key == item_id)).mappings().first()
        return None if row is None else self._load(row)

    def for_account(self, account_id: str) -> tuple[T, ...]:
        query = select(self._table).where(self._table.c.account_id == account_id).order_by(self._key)
        return tuple(self._load(row) for row in self._c.execute(query).mappings().all())

    def accounts_with(self, status: str) -> tuple[str, ...]:
        account = self._table.c.account_id
        query = select(account).where(self._table.c.status == str(status)).distinct().order_by(account)
        return tuple(self._c.execute(query).scalars())

    def save(self, item: T) -> None:
        row = self._codec.row(item)
        if self._c.execute(select(self._key).where(self._key == row[self._key.name])).first() is None:
            self._c.execute(insert(self._table).values(**row))
        else:
            self._c.execute(update(self._table).where(self._key == row[self._key.name]).values(**row))
        self._save_lines(item, row[self._key.name])

    add = save

    def _lines(self, item_id: Any) -> dict[Any, Any]:
        lines = self._codec.lines
        if lines is None:
            return {}
        table = lines.table
        query = select(table).where(table.c[self._key.name] == item_id).order_by(table.c[lines.number])
        return {row[lines.number]: row for row in self._c.execute(query).mappings()}

    def _load(self, row: Any) -> T:
        return self._codec.item(row, list(self._lines(row[self._key.name]).values()))

    def _save_lines(self, item: T, item_id: Any) -> None:
        lines = self._codec.lines
        if lines is None:
            return
        stored, table = self._lines(item_id), lines.table
        for line in self._codec.line_rows(item):
            old = stored.get(line[lines.number])
            if old is None:
                self._c.execute(insert(table).values(**line))
            elif any(old[c] != line[c] for c in lines.changing):
                where = (table.c[self._key.name] == item_id, table.c[lines.number] == line[lines.number])
                self._c.execute(update(table).where(*where).values({c: line[c] for c in lines.changing}))


class SqlLedgers(SqlRecords[AccountLedger]):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, LEDGERS)

    def account_of_payment(self, payment_id: str) -> str | None:
        p = ledger_payments.c
        return self._c.execute(select(p.account_id).where(p.payment_id == payment_id)).scalar_one_or_none()


class SqlApprovals:
    """Maker–checker requests. A decision is stored with a compare-and-set on the pending
    status, so two checkers deciding at once cannot both succeed."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, approval_id: str) -> Approval | None:
        query = select(approval_requests).where(approval_requests.c.approval_id == approval_id)
        row = self._c.execute(query).mappings().first()
        return None if row is None else APPROVALS.item(row)

    def add(self, approval: Approval) -> None:
        self._c.execute(insert(approval_requests).values(**APPROVALS.row(approval)))

    def decide(self, approval: Approval) -> bool:
        c, row = approval_requests.c, APPROVALS.row(approval)
        decision = {name: row[name] for name in ("status", "decided_by", "decided_at", "reason")}
        pending = (c.approval_id == approval.approval_id, c.status == str(ApprovalStatus.PENDING))
        return self._c.execute(update(approval_requests).where(*pending).values(decision)).rowcount == 1

    def listed(self, status: ApprovalStatus) -> tuple[Approval, ...]:
        c = approval_requests.c
        query = select(approval_requests).where(c.status == str(status)).order_by(c.created_at.desc(),
                                                                                c.approval_id.desc())
        return tuple(APPROVALS.item(row) for row in self._c.execute(query).mappings())


class SqlAuditLog:
    """Appends entries inside the caller's transaction; the unit of work commits them."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def append(self, entry: AuditEntry) -> None:
        self._c.execute(insert(audit_events).values(**AUDIT.row(entry)))


def read_audit(
    connection: Connection,
    *,
    subject: str | None = None,
    subject_prefix: str | None = None,
    action: str | None = None,
    limit: int = 1000,
) -> tuple[StoredAuditEvent, ...]:
    """Entries in the order they were appended, filtered by subject or action."""
    e = audit_events.c
    query = select(audit_events).order_by(e.event_id).limit(limit)
    if subject is not None:
        query = query.where(e.subject == subject)
    if subject_prefix is not None:
        query = query.where(starts_with(e.subject, subject_prefix))
    if action is not None:
        query = query.where(e.action == action)
    return tuple(STORED_AUDIT.item(row) for row in connection.execute(query).mappings())


class _Repositories:
    """The repositories of a unit of work, bound to one connection."""

    def _bind(self, connection: Connection) -> None:
        self.ledgers = SqlLedgers(connection)
        self.promises = SqlRecords(connection, PROMISES)
        self.plans = SqlRecords(connection, PLANS)
        self.settlements = SqlRecords(connection, SETTLEMENTS)
        self.extensions = SqlRecords(connection, EXTENSIONS)
        self.hardship = SqlRecords(connection, HARDSHIP)
        self.referrals = SqlRecords(connection, REFERRALS)
        self.approvals = SqlApprovals(connection)
        self.audit = SqlAuditLog(connection)


class SqlArrangementsUnitOfWork(_Repositories, SqlUnitOfWork):
    """One transaction per ``with`` block (``unit_of_work.SqlUnitOfWork``)."""

    def joined(self) -> JoinedArrangementsUnitOfWork:
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

    def joined(self) -> Self:
        return self
