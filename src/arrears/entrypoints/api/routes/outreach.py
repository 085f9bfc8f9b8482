"""/v1/outreach: what the SMS gateway sends back (outreach-v1): delivery receipts and replies; and
what a mail provider says of an e-mail that bounced.

Every endpoint takes the gateway's callback token (``ARREARS_GATEWAY_CALLBACK_TOKEN``) or a
service token with the ``outreach:callback`` scope, as ``Authorization: Bearer ...``; without
one they answer 401. An unknown provider id or number is a 404 that changes nothing."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from arrears.domain.access import ServiceScope
from arrears.domain.vocabulary import Bounce, DeliveryStatus
from arrears.entrypoints.api.inputs import AwareInstant, StrictInputRoute
from arrears.entrypoints.api.workbench.deps import CredentialsDep, WorkbenchDep, require_scope
from arrears.services.outreach.bounces import RecordBounce, record_bounce
from arrears.services.outreach.replies import Callbacks, RecordReceipt, RecordReply, record_receipt, record_reply
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.service_tokens import PREFIX

router = APIRouter(prefix="/v1/outreach/sms", tags=["outreach"], route_class=StrictInputRoute)
email_router = APIRouter(prefix="/v1/outreach/email", tags=["outreach"], route_class=StrictInputRoute)
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


class BounceIn(BaseModel):
    """A bounced e-mail, named by its outbox message id or by its Message-ID (the provider id)."""

    model_config = ConfigDict(extra="ignore")  # a provider may say more

    message_id: str | None = Field(default=None, min_length=1, max_length=200)
    provider_id: str | None = Field(default=None, min_length=1, max_length=200)
    status: Bounce
    at: AwareInstant
    reason: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _names_the_message(self) -> BounceIn:
        if self.message_id is None and self.provider_id is None:
            raise ValueError("message_id or provider_id: one of them names the e-mail")
        return self


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


@email_router.post("/bounce", responses=ANSWERS | {404: {"description": "no e-mail with that id; nothing changed"}})
def bounce(body: BounceIn, _caller: GatewayDep, wb: WorkbenchDep) -> dict[str, Any]:
    """An e-mail bounced: its attempt is completed as ``bounced`` in the contact ledger, a hard bounce
    marks the address invalid at once, soft bounces do after ``ARREARS_EMAIL_SOFT_BOUNCE_LIMIT``
    messages. The same bounce again changes nothing."""
    reference = body.provider_id or body.message_id or ""
    return record_bounce(RecordBounce(reference, body.status, body.at, reason=body.reason), _callbacks(wb))
