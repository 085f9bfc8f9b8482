"""The account page's arrangements (issue 16): an installment plan quoted and then agreed, a
settlement, a due-date extension, a hardship programme, a counselling referral and a payment,
made from what a user typed into the page's forms; and the approvals inbox (maker–checker).

No rule is written here. Plans, settlements and extensions go through ``approvals.submit``:
booked within the maker's authority, else a pending approval request for a second user (never
refused for the authority alone); hardship, counselling and payments through their own
handlers; the quote through ``plans.quote_account_plan``, the same schedule the booking makes.
Each audits on the arrangements' audit path. What this module adds: the user may act on the
account (LOG_CONTACT, the account in their scope; an approval request's account in the
checker's scope), the typed text becomes values (amounts as people write them: ``1,500.00``,
``1500元``; shares in percent), and a refusal becomes an error naming the form field."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.adapters.storage.values import from_cents
from arrears.domain import dates
from arrears.domain.access import Permission
from arrears.domain.arrangements.approvals import Approval, Authority, why_required
from arrears.domain.arrangements.counselling import CounsellingDirectory, CounsellingOrganisation
from arrears.domain.arrangements.decisions import Decision
from arrears.domain.arrangements.hardship import HardshipKind
from arrears.domain.arrangements.plans import PlanBasis
from arrears.domain.arrangements.schedule import FeePolicy
from arrears.domain.money import Money, MoneyError, parse_typed_amount
from arrears.services.arrangements import approvals, counselling, hardship, payments, plans
from arrears.services.arrangements.accounts import in_scope, visible_accounts
from arrears.services.arrangements.common import ArrangementRefused, Signer, new_id
from arrears.services.arrangements.common import NotFound as ArrangementNotFound
from arrears.services.arrangements.extensions import GrantExtension
from arrears.services.arrangements.settlements import OfferSettlement
from arrears.services.workbench.accounts import visible_account
from arrears.services.workbench.context import Workbench, typed_instant
from arrears.services.workbench.errors import Conflict, Forbidden, InvalidInput, NotFound
from arrears.services.workbench.principal import Principal

T = TypeVar("T")
KINDS = ("plan", "settlement", "extension", "hardship", "referral", "payment")
PAYMENT_CHANNELS = ("bank_transfer", "app", "wechat", "alipay", "counter")
# Each form field's name in a message, in Chinese and English.
FIELDS: Mapping[str, tuple[str, str]] = {
    "months": ("期数", "months"), "first_due": ("首期还款日", "first due date"), "basis": ("分期基数", "basis"),
    "monthly_fee_rate": ("月手续费率", "monthly fee rate"), "discount": ("减免比例", "discount"),
    "payments": ("还款笔数", "number of payments"), "original_due": ("原还款日", "original due date"),
    "new_due": ("新还款日", "new due date"), "kind": ("帮扶方式", "kind of help"), "start": ("开始日期", "start"),
    "end": ("结束日期", "end"), "review_on": ("复核日期", "review date"),
    "token_amount": ("每月象征性还款额", "monthly token payment"), "reason": ("原因", "reason"),
    "organisation_id": ("转介机构", "organisation"), "consent": ("债务人同意", "the debtor's consent"),
    "amount": ("还款金额", "amount"), "paid_at": ("还款时间", "paid at"), "channel": ("还款渠道", "channel"),
    "note": ("说明", "note"),
}
# The field a refusal is shown at when its decision names none.
DEFAULT_FIELD = {"plan": "months", "settlement": "discount", "extension": "new_due", "hardship": "end",
                 "referral": "organisation_id", "payment": "amount"}
# A decision's field names (the arrangements' words) as the form's fields.
DECISION_FIELDS = {"promised_date": "first_due", "settlement_discount": "discount", "extension_days": "new_due"}


@dataclass(frozen=True, slots=True)
class Made:
    """What a form made: ``ref`` the booked id (or the approval request's), ``pending`` the
    request when it waits for a checker, ``changed`` False for a payment already posted."""

    kind: str
    ref: str
    pending: Approval | None = None
    changed: bool = True


@dataclass(frozen=True, slots=True)
class Quote:
    """A plan's terms as typed and its exact schedule, before anyone agrees to it."""

    terms: Mapping[str, str]
    quote: plans.PlanQuote


@dataclass(frozen=True, slots=True)
class Request:
    """An approval request as the pages show it: what is asked, by whom, why it waits."""

    approval: Approval
    terms: Mapping[str, str]  # the booking's terms (the maker's note left out)
    note: str  # the maker's reason
    why: Decision  # the limit below the required authority that the request exceeds


@dataclass(frozen=True, slots=True)
class Inbox:
    to_decide: tuple[Request, ...]  # pending, on accounts in scope, within the checker's authority, not their own
    mine: tuple[Request, ...]  # pending requests the user made
    balances: Mapping[str, Money]  # what each account of a request owes, as the portfolio says


# --- who acts, and on what ----------------------------------------------------------------
def _uow(wb: Workbench) -> SqlArrangementsUnitOfWork:
    return SqlArrangementsUnitOfWork(wb.engine)


def _signer(principal: Principal) -> Signer:
    return Signer(principal.username, principal.arrangements_authority)


def _acting(wb: Workbench, principal: Principal, account_id: str) -> dict[str, Any]:
    """The account, when the user may make arrangements on it (as on the API: LOG_CONTACT, in scope)."""
    principal.require(Permission.LOG_CONTACT)
    return visible_account(wb, principal, account_id)


def _approver(wb: Workbench, principal: Principal, approval_id: str | None = None) -> Signer:
    """A user with an arrangements authority; the request's account in their scope."""
    principal.require(Permission.VIEW_ACCOUNTS)
    if principal.arrangements_authority is None:
        raise Forbidden("您的角色没有还款安排审批权限", "your role has no arrangements authority")
    if approval_id is not None and principal.is_agency_user and not in_scope(wb.engine, principal, "approval_id",
                                                                            approval_id):
        raise NotFound(f"找不到审批申请 {approval_id}", f"no approval request {approval_id}", "approval_id")
    return _signer(principal)


@contextmanager
def _answers(kind: str) -> Iterator[None]:
    """The arrangements' refusals as workbench errors: a rule's refusal at the form field it is
    about, an input the domain rejects, an unknown id, an approval step not allowed or too late."""
    try:
        yield
    except approvals.ApprovalConflict as exc:
        raise Conflict(*_worded(exc.decision)) from exc
    except approvals.ApprovalForbidden as exc:
        raise Forbidden(*_worded(exc.decision)) from exc
    except ArrangementRefused as exc:
        field = DECISION_FIELDS.get(exc.decision.field, exc.decision.field) or DEFAULT_FIELD.get(kind)
        raise InvalidInput(*_worded(exc.decision), field if field in FIELDS else DEFAULT_FIELD.get(kind)) from exc
    except ArrangementNotFound as exc:
        raise NotFound(f"未找到：{exc}", str(exc)) from exc
    except ValueError as exc:  # the domain's input errors (schedule, fees, payments, settlements)
        raise InvalidInput(f"无法办理：{exc}", f"cannot be done: {exc}", DEFAULT_FIELD.get(kind)) from exc


def _worded(decision: Decision) -> tuple[str, str]:
    return f"{decision.reason_zh}（{decision.rule_id}）", f"{decision.reason_en} ({decision.rule_id})"


# --- what was typed -----------------------------------------------------------------------
def _typed(typed: Mapping[str, str | None], name: str) -> str:
    return (typed.get(name) or "").strip()


def _required(typed: Mapping[str, str | None], name: str) -> str:
    text = _typed(typed, name)
    if not text:
        zh, en = FIELDS[name]
        raise InvalidInput(f"请填写{zh}", f"the {en} is required", name)
    return text


def _day(typed: Mapping[str, str | None], name: str) -> date:
    try:
        return dates.day_of(_required(typed, name), *FIELDS[name])
    except dates.DateRefused as refused:
        raise InvalidInput(refused.zh, refused.en, name) from None


def _whole(typed: Mapping[str, str | None], name: str, low: int, high: int) -> int:
    text, (zh, en) = _required(typed, name), FIELDS[name]
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(f"{zh}须为 {low} 到 {high} 的整数", f"the {en} is a whole number from {low} to {high}", name)
    return int(text)


def _amount(typed: Mapping[str, str | None], name: str, currency: str) -> Money:
    """An amount as people type it (``1500``, ``1,500.00``, ``1500元``, ``¥1,500``), positive, to the fen."""
    zh, en = FIELDS[name]
    try:
        amount = parse_typed_amount(_required(typed, name))
    except MoneyError:
        raise InvalidInput(f"{zh}不是金额（例如 1500 或 1,500.00）", f"the {en} is not an amount (such as 1500 or "
                           "1,500.00)", name) from None
    if amount <= 0 or amount > Decimal("1e12"):
        raise InvalidInput(f"{zh}须为正数", f"the {en} is more than zero", name)
    return Money(amount, currency)


def _percent(typed: Mapping[str, str | None], name: str, *, required: bool = True) -> Decimal:
    """A share typed in percent (``20``, ``20%``, ``0.5``) as a fraction: 20 -> 0.20."""
    text = (_required(typed, name) if required else _typed(typed, name)).removesuffix("%").strip()
    if not text:
        return Decimal("0")
    zh, en = FIELDS[name]
    try:
        share = Decimal(text)
    except InvalidOperation:
        share = Decimal("NaN")
    if not share.is_finite() or not 0 <= share <= 100 or share.as_tuple().exponent < -4:  # type: ignore[operator]
        raise InvalidInput(f"{zh}须为 0 到 100 之间的百分数", f"the {en} is a percentage from 0 to 100", name)
    return share / 100


def _choice(typed: Mapping[str, str | None], name: str, choices: Callable[[str], T]) -> T:
    text, (zh, en) = _required(typed, name), FIELDS[name]
    try:
        return choices(text)
    except ValueError:
        raise InvalidInput(f"{zh}取值无效", f"the {en} is not one of the choices", name) from None


def _local_instant(typed: Mapping[str, str | None], name: str, zone: str) -> datetime:
    zh, en = FIELDS[name]
    try:
        value = dates.instant_of(_required(typed, name), zh, en, aware=False)
    except dates.DateRefused as refused:
        raise InvalidInput(refused.zh, refused.en, name) from None
    return typed_instant(value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone)), name, zh, en)


def _fee_policy(typed: Mapping[str, str | None]) -> FeePolicy:
    rate = _percent(typed, "monthly_fee_rate", required=False)
    return FeePolicy.monthly_fee(rate) if rate else FeePolicy.none()


# --- the plan's quote ---------------------------------------------------------------------
def plan_terms(typed: Mapping[str, str | None]) -> tuple[int, date, PlanBasis, FeePolicy]:
    return (_whole(typed, "months", 1, 60), _day(typed, "first_due"), _choice(typed, "basis", PlanBasis),
            _fee_policy(typed))


def quote_plan(wb: Workbench, principal: Principal, account_id: str, typed: Mapping[str, str | None]) -> Quote:
    """Every installment of the plan as it would be booked now; nothing is stored."""
    _acting(wb, principal, account_id)
    months, first_due, basis, fee = plan_terms(typed)
    with _answers("plan"):
        quoted = plans.quote_account_plan(_uow(wb), SqlPortfolioReader(wb.engine), account_id, months=months,
                                          first_due=first_due, basis=basis, fee_policy=fee)
    return Quote({k: _typed(typed, k) for k in ("months", "first_due", "basis", "monthly_fee_rate")}, quoted)


# --- making an arrangement ----------------------------------------------------------------
def make(wb: Workbench, principal: Principal, account_id: str, kind: str, typed: Mapping[str, str | None], *,
         directory: CounsellingDirectory) -> Made:
    """Make the arrangement of ``kind`` from the form's ``typed`` values, as ``principal``."""
    account = _acting(wb, principal, account_id)
    if kind not in KINDS:
        raise NotFound(f"没有这种还款安排：{kind}", f"no such arrangement: {kind}")
    if kind in ("plan", "settlement", "extension"):
        with _answers(kind):
            booking = _booking(kind, account_id, typed)
        return _submitted(wb, principal, kind, booking, _typed(typed, "note"))
    now, by = wb.now(), principal.username
    if kind == "hardship":
        command = _hardship(account, typed)
        with _answers(kind):
            return Made(kind, hardship.enrol_hardship(_uow(wb), command, actor=by, now=now).programme_id)
    if kind == "referral":
        referral = counselling.ReferToCounselling(new_id("RF"), account_id, _required(typed, "organisation_id"),
                                                  consent=bool(_typed(typed, "consent")))
        with _answers(kind):
            return Made(kind, counselling.refer_to_counselling(_uow(wb), referral, directory, actor=by,
                                                               now=now).referral_id)
    payment = _payment(wb, account, typed)
    with _answers(kind):
        posted = payments.post_payment(_uow(wb), SqlPortfolioReader(wb.engine), payment, actor=by, now=now)
    return Made(kind, payment.payment_id, changed=posted.changed)


def _booking(kind: str, account_id: str, typed: Mapping[str, str | None]) -> approvals.Booking:
    if kind == "plan":
        months, first_due, basis, fee = plan_terms(typed)
        return plans.AgreePlan(new_id("PL"), account_id, months, first_due, basis, fee)
    if kind == "settlement":
        return OfferSettlement(new_id("ST"), account_id, _percent(typed, "discount"), _day(typed, "first_due"),
                               _whole(typed, "payments", 1, 12))
    return GrantExtension(new_id("EX"), account_id, "statement", _day(typed, "original_due"), _day(typed, "new_due"))


def _submitted(wb: Workbench, principal: Principal, kind: str, command: approvals.Booking, note: str) -> Made:
    if len(note) > 500:
        raise InvalidInput("说明最多 500 字", "the note holds at most 500 characters", "note")
    with _answers(kind):
        result = approvals.submit(_uow(wb), SqlPortfolioReader(wb.engine), command, maker=_signer(principal),
                                  now=wb.now(), note=note)
    if isinstance(result, approvals.Pending):
        return Made(kind, result.approval.approval_id, result.approval)
    booked = result.arrangement
    ref = getattr(booked, "plan_id", None) or getattr(booked, "settlement_id", None) or booked.extension_id  # type: ignore[union-attr]
    return Made(kind, str(ref))


def _hardship(account: Mapping[str, Any], typed: Mapping[str, str | None]) -> hardship.EnrolHardship:
    kind = _choice(typed, "kind", HardshipKind)
    token = _amount(typed, "token_amount", account["currency"]) if kind is HardshipKind.TOKEN_PAYMENT else None
    reason = _typed(typed, "reason")
    if len(reason) > 500:
        raise InvalidInput("原因最多 500 字", "the reason holds at most 500 characters", "reason")
    return hardship.EnrolHardship(new_id("HP"), account["account_id"], kind, _day(typed, "start"),
                                  _day(typed, "end"), _day(typed, "review_on"), reason, token)


def _payment(wb: Workbench, account: Mapping[str, Any], typed: Mapping[str, str | None]) -> payments.PostPayment:
    payment_id = _typed(typed, "payment_id") or new_id("PAY")
    if len(payment_id) > 64:
        raise InvalidInput("还款编号过长", "the payment id is too long", "amount")
    channel = _typed(typed, "channel")
    if channel not in PAYMENT_CHANNELS:
        raise InvalidInput("请选择还款渠道", "choose the channel", "channel")
    paid_at = _local_instant(typed, "paid_at", wb.timezone)
    if paid_at > wb.now():
        raise InvalidInput("还款时间不能晚于现在", "a payment is not received in the future", "paid_at")
    return payments.PostPayment(account["account_id"], payment_id, _amount(typed, "amount", account["currency"]),
                                paid_at, channel)


# --- what the account page shows ----------------------------------------------------------
def organisations(directory: CounsellingDirectory, jurisdiction: str | None) -> tuple[CounsellingOrganisation, ...]:
    """The organisations of the customer's jurisdiction (all of them when it has none)."""
    return directory.for_jurisdiction(jurisdiction or "") or directory.organisations


def pending_on(wb: Workbench, principal: Principal, account_id: str) -> tuple[Request, ...]:
    """The account's approval requests waiting for a checker (the account in the user's scope)."""
    visible_account(wb, principal, account_id)
    return tuple(_shown(a) for a in approvals.requests(_uow(wb), account_id=account_id))


# --- the approvals inbox ------------------------------------------------------------------
def inbox(wb: Workbench, principal: Principal) -> Inbox:
    checker = _approver(wb, principal)
    uow = _uow(wb)
    to_decide = approvals.decidable(uow, checker, visible=visible_accounts(wb.engine, principal))
    mine = approvals.requests(uow, maker=principal.username)
    return Inbox(tuple(_shown(a) for a in to_decide), tuple(_shown(a) for a in mine),
                 _balances(wb, {a.account_id for a in (*to_decide, *mine)}))


def _balances(wb: Workbench, account_ids: set[str]) -> dict[str, Money]:
    if not account_ids:
        return {}
    a = t.accounts.c
    with wb.engine.connect() as connection:
        rows = connection.execute(select(a.account_id, a.balance_cents, a.currency)
                                  .where(a.account_id.in_(sorted(account_ids))))
        return {r.account_id: from_cents(r.balance_cents or 0, r.currency) for r in rows}


def approve(wb: Workbench, principal: Principal, approval_id: str, note: str = "") -> Approval:
    """Approve and book it: the same booking as a direct one, with the checker as the approver."""
    checker = _approver(wb, principal, approval_id)
    with _answers("approval"):
        return approvals.approve(_uow(wb), SqlPortfolioReader(wb.engine), approvals.Approve(approval_id, note[:500]),
                                 checker=checker, now=wb.now()).approval


def reject(wb: Workbench, principal: Principal, approval_id: str, reason: str) -> Approval:
    checker = _approver(wb, principal, approval_id)
    if not reason.strip():
        raise InvalidInput("驳回须说明原因", "say why it is rejected", "reason")
    with _answers("approval"):
        return approvals.reject(_uow(wb), approvals.Reject(approval_id, reason.strip()[:500]), checker=checker,
                                now=wb.now()).approval


def withdraw(wb: Workbench, principal: Principal, approval_id: str) -> Approval:
    maker = _approver(wb, principal, approval_id)
    with _answers("approval"):
        return approvals.withdraw(_uow(wb), approvals.Withdraw(approval_id), maker=maker, now=wb.now()).approval


def _shown(approval: Approval) -> Request:
    terms = {k: v for k, v in approval.parameters.items() if k != approvals.MAKER_NOTE}
    asks = approvals.command_of(approval).asks()
    return Request(approval, terms, approval.parameters.get(approvals.MAKER_NOTE, ""),
                   why_required(asks, Authority(approval.required_authority)))

