"""The contact ledger, the decision audit and their unit of work on SQLite or PostgreSQL
(``services.contacts.ports``, satisfied structurally).

``SqlContactsUnitOfWork(engine)`` is a transaction of its own; ``JoinedContactsUnitOfWork``
works inside a caller's connection and never commits (the caller does): ``unit_of_work``. The debtor's lock is
a write first (an upsert of ``debtor_locks``): the row lock (PostgreSQL) or the database's
write lock (SQLite) is held until the transaction ends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import (
    ARRAY,
    BindParameter,
    Boolean,
    ColumnElement,
    Connection,
    Engine,
    Select,
    String,
    any_,
    bindparam,
    insert,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from arrears.adapters.clock import Clock, system_clock
from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.cases_repository import open_dispute
from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts, debtor_locks
from arrears.adapters.storage.unit_of_work import JoinedUnitOfWork, SqlUnitOfWork
from arrears.compliance.facts import PointFacts
from arrears.domain.contacts import Attempt, GateDecision, Logged, StoredContact, StoredDebtor, StoredDecision

# an open dispute case (``cases``) holds the account: the flags the gate then reads
DISPUTE_HOLD = ("dispute", "dispute_hold")
ATTEMPT_COLUMNS = ("attempt_id", "account_id", "customer_id", "contact_point_id", "address_hash", "channel", "party",
                   "at", "agent_id", "agency_id", "automated", "purpose", "outcome", "outcome_party", "completed_at")
LOGGED_COLUMNS = ("contact_id", "logged_by", "direction", "notes_enc", "promise_amount_cents", "promise_date",
                  "dispute", "complaint", "callback_at", "pack_versions")


def utc(value: datetime | None) -> datetime | None:
    """An instant as stored (SQLite gives naive UTC) as aware UTC."""
    return None if value is None else _instant(value)


def _instant(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _attempt(row: Any) -> Attempt:
    values = {name: row[name] for name in ATTEMPT_COLUMNS}
    values["at"], values["completed_at"] = utc(values["at"]), utc(values["completed_at"])
    if row["logged_by"] is None:
        return Attempt(**values)
    logged = {name: row[name] for name in LOGGED_COLUMNS}
    logged["callback_at"] = utc(logged["callback_at"])
    return Attempt(**values, logged=Logged(**logged))


def _lock(dialect_insert: Any) -> Any:
    statement = dialect_insert(debtor_locks).values(customer_id=bindparam("customer_id"), reservations=1)
    return statement.on_conflict_do_update(index_elements=["customer_id"],
                                           set_={"reservations": debtor_locks.c.reservations + 1})


def among(column: Any, dialect: str) -> ColumnElement[bool]:
    """``column`` is one of the ids bound as ``:ids`` (a list): on PostgreSQL one array parameter,
    so the statement's text is the same for any number of ids and the driver prepares it once; on
    SQLite an expanding IN."""
    if dialect == "postgresql":
        return column == any_(bindparam("ids", type_=ARRAY(String)))
    return column.in_(bindparam("ids", expanding=True))  # type: ignore[no-any-return]


DIALECTS = ("postgresql", "sqlite")


def _lock_accounts(dialect: str) -> Any:
    """The debtors of the accounts ``:ids`` locked in customer-id order (two batches that share
    debtors queue instead of deadlocking), their ids returned: one statement."""
    customers = (select(t.accounts.c.customer_id, literal_column("1")).distinct()
                 .where(among(t.accounts.c.account_id, dialect)).order_by(t.accounts.c.customer_id))
    dialect_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = dialect_insert(debtor_locks).from_select(["customer_id", "reservations"], customers)
    return statement.on_conflict_do_update(index_elements=["customer_id"],
                                           set_={"reservations": debtor_locks.c.reservations + 1}
                                           ).returning(debtor_locks.c.customer_id)


# The reserve path's statements, built once: a statement built per call costs more CPU (building
# it, then its cache key) than the database takes to run it. Values are bound at execution. The
# batch path (``contacts_batch``) reads the same columns for many debtors at once (``..._OF``).
_a, _c, _p, _k, _m, _g = (t.accounts.c, t.customers.c, t.contact_points.c, t.contacts.c, contact_attempts.c,
                          t.agencies.c)


def _debtors() -> Select:
    return (select(_a.account_id, _a.customer_id, _a.flags, _a.agency_id, _c.timezone, _c.jurisdiction, _c.language,
                   open_dispute(_a.account_id).label("held"))
            .join(t.customers, _c.customer_id == _a.customer_id))


_DEBTOR = _debtors().where(_a.account_id == bindparam("account_id"))
DEBTORS_OF = {d: _debtors().where(among(_a.account_id, d)) for d in DIALECTS}
_POINT_COLUMNS = (_p.contact_point_id, _p.kind, _p.owner, _p.value_hash, _p.do_not_contact, _p.consent, _p.status,
                  _p.employer_provided)
_POINTS = select(*_POINT_COLUMNS).where(_p.customer_id == bindparam("customer_id"))
POINTS_OF = {d: select(_p.customer_id, *_POINT_COLUMNS).where(among(_p.customer_id, d)) for d in DIALECTS}
LOCKS = {"postgresql": _lock(pg_insert), "sqlite": _lock(sqlite_insert)}
LOCKS_OF = {d: _lock_accounts(d) for d in DIALECTS}
_TRAINING = select(t.agents.c.training_valid_until).where(t.agents.c.agent_id == bindparam("agent_id"))
TRAINING_OF = {d: select(t.agents.c.agent_id, t.agents.c.training_valid_until).where(among(t.agents.c.agent_id, d))
               for d in DIALECTS}
_AGENCY = select(_g.authorized_until, _g.last_evaluation).where(_g.agency_id == bindparam("agency_id"))
AGENCIES_OF = {d: select(_g.agency_id, _g.authorized_until, _g.last_evaluation).where(among(_g.agency_id, d))
               for d in DIALECTS}


def _history(customers: Callable[[Any], ColumnElement[bool]], *, without: bool) -> Any:
    """The ingested contacts and the ledger's attempts in one statement (``source`` 0 and 1), the
    columns only attempts have null for contacts (typed: the first select types the union's
    columns); ``customers(column)``: whose; ``without``: leave out attempt ``:without``."""
    since: BindParameter[datetime] = bindparam("since")
    until: BindParameter[datetime] = bindparam("until")
    attempts = [customers(_m.customer_id), _m.at >= since, _m.at <= until]
    if without:
        attempts.append(_m.attempt_id != bindparam("without"))
    return union_all(
        select(literal_column("0").label("source"), _k.at, _k.channel, _k.direction, _k.contact_point_id, _k.party,
               _k.outcome, _k.account_id, _k.agency_id, type_coerce(null(), Boolean).label("automated"),
               null().label("outcome_party"), _k.customer_id)
        .where(customers(_k.customer_id), _k.at >= since, _k.at <= until),
        select(literal_column("1").label("source"), _m.at, _m.channel, _m.direction, _m.contact_point_id, _m.party,
               _m.outcome, _m.account_id, _m.agency_id, _m.automated, _m.outcome_party, _m.customer_id)
        .where(*attempts),
    )


_HISTORY = _history(lambda column: column == bindparam("customer_id"), without=True)
HISTORIES = {d: _history(partial(among, dialect=d), without=False) for d in DIALECTS}
_ADD = insert(contact_attempts)
# An attempt is looked up by its id (to record its outcome, to log it): on PostgreSQL every month
# of the ledger has its own index, so the look-up searches the months of the last ``RECENT`` first
# (the attempts still open are of the last days; the bound prunes the other months) and all months
# only when the attempt is not there: the same row, the same answer, either way.
RECENT = timedelta(days=35)
_GET = select(contact_attempts).where(_m.attempt_id == bindparam("attempt_id"))
_GET_RECENT = _GET.where(_m.at >= bindparam("since"))
_LOG = update(contact_attempts).where(_m.attempt_id == bindparam("logged_attempt_id")).values(
    {name: bindparam(f"logged_{name}") for name in LOGGED_COLUMNS})
_LOG_RECENT = _LOG.where(_m.at >= bindparam("since"))
_COMPLETE = update(contact_attempts).where(_m.attempt_id == bindparam("done_attempt_id"), _m.outcome.is_(None)).values(
    outcome=bindparam("done_outcome"), outcome_party=bindparam("done_party"), completed_at=bindparam("done_at"))
_COMPLETE_RECENT = _COMPLETE.where(_m.at >= bindparam("since"))


def debtor_of(row: Any) -> StoredDebtor:
    """A row of ``DEBTORS_OF`` as the gate reads it: an open dispute adds its hold flags."""
    debtor = StoredDebtor(*row[:7])
    if row.held:
        return replace(debtor, flags=";".join(filter(None, [debtor.flags, *DISPUTE_HOLD])))
    return debtor


def contact_of(row: Any) -> StoredContact:
    """A row of the history statement: an ingested contact (``source`` 0) or a ledger attempt."""
    if row.source == 0:
        return StoredContact(_instant(row.at), *row[2:9])
    return StoredContact(_instant(row.at), row.channel, row.direction or "outbound", row.contact_point_id,
                         row.outcome_party or row.party, row.outcome, row.account_id, row.agency_id, row.automated)


class SqlContactLedger:
    def __init__(self, connection: Connection, clock: Clock = system_clock) -> None:
        self.connection, self._clock = connection, clock

    def debtor(self, account_id: str) -> StoredDebtor | None:
        row = self.connection.execute(_DEBTOR, {"account_id": account_id}).one_or_none()
        return None if row is None else debtor_of(row)

    def points(self, customer_id: str) -> tuple[PointFacts, ...]:
        rows = self.connection.execute(_POINTS, {"customer_id": customer_id}).all()
        return tuple(PointFacts(*row) for row in rows)

    def lock(self, customer_id: str) -> None:
        self.connection.execute(LOCKS[self.connection.dialect.name], {"customer_id": customer_id})

    def training_until(self, agent_id: str) -> date | None:
        return self.connection.execute(_TRAINING, {"agent_id": agent_id}).scalar()

    def agency(self, agency_id: str) -> tuple[date | None, date | None] | None:
        row = self.connection.execute(_AGENCY, {"agency_id": agency_id}).one_or_none()
        return None if row is None else (row.authorized_until, row.last_evaluation)

    def history(self, customer_id: str, since: datetime, until: datetime, without: str | None
                ) -> list[StoredContact]:
        rows = self.connection.execute(_HISTORY, {"customer_id": customer_id, "since": since, "until": until,
                                                  "without": without or ""}).all()
        return [contact_of(r) for r in rows if r.source == 0] + [contact_of(r) for r in rows if r.source == 1]

    def add(self, attempt: Attempt) -> None:
        values = {name: getattr(attempt, name) for name in ATTEMPT_COLUMNS}
        if attempt.logged is not None:
            values |= {name: getattr(attempt.logged, name) for name in LOGGED_COLUMNS}
        self.connection.execute(_ADD, values)

    def get(self, attempt_id: str) -> Attempt | None:
        row = (self.connection.execute(_GET_RECENT, {"attempt_id": attempt_id, "since": self._since()})
               .mappings().one_or_none()
               or self.connection.execute(_GET, {"attempt_id": attempt_id}).mappings().one_or_none())
        return None if row is None else _attempt(row)

    def complete(self, attempt_id: str, outcome: str, party: str | None, completed_at: datetime) -> bool:
        values = {"done_attempt_id": attempt_id, "done_outcome": outcome, "done_party": party, "done_at": completed_at}
        since = self._since()
        if self.connection.execute(_COMPLETE_RECENT, {**values, "since": since}).rowcount:
            return True
        recent = self.connection.execute(_GET_RECENT, {"attempt_id": attempt_id, "since": since}).first()
        return recent is None and bool(self.connection.execute(_COMPLETE, values).rowcount)

    def log(self, attempt_id: str, logged: Logged) -> bool:
        values = {f"logged_{name}": getattr(logged, name) for name in LOGGED_COLUMNS}
        values["logged_attempt_id"] = attempt_id
        return (self.connection.execute(_LOG_RECENT, {**values, "since": self._since()}).rowcount > 0
                or self.connection.execute(_LOG, values).rowcount > 0)

    def _since(self) -> datetime:
        return self._clock() - RECENT


APPEND = insert(compliance_decisions)


def decision_row(decision: GateDecision, cipher: FieldCipher | None) -> dict[str, Any]:
    """A decision as the audit stores it; with a cipher, the request it judged, encrypted."""
    return dict(
        decided_for=decision.decided_for, mode=decision.mode, request_digest=decision.request_digest,
        request_id=decision.request_id, account_id=decision.account_id, customer_id=decision.customer_id,
        channel=decision.channel, agent_id=decision.agent_id, pack_versions=json.dumps(decision.pack_versions),
        decision=decision.decision, rules=json.dumps(decision.rules),
        reasons=json.dumps(decision.reasons, ensure_ascii=False),
        warnings=json.dumps(decision.warnings, ensure_ascii=False), attempt_id=decision.attempt_id,
        facts_enc=cipher.encrypt(decision.request) if cipher and decision.request else None,
    )


class SqlDecisionAudit:
    """The append-only decision audit; with a cipher, each decision keeps the request it judged,
    encrypted (``facts_enc``), so that it can be replayed under another pack version."""

    def __init__(self, connection: Connection, cipher: FieldCipher | None = None) -> None:
        self.connection, self.cipher = connection, cipher

    def append(self, decision: GateDecision) -> None:
        self.connection.execute(APPEND, decision_row(decision, self.cipher))


class _Repositories:
    cipher: FieldCipher | None = None

    def _bind(self, connection: Connection) -> None:
        self.connection = connection
        self.ledger = SqlContactLedger(connection)
        self.decisions = SqlDecisionAudit(connection, self.cipher)


class SqlContactsUnitOfWork(_Repositories, SqlUnitOfWork):
    """The ledger and the audit in a transaction of their own (``SqlUnitOfWork``)."""

    def __init__(self, engine: Engine, cipher: FieldCipher | None = None) -> None:
        self.cipher = cipher
        super().__init__(engine)


class JoinedContactsUnitOfWork(_Repositories, JoinedUnitOfWork):
    """The ledger and the audit inside a caller's transaction: the caller commits."""

    def __init__(self, connection: Connection, cipher: FieldCipher | None = None) -> None:
        self.cipher = cipher
        super().__init__(connection)


class SqlStoredDecisions:
    """The decisions of a time range in id order, each with the request it judged (decrypted)."""

    def __init__(self, engine: Engine, cipher: FieldCipher) -> None:
        self.engine, self.cipher = engine, cipher

    def between(self, start: datetime, end: datetime) -> Iterator[StoredDecision]:
        d = compliance_decisions.c
        query = (select(d.decision_id, d.decided_for, d.mode, d.account_id, d.decision, d.rules, d.pack_versions,
                        d.facts_enc)
                 .where(d.decided_for >= start, d.decided_for < end).order_by(d.decision_id))
        with self.engine.connect() as connection:
            for r in connection.execute(query):
                request = json.loads(self.cipher.decrypt(r.facts_enc)) if r.facts_enc else None
                yield StoredDecision(r.decision_id, r.decided_for, r.mode, r.account_id, r.decision,
                                     json.loads(r.rules or "[]"), json.loads(r.pack_versions or "{}"), request)
