"""/v1 arrangements: quote, agree and show plans, promises, payments and reversals,
settlements, extensions, hardship, counselling referrals, and an account's arrangements.

Money travels as strings to the fen ("1200.00"). Refusals by a rule answer 422 with the
decision (rule id, reason in Chinese and English); unknown ids 404; inputs the domain
rejects 400. Every endpoint needs an API token (see ``authorised``); each change still names
its ``actor`` (and ``role`` where a limit applies) in the request body."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select

from arrears.adapters.counselling_directory import load_directory
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.domain.access import Permission
from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.approvals import ROLE_ORDER, Role
from arrears.domain.arrangements.counselling import CounsellingDirectory, Referral
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.fees import FeePolicy
from arrears.domain.arrangements.hardship import HardshipKind, HardshipProgramme
from arrears.domain.arrangements.plans import PlanBasis
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.money import Money
from arrears.domain.vocabulary import Channel
from arrears.entrypoints import arrangement_schemas as out
from arrears.entrypoints.api.deps import EngineDep, Now, get_engine, get_now  # noqa: F401 (re-exported for tests)
from arrears.entrypoints.api.strict import StrictJsonRoute
from arrears.entrypoints.api.workbench.deps import PrincipalDep
from arrears.entrypoints.cli.arrangement_cli import schedule_as_json
from arrears.services import arrangement_accounts as accounts
from arrears.services import arrangements as svc
from arrears.services.workbench.principal import Principal

# The arrangements authority each workbench role carries (approval limits by role).
AUTHORITY = {"collector": Role.COLLECTOR, "team_lead": Role.TEAM_LEAD,
             "strategy_manager": Role.STRATEGY_MANAGER, "admin": Role.HEAD_OF_COLLECTIONS}


def _refuse(code: int, zh: str, en: str) -> HTTPException:
    return HTTPException(code, detail={"message_zh": zh, "message_en": en})


def _check_claims(body: Any, principal: Principal) -> None:
    """Who acts and with which authority comes from the API token, not from the body: the
    body's ``actor``/``approved_by`` must be the signed-in user and its roles within theirs."""
    if not isinstance(body, dict):
        return
    authority = AUTHORITY.get(principal.role.value)
    rank = ROLE_ORDER.index(authority) if authority else -1
    for field_name in ("actor", "approved_by"):
        claimed = body.get(field_name)
        if claimed is not None and claimed != principal.username:
            raise _refuse(403, f"{field_name} 必须是当前登录用户 {principal.username}",
                          f"{field_name} must be the signed-in user {principal.username}")
    for field_name in ("role", "approver_role"):
        claimed = body.get(field_name)
        if claimed is None:
            continue
        if not isinstance(claimed, str):
            raise _refuse(422, f"{field_name} 必须是角色名称（文本）", f"{field_name} must be a role name (text)")
        if claimed not in {r.value for r in Role} or ROLE_ORDER.index(Role(claimed)) > rank:
            raise _refuse(403, f"当前用户没有 {claimed} 的审批权限", f"the signed-in user has no {claimed} authority")


async def authorised(request: Request, principal: PrincipalDep, engine: EngineDep) -> Principal:
    """Every arrangements endpoint needs an API token. Reading needs VIEW_ACCOUNTS, changing
    needs LOG_CONTACT, and the body's actor and roles must be the signed-in user's. An agency
    user may act only on accounts placed with its agency, on endpoints addressed by account;
    endpoints addressed by plan, payment or settlement id are for in-house staff."""
    needed = Permission.VIEW_ACCOUNTS if request.method == "GET" else Permission.LOG_CONTACT
    if not principal.may(needed):
        raise _refuse(403, f"角色 {principal.role.value} 无权执行此操作",
                      f"the role {principal.role.value} may not do this")
    if principal.is_agency_user and request.url.path != "/v1/arrangements/quote":
        account_id = request.path_params.get("account_id")
        visible = False
        if account_id is not None:
            query = select(t.accounts.c.account_id).where(t.accounts.c.account_id == account_id)
            with engine.connect() as connection:
                visible = connection.execute(
                    principal.scope.restrict(query, t.accounts.c.account_id)).first() is not None
        if not visible:
            raise _refuse(404, "没有这个账户，或不在您的机构名下", "no such account for your agency")
    if request.method != "GET" and request.headers.get("content-type", "").startswith("application/json"):
        with suppress(ValueError):  # malformed JSON: the endpoint's own validation answers it
            _check_claims(await request.json(), principal)
    return principal


router = APIRouter(prefix="/v1", tags=["arrangements"], dependencies=[Depends(authorised)],
                   route_class=StrictJsonRoute)

MONEY = r"^\d{1,15}(\.\d{1,2})?$"
RATE = r"^\d{1,3}(\.\d{1,12})?$"
Amount = Annotated[str, Field(pattern=MONEY, examples=["1200.00"])]
Rate = Annotated[str, Field(pattern=RATE, examples=["0.006"])]
Actor = Annotated[str, Field(min_length=1, max_length=100, description="who acts (until auth lands)")]


# --- dependencies -------------------------------------------------------------------------
def get_directory() -> CounsellingDirectory:
    return load_directory()


Directory = Annotated[CounsellingDirectory, Depends(get_directory)]


def _uow(engine: Engine) -> SqlArrangementsUnitOfWork:
    return SqlArrangementsUnitOfWork(engine)


def _today(now: datetime) -> date:
    return now.astimezone(ZoneInfo(svc.DEFAULT_ZONE)).date()


@contextmanager
def _answers() -> Iterator[None]:
    try:
        yield
    except svc.ArrangementRefused as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=exc.decision.as_dict()) from exc
    except svc.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except ValueError as exc:  # the domain's input errors (schedule, fees, payments, states)
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from exc


# --- requests -----------------------------------------------------------------------------
class FeeTerms(BaseModel):
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


class DeclaredBudget(BaseModel):
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
    actor: Actor
    role: Role
    plan_id: str | None = Field(default=None, max_length=64)
    agreement_ref: str = Field(default="", max_length=200)
    agreement_sha256: str = Field(default="", pattern=r"^([0-9a-fA-F]{64})?$")
    agreement_form: str = Field(default="electronic", pattern=r"^(written|electronic|oral_recording)$")


class PromiseRequest(BaseModel):
    amount: Amount
    promised_date: date
    channel: Channel
    actor: Actor
    promise_id: str | None = Field(default=None, max_length=64)


class PaymentRequest(BaseModel):
    payment_id: str = Field(min_length=1, max_length=64)
    amount: Amount
    paid_at: datetime
    channel: str = Field(default="", max_length=50)
    actor: Actor


class ReversalRequest(BaseModel):
    reason: str = Field(default="", max_length=500)
    actor: Actor


class SettlementRequest(BaseModel):
    discount: Rate
    first_due: date
    payments: int = Field(default=1, ge=1)
    actor: Actor
    approved_by: str = Field(default="", max_length=100)
    approver_role: Role | None = None
    settlement_id: str | None = Field(default=None, max_length=64)


class ActorRequest(BaseModel):
    actor: Actor


class ExtensionRequest(BaseModel):
    subject: str = Field(default="statement", max_length=200)
    original_due: date
    new_due: date
    actor: Actor
    role: Role
    extension_id: str | None = Field(default=None, max_length=64)


class HardshipRequest(BaseModel):
    kind: HardshipKind
    start: date
    end: date
    review_on: date
    token_amount: Amount | None = None
    reason: str = Field(default="", max_length=500)
    actor: Actor
    programme_id: str | None = Field(default=None, max_length=64)


class ReferralRequest(BaseModel):
    organisation_id: str = Field(min_length=1, max_length=100)
    consent: bool
    actor: Actor
    referral_id: str | None = Field(default=None, max_length=64)


def _id(given: str | None, prefix: str) -> str:
    return given or f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


# --- routes -------------------------------------------------------------------------------
@router.post("/arrangements/quote")
def quote(body: QuoteRequest) -> dict[str, Any]:
    """The exact schedule of a plan, and its affordability when a budget is given."""
    with _answers():
        result = svc.quote_plan(
            Money.of(body.balance, body.currency),
            body.months,
            body.first_due,
            body.policy(),
            budget=body.budget.budget() if body.budget else None,
        )
    answer = schedule_as_json(result.schedule)
    answer["affordability"] = None if result.affordability is None else result.affordability.as_dict()
    return answer


@router.post("/accounts/{account_id}/plans", status_code=status.HTTP_201_CREATED)
def agree_plan(account_id: str, body: AgreePlanRequest, engine: EngineDep, now: Now) -> out.PlanOut:
    with _answers():
        request = accounts.PlanRequest(
            _id(body.plan_id, "PL"),
            account_id,
            body.months,
            body.first_due,
            body.basis,
            body.policy(),
            Decimal(body.fee_waiver),
            body.agreement_ref,
            body.agreement_sha256.lower(),
            body.agreement_form,
            body.budget.budget() if body.budget else None,
        )
        plan = accounts.agree_plan_for_account(
            _uow(engine), SqlPortfolioReader(engine), request, actor=body.actor, role=body.role, now=now
        )
    return out.plan_out(plan)


@router.get("/plans/{plan_id}")
def get_plan(plan_id: str, engine: EngineDep, now: Now, as_of: date | None = None) -> out.PlanOut:
    with _answers():
        view = accounts.plan_view(_uow(engine), plan_id, as_of=as_of or _today(now))
    return out.plan_out(view.plan, view)


@router.get("/accounts/{account_id}/arrangements")
def list_arrangements(account_id: str, engine: EngineDep) -> out.AccountArrangementsOut:
    return out.account_arrangements_out(accounts.account_arrangements(_uow(engine), account_id))


@router.post("/accounts/{account_id}/promises", status_code=status.HTTP_201_CREATED)
def record_promise(account_id: str, body: PromiseRequest, engine: EngineDep, now: Now) -> out.PromiseOut:
    with _answers():
        promise = PromiseToPay.taken(
            promise_id=_id(body.promise_id, "PTP"),
            account_id=account_id,
            amount=Money.of(body.amount),
            promised_date=body.promised_date,
            channel=body.channel,
            taken_by=body.actor,
            made_at=now,
        )
        recorded = svc.record_promise(_uow(engine), promise, actor=body.actor, now=now)
    return out.promise_out(recorded)


@router.get("/accounts/{account_id}/promise-history")
def promise_history(account_id: str, engine: EngineDep, now: Now, as_of: date | None = None) -> out.PromiseHistoryOut:
    with _answers():
        history = accounts.promise_history(_uow(engine), SqlPortfolioReader(engine), account_id, as_of or _today(now))
    return out.promise_history_out(history)


@router.post("/accounts/{account_id}/payments")
def post_payment(
    account_id: str, body: PaymentRequest, engine: EngineDep, now: Now, response: Response
) -> out.PaymentOutcomeOut:
    """201 when posted; 200 when this payment id was already posted (nothing changes)."""
    if body.paid_at.tzinfo is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="paid_at must carry its time zone 须带时区")
    uow = _uow(engine)
    with _answers():
        outcome = accounts.post_received_payment(
            uow,
            SqlPortfolioReader(engine),
            account_id=account_id,
            payment_id=body.payment_id,
            amount=Money.of(body.amount),
            paid_at=body.paid_at,
            channel=body.channel,
            actor=body.actor,
            now=now,
        )
    response.status_code = status.HTTP_201_CREATED if outcome.changed else status.HTTP_200_OK
    return _outcome(uow, account_id, outcome)


@router.post("/payments/{payment_id}/reversal")
def reverse_payment(payment_id: str, body: ReversalRequest, engine: EngineDep, now: Now) -> out.PaymentOutcomeOut:
    uow = _uow(engine)
    with _answers():
        outcome = accounts.reverse_posted_payment(uow, payment_id, reason=body.reason, actor=body.actor, now=now)
    with uow:
        account_id = uow.ledgers.account_of_payment(payment_id) or ""
    return _outcome(uow, account_id, outcome)


def _outcome(uow: SqlArrangementsUnitOfWork, account_id: str, outcome: svc.PaymentOutcome) -> out.PaymentOutcomeOut:
    with uow:
        ledger = uow.ledgers.get(account_id)
    return out.outcome_out(outcome, ledger.balances() if ledger else None)


@router.post("/accounts/{account_id}/settlements", status_code=status.HTTP_201_CREATED)
def offer_settlement(account_id: str, body: SettlementRequest, engine: EngineDep, now: Now) -> out.SettlementOut:
    """Offer a settlement; a discount above the threshold names its approver and role."""
    with _answers():
        offer = accounts.offer_settlement_for_account(
            _uow(engine),
            SqlPortfolioReader(engine),
            settlement_id=_id(body.settlement_id, "ST"),
            account_id=account_id,
            discount=Decimal(body.discount),
            first_due=body.first_due,
            payments=body.payments,
            actor=body.actor,
            now=now,
            approved_by=body.approved_by,
            approver_role=body.approver_role,
        )
    return out.settlement_out(offer)


@router.post("/settlements/{settlement_id}/acceptance")
def accept_settlement(settlement_id: str, body: ActorRequest, engine: EngineDep, now: Now) -> out.SettlementOut:
    with _answers():
        accepted = svc.accept_settlement(_uow(engine), settlement_id, actor=body.actor, now=now)
    return out.settlement_out(accepted)


@router.post("/accounts/{account_id}/extensions", status_code=status.HTTP_201_CREATED)
def request_extension(account_id: str, body: ExtensionRequest, engine: EngineDep, now: Now) -> out.ExtensionOut:
    with _answers():
        extension = Extension(
            _id(body.extension_id, "EX"),
            account_id,
            body.subject,
            body.original_due,
            body.new_due,
            _today(now),
            body.actor,
            now,
        )
        granted = svc.request_extension(_uow(engine), extension, role=body.role, now=now)
    return out.extension_out(granted)


@router.post("/accounts/{account_id}/hardship", status_code=status.HTTP_201_CREATED)
def enrol_hardship(account_id: str, body: HardshipRequest, engine: EngineDep, now: Now) -> out.HardshipOut:
    with _answers():
        programme = HardshipProgramme(
            _id(body.programme_id, "HP"),
            account_id,
            body.kind,
            body.start,
            body.end,
            body.review_on,
            body.actor,
            now,
            body.reason,
            Money.of(body.token_amount) if body.token_amount else None,
        )
        enrolled = svc.enrol_hardship(_uow(engine), programme, now=now)
    return out.hardship_out(enrolled)


@router.post("/accounts/{account_id}/referrals", status_code=status.HTTP_201_CREATED)
def refer_to_counselling(
    account_id: str, body: ReferralRequest, engine: EngineDep, now: Now, directory: Directory
) -> out.ReferralOut:
    with _answers():
        referral = Referral(
            _id(body.referral_id, "RF"), account_id, body.organisation_id, body.actor, now, body.consent
        )
        saved = svc.refer_to_counselling(_uow(engine), referral, directory, now=now)
    return out.referral_out(saved)
