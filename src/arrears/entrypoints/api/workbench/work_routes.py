"""/v1/queue and /v1/follow-ups: the day's work."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from arrears.domain.work_queue import QueueReason
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.deps import LanguageDep, PrincipalDep, WorkbenchDep
from arrears.entrypoints.api.workbench.schemas import (
    INVALID,
    FollowUpCreated,
    FollowUpIn,
    HandoverIn,
    HandoverOut,
    NextOut,
    SkipIn,
)
from arrears.entrypoints.web.i18n import translations
from arrears.entrypoints.web.labels import queue_reason
from arrears.services.workbench import followups, queue, search

router = APIRouter(prefix="/v1", tags=["work"], route_class=StrictInputRoute,
                   responses=INVALID)


def _worded(row: dict[str, Any], language: str) -> dict[str, Any]:
    """A queue row with its reason worded in ``language`` and its code kept as ``reason_kind``."""
    reason = QueueReason.read(row.get("reason"))
    return {**row, "reason": queue_reason(translations(language), row.get("reason")),
            "reason_kind": str(reason.kind) if reason else None}


@router.get("/queue")
def my_queue(principal: PrincipalDep, wb: WorkbenchDep, language: LanguageDep) -> dict[str, Any]:
    """Today's queue: what I hold, what waits next (priority, reason in the reply language, best
    hour, until when a skipped account rests), counts."""
    data = queue.my_queue(wb, principal)
    return {**data, "held": [_worded(r, language) for r in data["held"]],
            "waiting": [_worded(r, language) for r in data["waiting"]]}


@router.post("/queue/next", response_model=NextOut,
             responses={403: {"description": "role, lapsed training or ended agency mandate"},
                        409: {"description": "nobody in the queue may be contacted now (the gate's reasons)"}})
def next_account(principal: PrincipalDep, wb: WorkbenchDep, language: LanguageDep) -> NextOut:
    """Hand me the next account (a due callback first) that someone may call or text now; no two
    collectors ever get the same one. In-house collectors get in-house accounts only."""
    got = queue.next_account(wb, principal)
    return NextOut(account_id=None) if got is None else NextOut(**_worded(got, language))


@router.post("/queue/{account_id}/skip", status_code=status.HTTP_204_NO_CONTENT,
             responses={404: {"description": "you do not hold this account"}})
def skip_account(account_id: str, body: SkipIn, principal: PrincipalDep, wb: WorkbenchDep) -> None:
    """Skip the account I hold, with a reason; it rests (until the next full hour) and is not handed out meanwhile."""
    queue.skip(wb, principal, account_id, body.reason)


@router.post("/queue/{account_id}/release", status_code=status.HTTP_204_NO_CONTENT,
             responses={404: {"description": "you do not hold this account"}})
def release_account(account_id: str, principal: PrincipalDep, wb: WorkbenchDep) -> None:
    queue.release(wb, principal, account_id)


@router.get("/search", tags=["accounts"])
def search_accounts(q: str, principal: PrincipalDep, wb: WorkbenchDep) -> dict[str, Any]:
    """Find the account of a customer who calls in: account id, phone in any usual spelling, ID
    number or full name (through the keyed lookup hashes), or a phone's last 4 digits; only within
    your scope, at most 20, every search audited (never what was typed)."""
    return search.search(wb, principal, q)


@router.get("/follow-ups")
def my_day(principal: PrincipalDep, wb: WorkbenchDep) -> dict[str, Any]:
    """My day: open callbacks and reminders, overdue first."""
    return followups.my_day(wb, principal)


@router.post("/accounts/{account_id}/follow-ups", response_model=FollowUpCreated,
             status_code=status.HTTP_201_CREATED, tags=["accounts"])
def add_follow_up(account_id: str, body: FollowUpIn, principal: PrincipalDep, wb: WorkbenchDep) -> FollowUpCreated:
    made = followups.add_follow_up(wb, principal, account_id, kind=body.kind, due_at=body.due_at, note=body.note)
    return FollowUpCreated(follow_up_id=made)


@router.post("/follow-ups/{follow_up_id}/done", status_code=status.HTTP_204_NO_CONTENT,
             responses={404: {"description": "no such follow-up"}, 409: {"description": "already closed"}})
def complete_follow_up(follow_up_id: str, principal: PrincipalDep, wb: WorkbenchDep) -> None:
    followups.complete(wb, principal, follow_up_id)


@router.post("/follow-ups/handover", response_model=HandoverOut)
def hand_over(body: HandoverIn, principal: PrincipalDep, wb: WorkbenchDep) -> HandoverOut:
    """Team lead: move an absent collector's open follow-ups to a colleague."""
    return HandoverOut(moved=followups.hand_over(wb, principal, body.from_username, body.to_username))
