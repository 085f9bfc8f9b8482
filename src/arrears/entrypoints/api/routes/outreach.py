"""/v1/outreach: what the SMS gateway sends back (outreach-v1): delivery receipts and replies.

Both endpoints take the gateway's callback token (``ARREARS_GATEWAY_CALLBACK_TOKEN``) or a
service token with the ``outreach:callback`` scope, as ``Authorization: Bearer ...``; without
one they answer 401. An unknown provider id or number is a 404 that changes nothing."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from arrears.domain.access import ServiceScope
from arrears.domain.vocabulary import DeliveryStatus
from arrears.entrypoints.api.inputs import AwareInstant, StrictInputRoute
from arrears.entrypoints.api.workbench.deps import CredentialsDep, WorkbenchDep, require_scope
from arrears.services.outreach.replies import Callbacks, RecordReceipt, RecordReply, record_receipt, record_reply
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.service_tokens import PREFIX

router = APIRouter(prefix="/v1/outreach/sms", tags=["outreach"], route_class=StrictInputRoute)
ANSWERS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no callback token or service token with the outreach:callback scope"},
    404: {"description": "unknown provider_id or number; nothing changed"},
}


class ReceiptIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # a gateway may say more than the contract asks

    provider_id: str = Field(min_length=1, max_length=120)
    status: DeliveryStatus
    at: AwareInstant


class InboundIn(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sender: str = Field(alias="from", min_length=1, max_length=40)
    text: str = Field(max_length=2000)
    at: AwareInstant


def gateway(wb: WorkbenchDep, credentials: CredentialsDep) -> str:
    """The caller: the gateway (its callback token) or a system with an outreach service token."""
    from arrears import bootstrap

    expected = bootstrap.settings().gateway_callback_token
    if credentials is not None:
        given = credentials.credentials
        if expected and hmac.compare_digest(given.encode(), expected.encode()):
            return "gateway"
        if given.startswith(PREFIX):
            return require_scope(ServiceScope.OUTREACH_CALLBACK)(wb, credentials).label
    said = {"message_zh": "需要网关回调令牌", "message_en": "the gateway's callback token is required"}
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"}, detail=said)


GatewayDep = Annotated[str, Depends(gateway)]


def _callbacks(wb: Workbench) -> Callbacks:
    from arrears import bootstrap

    return bootstrap.outreach_callbacks(wb.engine, wb.cipher, wb.gate)


@router.post("/receipts", responses=ANSWERS)
def receipt(body: ReceiptIn, _caller: GatewayDep, wb: WorkbenchDep) -> dict[str, Any]:
    """A delivery receipt: the attempt's outcome is recorded; ``undeliverable`` marks the number invalid."""
    return record_receipt(RecordReceipt(body.provider_id, body.status, body.at), _callbacks(wb))


@router.post("/inbound", responses=ANSWERS)
def inbound(body: InboundIn, _caller: GatewayDep, wb: WorkbenchDep) -> dict[str, Any]:
    """A reply: an opt-out word (TD, T, 退订, STOP, UNSUBSCRIBE, 取消) opts the number out of SMS at once;
    any other text is an inbound contact and a follow-up for the account's collector."""
    return record_reply(RecordReply(body.sender, body.text, body.at), _callbacks(wb))
