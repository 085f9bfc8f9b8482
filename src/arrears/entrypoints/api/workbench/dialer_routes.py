"""/v1/dialer: a dialer (a system with a service token of scope ``dialer``) asks for the next call
of a collector, already reserved by the contact gate, or reserves the calls it chose itself, many
at once; and it reports what came of each call."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from arrears.domain.access import ServiceScope
from arrears.domain.vocabulary import Channel, Party
from arrears.entrypoints.api.errors import ErrorBody, error_body, status_of
from arrears.entrypoints.api.inputs import AwareInstant, StrictInputRoute
from arrears.entrypoints.api.workbench.deps import LanguageDep, WorkbenchDep, require_scope
from arrears.entrypoints.api.workbench.schemas import VerdictOut
from arrears.services.dialer.calls import DialerEvent, NextCall, next_call, record_event
from arrears.services.dialer.reservations import MAX_CALLS, CallReserved, CallWanted, ReserveCalls, reserve_calls
from arrears.services.workbench.service_tokens import ServiceCaller

router = APIRouter(prefix="/v1/dialer", tags=["dialer"], route_class=StrictInputRoute)
DialerDep = Annotated[ServiceCaller, Depends(require_scope(ServiceScope.DIALER))]
AUTH: dict[int | str, dict[str, Any]] = {401: {"description": "no live service token"},
                                         403: {"description": "the token lacks the dialer scope"}}


class NextCallIn(BaseModel):
    agent_id: str = Field(min_length=1, max_length=64, description="the collector the dialer works for")
    automated: bool = Field(default=False, description="placed by a predictive dialer, not the collector's click")


class CallOut(BaseModel):
    attempt_id: str
    account_id: str
    contact_point_id: str
    number: str = Field(description="the number to dial (plaintext; its hand-out is audited)")
    number_masked: str
    kind: str
    reason: str
    callback: bool
    pack_versions: list[str]


class NextCallOut(BaseModel):
    call: CallOut | None = Field(description="null: nothing in the collector's queue now")


class DialerEventIn(BaseModel):
    attempt_id: str = Field(min_length=1, max_length=64)
    event: Literal["ringing", "answered", "no_answer", "busy", "failed"]
    party: Party | None = Field(default=None, description="who answered, when not the debtor")
    at: AwareInstant | None = None


class DialerEventOut(BaseModel):
    attempt_id: str
    event: str
    outcome: str | None = Field(description="the attempt's outcome in the ledger, for an event that ends the call")
    at: datetime


@router.post("/next", response_model=NextCallOut, responses={
    **AUTH, 404: {"description": "no active collector with this agent id"},
    403: {"description": "the token lacks the scope, or the collector may not take work"},
    409: {"description": "the gate allows no call on the queue's accounts now (its reasons)"}})
def next_number(body: NextCallIn, caller: DialerDep, wb: WorkbenchDep) -> NextCallOut:
    """The next number the collector may call now, already reserved by the gate (the attempt id
    to report events with); a due callback first, then the queue."""
    handed = next_call(wb, NextCall(body.agent_id, body.automated), caller.label)
    if handed is None:
        return NextCallOut(call=None)
    return NextCallOut(call=CallOut(
        attempt_id=handed.attempt_id, account_id=handed.account_id, contact_point_id=handed.contact_point_id,
        number=handed.number, number_masked=handed.number_masked, kind=handed.kind, reason=handed.reason,
        callback=handed.callback, pack_versions=list(handed.pack_versions)))


@router.post("/events", response_model=DialerEventOut, status_code=status.HTTP_201_CREATED, responses={
    **AUTH, 404: {"description": "no call with this attempt id was handed out"},
    409: {"description": "the call already ended, or the gate refused the outcome"}})
def dialer_event(body: DialerEventIn, caller: DialerDep, wb: WorkbenchDep) -> DialerEventOut:
    """Ringing is recorded; answered, no_answer, busy and failed end the attempt with that outcome."""
    done = record_event(wb, DialerEvent(body.attempt_id, body.event, body.party.value if body.party else None,
                                        body.at), caller.label)
    return DialerEventOut(**done)


class CallIn(BaseModel):
    account_id: str = Field(min_length=1, max_length=64)
    contact_point_id: str | None = Field(default=None, min_length=1, max_length=64,
                                         description="the number to call (a visit or a letter: none)")
    channel: Channel = Channel.CALL


class ReservationsIn(BaseModel):
    agent_id: str = Field(min_length=1, max_length=64, description="the collector the calls are reserved for")
    calls: list[CallIn] = Field(min_length=1, max_length=MAX_CALLS)


class CallReservedOut(BaseModel):
    account_id: str
    contact_point_id: str | None
    channel: str
    status: Literal[201, 409, 404, 422] = Field(
        description="201 reserved, 409 refused by the gate (its reasons in verdict), 404/422 the account or the input")
    attempt_id: str | None = None
    contact_id: str | None = None
    verdict: VerdictOut | None = None
    error: ErrorBody | None = None


class ReservationsOut(BaseModel):
    reserved: int
    refused: int
    failed: int
    calls: list[CallReservedOut] = Field(description="one answer a call, in the order sent")


def _call_out(answer: CallReserved, language: str) -> dict[str, Any]:
    """One call's answer in ``CallReservedOut``'s shape (built as plain data: a batch's answers
    are many, and the model's validation of each would cost more than the call's judgement)."""
    wanted = answer.wanted
    out: dict[str, Any] = {"account_id": wanted.account_id, "contact_point_id": wanted.contact_point_id,
                           "channel": wanted.channel, "attempt_id": answer.attempt_id,
                           "contact_id": answer.contact_id, "verdict": None, "error": None}
    if answer.error is not None:
        return out | {"status": 404 if status_of(answer.error) == 404 else 422,
                      "error": error_body(answer.error, language)}
    verdict = answer.verdict
    assert verdict is not None
    return out | {"status": 201 if answer.attempt_id else 409, "verdict": {
        "decision": verdict.decision, "allowed": verdict.allowed, "rules": list(verdict.rules),
        "reasons": list(verdict.reasons), "warnings": list(verdict.warnings),
        "pack_versions": list(verdict.pack_versions)}}


@router.post("/reservations", response_model=ReservationsOut, responses={
    **AUTH, 404: {"description": "no active collector with this agent id"},
    403: {"description": "the token lacks the scope, or the collector may not take work"}})
def reserve_many(body: ReservationsIn, _caller: DialerDep, wb: WorkbenchDep, language: LanguageDep) -> JSONResponse:
    """Reserve the calls a dialer chose (up to 200), each judged as ``POST /v1/accounts/{id}/attempts``
    judges one, in one transaction: every call gets its own answer in the order sent."""
    answers = reserve_calls(wb, ReserveCalls(body.agent_id, tuple(
        CallWanted(c.account_id, c.contact_point_id, c.channel.value) for c in body.calls), language))
    calls = [_call_out(answer, language) for answer in answers]
    statuses = Counter(call["status"] for call in calls)
    return JSONResponse({"reserved": statuses[201], "refused": statuses[409], "failed": statuses[404] + statuses[422],
                         "calls": calls})
