"""/v1/accounts: the list, the 360° view, reveals, compliance status, attempts and contacts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from arrears.domain.access import Permission, ServiceScope
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.api.workbench.deps import Caller, LanguageDep, PrincipalDep, WorkbenchDep, user_or_service
from arrears.entrypoints.api.workbench.schemas import (
    INVALID,
    AccountRow,
    AttemptIn,
    AttemptOut,
    ChannelStatusOut,
    ContactIn,
    ContactOut,
    RevealIn,
    RevealOut,
    VerdictOut,
)
from arrears.services.contact_gate_port import GateVerdict
from arrears.services.workbench import accounts, contacts, messages
from arrears.services.workbench.errors import InvalidInput

router = APIRouter(prefix="/v1/accounts", tags=["accounts"], route_class=StrictInputRoute,
                   responses=INVALID)
AccountId = Annotated[str, "the account id"]
BLOCKED: dict[int | str, dict[str, Any]] = {
    409: {"description": "the compliance gate refused: decision, rules and reasons"},
    403: {"description": "role, lapsed training or ended agency mandate"},
    404: {"description": "no such account in your scope"}}


def verdict_out(v: GateVerdict) -> VerdictOut:
    return VerdictOut(decision=v.decision, allowed=v.allowed, rules=list(v.rules), reasons=list(v.reasons),
                      warnings=list(v.warnings), pack_versions=list(v.pack_versions))


@router.get("", response_model=list[AccountRow])
def list_accounts(
    *, principal: PrincipalDep, wb: WorkbenchDep,
    bucket: Annotated[str | None, Query(max_length=10)] = None,
    min_dpd: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    max_dpd: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    agency_id: Annotated[str | None, Query(max_length=64)] = None,
    status_: Annotated[str | None, Query(alias="status", max_length=20)] = None,
    flag: Annotated[str | None, Query(max_length=30)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict[str, Any]]:
    """Accounts in your scope, newest aging first, personal data masked."""
    return accounts.list_accounts(wb, principal, accounts.AccountFilter(
        bucket, min_dpd, max_dpd, agency_id, status_, flag, limit, offset))


@router.get("/{account_id}", responses={404: {"description": "no such account in your scope"}})
def account_detail(account_id: AccountId, principal: PrincipalDep, wb: WorkbenchDep) -> dict[str, Any]:
    """The 360° view: balances, DPD and bucket history, payments, contacts, promises, follow-ups (masked),
    the latest scores (ability, willingness, propensity, segment, reasons) and the arrangements."""
    return accounts.account_view(wb, principal, account_id)


@router.get("/{account_id}/messages", responses={404: {"description": "no such account in your scope"}})
def message_previews(account_id: AccountId, principal: PrincipalDep, wb: WorkbenchDep,
                     language: LanguageDep) -> list[dict[str, Any]]:
    """The built-in SMS templates rendered for the account (masked data, the customer's language),
    each with the compliance gate's preview of sending it now (the text is screened)."""
    principal = _with_language(principal, language)
    return messages.message_previews(wb, principal, accounts.account_basics(wb, principal, account_id))


@router.post("/{account_id}/reveal", response_model=RevealOut,
             responses={404: {"description": "no such account or field"}, 403: {"description": "role"}})
def reveal(account_id: AccountId, body: RevealIn, principal: PrincipalDep, wb: WorkbenchDep) -> RevealOut:
    """Plaintext of one field for a stated purpose; audited before it is returned."""
    value = accounts.reveal(wb, principal, account_id, field=body.field, purpose=body.purpose,
                            contact_point_id=body.contact_point_id)
    return RevealOut(field=body.field, contact_point_id=body.contact_point_id, value=value)


@router.get("/{account_id}/compliance", response_model=list[ChannelStatusOut])
def compliance_now(account_id: AccountId, principal: PrincipalDep, wb: WorkbenchDep,
                   language: LanguageDep) -> list[ChannelStatusOut]:
    """What may happen now on each channel, and why (the gate's preview)."""
    principal = _with_language(principal, language)
    return [ChannelStatusOut(channel=s.channel, contact_point_id=s.contact_point_id, value_masked=s.value_masked,
                             verdict=verdict_out(s.verdict))
            for s in contacts.compliance_status(wb, principal, account_id)]


ReserverDep = Annotated[Caller, Depends(user_or_service(Permission.LOG_CONTACT, ServiceScope.DIALER))]


@router.post("/{account_id}/attempts", response_model=AttemptOut, status_code=status.HTTP_201_CREATED,
             responses=BLOCKED)
def reserve_attempt(account_id: AccountId, body: AttemptIn, caller: ReserverDep, wb: WorkbenchDep,
                    language: LanguageDep) -> AttemptOut:
    """Before the call: the gate checks and, when allowed, records the attempt. A collector's API
    token, or a dialer's service token (scope ``dialer``) naming the collector in ``agent_id``:
    the attempt is then the collector's, judged with their training and scope, as if they had
    asked (the dialer's own path to the gate, without the work queue: ``/v1/dialer/next``)."""
    if caller.principal is not None:
        if body.agent_id is not None:
            raise InvalidInput("用户令牌不能代他人预约", "a user's token cannot reserve for someone else", "agent_id")
        made = contacts.reserve_attempt(wb, _with_language(caller.principal, language), account_id,
                                        body.channel.value, body.contact_point_id)
    elif body.agent_id is None:
        raise InvalidInput("服务令牌须指明催收员工号", "a service token must name the collector (agent_id)", "agent_id")
    else:
        made = contacts.reserve_attempt_for(wb, body.agent_id, account_id, body.channel.value, body.contact_point_id,
                                            language=language)
    return AttemptOut(attempt_id=made["attempt_id"], contact_id=made["contact_id"],
                      verdict=verdict_out(made["verdict"]))


@router.post("/{account_id}/contacts", response_model=ContactOut, status_code=status.HTTP_201_CREATED,
             responses=BLOCKED)
def log_contact(account_id: AccountId, body: ContactIn, principal: PrincipalDep, wb: WorkbenchDep,
                language: LanguageDep) -> dict[str, Any]:
    """Record the outcome of a reserved attempt (or reserve now, then record); or, with
    ``direction: inbound``, a call the customer made to us, which is not reserved through the gate."""
    principal = _with_language(principal, language)
    return contacts.log_contact(wb, principal, account_id, contacts.LogContact(
        channel=body.channel.value, outcome=body.outcome.value, contact_point_id=body.contact_point_id,
        party=body.party.value if body.party else None, notes=body.notes, promise_amount=body.promise_amount,
        promise_date=body.promise_date, dispute=body.dispute, complaint=body.complaint,
        callback_at=body.callback_at, attempt_id=body.attempt_id, direction=body.direction.value,
    ))


def _with_language(principal: Any, language: str) -> Any:
    from dataclasses import replace

    return replace(principal, language=language)
