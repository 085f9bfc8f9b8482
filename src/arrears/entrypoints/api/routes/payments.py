"""/v1/payments/notify: a payment provider confirms money received for a payment reference.

Needs a service token with the ``payments:notify`` scope (401 without a live token, 403
without the scope). The amount is decimal text (``"1200.00"``; a JSON number, a negative or
zero amount, more than two decimals are refused with 422 naming ``body.amount``). The
payment is posted through the one payment posting, so balances, promises and plans change as
for any payment. The same (provider, transaction_id) again answers 200 ``already_posted``
and posts nothing; the first answers 201 ``posted``. A reference whose check digits disagree
is 422 (``body.reference``); one no account has, 404 (``body.reference``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, ConfigDict, Field

from arrears import bootstrap
from arrears.domain.access import ServiceScope
from arrears.domain.money import Money, MoneyError, parse_amount
from arrears.entrypoints.api.errors import ApiError
from arrears.entrypoints.api.inputs import AwareInstant, StrictInputRoute
from arrears.entrypoints.api.workbench.deps import WorkbenchDep, require_scope
from arrears.services.arrangements.common import ArrangementRefused, NotFound
from arrears.services.arrangements.payment_notices import PostNotice, post_notice
from arrears.services.workbench.service_tokens import ServiceCaller

router = APIRouter(prefix="/v1/payments", tags=["payments"], route_class=StrictInputRoute)
Caller = Annotated[ServiceCaller, Depends(require_scope(ServiceScope.PAYMENTS_NOTIFY))]
FIELDS = {"ARR-NOTICE-01": "body.reference", "ARR-NOTICE-02": "body.amount", "ARR-NOTICE-03": "body.transaction_id",
          "ARR-PAY-01": "body.paid_at"}


class NotifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    transaction_id: str = Field(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")
    reference: str = Field(min_length=5, max_length=40)
    amount: str = Field(min_length=1, max_length=20, description='decimal text, e.g. "1200.00"')
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    paid_at: AwareInstant


class NotifyOut(BaseModel):
    status: Literal["posted", "already_posted"]
    payment_id: str
    reference: str
    amount: str
    currency: str


def _money(body: NotifyIn) -> Money:
    try:
        value = parse_amount(body.amount)
    except MoneyError as exc:
        raise ApiError(422, "InvalidRequest", f"金额须为十进制文本（如 \"1200.00\"）：{exc}",
                       f"the amount is decimal text such as \"1200.00\": {exc}", field="body.amount") from exc
    if value <= 0:
        raise ApiError(422, "InvalidRequest", "到账金额须大于零", "the amount paid must be above zero",
                       field="body.amount")
    return Money(value, body.currency)


@router.post("/notify", response_model=NotifyOut, status_code=status.HTTP_201_CREATED, responses={
    200: {"model": NotifyOut, "description": "already posted: nothing changed"},
    401: {"description": "no live service token"}, 403: {"description": "the token lacks payments:notify"},
    404: {"description": "no account has this reference"}})
def notify(body: NotifyIn, caller: Caller, wb: WorkbenchDep, response: Response) -> Any:
    command = PostNotice(body.provider, body.transaction_id, body.reference, _money(body), body.paid_at)
    try:
        outcome = post_notice(bootstrap.payments_in_uow(wb.engine), bootstrap.ingested_portfolio(wb.engine), command,
                              actor=caller.label, now=wb.now())
    except NotFound as exc:
        raise ApiError(404, "NotFound", "没有使用该还款识别码的账户", "no account has this payment reference",
                       field="body.reference") from exc
    except ArrangementRefused as exc:
        reason = exc.decision.reason
        raise ApiError(422, "ArrangementRefused", reason.zh, reason.en, field=FIELDS.get(reason.rule_id),
                       rules=[reason.rule_id]) from exc
    if outcome.already_posted:
        response.status_code = status.HTTP_200_OK
    n = outcome.notice
    return NotifyOut(status="already_posted" if outcome.already_posted else "posted", payment_id=n.payment_id,
                     reference=n.reference, amount=f"{n.amount.amount:.2f}", currency=n.amount.currency)
