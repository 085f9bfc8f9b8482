"""What the case use cases need from outside: the cases and their files, the facts of an
account (its agency, jurisdiction, collector, and the staff who may own a case), the audit
log, a unit of work. ``arrears.adapters.storage.cases_repository`` satisfies them on a
database; it encrypts texts and files at rest, so the use cases see plaintext only."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from arrears.domain.cases import AccountFacts, Candidate, Case, CaseQuery, CheckedFile, StoredFile
from arrears.services.arrangements.ports import AuditLog
from arrears.services.unit_of_work import UnitOfWork

__all__ = ["AccountFacts", "CaseQuery", "CasesUnitOfWork", "StoredFile"]


class CaseRepository(Protocol):
    def get(self, case_id: str) -> Case | None: ...
    def add(self, case: Case) -> None: ...
    def save(self, case: Case) -> None: ...
    def listed(self, query: CaseQuery) -> tuple[Case, ...]:
        """The matching cases in work order (``domain.cases.work_order``)."""
        ...
    def holds(self, account_id: str) -> bool:
        """Whether a live case on the account holds collection (an open dispute)."""
        ...


class CaseFiles(Protocol):
    def add(self, case_id: str, seq: int, file: CheckedFile, now: datetime) -> StoredFile: ...
    def of_case(self, case_id: str) -> tuple[StoredFile, ...]: ...
    def read(self, file_id: str) -> tuple[StoredFile, str, bytes] | None:
        """The file, its name and its content, decrypted; None when there is no such file."""
        ...


class Accounts(Protocol):
    def facts(self, account_id: str) -> AccountFacts | None: ...
    def collector(self, account_id: str) -> Candidate | None:
        """The active collector who last held the account's work item, if any."""
        ...
    def staff(self) -> tuple[Candidate, ...]:
        """Active team leads and compliance officers."""
        ...
    def user(self, user_id: str) -> Candidate | None:
        """An active user."""
        ...


class CasesUnitOfWork(UnitOfWork, Protocol):
    @property
    def cases(self) -> CaseRepository: ...
    @property
    def files(self) -> CaseFiles: ...
    @property
    def accounts(self) -> Accounts: ...
    @property
    def audit(self) -> AuditLog: ...
