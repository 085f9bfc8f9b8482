"""What the case use cases need from outside: the cases and their files, the facts of an
account (its agency, jurisdiction, collector, and the staff who may own a case), the audit
log, a unit of work. ``arrears.adapters.storage.cases_repository`` satisfies them on a
database; it encrypts texts and files at rest, so the use cases see plaintext only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, Self

from arrears.domain.arrangements.audit import AuditEntry
from arrears.domain.cases import Candidate, Case, CaseKind, CaseStatus, CheckedFile, FileKind


@dataclass(frozen=True, slots=True)
class AccountFacts:
    account_id: str
    agency_id: str | None
    jurisdiction: str


@dataclass(frozen=True, slots=True)
class StoredFile:
    file_id: str
    case_id: str
    seq: int
    kind: FileKind
    size_bytes: int
    sha256: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """Which cases to list: by status (``live``: open or in progress), kind, owner, account,
    overdue as of ``today``; only accounts of ``agency_id`` when set (agency users)."""

    today: date
    status: CaseStatus | None = None
    live: bool = False
    kind: CaseKind | None = None
    owner_user_id: str | None = None
    account_id: str | None = None
    overdue: bool = False
    agency_id: str | None = None
    limit: int = 200


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


class AuditLog(Protocol):
    def append(self, entry: AuditEntry) -> None: ...


class CasesUnitOfWork(Protocol):
    @property
    def cases(self) -> CaseRepository: ...
    @property
    def files(self) -> CaseFiles: ...
    @property
    def accounts(self) -> Accounts: ...
    @property
    def audit(self) -> AuditLog: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *args: object) -> None: ...
    def commit(self) -> None: ...
