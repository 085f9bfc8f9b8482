"""Cases (案件): a customer's dispute (异议), hardship request (困难帮扶申请) or complaint (投诉),
worked by the collections team until resolved or rejected.

Pure: no clock, no IO. The rules here:

- ``CaseStatus`` and ``TRANSITIONS``: open → in_progress → resolved | rejected (a case may be
  resolved or rejected straight from open; resolved and rejected are final);
- ``due_date``: when the team must have answered, by kind and jurisdiction (``DEADLINES``,
  each with its rule id and citation; with several jurisdictions the earliest date applies);
- ``holds_collection``: an open dispute holds collection on its account until it is resolved
  or rejected (US 12 CFR 1006.38(d)(2); CN 办法第69条 policy; UK DISP/CONC policy);
- ``sniff`` and ``check_files``: attached evidence is a PDF, JPEG or PNG by its content (the
  first bytes), never by its name, at most ``MAX_FILES`` of at most ``MAX_FILE_BYTES`` each;
- ``work_order``: open cases first, overdue before the rest, earliest due first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from arrears.domain.arrangements.decisions import TransitionError, ensure_transition
from arrears.domain.reasons import Reason


class CaseKind(StrEnum):
    DISPUTE = "dispute"
    HARDSHIP = "hardship"
    COMPLAINT = "complaint"


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"


class RaisedBy(StrEnum):
    """Who raised the case: the customer on their own page, or a staff user on the workbench."""

    CUSTOMER = "customer"
    STAFF = "staff"


TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.REJECTED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.RESOLVED, CaseStatus.REJECTED}),
    CaseStatus.RESOLVED: frozenset(),
    CaseStatus.REJECTED: frozenset(),
}
LIVE = frozenset({CaseStatus.OPEN, CaseStatus.IN_PROGRESS})
MAX_TEXT = 2000


class CaseError(ValueError):
    """A case that cannot be made or changed as asked; ``reason`` says why (and ``field`` where)."""

    def __init__(self, reason: Reason, field: str = "") -> None:
        super().__init__(f"{reason.rule_id}: {reason.en}")
        self.reason = reason
        self.field = field


# --- deadlines ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DeadlineRule:
    days: int  # calendar days after the day the case was raised
    reason: Reason


_CN_COMPLAINT = "《银行业保险业消费投诉处理管理办法》（银保监会令2020年第3号）第23条：15日内作出处理决定"
_UK_DISP = "FCA DISP 1.6.2R (final response within eight weeks)"
DEADLINES: dict[tuple[CaseKind, str], DeadlineRule] = {
    (CaseKind.DISPUTE, "CN"): DeadlineRule(15, Reason(
        "CASE-DUE-CN-DISPUTE", "异议须及时核实：受理后 15 日内答复", "an objection is verified promptly: answer "
        "within 15 days", f"《商业银行信用卡业务监督管理办法》第69条；期限参照{_CN_COMPLAINT}")),
    (CaseKind.DISPUTE, "US"): DeadlineRule(30, Reason(
        "CASE-DUE-US-DISPUTE", "争议核实前停止催收；机构政策：30 日内寄出核实结果",
        "collection stops until verification is sent; house policy: send it within 30 days",
        "12 CFR 1006.38(d)(2); 15 U.S.C. 1692g(b) (no statutory deadline; 30 days is policy)")),
    (CaseKind.DISPUTE, "UK"): DeadlineRule(56, Reason(
        "CASE-DUE-UK-DISPUTE", "争议按投诉处理：8 周内给出最终答复", "a dispute is handled as a complaint: "
        "final response within 8 weeks", _UK_DISP)),
    (CaseKind.COMPLAINT, "CN"): DeadlineRule(15, Reason(
        "CASE-DUE-CN-COMPLAINT", "投诉 15 日内作出处理决定", "a complaint is decided within 15 days", _CN_COMPLAINT)),
    (CaseKind.COMPLAINT, "US"): DeadlineRule(15, Reason(
        "CASE-DUE-US-COMPLAINT", "机构政策：投诉 15 日内答复（与 CFPB 投诉平台的答复期一致）",
        "house policy: answer a complaint within 15 days (the CFPB complaint portal's response period)",
        "policy; CFPB company response period (15 days)")),
    (CaseKind.COMPLAINT, "UK"): DeadlineRule(56, Reason(
        "CASE-DUE-UK-COMPLAINT", "投诉 8 周内给出最终答复", "final response to a complaint within 8 weeks",
        _UK_DISP)),
    (CaseKind.HARDSHIP, "CN"): DeadlineRule(15, Reason(
        "CASE-DUE-CN-HARDSHIP", "机构政策：困难帮扶申请 15 日内答复", "house policy: answer a hardship request "
        "within 15 days", f"policy; 《商业银行信用卡业务监督管理办法》第70条（个性化分期）；参照{_CN_COMPLAINT}")),
    (CaseKind.HARDSHIP, "US"): DeadlineRule(30, Reason(
        "CASE-DUE-US-HARDSHIP", "机构政策：困难帮扶申请 30 日内答复", "house policy: answer a hardship request "
        "within 30 days", "policy (no federal deadline for a creditor's hardship programme)")),
    (CaseKind.HARDSHIP, "UK"): DeadlineRule(14, Reason(
        "CASE-DUE-UK-HARDSHIP", "对财务困难客户须宽容并适当考虑：机构政策 14 日内评估",
        "customers in financial difficulty are treated with forbearance: house policy, assessed within 14 days",
        "FCA CONC 7.3.4R, 7.3.5G (PS24/2); 14 days is policy")),
}
DEFAULT_JURISDICTION = "CN"


@dataclass(frozen=True, slots=True)
class Deadline:
    due_on: date
    reason: Reason


def base_jurisdictions(jurisdiction: str | None) -> tuple[str, ...]:
    """The base jurisdictions of a customer's (``CN``, ``US;US-MA`` → ``US``); none: CN."""
    codes = [code.split("-")[0] for code in (jurisdiction or "").split(";") if code.strip()]
    known = tuple(dict.fromkeys(c for c in codes if c in {"CN", "US", "UK"}))
    return known or (DEFAULT_JURISDICTION,)


def due_date(kind: CaseKind, jurisdiction: str | None, raised_on: date) -> Deadline:
    """The day by which the case must be answered: the earliest of its jurisdictions' rules."""
    rules = [DEADLINES[(kind, code)] for code in base_jurisdictions(jurisdiction)]
    rule = min(rules, key=lambda r: r.days)
    return Deadline(raised_on + timedelta(days=rule.days), rule.reason)


def holds_collection(kind: CaseKind) -> bool:
    """A dispute holds collection on its account while it is open."""
    return kind is CaseKind.DISPUTE


HOLD_REASON = Reason(
    "CASE-HOLD-01", "客户异议未处理完毕：停止催收（仅可发送服务类信息）",
    "the customer's dispute is open: collection stops (service messages only)",
    "12 CFR 1006.38(d)(2); 《商业银行信用卡业务监督管理办法》第69条; FCA DISP 1.3, CONC 7.3.4R")


# --- the case -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    account_id: str
    kind: CaseKind
    status: CaseStatus
    text: str
    raised_by: RaisedBy
    raised_by_user: str | None  # the staff user's id; None when the customer raised it
    owner_user_id: str | None
    jurisdiction: str
    due_on: date
    due_rule: str
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    resolution: str = ""

    @property
    def live(self) -> bool:
        return self.status in LIVE

    @property
    def holds_collection(self) -> bool:
        return self.live and holds_collection(self.kind)

    def overdue(self, today: date) -> bool:
        return self.live and today > self.due_on


def _text(text: str, field: str, *, required: bool) -> str:
    cleaned = text.strip()
    if required and not cleaned:
        raise CaseError(Reason("CASE-TEXT-01", "请说明情况", "say what the case is about"), field)
    if len(cleaned) > MAX_TEXT:
        raise CaseError(Reason("CASE-TEXT-01", f"内容最多 {MAX_TEXT} 字", f"at most {MAX_TEXT} characters"), field)
    return cleaned


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must carry its time zone")
    return now


@dataclass(frozen=True, slots=True)
class NewCase:
    case_id: str
    account_id: str
    kind: CaseKind
    text: str
    raised_by: RaisedBy
    raised_by_user: str | None
    jurisdiction: str


def open_case(new: NewCase, *, owner_user_id: str | None, raised_on: date, now: datetime) -> Case:
    """A new open case with its due date (``raised_on``: the business day it was raised)."""
    deadline = due_date(new.kind, new.jurisdiction, raised_on)
    return Case(new.case_id, new.account_id, new.kind, CaseStatus.OPEN, _text(new.text, "text", required=True),
                new.raised_by, new.raised_by_user, owner_user_id, new.jurisdiction, deadline.due_on,
                deadline.reason.rule_id, _aware(now), now)


def move(case: Case, to: CaseStatus, *, now: datetime, resolution: str = "") -> Case:
    """The case in status ``to`` (TRANSITIONS); a final status records the resolution text."""
    try:
        ensure_transition(TRANSITIONS, case.status, to, f"case {case.case_id}")
    except TransitionError as exc:
        raise CaseError(Reason("CASE-STATUS-01", f"案件 {case.case_id} 不能从 {case.status} 改为 {to}", str(exc)),
                        "status") from exc
    final = to not in LIVE
    text = _text(resolution, "resolution", required=final) if final else case.resolution
    return replace(case, status=to, updated_at=_aware(now), closed_at=now if final else None, resolution=text)


def assign(case: Case, owner_user_id: str, *, now: datetime) -> Case:
    """The case with a new owner (only while it is live)."""
    if not case.live:
        raise CaseError(Reason("CASE-STATUS-01", f"案件 {case.case_id} 已结案，不能再指派",
                               f"case {case.case_id} is closed and cannot be assigned"), "owner")
    return replace(case, owner_user_id=owner_user_id, updated_at=_aware(now))


def work_order(cases: Iterable[Case], today: date) -> list[Case]:
    """Live cases first, the overdue ones before the rest, each by due date; then the closed
    ones, most recently closed first."""
    def key(case: Case) -> tuple[int, int, float]:
        if case.live:
            return 0, 0 if case.overdue(today) else 1, case.due_on.toordinal()
        return 1, 0, -(case.closed_at or case.updated_at).timestamp()

    return sorted(cases, key=key)


# --- owner assignment -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Candidate:
    user_id: str
    username: str
    role: str  # domain.access.Role value
    agency_id: str | None


OWNER_ROLES = ("team_lead", "compliance_officer")


def choose_owner(collector: Candidate | None, staff: Sequence[Candidate], agency_id: str | None) -> str | None:
    """The account's collector (whoever last held its work item) when there is one; else the
    first team lead by username of the account's agency (in-house when it has none), else the
    first in-house team lead, else the first in-house compliance officer; else nobody (the case
    waits unassigned on the team's list)."""
    if collector is not None:
        return collector.user_id
    ordered = sorted(staff, key=lambda c: c.username)
    for role, agency in (("team_lead", agency_id), ("team_lead", None), ("compliance_officer", None)):
        match = next((c for c in ordered if c.role == role and c.agency_id == agency), None)
        if match is not None:
            return match.user_id
    return None


# --- what the use cases read and list ---------------------------------------------------------
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


# --- attached files ---------------------------------------------------------------------------
class FileKind(StrEnum):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"


MEDIA_TYPES = {FileKind.PDF: "application/pdf", FileKind.JPEG: "image/jpeg", FileKind.PNG: "image/png"}
MAGIC: tuple[tuple[bytes, FileKind], ...] = (
    (b"%PDF-", FileKind.PDF),
    (b"\xff\xd8\xff", FileKind.JPEG),
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
)
MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024


def sniff(content: bytes) -> FileKind | None:
    """What ``content`` is by its first bytes (its magic number); None when none of ours."""
    return next((kind for magic, kind in MAGIC if content.startswith(magic)), None)


@dataclass(frozen=True, slots=True)
class Upload:
    name: str  # as the customer's device named it (shown only to permitted users)
    content: bytes


@dataclass(frozen=True, slots=True)
class CheckedFile:
    name: str
    kind: FileKind
    content: bytes

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


def check_files(uploads: Sequence[Upload]) -> tuple[CheckedFile, ...]:
    """The uploads as checked files; CaseError naming the file (``files[i]``) that is not a
    PDF, JPEG or PNG by content, is empty or above 5 MB, or when there are more than 3."""
    if len(uploads) > MAX_FILES:
        raise CaseError(Reason("CASE-FILE-01", f"最多上传 {MAX_FILES} 个文件", f"at most {MAX_FILES} files"), "files")
    return tuple(_check(i, upload) for i, upload in enumerate(uploads))


def _check(index: int, upload: Upload) -> CheckedFile:
    field, size = f"files[{index}]", len(upload.content)
    if size == 0:
        raise CaseError(Reason("CASE-FILE-02", f"文件 {index + 1} 是空的", f"file {index + 1} is empty"), field)
    if size > MAX_FILE_BYTES:
        raise CaseError(Reason("CASE-FILE-02", f"文件 {index + 1} 超过 5 MB", f"file {index + 1} is over 5 MB"),
                        field)
    kind = sniff(upload.content)
    if kind is None:
        raise CaseError(Reason("CASE-FILE-03", f"文件 {index + 1} 不是 PDF、JPEG 或 PNG（按内容判断）",
                               f"file {index + 1} is not a PDF, JPEG or PNG (judged by its content)"), field)
    return CheckedFile(upload.name[:200] or f"file-{index + 1}.{kind.value}", kind, upload.content)
