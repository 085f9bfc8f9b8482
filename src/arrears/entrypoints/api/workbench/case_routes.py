"""/v1/cases: disputes, hardship requests and complaints for the collections team.

Reading needs VIEW_CASES; taking and closing WORK_CASES (closing another's case, and assigning,
ASSIGN_CASES); a file's content READ_CASE_FILES or owning the case (every read audited). An
agency user sees only cases on accounts placed with their agency (others answer 404)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from arrears import bootstrap
from arrears.domain.cases import Case, CaseKind, CaseStatus
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.deps import PrincipalDep, WorkbenchDep
from arrears.entrypoints.api.workbench.schemas import INVALID
from arrears.services import cases as service
from arrears.services.cases import Actor
from arrears.services.cases.ports import CaseQuery, StoredFile
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal

router = APIRouter(prefix="/v1", tags=["cases"], route_class=StrictInputRoute, responses=INVALID)
ANSWERS: dict[int | str, dict[str, Any]] = {403: {"description": "the role may not do this"},
                                           404: {"description": "no such case in your scope"}}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseIn(_In):
    kind: Literal["dispute", "complaint", "hardship"]
    text: str = Field(min_length=1, max_length=2000)


class ResolveIn(_In):
    outcome: Literal["resolved", "rejected"]
    resolution: str = Field(min_length=1, max_length=2000)


class AssignIn(_In):
    owner_user_id: str = Field(min_length=1, max_length=64)


class CaseFileOut(BaseModel):
    file_id: str
    kind: str
    size_bytes: int
    uploaded_at: datetime


class CaseOut(BaseModel):
    case_id: str
    account_id: str
    kind: CaseKind
    status: CaseStatus
    text: str
    raised_by: str
    owner_user_id: str | None
    due_on: date
    due_rule: str
    overdue: bool
    holds_collection: bool
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    resolution: str
    files: list[CaseFileOut] = []


def actor_of(principal: Principal) -> Actor:
    return Actor.user(principal.user_id, principal.username, principal.role, principal.agency_id)


def case_out(case: Case, today: date, files: tuple[StoredFile, ...] = ()) -> CaseOut:
    return CaseOut(
        case_id=case.case_id, account_id=case.account_id, kind=case.kind, status=case.status, text=case.text,
        raised_by=str(case.raised_by), owner_user_id=case.owner_user_id, due_on=case.due_on,
        due_rule=case.due_rule, overdue=case.overdue(today), holds_collection=case.holds_collection,
        opened_at=case.opened_at, updated_at=case.updated_at, closed_at=case.closed_at, resolution=case.resolution,
        files=[CaseFileOut(file_id=f.file_id, kind=str(f.kind), size_bytes=f.size_bytes, uploaded_at=f.uploaded_at)
               for f in files])


def _uow(wb: Workbench) -> Any:
    return bootstrap.cases_uow(wb.engine, wb.cipher)


@router.get("/cases", response_model=list[CaseOut], responses=ANSWERS)
def list_cases(
    *, principal: PrincipalDep, wb: WorkbenchDep,
    status_: Annotated[CaseStatus | None, Query(alias="status")] = None,
    live: bool = False,
    kind: CaseKind | None = None,
    owner: Annotated[str | None, Query(max_length=64, description="an owner's user id, or `me`")] = None,
    account_id: Annotated[str | None, Query(max_length=64)] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[CaseOut]:
    """Cases in work order: live ones first, the overdue before the rest, by due date."""
    today = wb.today()
    query = CaseQuery(today, status_, live, kind, principal.user_id if owner == "me" else owner, account_id, overdue,
                      limit=limit)
    return [case_out(c, today) for c in service.list_cases(_uow(wb), query, actor=actor_of(principal))]


@router.get("/cases/{case_id}", response_model=CaseOut, responses=ANSWERS)
def get_case(case_id: str, principal: PrincipalDep, wb: WorkbenchDep) -> CaseOut:
    view = service.case_view(_uow(wb), case_id, actor=actor_of(principal))
    return case_out(view.case, wb.today(), view.files)


@router.post("/accounts/{account_id}/cases", response_model=CaseOut, status_code=status.HTTP_201_CREATED,
             responses=ANSWERS)
def raise_case(account_id: str, body: CaseIn, principal: PrincipalDep, wb: WorkbenchDep) -> CaseOut:
    """A staff user records a dispute, complaint or hardship request the customer made by phone or letter."""
    actor, now, zone = actor_of(principal), wb.now(), wb.timezone
    if body.kind == "dispute":
        case = service.raise_dispute(_uow(wb), service.RaiseDispute(account_id, body.text), actor=actor, now=now,
                                     zone=zone)
    elif body.kind == "complaint":
        case = service.raise_complaint(_uow(wb), service.RaiseComplaint(account_id, body.text), actor=actor,
                                       now=now, zone=zone)
    else:
        case = service.ask_hardship_help(_uow(wb), service.AskHardshipHelp(account_id, body.text), actor=actor,
                                         now=now, zone=zone)
    return case_out(case, wb.today())


@router.post("/cases/{case_id}/take", response_model=CaseOut, responses=ANSWERS)
def take_case(case_id: str, principal: PrincipalDep, wb: WorkbenchDep) -> CaseOut:
    """You own the case and work it (open → in progress)."""
    return case_out(service.take_case(_uow(wb), case_id, actor=actor_of(principal), now=wb.now()), wb.today())


@router.post("/cases/{case_id}/assign", response_model=CaseOut, responses=ANSWERS)
def assign_case(case_id: str, body: AssignIn, principal: PrincipalDep, wb: WorkbenchDep) -> CaseOut:
    case = service.assign_case(_uow(wb), case_id, body.owner_user_id, actor=actor_of(principal), now=wb.now())
    return case_out(case, wb.today())


@router.post("/cases/{case_id}/resolve", response_model=CaseOut, responses=ANSWERS)
def resolve_case(case_id: str, body: ResolveIn, principal: PrincipalDep, wb: WorkbenchDep) -> CaseOut:
    """Close the case with the answer given; a dispute's hold on collection lifts."""
    command = service.ResolveCase(case_id, CaseStatus(body.outcome), body.resolution)
    return case_out(service.resolve_case(_uow(wb), command, actor=actor_of(principal), now=wb.now()), wb.today())


@router.get("/cases/{case_id}/files/{file_id}", response_class=Response, responses={
    **ANSWERS, 200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
                     "description": "the file, decrypted (audited)"}})
def case_file(case_id: str, file_id: str, principal: PrincipalDep, wb: WorkbenchDep) -> Response:
    return file_response(wb, principal, case_id, file_id)


def file_response(wb: Workbench, principal: Principal, case_id: str, file_id: str) -> Response:
    """A case file as a download (never rendered inline: the content is the customer's)."""
    from arrears.domain.cases import MEDIA_TYPES

    stored, _name, content = service.read_case_file(_uow(wb), case_id, file_id, actor=actor_of(principal),
                                                   now=wb.now())
    filename = f"{case_id}-{stored.seq}.{stored.kind.value}"
    return Response(content, media_type=MEDIA_TYPES[stored.kind], headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})
