"""The one door every contact goes through: plan, page, API and message sends alike.

A ``ContactGate`` turns a proposed contact on a stored account into a compliance-check-v1
request (debtor zones, flags, the shared attempt ledger as history), asks the compliance
gate, writes the decision to the append-only audit table, and, with ``reserve``, records the
attempt in the ledger atomically, so concurrent callers can never together exceed a cap.
``record_outcome`` judges what came of a reserved attempt against the caps before it writes
it. Both may work inside the caller's transaction (``connection``), so that what the caller
writes with them commits or rolls back with them. The port takes no free text: a collector's
notes are the caller's to keep (encrypted).

Below the gate: the ledger, the decision audit and their unit of work, which
``arrears.adapters.storage.contacts_repository`` (SQL) and ``arrears.adapters.memory_contacts``
(in memory) satisfy structurally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from arrears.compliance.facts import PointFacts
from arrears.domain.contacts import Attempt, GateDecision, Logged, StoredContact, StoredDebtor
from arrears.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True, slots=True)
class ContactRequest:
    account_id: str
    channel: str  # call | voicemail | sms | email | letter | visit
    at: datetime  # zone-aware instant the contact would reach the person
    contact_point_id: str | None = None  # the number or address used (None for a visit)
    agent_id: str | None = None  # who acts; None for a system send
    message: str | None = None  # exact text of a message, letter or script
    automated: bool = False
    visitors: tuple[str, ...] = ()  # agent ids going on a visit
    purpose: str = "collection"  # collection | service | location


@dataclass(frozen=True, slots=True)
class GateVerdict:
    decision: str  # allow | deny | review
    rules: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    pack_versions: tuple[str, ...] = ()
    attempt_id: str | None = None  # set by reserve() when the attempt was recorded

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"


class AttemptError(ValueError):
    """An outcome that cannot be recorded on this attempt (nothing was written)."""


class AttemptUnknown(AttemptError):
    """No such attempt."""


class AttemptClosed(AttemptError):
    """The attempt already has its outcome."""


class OutcomeNotPossible(AttemptError):
    """The outcome is not in the vocabulary, or not one the attempt's channel can have."""


class ContactGate(Protocol):
    def preview(self, request: ContactRequest, language: str = "zh") -> GateVerdict:
        """May this happen now? Audited, records no attempt."""
        ...

    def reserve(
        self, request: ContactRequest, language: str = "zh", *, connection: Connection | None = None
    ) -> GateVerdict:
        """Check and, when allowed, record the attempt in the ledger in one transaction (the
        caller's, when ``connection`` is given: then the caller commits)."""
        ...

    def record_outcome(
        self, attempt_id: str, outcome: str, party: str | None = None, language: str = "zh", *,
        connection: Connection | None = None,
    ) -> GateVerdict:
        """Complete a reserved attempt with what happened (portfolio-v1 outcome vocabulary; the
        party reached), after judging it against the caps as of the attempt's time, under the
        debtor's lock: allowed → written; denied → nothing written (the decision is audited).
        Raises an ``AttemptError`` for an unknown or completed attempt or an impossible outcome."""
        ...


class ContactBatch(Protocol):
    """Many reservations at one instant in the caller's transaction: each judged as ``reserve``
    judges one (the batch's earlier reservations in the history), written at ``commit``."""

    @property
    def ledger(self) -> ContactLedger: ...
    def reserve(self, request: ContactRequest, language: str) -> GateVerdict: ...
    def commit(self) -> None: ...


@runtime_checkable
class BatchingGate(Protocol):
    """A gate that reserves many contacts at once, reading its facts for all of them together."""

    def batch(self, connection: Connection, *, account_ids: Sequence[str], agent_ids: Sequence[str],
              at: datetime) -> ContactBatch:
        """Take the debtors' locks and read what the gate needs of them, in the caller's transaction."""
        ...


class ContactLedger(Protocol):
    """The attempts ledger and the stored facts the gate reads (one transaction's view)."""

    def debtor(self, account_id: str) -> StoredDebtor | None: ...
    def points(self, customer_id: str) -> tuple[PointFacts, ...]: ...
    def lock(self, customer_id: str) -> None:
        """Hold the debtor's lock to the end of the transaction (concurrent reservations and
        recorded outcomes for one debtor are judged one after another)."""
        ...
    def training_until(self, agent_id: str) -> date | None: ...
    def agency(self, agency_id: str) -> tuple[date | None, date | None] | None:
        """(authorized_until, last_evaluation), None when the agency is not stored."""
        ...
    def history(self, customer_id: str, since: datetime, until: datetime, without: str | None
                ) -> list[StoredContact]:
        """Ingested contacts and ledger attempts in [since, until], but attempt ``without``."""
        ...
    def add(self, attempt: Attempt) -> None: ...
    def get(self, attempt_id: str) -> Attempt | None: ...
    def complete(self, attempt_id: str, outcome: str, party: str | None, completed_at: datetime) -> bool:
        """Store the outcome of an attempt that has none yet; False when it has one."""
        ...
    def log(self, attempt_id: str, logged: Logged) -> bool:
        """Store what a workbench user logged with the attempt; False when there is no such attempt."""
        ...


class DecisionAudit(Protocol):
    """Append-only: there is no way to change or remove a decision."""

    def append(self, decision: GateDecision) -> None: ...


class ContactsUnitOfWork(UnitOfWork, Protocol):
    """One business transaction over the ledger and the decision audit."""

    @property
    def ledger(self) -> ContactLedger: ...
    @property
    def decisions(self) -> DecisionAudit: ...
    def rollback(self) -> None: ...
