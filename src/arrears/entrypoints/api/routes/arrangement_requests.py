"""Request bodies of the /v1 arrangements and approvals API, and the commands they make.

None of them says who acts or with which authority: that is the signed-in user of the API
token. Every model forbids unknown fields, so a body that still sends ``actor``,
``approved_by``, ``role`` or ``approver_role`` (or anything else the model does not know) is
refused with 422 naming the field, whatever the spelling of its Content-Type. An id left out
is generated (``PL-…``, ``ST-…``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.hardship import HardshipKind
from arrears.domain.arrangements.plans import PlanBasis
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.schedule import FeePolicy
from arrears.domain.money import Money
from arrears.domain.vocabulary import Channel
from arrears.entrypoints.api.inputs import AwareInstant, Day
from arrears.services.arrangements.common import new_id
from arrears.services.arrangements.counselling import ReferToCounselling
from arrears.services.arrangements.extensions import GrantExtension
from arrears.services.arrangements.hardship import EnrolHardship
from arrears.services.arrangements.payments import PostPayment
from arrears.services.arrangements.plans import AgreePlan
from arrears.services.arrangements.settlements import OfferSettlement

MONEY = r"^\d{1,15}(\.\d{1,2})?$"
RATE = r"^\d{1,3}(\.\d{1,12})?$"
Amount = Annotated[str, Field(pattern=MONEY, examples=["1200.00"])]
Rate = Annotated[str, Field(pattern=RATE, examples=["0.006"])]
GivenId = Annotated[str | None, Field(max_length=64)]


class Strict(BaseModel):
    """A request body that refuses fields it does not declare."""

    model_config = ConfigDict(extra="forbid")


class FeeTerms(Strict):
    monthly_fee_rate: Rate | None = None
    annual_rate: Rate | None = None

    def policy(self) -> FeePolicy:
        monthly, annual = (None if r is None else Decimal(r) for r in (self.monthly_fee_rate, self.annual_rate))
        return FeePolicy.chosen(monthly, annual, ("monthly_fee_rate", "annual_rate"))


class DeclaredBudget(Strict):
    monthly_income: Amount
    monthly_expenses: Amount

    def budget(self) -> Budget:
        return Budget(Money.of(self.monthly_income), Money.of(self.monthly_expenses))


class QuoteRequest(FeeTerms):
    balance: Amount
    months: int = Field(ge=1, le=60)
    first_due: Day
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    budget: DeclaredBudget | None = None


class AgreePlanRequest(FeeTerms):
    months: int = Field(ge=1, le=60)
    first_due: Day
    basis: PlanBasis = PlanBasis.PAST_DUE
    fee_waiver: Rate = "0"
    budget: DeclaredBudget | None = None
    plan_id: GivenId = None
    agreement_ref: str = Field(default="", max_length=200)
    agreement_sha256: str = Field(default="", pattern=r"^([0-9a-fA-F]{64})?$")
    agreement_form: str = Field(default="electronic", pattern=r"^(written|electronic|oral_recording)$")

    def command(self, account_id: str) -> AgreePlan:
        return AgreePlan(new_id("PL", self.plan_id), account_id, self.months, self.first_due, self.basis,
                         self.policy(), Decimal(self.fee_waiver), self.agreement_ref, self.agreement_sha256.lower(),
                         self.agreement_form, self.budget.budget() if self.budget else None)


class PromiseRequest(Strict):
    amount: Amount
    promised_date: Day
    channel: Channel
    promise_id: GivenId = None

    def promise(self, account_id: str, *, taken_by: str, made_at: datetime) -> PromiseToPay:
        return PromiseToPay.taken(promise_id=new_id("PTP", self.promise_id), account_id=account_id,
                                  amount=Money.of(self.amount), promised_date=self.promised_date,
                                  channel=self.channel, taken_by=taken_by, made_at=made_at)


class PaymentRequest(Strict):
    payment_id: str = Field(min_length=1, max_length=64)
    amount: Amount
    paid_at: AwareInstant
    channel: str = Field(default="", max_length=50)

    def command(self, account_id: str) -> PostPayment:
        return PostPayment(account_id, self.payment_id, Money.of(self.amount), self.paid_at, self.channel)


class ReversalRequest(Strict):
    reason: str = Field(default="", max_length=500)


class SettlementRequest(Strict):
    discount: Rate
    first_due: Day
    payments: int = Field(default=1, ge=1)
    settlement_id: GivenId = None

    def command(self, account_id: str) -> OfferSettlement:
        return OfferSettlement(new_id("ST", self.settlement_id), account_id, Decimal(self.discount), self.first_due,
                               self.payments)


class NoFields(Strict):
    """An endpoint that needs no body; one that is sent may hold no field."""


class ExtensionRequest(Strict):
    subject: str = Field(default="statement", max_length=200)
    original_due: Day
    new_due: Day
    extension_id: GivenId = None

    def command(self, account_id: str) -> GrantExtension:
        return GrantExtension(new_id("EX", self.extension_id), account_id, self.subject, self.original_due,
                              self.new_due)


class HardshipRequest(Strict):
    kind: HardshipKind
    start: Day
    end: Day
    review_on: Day
    token_amount: Amount | None = None
    reason: str = Field(default="", max_length=500)
    programme_id: GivenId = None

    def command(self, account_id: str) -> EnrolHardship:
        token = Money.of(self.token_amount) if self.token_amount else None
        return EnrolHardship(new_id("HP", self.programme_id), account_id, self.kind, self.start, self.end,
                             self.review_on, self.reason, token)


class ReferralRequest(Strict):
    organisation_id: str = Field(min_length=1, max_length=100)
    consent: bool
    referral_id: GivenId = None

    def command(self, account_id: str) -> ReferToCounselling:
        return ReferToCounselling(new_id("RF", self.referral_id), account_id, self.organisation_id, self.consent)


class ApproveRequest(Strict):
    note: str = Field(default="", max_length=500)


class RejectRequest(Strict):
    reason: str = Field(min_length=1, max_length=500, pattern=r"\S", description="why 驳回原因")
