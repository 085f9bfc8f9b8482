"""The arrangements that can wait for approval (plans, settlements, extensions): for each, its
terms as the text parameters an approval request stores and back, what it asks of an
approver's authority, and how it is booked. Booking is the same use case call whether the
maker's own authority covers it or a checker approved it: only ``approver`` differs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.approval_requests import ApprovalKind
from arrears.domain.arrangements.approvals import ApprovalRequest, Role
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.fees import FeeKind, FeePolicy
from arrears.domain.arrangements.plans import InstallmentPlan, PlanBasis
from arrears.domain.arrangements.settlements import Settlement
from arrears.domain.money import Money
from arrears.services import arrangement_accounts as accounts
from arrears.services import arrangements as svc
from arrears.services.arrangement_accounts import IngestedPortfolio, PlanRequest
from arrears.services.arrangement_ports import ArrangementsUnitOfWork
from arrears.services.arrangements import ArrangementPolicies

Arrangement = InstallmentPlan | Settlement | Extension


@dataclass(frozen=True, slots=True)
class Signer:
    """Who acts, and the arrangements authority they carry: on the API the signed-in user and
    ``approvals.authority_of`` their workbench role, never what a request body claims."""

    username: str
    authority: Role | None


@dataclass(frozen=True, slots=True)
class SettlementAsk:
    settlement_id: str
    account_id: str
    discount: Decimal
    first_due: date
    payments: int = 1


@dataclass(frozen=True, slots=True)
class ExtensionAsk:
    extension_id: str
    account_id: str
    subject: str
    original_due: date
    new_due: date


class Kind(Protocol):
    def parameters(self, ask: Any) -> dict[str, str]: ...
    def ask(self, account_id: str, parameters: Mapping[str, str]) -> Any: ...
    def asks(self, ask: Any) -> ApprovalRequest: ...
    def book(self, uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, ask: Any, *, maker: str,
             approver: Signer, now: datetime, policies: ArrangementPolicies) -> Arrangement: ...


class Plans:
    @staticmethod
    def parameters(ask: PlanRequest) -> dict[str, str]:
        found = {
            "plan_id": ask.plan_id, "months": str(ask.months), "first_due": ask.first_due.isoformat(),
            "basis": str(ask.basis), "fee_kind": str(ask.fee_policy.kind), "fee_rate": str(ask.fee_policy.rate),
            "fee_waiver": str(ask.fee_waiver), "agreement_ref": ask.agreement_ref,
            "agreement_sha256": ask.agreement_sha256, "agreement_form": ask.agreement_form,
        }
        if ask.budget is not None:
            found |= {"monthly_income": str(ask.budget.monthly_income.amount),
                      "monthly_expenses": str(ask.budget.monthly_expenses.amount),
                      "budget_currency": ask.budget.monthly_income.currency}
        return found

    @staticmethod
    def ask(account_id: str, p: Mapping[str, str]) -> PlanRequest:
        budget = None
        if "monthly_income" in p:
            currency = p["budget_currency"]
            budget = Budget(Money.of(p["monthly_income"], currency), Money.of(p["monthly_expenses"], currency))
        return PlanRequest(
            p["plan_id"], account_id, int(p["months"]), date.fromisoformat(p["first_due"]), PlanBasis(p["basis"]),
            FeePolicy(FeeKind(p["fee_kind"]), Decimal(p["fee_rate"])), Decimal(p["fee_waiver"]),
            p["agreement_ref"], p["agreement_sha256"], p["agreement_form"], budget,
        )

    @staticmethod
    def asks(ask: PlanRequest) -> ApprovalRequest:
        return ApprovalRequest(months=ask.months, fee_waiver=ask.fee_waiver)

    @staticmethod
    def book(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, ask: PlanRequest, *, maker: str,
             approver: Signer, now: datetime, policies: ArrangementPolicies) -> InstallmentPlan:
        return accounts.agree_plan_for_account(uow, portfolio, ask, actor=maker, role=approver.authority,
                                               approved_by=approver.username, now=now, policies=policies)


class Settlements:
    @staticmethod
    def parameters(ask: SettlementAsk) -> dict[str, str]:
        return {"settlement_id": ask.settlement_id, "discount": str(ask.discount),
                "first_due": ask.first_due.isoformat(), "payments": str(ask.payments)}

    @staticmethod
    def ask(account_id: str, p: Mapping[str, str]) -> SettlementAsk:
        return SettlementAsk(p["settlement_id"], account_id, Decimal(p["discount"]),
                             date.fromisoformat(p["first_due"]), int(p["payments"]))

    @staticmethod
    def asks(ask: SettlementAsk) -> ApprovalRequest:
        return ApprovalRequest(settlement_discount=ask.discount)

    @staticmethod
    def book(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, ask: SettlementAsk, *, maker: str,
             approver: Signer, now: datetime, policies: ArrangementPolicies) -> Settlement:
        return accounts.offer_settlement_for_account(
            uow, portfolio, settlement_id=ask.settlement_id, account_id=ask.account_id, discount=ask.discount,
            first_due=ask.first_due, payments=ask.payments, actor=maker, now=now, approved_by=approver.username,
            approver_role=approver.authority, policies=policies,
        )


class Extensions:
    @staticmethod
    def parameters(ask: ExtensionAsk) -> dict[str, str]:
        return {"extension_id": ask.extension_id, "subject": ask.subject,
                "original_due": ask.original_due.isoformat(), "new_due": ask.new_due.isoformat()}

    @staticmethod
    def ask(account_id: str, p: Mapping[str, str]) -> ExtensionAsk:
        return ExtensionAsk(p["extension_id"], account_id, p["subject"], date.fromisoformat(p["original_due"]),
                            date.fromisoformat(p["new_due"]))

    @staticmethod
    def asks(ask: ExtensionAsk) -> ApprovalRequest:
        return ApprovalRequest(extension_days=(ask.new_due - ask.original_due).days)

    @staticmethod
    def book(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, ask: ExtensionAsk, *, maker: str,
             approver: Signer, now: datetime, policies: ArrangementPolicies) -> Extension:
        """Granted by the approver (the maker when their own authority covers it), on the
        business day it is granted."""
        today = now.astimezone(ZoneInfo(policies.zone)).date()
        extension = Extension(ask.extension_id, ask.account_id, ask.subject, ask.original_due, ask.new_due, today,
                              approver.username, now)
        return svc.request_extension(uow, extension, role=approver.authority, now=now, policies=policies)


KINDS: Mapping[ApprovalKind, Kind] = {
    ApprovalKind.PLAN: Plans(),
    ApprovalKind.SETTLEMENT: Settlements(),
    ApprovalKind.EXTENSION: Extensions(),
}
