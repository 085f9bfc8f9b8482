"""In-memory cases, files and account facts for the case use cases (tests, demos). They satisfy
``services.cases.ports`` as the SQL adapters do; leaving a block without ``commit`` restores
the state of the last commit. Files are kept as given (nothing here is at rest)."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Self

from arrears.adapters.memory_arrangements import MemoryAudit
from arrears.domain.cases import AccountFacts, Candidate, Case, CaseQuery, CheckedFile, StoredFile, work_order


class MemoryCases:
    def __init__(self, accounts: MemoryCaseAccounts) -> None:
        self.items: dict[str, Case] = {}
        self._accounts = accounts

    def get(self, case_id: str) -> Case | None:
        return self.items.get(case_id)

    def add(self, case: Case) -> None:
        self.items[case.case_id] = case

    save = add

    def _matches(self, case: Case, q: CaseQuery) -> bool:
        facts = self._accounts.facts(case.account_id)
        checks = (q.status is None or case.status == q.status, not q.live or case.live,
                  q.kind is None or case.kind == q.kind, q.owner_user_id in (None, case.owner_user_id),
                  q.account_id in (None, case.account_id), not q.overdue or case.overdue(q.today),
                  not q.agency_id or (facts is not None and facts.agency_id == q.agency_id))
        return all(checks)

    def listed(self, query: CaseQuery) -> tuple[Case, ...]:
        found = [c for c in self.items.values() if self._matches(c, query)]
        return tuple(work_order(found, query.today)[: query.limit])

    def holds(self, account_id: str) -> bool:
        return any(c.holds_collection for c in self.items.values() if c.account_id == account_id)


class MemoryCaseFiles:
    def __init__(self) -> None:
        self.items: dict[str, tuple[StoredFile, str, bytes]] = {}

    def add(self, case_id: str, seq: int, file: CheckedFile, now: datetime) -> StoredFile:
        stored = StoredFile(f"CF-{len(self.items) + 1}", case_id, seq, file.kind, len(file.content),
                            hashlib.sha256(file.content).hexdigest(), now)
        self.items[stored.file_id] = (stored, file.name, file.content)
        return stored

    def of_case(self, case_id: str) -> tuple[StoredFile, ...]:
        return tuple(s for s, _, _ in self.items.values() if s.case_id == case_id)

    def read(self, file_id: str) -> tuple[StoredFile, str, bytes] | None:
        return self.items.get(file_id)


@dataclass
class MemoryCaseAccounts:
    accounts: dict[str, AccountFacts] = field(default_factory=dict)
    collectors: dict[str, Candidate] = field(default_factory=dict)  # account id -> who last held it
    people: list[Candidate] = field(default_factory=list)

    def facts(self, account_id: str) -> AccountFacts | None:
        return self.accounts.get(account_id)

    def collector(self, account_id: str) -> Candidate | None:
        return self.collectors.get(account_id)

    def staff(self) -> tuple[Candidate, ...]:
        return tuple(p for p in self.people if p.role in ("team_lead", "compliance_officer"))

    def user(self, user_id: str) -> Candidate | None:
        return next((p for p in self.people if p.user_id == user_id), None)


class MemoryCasesUnitOfWork:
    def __init__(self, accounts: MemoryCaseAccounts | None = None) -> None:
        self.accounts = accounts or MemoryCaseAccounts()
        self.cases = MemoryCases(self.accounts)
        self.files = MemoryCaseFiles()
        self.audit = MemoryAudit()
        self._saved: tuple[dict[str, Case], dict[str, tuple[StoredFile, str, bytes]], int] | None = None
        self.commits = 0

    def __enter__(self) -> Self:
        self._saved = (copy.copy(self.cases.items), copy.copy(self.files.items), len(self.audit.entries))
        return self

    def __exit__(self, *args: object) -> None:
        if self._saved is not None:
            self.cases.items, self.files.items, kept = self._saved
            del self.audit.entries[kept:]
        self._saved = None

    def commit(self) -> None:
        self.commits += 1
        self._saved = (copy.copy(self.cases.items), copy.copy(self.files.items), len(self.audit.entries))
