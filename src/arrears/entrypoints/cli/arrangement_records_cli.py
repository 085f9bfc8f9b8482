"""`arrears arrangement plan|promise|payment|settlement|extension|hardship|counselling ...`:
arrangements recorded on the configured database (``bootstrap()``).

An operator's tool on the server: commands name their ``--actor``, but never a role. A plan,
settlement or extension is booked with the authority of ``--approved-by``, an active workbench
user (the authority of their workbench role, checked by the same domain limits as the API), or
without it with the least authority (a collector's). Beyond that it is refused (exit 3).

Exit codes: 0 done; 2 bad input; 3 refused by a rule (approval limits, affordability,
policy), with the rule id and the reason in Chinese and English; 4 not found."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from pydantic import BaseModel

from arrears.adapters.counselling_directory import load_directory
from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.approval_requests import ApprovalKind
from arrears.domain.arrangements.counselling import DirectoryError, Referral
from arrears.domain.arrangements.decisions import TransitionError
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.fees import FeePolicyError
from arrears.domain.arrangements.hardship import HardshipKind, HardshipProgramme
from arrears.domain.arrangements.payments import PaymentError
from arrears.domain.arrangements.plans import InstallmentPlan, PlanBasis, PlanError
from arrears.domain.arrangements.promises import PromiseError, PromiseToPay
from arrears.domain.arrangements.schedule import ScheduleError
from arrears.domain.arrangements.settlements import Settlement, SettlementError
from arrears.domain.money import Money, MoneyError
from arrears.domain.vocabulary import Channel
from arrears.entrypoints import arrangement_schemas as out
from arrears.entrypoints.cli.arrangement_cli import InputError, _fee_policy, _rate, _start
from arrears.services import arrangement_accounts as accounts
from arrears.services import arrangements as svc
from arrears.services.approval_kinds import KINDS, Arrangement, ExtensionAsk, SettlementAsk
from arrears.services.arrangement_signers import named_approver

EXIT_INPUT, EXIT_REFUSED, EXIT_NOT_FOUND = 2, 3, 4
INPUT_ERRORS = (
    InputError,
    MoneyError,
    ScheduleError,
    FeePolicyError,
    PlanError,
    PaymentError,
    PromiseError,
    SettlementError,
    TransitionError,
    DirectoryError,
    ValueError,
)

plan_app = typer.Typer(help="分期协议 installment plans", no_args_is_help=True)
promise_app = typer.Typer(help="承诺还款 promises to pay", no_args_is_help=True)
payment_app = typer.Typer(help="还款入账与冲正 payments", no_args_is_help=True)
settlement_app = typer.Typer(help="减免结清 settlements", no_args_is_help=True)
extension_app = typer.Typer(help="延期 extensions", no_args_is_help=True)
hardship_app = typer.Typer(help="困难帮扶 hardship programmes", no_args_is_help=True)
counselling_app = typer.Typer(help="债务咨询转介 counselling referrals", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    for name, sub in (
        ("plan", plan_app),
        ("promise", promise_app),
        ("payment", payment_app),
        ("settlement", settlement_app),
        ("extension", extension_app),
        ("hardship", hardship_app),
        ("counselling", counselling_app),
    ):
        app.add_typer(sub, name=name)
    app.command("list")(list_arrangements)


@dataclass
class Store:
    uow: SqlArrangementsUnitOfWork
    portfolio: SqlPortfolioReader
    engine: Any

    def book(self, kind: ApprovalKind, ask: Any, *, actor: str, approved_by: str) -> Arrangement:
        """Book with the authority of the workbench user ``approved_by`` (or the least)."""
        approver = named_approver(self.engine, actor, approved_by, ask.account_id)
        return KINDS[kind].book(self.uow, self.portfolio, ask, maker=actor, approver=approver, now=_now(),
                                policies=svc.DEFAULT_POLICIES)


def _store() -> Store:
    from arrears.entrypoints.cli.container import open_container  # the database libraries load with the commands

    engine = open_container().engine
    return Store(SqlArrangementsUnitOfWork(engine), SqlPortfolioReader(engine), engine)


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().astimezone(ZoneInfo(svc.DEFAULT_ZONE)).date()


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


@contextmanager
def _answers() -> Iterator[None]:
    """Turn refusals and errors into a clear message and a non-zero exit code."""
    try:
        yield
    except svc.ArrangementRefused as exc:
        d = exc.decision
        typer.echo(f"拒绝 refused [{d.rule_id}]: {d.reason_zh} / {d.reason_en}", err=True)
        raise typer.Exit(EXIT_REFUSED) from exc
    except svc.NotFound as exc:
        typer.echo(f"未找到 not found: {exc}", err=True)
        raise typer.Exit(EXIT_NOT_FOUND) from exc
    except INPUT_ERRORS as exc:
        typer.echo(f"错误 error: {exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from exc


def _show(model: BaseModel, as_json: bool, line: str) -> None:
    typer.echo(model.model_dump_json(indent=2) if as_json else line)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{option}: 日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD: {text!r}") from exc


def _instant(text: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{option}: 时间格式应为 ISO 8601 / expected ISO 8601: {text!r}") from exc
    if value.tzinfo is None:
        raise InputError(f"{option}: 须带时区 must carry a time zone, e.g. 2026-12-01T10:00+08:00")
    return value


E = TypeVar("E")


def _choice(kind: type[E], text: str, option: str) -> E:
    try:
        return kind(text)  # type: ignore[call-arg]
    except ValueError as exc:
        names = ", ".join(str(v) for v in kind)  # type: ignore[attr-defined]
        raise InputError(f"{option}: 可选 one of {names}; not {text!r}") from exc


def _money(text: str, option: str) -> Money:
    try:
        return Money.of(text)
    except MoneyError as exc:
        raise InputError(f"{option}: 金额无效 invalid amount: {exc}") from exc


Actor = Annotated[str, typer.Option(help="操作人 who does it (user id)")]
ApprovedBy = Annotated[str, typer.Option(
    help="审批人 an active workbench user whose role's authority covers it (blank: a collector's authority)")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON output")]


# --- plans --------------------------------------------------------------------------------
@plan_app.command("agree")
def plan_agree(  # noqa: PLR0917
    account: Annotated[str, typer.Argument(help="账户 account id")],
    months: Annotated[int, typer.Option(help="期数 months, 1-60")],
    start: Annotated[str, typer.Option(help="首期到期日 first due date, YYYY-MM-DD")],
    actor: Actor,
    approved_by: ApprovedBy = "",
    basis: Annotated[str, typer.Option(help="past_due (逾期金额) or full_balance (全部余额)")] = "past_due",
    monthly_fee_rate: Annotated[str | None, typer.Option(help="月手续费率 e.g. 0.006")] = None,
    annual_rate: Annotated[str | None, typer.Option(help="年利率 e.g. 0.18")] = None,
    fee_waiver: Annotated[str, typer.Option(help="费用减免比例 share of fees waived, 0-1")] = "0",
    income: Annotated[str | None, typer.Option(help="申报月收入 declared monthly income")] = None,
    expenses: Annotated[str | None, typer.Option(help="申报月支出 declared monthly expenses")] = None,
    agreement_ref: Annotated[str, typer.Option(help="签署协议编号 signed agreement reference")] = "",
    agreement_sha256: Annotated[str, typer.Option(help="协议文件 SHA-256")] = "",
    plan_id: Annotated[str, typer.Option(help="分期编号 plan id (generated when blank)")] = "",
    as_json: AsJson = False,
) -> None:
    """Agree a signed installment plan on the account's ledger balance. 签订分期协议。"""
    with _answers():
        budget = None
        if (income is None) != (expenses is None):
            raise InputError("--income 与 --expenses 须同时给出 / give both --income and --expenses")
        if income is not None and expenses is not None:
            budget = Budget(_money(income, "--income"), _money(expenses, "--expenses"))
        request = accounts.PlanRequest(
            plan_id or _new_id("PL"),
            account,
            months,
            _start(start),
            _choice(PlanBasis, basis, "--basis"),
            _fee_policy(monthly_fee_rate, annual_rate),
            _rate(fee_waiver, "--fee-waiver"),
            agreement_ref,
            agreement_sha256,
            budget=budget,
        )
        plan = _store().book(ApprovalKind.PLAN, request, actor=actor, approved_by=approved_by)
        assert isinstance(plan, InstallmentPlan)
        s = plan.schedule
        _show(
            out.plan_out(plan),
            as_json,
            f"分期已生效 plan agreed: {plan.plan_id} {account} {out.fen(s.principal)} x {s.months} "
            f"months, first due {s.first_due}, total {out.fen(s.total_due)} ({plan.status})",
        )


@plan_app.command("show")
def plan_show(
    plan_id: Annotated[str, typer.Argument(help="分期编号 plan id")],
    as_of: Annotated[str | None, typer.Option(help="截至日期 as of, YYYY-MM-DD (today)")] = None,
    as_json: AsJson = False,
) -> None:
    """A plan with each installment's progress. 查看分期。"""
    with _answers():
        day = _day(as_of, "--as-of") if as_of else _today()
        view = accounts.plan_view(_store().uow, plan_id, as_of=day)
        model = out.plan_out(view.plan, view)
        lines = [
            f"分期 plan {model.plan_id} account {model.account_id}: {model.status} "
            f"(as of {day}: {model.derived_status}); total {model.total_due} {model.currency}",
            *(f"  #{i.number} {i.due_date} {i.total} paid {i.paid} {i.status}" for i in model.installments),
        ]
        _show(model, as_json, "\n".join(lines))


# --- promises -----------------------------------------------------------------------------
@promise_app.command("record")
def promise_record(  # noqa: PLR0917
    account: Annotated[str, typer.Argument(help="账户 account id")],
    amount: Annotated[str, typer.Option(help="承诺金额 amount, e.g. 500.00")],
    date_: Annotated[str, typer.Option("--date", help="承诺还款日 promised date, YYYY-MM-DD")],
    channel: Annotated[str, typer.Option(help="渠道 call, sms, email, letter, visit, voicemail")],
    actor: Actor,
    promise_id: Annotated[str, typer.Option(help="承诺编号 (generated when blank)")] = "",
    as_json: AsJson = False,
) -> None:
    """Record a promise to pay. 记录承诺还款。"""
    with _answers():
        now = _now()
        promise = PromiseToPay.taken(
            promise_id=promise_id or _new_id("PTP"),
            account_id=account,
            amount=_money(amount, "--amount"),
            promised_date=_day(date_, "--date"),
            channel=_choice(Channel, channel, "--channel"),
            taken_by=actor,
            made_at=now,
        )
        recorded = svc.record_promise(_store().uow, promise, actor=actor, now=now)
        _show(
            out.promise_out(recorded),
            as_json,
            f"已记录承诺 promise recorded: {recorded.promise_id} {account} "
            f"{out.fen(recorded.amount)} by {recorded.promised_date}",
        )


@promise_app.command("history")
def promise_history(
    account: Annotated[str, typer.Argument(help="账户 account id")],
    as_of: Annotated[str | None, typer.Option(help="截至日期 as of, YYYY-MM-DD (today)")] = None,
    as_json: AsJson = False,
) -> None:
    """Every promise on the account and whether it was kept. 承诺履约记录。"""
    with _answers():
        day = _day(as_of, "--as-of") if as_of else _today()
        store = _store()
        model = out.promise_history_out(accounts.promise_history(store.uow, store.portfolio, account, day))
        lines = [
            f"承诺 promises {account} as of {day}: made {model.made}, kept {model.kept}, "
            f"partly kept {model.partly_kept}, broken {model.broken}, open {model.open}",
            *(f"  {p.promise_id} {p.amount} by {p.promised_date}: {p.status}" for p in model.promises),
        ]
        _show(model, as_json, "\n".join(lines))


# --- payments -----------------------------------------------------------------------------
@payment_app.command("post")
def payment_post(  # noqa: PLR0917
    account: Annotated[str, typer.Argument(help="账户 account id")],
    payment_id: Annotated[str, typer.Option(help="还款编号 payment id (idempotency key)")],
    amount: Annotated[str, typer.Option(help="金额 amount, e.g. 100.00")],
    at: Annotated[str, typer.Option(help="还款时间 paid at, ISO 8601 with zone")],
    channel: Annotated[str, typer.Option(help="渠道 channel")] = "",
    actor: Annotated[str, typer.Option(help="操作人 who posts it")] = "cli",
    as_json: AsJson = False,
) -> None:
    """Post a payment: allocated to fees, interest, principal; the same id again does nothing.
    还款入账（按编号幂等）。"""
    with _answers():
        store = _store()
        outcome = accounts.post_received_payment(
            store.uow,
            store.portfolio,
            account_id=account,
            payment_id=payment_id,
            amount=_money(amount, "--amount"),
            paid_at=_instant(at, "--at"),
            channel=channel,
            actor=actor,
            now=_now(),
        )
        _show_outcome(store, account, outcome, as_json, done="已入账 posted", same="已入账，未重复记账 already posted")


@payment_app.command("reverse")
def payment_reverse(
    payment_id: Annotated[str, typer.Argument(help="还款编号 payment id")],
    reason: Annotated[str, typer.Option(help="冲正原因 reason")] = "",
    actor: Annotated[str, typer.Option(help="操作人 who reverses it")] = "cli",
    as_json: AsJson = False,
) -> None:
    """Reverse a posted payment exactly. 冲正还款。"""
    with _answers():
        store = _store()
        outcome = accounts.reverse_posted_payment(store.uow, payment_id, reason=reason, actor=actor, now=_now())
        with store.uow:
            account = store.uow.ledgers.account_of_payment(payment_id) or ""
        _show_outcome(store, account, outcome, as_json, done="已冲正 reversed", same="已冲正过 already reversed")


def _show_outcome(
    store: Store, account: str, outcome: svc.PaymentOutcome, as_json: bool, *, done: str, same: str
) -> None:
    with store.uow:
        ledger = store.uow.ledgers.get(account)
    balances = ledger.balances() if ledger else None
    model = out.outcome_out(outcome, balances)
    owed = f"; owed {model.balances.owed}, past due {model.balances.past_due}" if model.balances else ""
    effects = f"; {', '.join(model.effects)}" if model.effects else ""
    _show(model, as_json, f"{done if outcome.changed else same}: {account}{owed}{effects}")


# --- settlements --------------------------------------------------------------------------
@settlement_app.command("offer")
def settlement_offer(  # noqa: PLR0917
    account: Annotated[str, typer.Argument(help="账户 account id")],
    discount: Annotated[str, typer.Option(help="减免比例 share forgiven, e.g. 0.30")],
    first_due: Annotated[str, typer.Option(help="首笔到期日 first due, YYYY-MM-DD")],
    actor: Actor,
    payments: Annotated[int, typer.Option(help="分几笔 payments, 1-3")] = 1,
    approved_by: ApprovedBy = "",
    settlement_id: Annotated[str, typer.Option(help="结清编号 (generated when blank)")] = "",
    as_json: AsJson = False,
) -> None:
    """Offer to settle the balance for less. 减免结清报价。"""
    with _answers():
        ask = SettlementAsk(settlement_id or _new_id("ST"), account, _rate(discount, "--discount"),
                            _day(first_due, "--first-due"), payments)
        offer = _store().book(ApprovalKind.SETTLEMENT, ask, actor=actor, approved_by=approved_by)
        assert isinstance(offer, Settlement)
        _show(
            out.settlement_out(offer),
            as_json,
            f"结清报价 settlement offered: {offer.settlement_id} {account} pay {out.fen(offer.amount)} "
            f"of {out.fen(offer.balance)} in {len(offer.payments)}",
        )


@settlement_app.command("accept")
def settlement_accept(
    settlement_id: Annotated[str, typer.Argument(help="结清编号 settlement id")],
    actor: Actor,
    as_json: AsJson = False,
) -> None:
    """Record that the debtor accepted the offer. 债务人接受结清。"""
    with _answers():
        accepted = svc.accept_settlement(_store().uow, settlement_id, actor=actor, now=_now())
        _show(out.settlement_out(accepted), as_json, f"已接受 accepted: {settlement_id}")


# --- extensions, hardship, counselling ----------------------------------------------------
@extension_app.command("request")
def extension_request(  # noqa: PLR0917
    account: Annotated[str, typer.Argument(help="账户 account id")],
    original_due: Annotated[str, typer.Option(help="原还款日 YYYY-MM-DD")],
    new_due: Annotated[str, typer.Option(help="新还款日 YYYY-MM-DD")],
    actor: Actor,
    approved_by: ApprovedBy = "",
    subject: Annotated[str, typer.Option(help="延期对象 statement | installment:PLAN#N | promise:ID")] = "statement",
    extension_id: Annotated[str, typer.Option(help="延期编号 (generated when blank)")] = "",
    as_json: AsJson = False,
) -> None:
    """Move a due date later within policy. 申请延期。"""
    with _answers():
        ask = ExtensionAsk(extension_id or _new_id("EX"), account, subject, _day(original_due, "--original-due"),
                           _day(new_due, "--new-due"))
        granted = _store().book(ApprovalKind.EXTENSION, ask, actor=actor, approved_by=approved_by)
        assert isinstance(granted, Extension)
        _show(
            out.extension_out(granted),
            as_json,
            f"延期已批准 extension granted: {granted.extension_id} {subject} {granted.original_due} -> "
            f"{granted.new_due} ({granted.days} days)",
        )


@hardship_app.command("enrol")
def hardship_enrol(  # noqa: PLR0917
    account: Annotated[str, typer.Argument(help="账户 account id")],
    kind: Annotated[str, typer.Option(help="interest_freeze | token_payment | pause")],
    start: Annotated[str, typer.Option(help="开始 YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="结束 YYYY-MM-DD (inclusive)")],
    review_on: Annotated[str, typer.Option(help="复核日 YYYY-MM-DD")],
    actor: Actor,
    token_amount: Annotated[str | None, typer.Option(help="每月象征性还款 monthly token payment")] = None,
    reason: Annotated[str, typer.Option(help="原因 reason")] = "",
    programme_id: Annotated[str, typer.Option(help="帮扶编号 (generated when blank)")] = "",
    as_json: AsJson = False,
) -> None:
    """Enrol the account in a hardship programme. 困难帮扶登记。"""
    with _answers():
        now = _now()
        programme = HardshipProgramme(
            programme_id or _new_id("HP"),
            account,
            _choice(HardshipKind, kind, "--kind"),
            _day(start, "--start"),
            _day(end, "--end"),
            _day(review_on, "--review-on"),
            actor,
            now,
            reason,
            _money(token_amount, "--token-amount") if token_amount else None,
        )
        enrolled = svc.enrol_hardship(_store().uow, programme, now=now)
        _show(
            out.hardship_out(enrolled),
            as_json,
            f"已登记困难帮扶 enrolled: {enrolled.programme_id} {enrolled.kind} {enrolled.start}..{enrolled.end}",
        )


@counselling_app.command("refer")
def counselling_refer(  # noqa: PLR0917
    account: Annotated[str, typer.Argument(help="账户 account id")],
    organisation: Annotated[str, typer.Option(help="机构编号 organisation id from the directory")],
    actor: Actor,
    consent: Annotated[bool, typer.Option("--consent/--no-consent", help="债务人同意 debtor consents")] = False,
    directory: Annotated[Path | None, typer.Option(help="机构名录 JSON (default: example list)")] = None,
    referral_id: Annotated[str, typer.Option(help="转介编号 (generated when blank)")] = "",
    as_json: AsJson = False,
) -> None:
    """Refer the debtor to credit counselling (with consent). 转介债务咨询。"""
    with _answers():
        now = _now()
        referral = Referral(referral_id or _new_id("RF"), account, organisation, actor, now, consent)
        saved = svc.refer_to_counselling(_store().uow, referral, load_directory(directory), now=now)
        _show(out.referral_out(saved), as_json, f"已转介 referred: {saved.referral_id} to {organisation}")


def list_arrangements(
    account: Annotated[str, typer.Argument(help="账户 account id")],
    as_json: AsJson = False,
) -> None:
    """Everything arranged on an account. 账户的全部还款安排。"""
    with _answers():
        model = out.account_arrangements_out(accounts.account_arrangements(_store().uow, account))
        b = model.balances
        lines = [
            f"账户 account {account}: "
            + (f"owed {b.owed}, past due {b.past_due}" if b else "no ledger yet 尚未建立还款台账"),
            *(f"  plan {p.plan_id} {p.status} {p.principal} x {p.months}" for p in model.plans),
            *(f"  promise {p.promise_id} {p.amount} by {p.promised_date}" for p in model.promises),
            *(f"  settlement {s.settlement_id} {s.status} {s.amount}" for s in model.settlements),
            *(f"  extension {e.extension_id} {e.subject} -> {e.new_due}" for e in model.extensions),
            *(f"  hardship {h.programme_id} {h.kind} {h.start}..{h.end}" for h in model.hardship),
            *(f"  referral {r.referral_id} {r.organisation_id} {r.outcome}" for r in model.referrals),
        ]
        _show(model, as_json, "\n".join(lines))
