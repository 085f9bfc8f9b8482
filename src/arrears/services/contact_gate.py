"""The ``ContactGate`` port on SQLite or PostgreSQL: ``services.contacts.gate`` in the ledger's
unit of work, the caller's transaction when given its connection (then the caller commits;
the gate never does), else one of its own."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.contacts_batch import BatchContactsUnitOfWork, Window
from arrears.adapters.storage.contacts_repository import JoinedContactsUnitOfWork, SqlContactsUnitOfWork
from arrears.compliance.gate import Screener
from arrears.compliance.packs import GateConfig
from arrears.services.contacts import gate
from arrears.services.contacts.gate import (
    Judge,
    PreviewContact,
    RecordOutcome,
    ReserveAttempt,
    UnknownAccount,
)
from arrears.services.contacts.ports import AttemptError, ContactLedger, ContactRequest, GateVerdict

__all__ = ["AttemptError", "SqlContactGate", "UnknownAccount"]


class SqlContactGate:
    """The ContactGate port on SQLite or PostgreSQL."""

    def __init__(
        self,
        engine: Engine,
        *,
        config: GateConfig | None = None,
        screener: Screener | None = None,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        cipher: FieldCipher | None = None,  # with it, each decision keeps its request (encrypted) for replay
    ) -> None:
        self.engine, self.cipher = engine, cipher
        self.judge = Judge(config, screener)
        self.new_id = new_id

    def _uow(self, connection: Connection | None) -> JoinedContactsUnitOfWork | SqlContactsUnitOfWork:
        if connection is not None:
            return JoinedContactsUnitOfWork(connection, self.cipher)
        return SqlContactsUnitOfWork(self.engine, self.cipher)

    def preview(self, request: ContactRequest, language: str = "zh") -> GateVerdict:
        with self._uow(None) as uow:
            verdict = gate.preview(uow, self.judge, PreviewContact(request, language))
            uow.commit()
        return verdict

    def reserve(
        self, request: ContactRequest, language: str = "zh", *, connection: Connection | None = None
    ) -> GateVerdict:
        with self._uow(connection) as uow:
            verdict = gate.reserve(uow, self.judge, ReserveAttempt(request, self.new_id(), language))
            uow.commit()
        return verdict

    def batch(self, connection: Connection, *, account_ids: Sequence[str], agent_ids: Sequence[str],
              at: datetime) -> SqlContactBatch:
        """Many reservations at ``at`` in the caller's transaction (``BatchContactsUnitOfWork``: the
        debtors' locks, then their facts read together); the caller commits the batch, then the
        transaction."""
        uow = BatchContactsUnitOfWork(connection, self.cipher, account_ids=account_ids, agent_ids=agent_ids,
                                      window=Window(*gate.window(self.judge, at)))
        return SqlContactBatch(uow, self.judge, self.new_id)

    def record_outcome(
        self, attempt_id: str, outcome: str, party: str | None = None, language: str = "zh", *,
        connection: Connection | None = None, completed_at: datetime | None = None,
    ) -> GateVerdict:
        command = RecordOutcome(attempt_id, outcome, completed_at or datetime.now(UTC), party, language)
        with self._uow(connection) as uow:
            verdict = gate.record_outcome(uow, self.judge, command)
            uow.commit()
        return verdict


@dataclass(frozen=True)
class SqlContactBatch:
    """``ContactBatch``: ``gate.reserve`` on the batch's unit of work, one reservation after another."""

    uow: BatchContactsUnitOfWork
    judge: Judge
    new_id: Callable[[], str]

    @property
    def ledger(self) -> ContactLedger:
        return self.uow.ledger

    def reserve(self, request: ContactRequest, language: str) -> GateVerdict:
        return gate.reserve(self.uow, self.judge, ReserveAttempt(request, self.new_id(), language))

    def commit(self) -> None:
        self.uow.commit()
