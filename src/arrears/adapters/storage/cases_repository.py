"""Cases, their files and the facts they need, on SQLite or PostgreSQL
(``services.cases.ports``, satisfied structurally).

Texts, resolutions, file names and file contents are encrypted with the field cipher
(``adapters.crypto``, AES-GCM with a random nonce) before they reach a table and decrypted
when read back, so the use cases handle plaintext and the database never holds it."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, exists, insert, select, update

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import SqlAuditLog
from arrears.adapters.storage.cases_tables import case_files, cases
from arrears.adapters.storage.unit_of_work import JoinedUnitOfWork, SqlUnitOfWork
from arrears.adapters.storage.workbench_tables import users, work_items
from arrears.domain.cases import (
    LIVE,
    AccountFacts,
    Candidate,
    Case,
    CaseKind,
    CaseQuery,
    CaseStatus,
    CheckedFile,
    FileKind,
    RaisedBy,
    StoredFile,
    work_order,
)

_LIVE = [str(s) for s in LIVE]


def open_dispute(account_id_column: Any) -> Any:
    """A SQL condition: a live dispute holds the account (the stored gate's hold)."""
    c = cases.c
    return exists().where(c.account_id == account_id_column, c.kind == str(CaseKind.DISPUTE), c.status.in_(_LIVE))


class SqlCases:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self._c, self._cipher = connection, cipher

    def _row(self, case: Case) -> dict[str, Any]:
        return {
            "case_id": case.case_id, "account_id": case.account_id, "kind": str(case.kind),
            "status": str(case.status), "text_enc": self._cipher.encrypt(case.text), "raised_by": str(case.raised_by),
            "raised_by_user": case.raised_by_user, "owner_user_id": case.owner_user_id,
            "jurisdiction": case.jurisdiction, "due_on": case.due_on, "due_rule": case.due_rule,
            "opened_at": case.opened_at, "updated_at": case.updated_at, "closed_at": case.closed_at,
            "resolution_enc": self._cipher.encrypt(case.resolution) if case.resolution else None,
        }

    def _case(self, row: Any) -> Case:
        resolution = self._cipher.decrypt(row["resolution_enc"]) if row["resolution_enc"] else ""
        return Case(row["case_id"], row["account_id"], CaseKind(row["kind"]), CaseStatus(row["status"]),
                    self._cipher.decrypt(row["text_enc"]), RaisedBy(row["raised_by"]), row["raised_by_user"],
                    row["owner_user_id"], row["jurisdiction"], row["due_on"], row["due_rule"], row["opened_at"],
                    row["updated_at"], row["closed_at"], resolution)

    def get(self, case_id: str) -> Case | None:
        row = self._c.execute(select(cases).where(cases.c.case_id == case_id)).mappings().first()
        return None if row is None else self._case(row)

    def add(self, case: Case) -> None:
        self._c.execute(insert(cases).values(**self._row(case)))

    def save(self, case: Case) -> None:
        row = self._row(case)
        del row["text_enc"]  # the customer's words never change
        self._c.execute(update(cases).where(cases.c.case_id == case.case_id).values(**row))

    def listed(self, query: CaseQuery) -> tuple[Case, ...]:
        c, statement = cases.c, select(cases)
        conditions = [
            (query.status is not None, lambda: c.status == str(query.status)),
            (query.live, lambda: c.status.in_(_LIVE)),
            (query.kind is not None, lambda: c.kind == str(query.kind)),
            (query.owner_user_id is not None, lambda: c.owner_user_id == query.owner_user_id),
            (query.account_id is not None, lambda: c.account_id == query.account_id),
            (query.overdue, lambda: (c.due_on < query.today) & c.status.in_(_LIVE)),
            (bool(query.agency_id), lambda: c.account_id.in_(
                select(t.accounts.c.account_id).where(t.accounts.c.agency_id == query.agency_id))),
        ]
        for wanted, condition in conditions:
            if wanted:
                statement = statement.where(condition())
        rows = self._c.execute(statement.order_by(c.due_on, c.case_id).limit(query.limit)).mappings()
        return tuple(work_order([self._case(row) for row in rows], query.today))

    def holds(self, account_id: str) -> bool:
        return bool(self._c.execute(select(open_dispute(account_id))).scalar())


class SqlCaseFiles:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self._c, self._cipher = connection, cipher

    @staticmethod
    def _stored(row: Any) -> StoredFile:
        return StoredFile(row["file_id"], row["case_id"], row["seq"], FileKind(row["kind"]), row["size_bytes"],
                          row["sha256"], row["uploaded_at"])

    def add(self, case_id: str, seq: int, file: CheckedFile, now: datetime) -> StoredFile:
        file_id = f"CF-{uuid.uuid4().hex[:12].upper()}"
        row = {"file_id": file_id, "case_id": case_id, "seq": seq, "kind": str(file.kind),
               "size_bytes": len(file.content), "sha256": hashlib.sha256(file.content).hexdigest(),
               "name_enc": self._cipher.encrypt(file.name), "content_enc": self._cipher.encrypt_bytes(file.content),
               "uploaded_at": now}
        self._c.execute(insert(case_files).values(**row))
        return self._stored(row)

    def of_case(self, case_id: str) -> tuple[StoredFile, ...]:
        f = case_files.c
        query = select(f.file_id, f.case_id, f.seq, f.kind, f.size_bytes, f.sha256, f.uploaded_at).where(
            f.case_id == case_id).order_by(f.seq)
        return tuple(self._stored(row) for row in self._c.execute(query).mappings())

    def read(self, file_id: str) -> tuple[StoredFile, str, bytes] | None:
        row = self._c.execute(select(case_files).where(case_files.c.file_id == file_id)).mappings().first()
        if row is None:
            return None
        return (self._stored(row), self._cipher.decrypt(row["name_enc"]),
                self._cipher.decrypt_bytes(row["content_enc"]))


class SqlCaseAccounts:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def facts(self, account_id: str) -> AccountFacts | None:
        a, cu = t.accounts.c, t.customers.c
        row = self._c.execute(select(a.account_id, a.agency_id, cu.jurisdiction).join(
            t.customers, cu.customer_id == a.customer_id).where(a.account_id == account_id)).first()
        return None if row is None else AccountFacts(row[0], row[1] or None, row[2] or "CN")

    def collector(self, account_id: str) -> Candidate | None:
        w, u = work_items.c, users.c
        query = (select(u.user_id, u.username, u.role, u.agency_id).join(users, u.user_id == w.assigned_to)
                 .where(w.account_id == account_id, u.active.is_(True), u.role == "collector")
                 .order_by(w.assigned_at.desc(), w.item_id.desc()).limit(1))
        row = self._c.execute(query).first()
        return None if row is None else Candidate(row[0], row[1], row[2], row[3] or None)

    def staff(self) -> tuple[Candidate, ...]:
        u = users.c
        rows = self._c.execute(select(u.user_id, u.username, u.role, u.agency_id).where(
            u.active.is_(True), u.role.in_(["team_lead", "compliance_officer"])).order_by(u.username)).all()
        return tuple(Candidate(r[0], r[1], r[2], r[3] or None) for r in rows)

    def user(self, user_id: str) -> Candidate | None:
        u = users.c
        row = self._c.execute(select(u.user_id, u.username, u.role, u.agency_id).where(
            u.user_id == user_id, u.active.is_(True))).first()
        return None if row is None else Candidate(row[0], row[1], row[2], row[3] or None)


class _Repositories:
    _cipher: FieldCipher

    def _bind(self, connection: Connection) -> None:
        self.cases = SqlCases(connection, self._cipher)
        self.files = SqlCaseFiles(connection, self._cipher)
        self.accounts = SqlCaseAccounts(connection)
        self.audit = SqlAuditLog(connection)


class SqlCasesUnitOfWork(_Repositories, SqlUnitOfWork):
    def __init__(self, engine: Engine, cipher: FieldCipher) -> None:
        self._cipher = cipher
        super().__init__(engine)


class JoinedCasesUnitOfWork(_Repositories, JoinedUnitOfWork):
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self._cipher = cipher
        super().__init__(connection)

