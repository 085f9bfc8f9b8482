"""Many reservations in one transaction, read and written set-based (the dialers' batch path).

``BatchContactsUnitOfWork`` is the ledger's unit of work for a batch of reservations made at
one instant inside a caller's transaction. On opening it takes every debtor's lock, in one
statement and in customer-id order (two batches that share debtors wait for each other instead
of deadlocking), then reads under the locks, one statement each for all the batch's debtors:
the accounts with their customers and dispute holds, the contact points, the history of the
look-back window, the agents' training and the agencies' mandates. The gate then judges each
reservation against what was read plus the attempts the batch has already reserved (so two
reservations for one debtor are judged one after the other, as on the single path); the
attempts and the decisions are written when the caller commits the unit (``commit``: one write
each, ``bulk.insert_dicts``: COPY on PostgreSQL). The judgement and its facts are exactly those
of ``SqlContactsUnitOfWork``: the same statements' columns, the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.bulk import insert_dicts
from arrears.adapters.storage.contacts_repository import (
    AGENCIES_OF,
    ATTEMPT_COLUMNS,
    DEBTORS_OF,
    HISTORIES,
    LOCKS_OF,
    LOGGED_COLUMNS,
    POINTS_OF,
    TRAINING_OF,
    SqlContactLedger,
    contact_of,
    debtor_of,
    decision_row,
)
from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts
from arrears.compliance.facts import PointFacts
from arrears.domain.contacts import Attempt, GateDecision, Logged, StoredContact, StoredDebtor

# an attempt no one logged, as its row is stored (every row of one write has every column)
_NOT_LOGGED: dict[str, Any] = {name: None for name in LOGGED_COLUMNS} | {"direction": "outbound", "dispute": False,
                                                                         "complaint": False}


@dataclass(frozen=True)
class Window:
    """The instants the batch's history covers: every reservation's look-back and rest of day."""

    since: datetime
    until: datetime

    def holds(self, since: datetime, until: datetime) -> bool:
        return self.since <= since and until <= self.until


def _ids(values: Iterable[str | None]) -> list[str]:
    return sorted({v for v in values if v})


class PrefetchedContactLedger:
    """``ContactLedger`` over one batch's debtors, read at opening, written at ``flush``."""

    def __init__(self, connection: Connection, account_ids: Iterable[str], agent_ids: Iterable[str],
                 window: Window) -> None:
        self.connection, self.window = connection, window
        accounts = _ids(account_ids)
        customers = _ids(connection.execute(LOCKS_OF[connection.dialect.name], {"ids": accounts}).scalars()
                         ) if accounts else []
        rows = connection.execute(DEBTORS_OF[connection.dialect.name], {"ids": accounts}).all() if accounts else []
        self.debtors = {row.account_id: debtor_of(row) for row in rows}
        self.points_by: dict[str, list[PointFacts]] = {c: [] for c in customers}
        self.contacts_by: dict[str, list[StoredContact]] = {c: [] for c in customers}
        self.attempts_by: dict[str, list[StoredContact]] = {c: [] for c in customers}
        if customers:
            self._read(customers, agent_ids)
        self.pending: dict[str, Attempt] = {}

    def _read(self, customers: list[str], agent_ids: Iterable[str]) -> None:
        c, dialect = self.connection, self.connection.dialect.name
        for row in c.execute(POINTS_OF[dialect], {"ids": customers}):
            self.points_by[row.customer_id].append(PointFacts(*row[1:]))
        span = {"ids": customers, "since": self.window.since, "until": self.window.until}
        for row in c.execute(HISTORIES[dialect], span):
            into = self.contacts_by if row.source == 0 else self.attempts_by
            into[row.customer_id].append(contact_of(row))
        agents = _ids(agent_ids)
        self.training = dict(c.execute(TRAINING_OF[dialect], {"ids": agents}).all()) if agents else {}
        agencies = _ids(d.agency_id for d in self.debtors.values())
        self.agencies = ({r.agency_id: (r.authorized_until, r.last_evaluation)
                          for r in c.execute(AGENCIES_OF[dialect], {"ids": agencies})} if agencies else {})

    def debtor(self, account_id: str) -> StoredDebtor | None:
        return self.debtors.get(account_id)

    def points(self, customer_id: str) -> tuple[PointFacts, ...]:
        return tuple(self.points_by.get(customer_id, ()))

    def lock(self, customer_id: str) -> None:
        if customer_id not in self.points_by:
            raise LookupError(f"customer {customer_id} is not in this batch: its lock was not taken")

    def training_until(self, agent_id: str) -> date | None:
        if agent_id not in self.training:
            return SqlContactLedger(self.connection).training_until(agent_id)  # an agent the batch did not name
        return self.training[agent_id]

    def agency(self, agency_id: str) -> tuple[date | None, date | None] | None:
        if agency_id not in self.agencies:
            return SqlContactLedger(self.connection).agency(agency_id)
        return self.agencies[agency_id]

    def history(self, customer_id: str, since: datetime, until: datetime, without: str | None
                ) -> list[StoredContact]:
        if without is not None or not self.window.holds(since, until):
            raise ValueError("the batch holds one window of history, for reservations only")
        inside = [*self.contacts_by[customer_id], *self.attempts_by[customer_id]]
        return [contact for contact in inside if since <= contact.at <= until]

    def add(self, attempt: Attempt) -> None:
        self.pending[attempt.attempt_id] = attempt
        direction = attempt.logged.direction if attempt.logged else "outbound"
        self.attempts_by[attempt.customer_id].append(StoredContact(
            attempt.at, attempt.channel, direction, attempt.contact_point_id, attempt.party, attempt.outcome,
            attempt.account_id, attempt.agency_id, attempt.automated))

    def get(self, attempt_id: str) -> Attempt | None:
        return self.pending.get(attempt_id)

    def complete(self, attempt_id: str, outcome: str, party: str | None, completed_at: datetime) -> bool:
        raise NotImplementedError("a batch reserves; outcomes are recorded one at a time")

    def log(self, attempt_id: str, logged: Logged) -> bool:
        attempt = self.pending.get(attempt_id)
        if attempt is None:
            return False
        self.pending[attempt_id] = replace(attempt, logged=logged)
        return True

    def flush(self) -> None:
        insert_dicts(self.connection, contact_attempts, [_attempt_row(a) for a in self.pending.values()])
        self.pending = {}


def _attempt_row(attempt: Attempt) -> dict[str, Any]:
    values = {name: getattr(attempt, name) for name in ATTEMPT_COLUMNS}
    if attempt.logged is None:
        return values | _NOT_LOGGED
    return values | {name: getattr(attempt.logged, name) for name in LOGGED_COLUMNS}


class BufferedDecisionAudit:
    """The decision audit, appended at ``flush`` in one write (COPY on PostgreSQL)."""

    def __init__(self, connection: Connection, cipher: FieldCipher | None) -> None:
        self.connection, self.cipher = connection, cipher
        self.rows: list[dict[str, Any]] = []

    def append(self, decision: GateDecision) -> None:
        self.rows.append(decision_row(decision, self.cipher))

    def flush(self) -> None:
        insert_dicts(self.connection, compliance_decisions, self.rows)
        self.rows = []


class BatchContactsUnitOfWork:
    """The batch's ledger and audit inside the caller's transaction: ``commit`` writes what the
    batch reserved and decided (the caller commits the transaction)."""

    def __init__(self, connection: Connection, cipher: FieldCipher | None, *, account_ids: Iterable[str],
                 agent_ids: Iterable[str], window: Window) -> None:
        if not connection.in_transaction():
            raise RuntimeError("a batch of reservations needs the caller's open transaction")
        self.connection = connection
        self.ledger = PrefetchedContactLedger(connection, account_ids, agent_ids, window)
        self.decisions = BufferedDecisionAudit(connection, cipher)

    def __enter__(self) -> BatchContactsUnitOfWork:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def commit(self) -> None:
        self.ledger.flush()
        self.decisions.flush()

    def rollback(self) -> None:
        raise RuntimeError("a batch cannot roll back alone: raise, and the caller's transaction rolls back")
