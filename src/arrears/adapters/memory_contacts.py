"""The contact ledger, the decision audit and their unit of work in memory (tests, demos). They
satisfy ``services.contacts.ports`` as the SQL adapters do: what a unit of work wrote is kept
by ``commit`` and undone by leaving it without one."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Self

from arrears.compliance.facts import PointFacts
from arrears.domain.contacts import Attempt, GateDecision, Logged, StoredContact, StoredDebtor


@dataclass
class MemoryContactLedger:
    debtors: dict[str, StoredDebtor] = field(default_factory=dict)  # by account id
    contact_points: dict[str, tuple[PointFacts, ...]] = field(default_factory=dict)  # by customer id
    ingested: dict[str, list[StoredContact]] = field(default_factory=dict)  # by customer id
    attempts: dict[str, Attempt] = field(default_factory=dict)
    trainings: dict[str, date | None] = field(default_factory=dict)
    agencies: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    locks: list[str] = field(default_factory=list)

    def debtor(self, account_id: str) -> StoredDebtor | None:
        return self.debtors.get(account_id)

    def points(self, customer_id: str) -> tuple[PointFacts, ...]:
        return self.contact_points.get(customer_id, ())

    def lock(self, customer_id: str) -> None:
        self.locks.append(customer_id)  # one process, one thread: nothing else to wait for

    def training_until(self, agent_id: str) -> date | None:
        return self.trainings.get(agent_id)

    def agency(self, agency_id: str) -> tuple[date | None, date | None] | None:
        return self.agencies.get(agency_id)

    def history(self, customer_id: str, since: datetime, until: datetime, without: str | None
                ) -> list[StoredContact]:
        made = [StoredContact(a.at, a.channel, a.logged.direction if a.logged else "outbound", a.contact_point_id,
                              a.outcome_party or a.party, a.outcome, a.account_id, a.agency_id, a.automated)
                for a in self.attempts.values() if a.customer_id == customer_id and a.attempt_id != without]
        return [c for c in (*self.ingested.get(customer_id, []), *made) if since <= c.at <= until]

    def add(self, attempt: Attempt) -> None:
        self.attempts[attempt.attempt_id] = attempt

    def get(self, attempt_id: str) -> Attempt | None:
        return self.attempts.get(attempt_id)

    def complete(self, attempt_id: str, outcome: str, party: str | None, completed_at: datetime) -> bool:
        attempt = self.attempts.get(attempt_id)
        if attempt is None or attempt.outcome is not None:
            return False
        self.attempts[attempt_id] = replace(attempt, outcome=outcome, outcome_party=party, completed_at=completed_at)
        return True

    def log(self, attempt_id: str, logged: Logged) -> bool:
        attempt = self.attempts.get(attempt_id)
        if attempt is None:
            return False
        self.attempts[attempt_id] = replace(attempt, logged=logged)
        return True


@dataclass
class MemoryDecisionAudit:
    decisions: list[GateDecision] = field(default_factory=list)

    def append(self, decision: GateDecision) -> None:
        self.decisions.append(decision)


class MemoryContactsUnitOfWork:
    def __init__(self, ledger: MemoryContactLedger | None = None, decisions: MemoryDecisionAudit | None = None
                 ) -> None:
        self.ledger = ledger or MemoryContactLedger()
        self.decisions = decisions or MemoryDecisionAudit()
        self.commits = 0
        self._kept: tuple[dict[str, Attempt], list[GateDecision]] | None = None

    def __enter__(self) -> Self:
        self._kept = (copy.copy(self.ledger.attempts), list(self.decisions.decisions))
        return self

    def __exit__(self, *args: object) -> None:
        self.rollback()

    def commit(self) -> None:
        self.commits += 1
        self._kept = (copy.copy(self.ledger.attempts), list(self.decisions.decisions))

    def rollback(self) -> None:
        if self._kept is not None:
            self.ledger.attempts, self.decisions.decisions = copy.copy(self._kept[0]), list(self._kept[1])
