"""/v1 arrangements and their approvals: quote, agree and show plans, promises, payments and
reversals, settlements, extensions, hardship, counselling referrals, an account's
arrangements; and the maker–checker approval requests.

Money travels as strings to the fen ("1200.00"). Every endpoint needs an API token: who acts,
and with which authority, is the signed-in user (``SignerDep``: the username and
``approvals.authority_of`` their workbench role); no body names an actor, approver or role,
and one that tries is refused with 422. Reading needs VIEW_ACCOUNTS, changing LOG_CONTACT;
deciding approvals needs an arrangements authority. An agency user reaches only what concerns
accounts placed with their agency: an endpoint addressed by an account, plan, payment,
settlement or approval id is checked against its account (unknown and out-of-scope ids answer
the same 404); only the quote and the approvals list (filtered by scope) are addressed by none.

A plan, settlement or extension beyond the user's own authority is not refused: it answers
202 with a pending approval request for a second user, who approves it (booked in the same
transaction), rejects it, or the maker withdraws it. Refusals by a rule answer 422 with the
decision (rule id, reason in Chinese and English); unknown ids 404; approval steps the user
may not take 403; an approval already decided 409; inputs the domain rejects 400."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse

from arrears import bootstrap
from arrears.domain.access import Permission
from arrears.domain.arrangements.approvals import ApprovalStatus
from arrears.domain.arrangements.counselling import CounsellingDirectory
from arrears.domain.arrangements.decisions import Decision
from arrears.domain.money import Money
from arrears.entrypoints import arrangement_schemas as out
from arrears.entrypoints.api.deps import EngineDep, Now
from arrears.entrypoints.api.errors import STATUS_WORDS, ApiError
from arrears.entrypoints.api.inputs import Day, StrictInputRoute
from arrears.entrypoints.api.routes.arrangement_requests import (
    AgreePlanRequest,
    ApproveRequest,
    ExtensionRequest,
    HardshipRequest,
    NoFields,
    PaymentRequest,
    PromiseRequest,
    QuoteRequest,
    ReferralRequest,
    RejectRequest,
    ReversalRequest,
    SettlementRequest,
)
from arrears.entrypoints.api.workbench.deps import PrincipalDep
from arrears.services.arrangements import approvals, counselling, hardship, payments, plans, promises, settlements
from arrears.services.arrangements.accounts import ADDRESSED, account_arrangements, in_scope, visible_accounts
from arrears.services.arrangements.common import DEFAULT_ZONE, ArrangementRefused, NotFound, Signer
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio
from arrears.services.workbench.principal import Principal

UNADDRESSED = frozenset({"/v1/arrangements/quote", "/v1/approvals"})


# --- who acts, on which accounts ----------------------------------------------------------
def _refusal(status_code: int, zh: str, en: str) -> ApiError:
    return ApiError(status_code, STATUS_WORDS[status_code][0], zh, en)


def _require(principal: Principal, permission: Permission) -> None:
    if not principal.may(permission):
        raise _refusal(403, f"角色 {principal.role.value} 无权执行此操作",
                       f"the role {principal.role.value} may not do this")


def _within_scope(request: Request, principal: Principal, engine: EngineDep) -> None:
    if not principal.is_agency_user:
        return
    addressed = next(((name, request.path_params[name]) for name in ADDRESSED if name in request.path_params), None)
    if not (in_scope(engine, principal, *addressed) if addressed else request.url.path in UNADDRESSED):
        raise _refusal(404, "没有这个账户，或不在您的机构名下", "no such account for your agency")


def authorised(request: Request, principal: PrincipalDep, engine: EngineDep) -> Principal:
    """Arrangements: reading needs VIEW_ACCOUNTS, changing needs LOG_CONTACT; agency scope."""
    _require(principal, Permission.VIEW_ACCOUNTS if request.method == "GET" else Permission.LOG_CONTACT)
    _within_scope(request, principal, engine)
    return principal


def approver(request: Request, principal: PrincipalDep, engine: EngineDep) -> Principal:
    """Approvals: VIEW_ACCOUNTS and an arrangements authority (a strategy manager decides
    without logging contacts); agency scope."""
    _require(principal, Permission.VIEW_ACCOUNTS)
    if principal.arrangements_authority is None:
        raise _refusal(403, f"角色 {principal.role.value} 没有还款安排审批权限",
                       f"the role {principal.role.value} has no arrangements authority")
    _within_scope(request, principal, engine)
    return principal


def signer(principal: PrincipalDep) -> Signer:
    return Signer(principal.username, principal.arrangements_authority)


def get_directory() -> CounsellingDirectory:
    return bootstrap.counselling_directory()


SignerDep = Annotated[Signer, Depends(signer)]
Directory = Annotated[CounsellingDirectory, Depends(get_directory)]
NoBody = Annotated[NoFields | None, Body()]
router = APIRouter(prefix="/v1", tags=["arrangements"], dependencies=[Depends(authorised)],
                   route_class=StrictInputRoute, responses=out.REFUSED_OR_INVALID)
approvals_router = APIRouter(prefix="/v1/approvals", tags=["approvals"], dependencies=[Depends(approver)],
                            route_class=StrictInputRoute, responses=out.REFUSED_OR_INVALID)
PENDING: dict[int | str, dict[str, Any]] = {
    202: {"model": out.PendingApprovalOut,
          "description": "beyond the user's authority: a pending approval request for a second user; nothing booked"}
}


def _uow(engine: EngineDep) -> ArrangementsUnitOfWork:
    return bootstrap.arrangements_uow(engine)


def _portfolio(engine: EngineDep) -> IngestedPortfolio:
    return bootstrap.ingested_portfolio(engine)


UowDep = Annotated[ArrangementsUnitOfWork, Depends(_uow)]
PortfolioDep = Annotated[IngestedPortfolio, Depends(_portfolio)]


@contextmanager
def answers() -> Iterator[None]:
    """Refusals by a rule 422 (with the decision), unknown ids 404, approval steps the user may
    not take 403, an approval already decided 409, input the domain rejects 400."""
    try:
        yield
    except ArrangementRefused as exc:
        raise _refused_by(status.HTTP_422_UNPROCESSABLE_CONTENT, exc.decision) from exc
    except NotFound as exc:
        raise ApiError(status.HTTP_404_NOT_FOUND, "NotFound", f"未找到：{exc}", str(exc)) from exc
    except approvals.ApprovalConflict as exc:
        raise _refused_by(status.HTTP_409_CONFLICT, exc.decision) from exc
    except approvals.ApprovalForbidden as exc:
        raise _refused_by(status.HTTP_403_FORBIDDEN, exc.decision) from exc
    except ValueError as exc:  # the domain's input errors (schedule, fees, payments, states)
        raise ApiError(status.HTTP_400_BAD_REQUEST, "BadRequest", f"请求无法办理：{exc}", str(exc)) from exc


def _refused_by(status_code: int, decision: Decision) -> ApiError:
    """A rule's refusal: its reason as the message, the rule and its citation alongside."""
    reason = decision.reason
    return ApiError(status_code, "ArrangementRefused", reason.zh, reason.en, field=decision.field or None,
                    rules=[reason.rule_id], citation=reason.citation)


def _today(now: datetime) -> date:
    return now.astimezone(ZoneInfo(DEFAULT_ZONE)).date()


def _submit(uow: ArrangementsUnitOfWork, portfolio: IngestedPortfolio, body: Any, account_id: str, *,
            maker: Signer, now: datetime) -> Any:
    """The booked arrangement, or a 202 answer with the pending approval request."""
    with answers():
        result = approvals.submit(uow, portfolio, body.command(account_id), maker=maker, now=now)
    if isinstance(result, approvals.Pending):
        pending = out.shown(out.PendingApprovalOut, result.approval, result.decision)
        return JSONResponse(pending.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)
    return result.arrangement


# --- arrangements -------------------------------------------------------------------------
@router.post("/arrangements/quote")
def quote(body: QuoteRequest) -> dict[str, Any]:
    """The exact schedule of a plan, and its affordability when a budget is given."""
    with answers():
        result = plans.quote_plan(Money.of(body.balance, body.currency), body.months, body.first_due, body.policy(),
                                  budget=body.budget.budget() if body.budget else None)
    answer = out.schedule_as_json(result.schedule)
    answer["affordability"] = None if result.affordability is None else result.affordability.as_dict()
    return answer


@router.post("/accounts/{account_id}/plans", status_code=201, response_model=out.PlanOut, responses=PENDING)
def agree_plan(account_id: str, body: AgreePlanRequest, uow: UowDep, portfolio: PortfolioDep, *, now: Now,
               maker: SignerDep) -> Any:
    booked = _submit(uow, portfolio, body, account_id, maker=maker, now=now)
    return booked if isinstance(booked, Response) else out.plan_out(booked)


@router.get("/plans/{plan_id}", response_model=out.PlanOut)
def get_plan(plan_id: str, uow: UowDep, now: Now, as_of: Day | None = None) -> Any:
    with answers():
        view = plans.plan_view(uow, plan_id, as_of=as_of or _today(now))
    return out.plan_out(view.plan, view)


@router.get("/accounts/{account_id}/arrangements", response_model=out.AccountArrangementsOut)
def list_arrangements(account_id: str, uow: UowDep) -> Any:
    return out.account_arrangements_out(account_arrangements(uow, account_id))


@router.post("/accounts/{account_id}/promises", status_code=201, response_model=out.PromiseOut)
def record_promise(account_id: str, body: PromiseRequest, uow: UowDep, portfolio: PortfolioDep, *, now: Now,
                   maker: SignerDep) -> Any:
    with answers():
        promise = body.promise(account_id, taken_by=maker.username, made_at=now)
        recorded = promises.record_promise(uow, portfolio, promise, actor=maker.username, now=now)
    return out.shown(out.PromiseOut, recorded)


@router.get("/accounts/{account_id}/promise-history", response_model=out.PromiseHistoryOut)
def promise_history(account_id: str, uow: UowDep, portfolio: PortfolioDep, now: Now, as_of: Day | None = None) -> Any:
    with answers():
        history = promises.promise_history(uow, portfolio, account_id, as_of or _today(now))
    return out.promise_history_out(history)


@router.post("/accounts/{account_id}/payments", response_model=out.PaymentOutcomeOut,
             responses={201: {"model": out.PaymentOutcomeOut, "description": "posted"}})
def post_payment(account_id: str, body: PaymentRequest, uow: UowDep, portfolio: PortfolioDep, now: Now, *,
                 response: Response, maker: SignerDep) -> Any:
    """201 when posted; 200 when this payment id was already posted (nothing changes)."""
    with answers():
        outcome = payments.post_payment(uow, portfolio, body.command(account_id), actor=maker.username, now=now)
    response.status_code = status.HTTP_201_CREATED if outcome.changed else status.HTTP_200_OK
    return out.outcome_out(outcome)


@router.post("/payments/{payment_id}/reversal", response_model=out.PaymentOutcomeOut)
def reverse_payment(payment_id: str, body: ReversalRequest, uow: UowDep, now: Now, maker: SignerDep) -> Any:
    with answers():
        command = payments.ReversePayment(payment_id, body.reason)
        return out.outcome_out(payments.reverse_payment(uow, command, actor=maker.username, now=now))


@router.post("/accounts/{account_id}/settlements", status_code=201, response_model=out.SettlementOut,
             responses=PENDING)
def offer_settlement(account_id: str, body: SettlementRequest, uow: UowDep, portfolio: PortfolioDep, *, now: Now,
                     maker: SignerDep) -> Any:
    """Offer a settlement; a discount above the user's authority waits for approval (202)."""
    booked = _submit(uow, portfolio, body, account_id, maker=maker, now=now)
    return booked if isinstance(booked, Response) else out.settlement_out(booked)


@router.post("/settlements/{settlement_id}/acceptance", response_model=out.SettlementOut)
def accept_settlement(settlement_id: str, uow: UowDep, now: Now, maker: SignerDep, _body: NoBody = None) -> Any:
    with answers():
        command = settlements.AcceptSettlement(settlement_id)
        return out.settlement_out(settlements.accept_settlement(uow, command, actor=maker.username, now=now))


@router.post("/accounts/{account_id}/extensions", status_code=201, response_model=out.ExtensionOut, responses=PENDING)
def request_extension(account_id: str, body: ExtensionRequest, uow: UowDep, portfolio: PortfolioDep, *, now: Now,
                      maker: SignerDep) -> Any:
    booked = _submit(uow, portfolio, body, account_id, maker=maker, now=now)
    return booked if isinstance(booked, Response) else out.shown(out.ExtensionOut, booked)


@router.post("/accounts/{account_id}/hardship", status_code=201, response_model=out.HardshipOut)
def enrol_hardship(account_id: str, body: HardshipRequest, uow: UowDep, now: Now, maker: SignerDep) -> Any:
    with answers():
        enrolled = hardship.enrol_hardship(uow, body.command(account_id), actor=maker.username, now=now)
    return out.shown(out.HardshipOut, enrolled)


@router.post("/accounts/{account_id}/referrals", status_code=201, response_model=out.ReferralOut)
def refer_to_counselling(account_id: str, body: ReferralRequest, uow: UowDep, now: Now, *, directory: Directory,
                         maker: SignerDep) -> Any:
    with answers():
        referral = counselling.refer_to_counselling(uow, body.command(account_id), directory, actor=maker.username,
                                                    now=now)
    return out.shown(out.ReferralOut, referral)


# --- approvals ----------------------------------------------------------------------------
@approvals_router.get("", response_model=out.many(out.ApprovalOut))
def list_approvals(uow: UowDep, engine: EngineDep, principal: PrincipalDep, *, checker: SignerDep,
                   status: ApprovalStatus = ApprovalStatus.PENDING,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
    """The requests the caller may decide (their authority covers it, they did not make it,
    the account is in their scope), newest first."""
    with answers():
        found = approvals.decidable(uow, checker, status, visible=visible_accounts(engine, principal))
    return [out.approval_out(a) for a in found[:limit]]


@approvals_router.get("/{approval_id}", response_model=out.ApprovalOut)
def get_approval(approval_id: str, uow: UowDep, viewer: SignerDep) -> Any:
    """One request, for its maker or a user who may decide it."""
    with answers():
        return out.approval_out(approvals.approval_for(uow, approval_id, viewer))


@approvals_router.post("/{approval_id}/approve", response_model=out.ApprovedOut)
def approve(approval_id: str, uow: UowDep, portfolio: PortfolioDep, *, now: Now, checker: SignerDep,
            body: Annotated[ApproveRequest | None, Body()] = None) -> Any:
    """Approve and book it (the same booking as a direct one, approved by the caller); every
    rule is checked again on the account as it is now."""
    with answers():
        command = approvals.Approve(approval_id, body.note if body else "")
        decided = approvals.approve(uow, portfolio, command, checker=checker, now=now)
    return out.approved_out(decided.approval, decided.arrangement)


@approvals_router.post("/{approval_id}/reject", response_model=out.ApprovalOut)
def reject(approval_id: str, body: RejectRequest, uow: UowDep, now: Now, checker: SignerDep) -> Any:
    with answers():
        decided = approvals.reject(uow, approvals.Reject(approval_id, body.reason), checker=checker, now=now)
    return out.approval_out(decided.approval)


@approvals_router.post("/{approval_id}/withdraw", response_model=out.ApprovalOut)
def withdraw(approval_id: str, uow: UowDep, now: Now, maker: SignerDep, _body: NoBody = None) -> Any:
    """The maker withdraws their own pending request."""
    with answers():
        decided = approvals.withdraw(uow, approvals.Withdraw(approval_id), maker=maker, now=now)
    return out.approval_out(decided.approval)
