"""Request bodies of the /v1 arrangements and approvals API.

None of them says who acts or with which authority: that is the signed-in user of the API
token (see ``arrangement_deps``). Every model forbids unknown fields, so a body that still
sends ``actor``, ``approved_by``, ``role`` or ``approver_role`` (or anything else the model does
not know) is refused with 422 naming the field, whatever the spelling of its Content-Type."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.fees import FeePolicy
from arrears.domain.arrangements.hardship import HardshipKind
from arrears.domain.arrangements.plans import PlanBasis
from arrears.domain.money import Money
from arrears.domain.vocabulary import Channel

MONEY = r"^\d{1,15}(\.\d{1,2})?$"
RATE = r"^\d{1,3}(\.\d{1,12})?$"
Amount = Annotated[str, Field(pattern=MONEY, examples=["1200.00"])]
Rate = Annotated[str, Field(pattern=RATE, examples=["0.006"])]


class Strict(BaseModel):
    """A request body that refuses fields it does not declare."""

    model_config = ConfigDict(extra="forbid")


class FeeTerms(Strict):
    monthly_fee_rate: Rate | None = None
    annual_rate: Rate | None = None

    def policy(self) -> FeePolicy:
        if self.monthly_fee_rate is not None and self.annual_rate is not None:
            raise ValueError("give monthly_fee_rate or annual_rate, not both 只能选一个")
        if self.monthly_fee_rate is not None:
            return FeePolicy.monthly_fee(Decimal(self.monthly_fee_rate))
        if self.annual_rate is not None:
            return FeePolicy.interest(Decimal(self.annual_rate))
        return FeePolicy.none()


class DeclaredBudget(Strict):
    monthly_income: Amount
    monthly_expenses: Amount

    def budget(self) -> Budget:
        return Budget(Money.of(self.monthly_income), Money.of(self.monthly_expenses))


class QuoteRequest(FeeTerms):
    balance: Amount
    months: int = Field(ge=1, le=60)
    first_due: date
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    budget: DeclaredBudget | None = None


class AgreePlanRequest(FeeTerms):
    months: int = Field(ge=1, le=60)
    first_due: date
    basis: PlanBasis = PlanBasis.PAST_DUE
    fee_waiver: Rate = "0"
    budget: DeclaredBudget | None = None
    plan_id: str | None = Field(default=None, max_length=64)
    agreement_ref: str = Field(default="", max_length=200)
    agreement_sha256: str = Field(default="", pattern=r"^([0-9a-fA-F]{64})?$")
    agreement_form: str = Field(default="electronic", pattern=r"^(written|electronic|oral_recording)$")


class PromiseRequest(Strict):
    amount: Amount
    promised_date: date
    channel: Channel
    promise_id: str | None = Field(default=None, max_length=64)


class PaymentRequest(Strict):
    payment_id: str = Field(min_length=1, max_length=64)
    amount: Amount
    paid_at: datetime
    channel: str = Field(default="", max_length=50)


class ReversalRequest(Strict):
    reason: str = Field(default="", max_length=500)


class SettlementRequest(Strict):
    discount: Rate
    first_due: date
    payments: int = Field(default=1, ge=1)
    settlement_id: str | None = Field(default=None, max_length=64)


class NoFields(Strict):
    """An endpoint that needs no body; one that is sent may hold no field."""


class ExtensionRequest(Strict):
    subject: str = Field(default="statement", max_length=200)
    original_due: date
    new_due: date
    extension_id: str | None = Field(default=None, max_length=64)


class HardshipRequest(Strict):
    kind: HardshipKind
    start: date
    end: date
    review_on: date
    token_amount: Amount | None = None
    reason: str = Field(default="", max_length=500)
    programme_id: str | None = Field(default=None, max_length=64)


class ReferralRequest(Strict):
    organisation_id: str = Field(min_length=1, max_length=100)
    consent: bool
    referral_id: str | None = Field(default=None, max_length=64)


class ApproveRequest(Strict):
    note: str = Field(default="", max_length=500)


class RejectRequest(Strict):
    reason: str = Field(min_length=1, max_length=500, pattern=r"\S", description="why 驳回原因")
