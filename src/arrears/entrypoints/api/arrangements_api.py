"""/v1 arrangements: quote, agree and show plans, promises, payments and reversals,
settlements, extensions, hardship, counselling referrals, and an account's arrangements.

Money travels as strings to the fen ("1200.00"). Who acts, and with which authority, is the
signed-in user of the API token (``arrangement_deps``); no body names an actor, approver or
role, and one that tries is refused with 422. A plan, settlement or extension beyond the
user's own authority is not refused: it answers 202 with a pending approval request for a
second user (``approvals_api``). Refusals by a rule answer 422 with the decision (rule id,
reason in Chinese and English); unknown ids 404; inputs the domain rejects 400."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, HTTPException, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from arrears.adapters.counselling_directory import load_directory
from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.domain.arrangements.approval_requests import ApprovalKind
from arrears.domain.arrangements.counselling import CounsellingDirectory, Referral
from arrears.domain.arrangements.hardship import HardshipProgramme
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.money import Money
from arrears.entrypoints import approval_schemas as approval_out
from arrears.entrypoints import arrangement_schemas as out
from arrears.entrypoints.api.arrangement_deps import SignerDep, answers, authorised
from arrears.entrypoints.api.arrangement_requests import (
    AgreePlanRequest,
    ExtensionRequest,
    HardshipRequest,
    NoFields,
    PaymentRequest,
    PromiseRequest,
    QuoteRequest,
    ReferralRequest,
    ReversalRequest,
    SettlementRequest,
)
from arrears.entrypoints.api.deps import EngineDep, Now, get_engine, get_now  # noqa: F401 (re-exported for tests)
from arrears.entrypoints.api.inputs import StrictInputRoute
from arrears.entrypoints.cli.arrangement_cli import schedule_as_json
from arrears.services import arrangement_accounts as accounts
from arrears.services import arrangement_approvals as approvals
from arrears.services import arrangements as svc
from arrears.services.approval_kinds import ExtensionAsk, SettlementAsk, Signer

router = APIRouter(prefix="/v1", tags=["arrangements"], dependencies=[Depends(authorised)],
                   route_class=StrictInputRoute)
PENDING: dict[int | str, dict[str, Any]] = {
    202: {"model": approval_out.PendingApprovalOut,
          "description": "beyond the user's authority: a pending approval request for a second user; nothing booked"}
}


# --- dependencies -------------------------------------------------------------------------
def get_directory() -> CounsellingDirectory:
    return load_directory()


Directory = Annotated[CounsellingDirectory, Depends(get_directory)]
NoBody = Annotated[NoFields | None, Body()]


def _uow(engine: Engine) -> SqlArrangementsUnitOfWork:
    return SqlArrangementsUnitOfWork(engine)


def _today(now: datetime) -> date:
    return now.astimezone(ZoneInfo(svc.DEFAULT_ZONE)).date()


def _id(given: str | None, prefix: str) -> str:
    return given or f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


def _submit(engine: Engine, kind: ApprovalKind, ask: Any, maker: Signer, now: datetime) -> Any:
    """The booked arrangement, or a 202 answer with the pending approval request."""
    with answers():
        result = approvals.submit(_uow(engine), SqlPortfolioReader(engine), kind, ask, maker=maker, now=now)
    if isinstance(result, approvals.Pending):
        answer = approval_out.pending_out(result.approval, result.decision)
        return JSONResponse(answer.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)
    return result.arrangement


# --- routes -------------------------------------------------------------------------------
@router.post("/arrangements/quote")
def quote(body: QuoteRequest) -> dict[str, Any]:
    """The exact schedule of a plan, and its affordability when a budget is given."""
    with answers():
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


@router.post("/accounts/{account_id}/plans", status_code=status.HTTP_201_CREATED, response_model=out.PlanOut,
             responses=PENDING)
def agree_plan(account_id: str, body: AgreePlanRequest, engine: EngineDep, now: Now, maker: SignerDep) -> Any:
    with answers():
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
    booked = _submit(engine, ApprovalKind.PLAN, request, maker, now)
    return booked if isinstance(booked, Response) else out.plan_out(booked)


@router.get("/plans/{plan_id}")
def get_plan(plan_id: str, engine: EngineDep, now: Now, as_of: date | None = None) -> out.PlanOut:
    with answers():
        view = accounts.plan_view(_uow(engine), plan_id, as_of=as_of or _today(now))
    return out.plan_out(view.plan, view)


@router.get("/accounts/{account_id}/arrangements")
def list_arrangements(account_id: str, engine: EngineDep) -> out.AccountArrangementsOut:
    return out.account_arrangements_out(accounts.account_arrangements(_uow(engine), account_id))


@router.post("/accounts/{account_id}/promises", status_code=status.HTTP_201_CREATED)
def record_promise(
    account_id: str, body: PromiseRequest, engine: EngineDep, now: Now, maker: SignerDep
) -> out.PromiseOut:
    with answers():
        promise = PromiseToPay.taken(
            promise_id=_id(body.promise_id, "PTP"),
            account_id=account_id,
            amount=Money.of(body.amount),
            promised_date=body.promised_date,
            channel=body.channel,
            taken_by=maker.username,
            made_at=now,
        )
        recorded = svc.record_promise(_uow(engine), promise, actor=maker.username, now=now)
    return out.promise_out(recorded)


@router.get("/accounts/{account_id}/promise-history")
def promise_history(account_id: str, engine: EngineDep, now: Now, as_of: date | None = None) -> out.PromiseHistoryOut:
    with answers():
        history = accounts.promise_history(_uow(engine), SqlPortfolioReader(engine), account_id, as_of or _today(now))
    return out.promise_history_out(history)


@router.post("/accounts/{account_id}/payments")
def post_payment(
    account_id: str, body: PaymentRequest, engine: EngineDep, now: Now, *, response: Response, maker: SignerDep
) -> out.PaymentOutcomeOut:
    """201 when posted; 200 when this payment id was already posted (nothing changes)."""
    if body.paid_at.tzinfo is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="paid_at must carry its time zone 须带时区")
    uow = _uow(engine)
    with answers():
        outcome = accounts.post_received_payment(
            uow,
            SqlPortfolioReader(engine),
            account_id=account_id,
            payment_id=body.payment_id,
            amount=Money.of(body.amount),
            paid_at=body.paid_at,
            channel=body.channel,
            actor=maker.username,
            now=now,
        )
    response.status_code = status.HTTP_201_CREATED if outcome.changed else status.HTTP_200_OK
    return _outcome(uow, account_id, outcome)


@router.post("/payments/{payment_id}/reversal")
def reverse_payment(
    payment_id: str, body: ReversalRequest, engine: EngineDep, now: Now, maker: SignerDep
) -> out.PaymentOutcomeOut:
    uow = _uow(engine)
    with answers():
        outcome = accounts.reverse_posted_payment(uow, payment_id, reason=body.reason, actor=maker.username, now=now)
    with uow:
        account_id = uow.ledgers.account_of_payment(payment_id) or ""
    return _outcome(uow, account_id, outcome)


def _outcome(uow: SqlArrangementsUnitOfWork, account_id: str, outcome: svc.PaymentOutcome) -> out.PaymentOutcomeOut:
    with uow:
        ledger = uow.ledgers.get(account_id)
    return out.outcome_out(outcome, ledger.balances() if ledger else None)


@router.post("/accounts/{account_id}/settlements", status_code=status.HTTP_201_CREATED,
             response_model=out.SettlementOut, responses=PENDING)
def offer_settlement(account_id: str, body: SettlementRequest, engine: EngineDep, now: Now, maker: SignerDep) -> Any:
    """Offer a settlement; a discount above the user's authority waits for approval (202)."""
    with answers():
        ask = SettlementAsk(_id(body.settlement_id, "ST"), account_id, Decimal(body.discount), body.first_due,
                            body.payments)
    booked = _submit(engine, ApprovalKind.SETTLEMENT, ask, maker, now)
    return booked if isinstance(booked, Response) else out.settlement_out(booked)


@router.post("/settlements/{settlement_id}/acceptance")
def accept_settlement(
    settlement_id: str, engine: EngineDep, now: Now, maker: SignerDep, body: NoBody = None
) -> out.SettlementOut:
    with answers():
        accepted = svc.accept_settlement(_uow(engine), settlement_id, actor=maker.username, now=now)
    return out.settlement_out(accepted)


@router.post("/accounts/{account_id}/extensions", status_code=status.HTTP_201_CREATED,
             response_model=out.ExtensionOut, responses=PENDING)
def request_extension(account_id: str, body: ExtensionRequest, engine: EngineDep, now: Now, maker: SignerDep) -> Any:
    ask = ExtensionAsk(_id(body.extension_id, "EX"), account_id, body.subject, body.original_due, body.new_due)
    booked = _submit(engine, ApprovalKind.EXTENSION, ask, maker, now)
    return booked if isinstance(booked, Response) else out.extension_out(booked)


@router.post("/accounts/{account_id}/hardship", status_code=status.HTTP_201_CREATED)
def enrol_hardship(
    account_id: str, body: HardshipRequest, engine: EngineDep, now: Now, maker: SignerDep
) -> out.HardshipOut:
    with answers():
        programme = HardshipProgramme(
            _id(body.programme_id, "HP"),
            account_id,
            body.kind,
            body.start,
            body.end,
            body.review_on,
            maker.username,
            now,
            body.reason,
            Money.of(body.token_amount) if body.token_amount else None,
        )
        enrolled = svc.enrol_hardship(_uow(engine), programme, now=now)
    return out.hardship_out(enrolled)


@router.post("/accounts/{account_id}/referrals", status_code=status.HTTP_201_CREATED)
def refer_to_counselling(
    account_id: str, body: ReferralRequest, engine: EngineDep, now: Now, *, directory: Directory, maker: SignerDep
) -> out.ReferralOut:
    with answers():
        referral = Referral(
            _id(body.referral_id, "RF"), account_id, body.organisation_id, maker.username, now, body.consent
        )
        saved = svc.refer_to_counselling(_uow(engine), referral, directory, now=now)
    return out.referral_out(saved)
