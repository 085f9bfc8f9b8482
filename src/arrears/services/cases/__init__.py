"""Case use cases (案件): raise a dispute or a hardship request (from the customer's page or the
workbench), take, assign and resolve a case, list and read cases and their files.

Each write is a frozen command handled in one unit of work (``ports.CasesUnitOfWork``): the
domain (``domain.cases``) decides, the case is stored, and an audit entry names the actor
and its kind (``customer`` when raised on the customer's own page, else ``user``). A dispute
holds collection on its account while it is live (the stored gate reads it:
``adapters.storage.contacts_repository``); resolving or rejecting it lifts the hold. Files
are checked by content and stored encrypted; reading one back needs ``READ_CASE_FILES`` (or
owning the case) and is audited."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from arrears.domain.access import Permission, Role, may
from arrears.domain.arrangements.audit import AuditEntry
from arrears.domain.cases import (
    Candidate,
    Case,
    CaseError,
    CaseKind,
    CaseStatus,
    NewCase,
    RaisedBy,
    Upload,
    assign,
    check_files,
    choose_owner,
    move,
    open_case,
)
from arrears.domain.vocabulary import DEFAULT_ZONE
from arrears.services.cases.ports import CaseQuery, CasesUnitOfWork, StoredFile
from arrears.services.workbench.errors import Forbidden, InvalidInput, NotFound


class ActorKind(StrEnum):
    CUSTOMER = "customer"  # the customer, on their own page (the session proves the account)
    USER = "user"  # a workbench user


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: ``label`` is what the audit names (a username, or ``customer:<account>``)."""

    kind: ActorKind
    label: str
    user_id: str | None = None
    role: Role | None = None
    agency_id: str | None = None
    account_id: str | None = None  # a customer acts on this account only

    @classmethod
    def customer(cls, account_id: str) -> Actor:
        return cls(ActorKind.CUSTOMER, f"customer:{account_id}", account_id=account_id)

    @classmethod
    def user(cls, user_id: str, username: str, role: Role, agency_id: str | None = None) -> Actor:
        return cls(ActorKind.USER, username, user_id, role, agency_id)

    def may(self, permission: Permission) -> bool:
        return self.role is not None and may(self.role, permission)


@dataclass(frozen=True, slots=True)
class CaseText:
    """A case raised on an account, in the words of whoever raises it."""

    account_id: str
    text: str


@dataclass(frozen=True, slots=True)
class RaiseDispute(CaseText):
    """Dispute a debt or a charge (异议)."""


@dataclass(frozen=True, slots=True)
class AskHardshipHelp(CaseText):
    """Ask for hardship help (困难帮扶申请), with the files that show it."""

    files: tuple[Upload, ...] = ()


@dataclass(frozen=True, slots=True)
class RaiseComplaint(CaseText):
    """Complain (投诉)."""


@dataclass(frozen=True, slots=True)
class ResolveCase:
    case_id: str
    outcome: CaseStatus  # resolved | rejected
    resolution: str


@dataclass(frozen=True, slots=True)
class CaseView:
    case: Case
    files: tuple[StoredFile, ...]


def _invalid(exc: CaseError) -> InvalidInput:
    return InvalidInput(exc.reason.zh, exc.reason.en, exc.field or None)


def _audit(uow: CasesUnitOfWork, now: datetime, actor: Actor, action: str, case: Case, *, before: str = "none",
           after: str = "", **detail: object) -> None:
    uow.audit.append(AuditEntry(now, actor.label, action, f"case:{case.case_id}", before, after or str(case.status), {
        "account_id": case.account_id, "actor_kind": str(actor.kind), "kind": str(case.kind), **detail}))


# --- raising ------------------------------------------------------------------------------------
def _may_raise(actor: Actor, account_id: str) -> None:
    if actor.kind is ActorKind.CUSTOMER:
        if actor.account_id != account_id:
            raise NotFound("没有这个账户", "no such account", "account_id")
    elif not actor.may(Permission.LOG_CONTACT):
        raise Forbidden("您的角色不能登记案件", "your role does not raise cases")


def _raise(uow: CasesUnitOfWork, kind: CaseKind, account_id: str, text: str, *, actor: Actor, now: datetime,
           zone: str, uploads: Sequence[Upload] = ()) -> Case:
    _may_raise(actor, account_id)
    try:
        files = check_files(uploads)
        with uow:
            facts = uow.accounts.facts(account_id)
            if facts is None or (actor.agency_id and facts.agency_id != actor.agency_id):
                raise NotFound("没有这个账户，或不在您的机构名下", "no such account for your agency", "account_id")
            owner = choose_owner(uow.accounts.collector(account_id), uow.accounts.staff(), facts.agency_id)
            by = RaisedBy.CUSTOMER if actor.kind is ActorKind.CUSTOMER else RaisedBy.STAFF
            new = NewCase(f"CS-{uuid.uuid4().hex[:12].upper()}", account_id, kind, text, by, actor.user_id,
                          facts.jurisdiction)
            case = open_case(new, owner_user_id=owner, raised_on=now.astimezone(ZoneInfo(zone)).date(), now=now)
            uow.cases.add(case)
            for seq, file in enumerate(files, start=1):
                uow.files.add(case.case_id, seq, file, now)
            _audit(uow, now, actor, f"case.{kind}.raised", case, owner=owner, due_on=case.due_on.isoformat(),
                   due_rule=case.due_rule, files=len(files), holds_collection=case.holds_collection)
            uow.commit()
    except CaseError as exc:
        raise _invalid(exc) from exc
    return case


def raise_dispute(uow: CasesUnitOfWork, command: RaiseDispute, *, actor: Actor, now: datetime,
                  zone: str = DEFAULT_ZONE) -> Case:
    """A dispute (异议): a case that holds collection on the account until it is closed."""
    return _raise(uow, CaseKind.DISPUTE, command.account_id, command.text, actor=actor, now=now, zone=zone)


def ask_hardship_help(uow: CasesUnitOfWork, command: AskHardshipHelp, *, actor: Actor, now: datetime,
                      zone: str = DEFAULT_ZONE) -> Case:
    """A hardship request (困难帮扶申请) with up to 3 files (PDF/JPEG/PNG by content, ≤ 5 MB)."""
    return _raise(uow, CaseKind.HARDSHIP, command.account_id, command.text, actor=actor, now=now, zone=zone,
                  uploads=command.files)


def raise_complaint(uow: CasesUnitOfWork, command: RaiseComplaint, *, actor: Actor, now: datetime,
                    zone: str = DEFAULT_ZONE) -> Case:
    """A complaint (投诉) recorded by a staff user or raised by the customer."""
    return _raise(uow, CaseKind.COMPLAINT, command.account_id, command.text, actor=actor, now=now, zone=zone)


# --- working a case -------------------------------------------------------------------------------
def _staff(actor: Actor, permission: Permission) -> None:
    if actor.kind is not ActorKind.USER or not actor.may(permission):
        raise Forbidden("您的角色无权办理案件", "your role may not do this with cases")


def _visible(uow: CasesUnitOfWork, case_id: str, actor: Actor) -> Case:
    case = uow.cases.get(case_id)
    if case is not None and actor.agency_id:
        facts = uow.accounts.facts(case.account_id)
        case = case if facts is not None and facts.agency_id == actor.agency_id else None
    if case is None:
        raise NotFound("没有这个案件", "no such case", "case_id")
    return case


def _saved(uow: CasesUnitOfWork, change: Callable[[], Case]) -> Case:
    """The case as ``change`` leaves it, stored; a change the case's rules refuse is invalid input."""
    try:
        case = change()
    except CaseError as exc:
        raise _invalid(exc) from exc
    uow.cases.save(case)
    return case


def _started(case: Case, now: datetime) -> Case:
    """An open case goes into work (open → in progress)."""
    return move(case, CaseStatus.IN_PROGRESS, now=now) if case.status is CaseStatus.OPEN else case


def take_case(uow: CasesUnitOfWork, case_id: str, *, actor: Actor, now: datetime) -> Case:
    """The actor becomes the case's owner and starts working it (open → in progress)."""
    _staff(actor, Permission.WORK_CASES)
    with uow:
        before = _visible(uow, case_id, actor)
        owner = actor.user_id
        if before.owner_user_id not in (None, owner) and not actor.may(Permission.ASSIGN_CASES):
            raise Forbidden("这个案件已有负责人", "this case has another owner", "case_id")
        after = _saved(uow, lambda: _started(assign(before, owner or "", now=now), now))
        _audit(uow, now, actor, "case.taken", after, before=f"{before.status} owner {before.owner_user_id}",
               after=f"{after.status} owner {owner}")
        uow.commit()
    return after


def assign_case(uow: CasesUnitOfWork, case_id: str, owner_user_id: str, *, actor: Actor, now: datetime) -> Case:
    """A team lead or compliance officer gives the case to another user."""
    _staff(actor, Permission.ASSIGN_CASES)
    with uow:
        before = _visible(uow, case_id, actor)
        owner = uow.accounts.user(owner_user_id)
        if owner is None or not may(Role(owner.role), Permission.WORK_CASES):
            raise InvalidInput("没有这个可办理案件的用户", "no such user who works cases", "owner_user_id")
        after = _saved(uow, lambda: assign(before, owner.user_id, now=now))
        _audit(uow, now, actor, "case.assigned", after, before=f"owner {before.owner_user_id}",
               after=f"owner {owner.user_id}")
        uow.commit()
    return after


def resolve_case(uow: CasesUnitOfWork, command: ResolveCase, *, actor: Actor, now: datetime) -> Case:
    """Close the case as resolved or rejected, with the answer given; a dispute's hold lifts."""
    _staff(actor, Permission.WORK_CASES)
    if command.outcome not in (CaseStatus.RESOLVED, CaseStatus.REJECTED):
        raise InvalidInput("结案结果只能是 resolved 或 rejected", "the outcome is resolved or rejected", "outcome")
    with uow:
        before = _visible(uow, command.case_id, actor)
        if before.owner_user_id != actor.user_id and not actor.may(Permission.ASSIGN_CASES):
            raise Forbidden("只有案件负责人或组长、合规人员可以结案",
                            "only the case's owner, a team lead or compliance closes it", "case_id")
        after = _saved(uow, lambda: move(before, command.outcome, now=now, resolution=command.resolution))
        _audit(uow, now, actor, f"case.{command.outcome}", after, before=str(before.status),
               hold_lifted=before.holds_collection and not after.holds_collection)
        uow.commit()
    return after


# --- reading ------------------------------------------------------------------------------------------
def list_cases(uow: CasesUnitOfWork, query: CaseQuery, *, actor: Actor) -> tuple[Case, ...]:
    """Cases in work order (live first, overdue first), within the actor's agency."""
    _staff(actor, Permission.VIEW_CASES)
    scoped = query if not actor.agency_id else replace(query, agency_id=actor.agency_id)
    with uow:
        return uow.cases.listed(scoped)


def case_view(uow: CasesUnitOfWork, case_id: str, *, actor: Actor) -> CaseView:
    _staff(actor, Permission.VIEW_CASES)
    with uow:
        case = _visible(uow, case_id, actor)
        return CaseView(case, uow.files.of_case(case_id))


def read_case_file(uow: CasesUnitOfWork, case_id: str, file_id: str, *, actor: Actor, now: datetime
                   ) -> tuple[StoredFile, str, bytes]:
    """A file's name and content, decrypted for a permitted user (READ_CASE_FILES, or the
    case's owner); every read is audited, and so is a refusal."""
    _staff(actor, Permission.VIEW_CASES)
    with uow:
        case = _visible(uow, case_id, actor)
        meta = next((f for f in uow.files.of_case(case_id) if f.file_id == file_id), None)
        if meta is None:
            raise NotFound("没有这个文件", "no such file", "file_id")
        permitted = actor.may(Permission.READ_CASE_FILES) or case.owner_user_id == actor.user_id
        _audit(uow, now, actor, "case.file_read" if permitted else "case.file_refused", case, after=file_id,
               file_id=file_id, sha256=meta.sha256)
        found = uow.files.read(file_id) if permitted else None  # decrypted only for a permitted user
        uow.commit()
    if found is None:
        raise Forbidden("您无权查看案件附件", "you may not read this case's files", "file_id")
    stored, name, content = found
    if hashlib.sha256(content).hexdigest() != stored.sha256:
        raise RuntimeError(f"case file {file_id}: the content does not match its digest")
    return stored, name, content


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A case as a list shows it: with its owner's username and its files."""

    case: Case
    owner: str | None
    files: tuple[StoredFile, ...]


def case_rows(uow: CasesUnitOfWork, query: CaseQuery, *, actor: Actor) -> tuple[CaseRow, ...]:
    """``list_cases`` with each owner's username and each case's files (for the pages)."""
    found = list_cases(uow, query, actor=actor)
    with uow:
        owners = {c.owner_user_id: uow.accounts.user(c.owner_user_id) for c in found if c.owner_user_id}
        return tuple(CaseRow(c, _name(owners.get(c.owner_user_id or "")), uow.files.of_case(c.case_id))
                     for c in found)


def _name(user: Candidate | None) -> str | None:
    return user.username if user is not None else None
