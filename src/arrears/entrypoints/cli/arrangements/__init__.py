"""`arrears arrangement ...`: quote installment plans (个性化分期报价), and record plans, promises,
payments, settlements, extensions, hardship and counselling on the configured database.

An operator's tool on the server: commands name their ``--actor``, but never a role. A plan,
settlement or extension is booked with the authority of ``--approved-by``, an active workbench
user (the authority of their workbench role, checked by the same domain limits as the API), or
without it with the least authority (a collector's). Beyond that it is refused (exit 3).

Exit codes: 0 done; 2 bad input (every domain input error is a ValueError); 3 refused by a rule
(approval limits, affordability, policy), with the rule id and the reason in zh and en; 4 not found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from arrears.domain.arrangements.affordability import Budget
from arrears.domain.arrangements.hardship import HardshipKind
from arrears.domain.arrangements.plans import PlanBasis
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.schedule import Schedule
from arrears.domain.money import Money
from arrears.domain.vocabulary import Channel
from arrears.entrypoints import arrangement_schemas as out
from arrears.entrypoints.arrangement_schemas import fen
from arrears.entrypoints.cli.arrangements.inputs import (
    Account,
    Actor,
    Amount,
    AnnualRate,
    ApprovedBy,
    AsJson,
    AsOf,
    Day,
    Desk,
    GivenId,
    InputError,
    MonthlyFeeRate,
    Months,
    Start,
    answers,
    as_of_day,
    choice,
    day,
    fee_policy,
    instant,
    money,
    rate,
    show,
    utc_now,
)
from arrears.services.arrangements import counselling, hardship, payments, plans, promises, settlements
from arrears.services.arrangements.accounts import account_arrangements
from arrears.services.arrangements.common import new_id
from arrears.services.arrangements.extensions import GrantExtension

arrangement_app = typer.Typer(name="arrangement", help="Promises, installment plans and other arrangements. 还款安排。",
                              no_args_is_help=True)
SUB_APPS = {name: typer.Typer(help=text, no_args_is_help=True) for name, text in (
    ("plan", "分期协议 installment plans"), ("promise", "承诺还款 promises to pay"),
    ("payment", "还款入账与冲正 payments"), ("settlement", "减免结清 settlements"), ("extension", "延期 extensions"),
    ("hardship", "困难帮扶 hardship programmes"), ("counselling", "债务咨询转介 counselling referrals"))}


def register(app: typer.Typer) -> None:
    for name, sub in SUB_APPS.items():
        arrangement_app.add_typer(sub, name=name)
    app.add_typer(arrangement_app, name="arrangement")


# --- quotes -------------------------------------------------------------------------------
def _table(schedule: Schedule) -> Table:
    table = Table(title=f"分期计划 Installment plan: {schedule.principal} x {schedule.months}")
    for header in ("期数 No.", "到期日 Due date", "本金 Principal", "手续费 Fee", "利息 Interest", "合计 Total"):
        table.add_column(header, justify="right")
    for row in schedule.installments:
        table.add_row(str(row.number), row.due_date.isoformat(), *(fen(m) for m in (row.principal, row.fee,
                                                                                     row.interest, row.total)))
    table.add_section()
    table.add_row("合计 Total", "", *(fen(m) for m in (schedule.total_principal, schedule.total_fee,
                                                     schedule.total_interest, schedule.total_due)))
    return table


@arrangement_app.command("quote")
def quote(  # noqa: PLR0917 (a Typer command: one parameter per option)
    balance: Annotated[str, typer.Option(help="分期本金 plan amount, e.g. 12000.00")], months: Months, start: Start,
    monthly_fee_rate: MonthlyFeeRate = None, annual_rate: AnnualRate = None,
    currency: Annotated[str, typer.Option(help="ISO 4217 currency")] = "CNY", as_json: AsJson = False,
) -> None:
    """Quote an installment plan: the exact schedule and its totals. 分期报价。"""
    with answers():
        policy = fee_policy(monthly_fee_rate, annual_rate)
        schedule = plans.quote_plan(Money.of(balance, currency), months, day(start, "--start"), policy).schedule
    if as_json:
        typer.echo(json.dumps(out.schedule_as_json(schedule), ensure_ascii=False, indent=2))
    else:
        Console().print(_table(schedule))


# --- plans --------------------------------------------------------------------------------
@SUB_APPS["plan"].command("agree")
def plan_agree(  # noqa: PLR0917 (a Typer command: one parameter per option)
    account: Account, months: Months, start: Start, actor: Actor, approved_by: ApprovedBy = "",
    basis: Annotated[str, typer.Option(help="past_due (逾期金额) or full_balance (全部余额)")] = "past_due",
    monthly_fee_rate: MonthlyFeeRate = None, annual_rate: AnnualRate = None,
    fee_waiver: Annotated[str, typer.Option(help="费用减免比例 share of fees waived, 0-1")] = "0",
    income: Annotated[str | None, typer.Option(help="申报月收入 declared monthly income")] = None,
    expenses: Annotated[str | None, typer.Option(help="申报月支出 declared monthly expenses")] = None,
    agreement_ref: Annotated[str, typer.Option(help="签署协议编号 signed agreement reference")] = "",
    agreement_sha256: Annotated[str, typer.Option(help="协议文件 SHA-256")] = "",
    plan_id: GivenId = "", as_json: AsJson = False,
) -> None:
    """Agree a signed installment plan on the account's ledger balance. 签订分期协议。"""
    with answers():
        if (income is None) != (expenses is None):
            raise InputError("--income 与 --expenses 须同时给出 / give both --income and --expenses")
        budget = (None if income is None or expenses is None
                  else Budget(money(income, "--income"), money(expenses, "--expenses")))
        command = plans.AgreePlan(new_id("PL", plan_id), account, months, day(start, "--start"),
                                  choice(PlanBasis, basis, "--basis"), fee_policy(monthly_fee_rate, annual_rate),
                                  rate(fee_waiver, "--fee-waiver"), agreement_ref, agreement_sha256, budget=budget)
        plan = Desk().book(command, actor=actor, approved_by=approved_by)
        s = plan.schedule
        show(out.plan_out(plan), as_json, f"分期已生效 plan agreed: {plan.plan_id} {account} {fen(s.principal)} x "
              f"{s.months} months, first due {s.first_due}, total {fen(s.total_due)} ({plan.status})")


@SUB_APPS["plan"].command("show")
def plan_show(plan_id: Annotated[str, typer.Argument(help="分期编号 plan id")], as_of: AsOf = None,
              as_json: AsJson = False) -> None:
    """A plan with each installment's progress. 查看分期。"""
    with answers():
        day = as_of_day(as_of)
        view = plans.plan_view(Desk().uow, plan_id, as_of=day)
        model = out.plan_out(view.plan, view)
        lines = [f"分期 plan {model.plan_id} account {model.account_id}: {model.status} (as of {day}: "
                 f"{model.derived_status}); total {model.total_due} {model.currency}",
                 *(f"  #{i.number} {i.due_date} {i.total} paid {i.paid} {i.status}" for i in model.installments)]
        show(model, as_json, "\n".join(lines))


# --- promises -----------------------------------------------------------------------------
@SUB_APPS["promise"].command("record")
def promise_record(  # noqa: PLR0917
    account: Account, amount: Amount, date_: Annotated[str, typer.Option("--date", help="承诺还款日 YYYY-MM-DD")],
    channel: Annotated[str, typer.Option(help="渠道 call, sms, email, letter, visit, voicemail")], actor: Actor,
    promise_id: GivenId = "", as_json: AsJson = False,
) -> None:
    """Record a promise to pay. 记录承诺还款。"""
    with answers():
        now = utc_now()
        promise = PromiseToPay.taken(promise_id=new_id("PTP", promise_id), account_id=account,
                                     amount=money(amount, "--amount"), promised_date=day(date_, "--date"),
                                     channel=choice(Channel, channel, "--channel"), taken_by=actor, made_at=now)
        desk = Desk()
        recorded = promises.record_promise(desk.uow, desk.portfolio, promise, actor=actor, now=now)
        show(out.shown(out.PromiseOut, recorded), as_json, f"已记录承诺 promise recorded: {recorded.promise_id} "
              f"{account} {fen(recorded.amount)} by {recorded.promised_date}")


@SUB_APPS["promise"].command("history")
def promise_history(account: Account, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Every promise on the account and whether it was kept. 承诺履约记录。"""
    with answers():
        day, desk = as_of_day(as_of), Desk()
        model = out.promise_history_out(promises.promise_history(desk.uow, desk.portfolio, account, day))
        lines = [f"承诺 promises {account} as of {day}: made {model.made}, kept {model.kept}, partly kept "
                 f"{model.partly_kept}, broken {model.broken}, open {model.open}",
                 *(f"  {p.promise_id} {p.amount} by {p.promised_date}: {p.status}" for p in model.promises)]
        show(model, as_json, "\n".join(lines))


# --- payments -----------------------------------------------------------------------------
@SUB_APPS["payment"].command("post")
def payment_post(  # noqa: PLR0917
    account: Account, payment_id: Annotated[str, typer.Option(help="还款编号 payment id (idempotency key)")],
    amount: Amount, at: Annotated[str, typer.Option(help="还款时间 paid at, ISO 8601 with zone")],
    channel: Annotated[str, typer.Option(help="渠道 channel")] = "", actor: Actor = "cli", as_json: AsJson = False,
) -> None:
    """Post a payment: allocated to fees, interest, principal; the same id again does nothing.
    还款入账（按编号幂等）。"""
    with answers():
        desk = Desk()
        command = payments.PostPayment(account, payment_id, money(amount, "--amount"), instant(at, "--at"), channel)
        outcome = payments.post_payment(desk.uow, desk.portfolio, command, actor=actor, now=utc_now())
        _show_outcome(outcome, as_json, done="已入账 posted", same="已入账，未重复记账 already posted")


@SUB_APPS["payment"].command("reverse")
def payment_reverse(payment_id: Annotated[str, typer.Argument(help="还款编号 payment id")],
                    reason: Annotated[str, typer.Option(help="冲正原因 reason")] = "", actor: Actor = "cli",
                    as_json: AsJson = False) -> None:
    """Reverse a posted payment exactly. 冲正还款。"""
    with answers():
        command = payments.ReversePayment(payment_id, reason)
        outcome = payments.reverse_payment(Desk().uow, command, actor=actor, now=utc_now())
        _show_outcome(outcome, as_json, done="已冲正 reversed", same="已冲正过 already reversed")


def _show_outcome(outcome: payments.PaymentOutcome, as_json: bool, *, done: str, same: str) -> None:
    model = out.outcome_out(outcome)
    effects = f"; {', '.join(model.effects)}" if model.effects else ""
    show(model, as_json, f"{done if outcome.changed else same}: {outcome.account_id}; owed {model.balances.owed}, "
          f"past due {model.balances.past_due}{effects}")


# --- settlements, extensions, hardship, counselling ---------------------------------------
@SUB_APPS["settlement"].command("offer")
def settlement_offer(  # noqa: PLR0917
    account: Account, discount: Annotated[str, typer.Option(help="减免比例 share forgiven, e.g. 0.30")],
    first_due: Annotated[str, typer.Option(help="首笔到期日 first due, YYYY-MM-DD")], actor: Actor,
    payments: Annotated[int, typer.Option(help="分几笔 payments, 1-3")] = 1, approved_by: ApprovedBy = "",
    settlement_id: GivenId = "", as_json: AsJson = False,
) -> None:
    """Offer to settle the balance for less. 减免结清报价。"""
    with answers():
        command = settlements.OfferSettlement(new_id("ST", settlement_id), account, rate(discount, "--discount"),
                                              day(first_due, "--first-due"), payments)
        offer = Desk().book(command, actor=actor, approved_by=approved_by)
        show(out.settlement_out(offer), as_json, f"结清报价 settlement offered: {offer.settlement_id} {account} pay "
              f"{fen(offer.amount)} of {fen(offer.balance)} in {len(offer.payments)}")


@SUB_APPS["settlement"].command("accept")
def settlement_accept(settlement_id: Annotated[str, typer.Argument(help="结清编号 settlement id")], actor: Actor,
                      as_json: AsJson = False) -> None:
    """Record that the debtor accepted the offer. 债务人接受结清。"""
    with answers():
        command = settlements.AcceptSettlement(settlement_id)
        accepted = settlements.accept_settlement(Desk().uow, command, actor=actor, now=utc_now())
        show(out.settlement_out(accepted), as_json, f"已接受 accepted: {settlement_id}")


@SUB_APPS["extension"].command("request")
def extension_request(  # noqa: PLR0917
    account: Account, original_due: Day, new_due: Day, actor: Actor, approved_by: ApprovedBy = "",
    subject: Annotated[str, typer.Option(help="延期对象 statement | installment:PLAN#N | promise:ID")] = "statement",
    extension_id: GivenId = "", as_json: AsJson = False,
) -> None:
    """Move a due date later within policy. 申请延期。"""
    with answers():
        command = GrantExtension(new_id("EX", extension_id), account, subject, day(original_due, "--original-due"),
                                 day(new_due, "--new-due"))
        granted = Desk().book(command, actor=actor, approved_by=approved_by)
        show(out.shown(out.ExtensionOut, granted), as_json, f"延期已批准 extension granted: {granted.extension_id} "
              f"{subject} {granted.original_due} -> {granted.new_due} ({granted.days} days)")


@SUB_APPS["hardship"].command("enrol")
def hardship_enrol(  # noqa: PLR0917
    account: Account, kind: Annotated[str, typer.Option(help="interest_freeze | token_payment | pause")],
    start: Day, end: Annotated[str, typer.Option(help="结束 YYYY-MM-DD (inclusive)")], review_on: Day, actor: Actor,
    token_amount: Annotated[str | None, typer.Option(help="每月象征性还款 monthly token payment")] = None,
    reason: Annotated[str, typer.Option(help="原因 reason")] = "", programme_id: GivenId = "", as_json: AsJson = False,
) -> None:
    """Enrol the account in a hardship programme. 困难帮扶登记。"""
    with answers():
        command = hardship.EnrolHardship(
            new_id("HP", programme_id), account, choice(HardshipKind, kind, "--kind"), day(start, "--start"),
            day(end, "--end"), day(review_on, "--review-on"), reason,
            money(token_amount, "--token-amount") if token_amount else None)
        enrolled = hardship.enrol_hardship(Desk().uow, command, actor=actor, now=utc_now())
        show(out.shown(out.HardshipOut, enrolled), as_json, f"已登记困难帮扶 enrolled: {enrolled.programme_id} "
              f"{enrolled.kind} {enrolled.start}..{enrolled.end}")


@SUB_APPS["counselling"].command("refer")
def counselling_refer(  # noqa: PLR0917
    account: Account, organisation: Annotated[str, typer.Option(help="机构编号 organisation id in the directory")],
    actor: Actor,
    consent: Annotated[bool, typer.Option("--consent/--no-consent", help="债务人同意 debtor consents")] = False,
    directory: Annotated[Path | None, typer.Option(help="机构名录 JSON (default: example list)")] = None,
    referral_id: GivenId = "", as_json: AsJson = False,
) -> None:
    """Refer the debtor to credit counselling (with consent). 转介债务咨询。"""
    with answers():
        command = counselling.ReferToCounselling(new_id("RF", referral_id), account, organisation, consent)
        desk = Desk()
        saved = counselling.refer_to_counselling(desk.uow, command, desk.directory(directory), actor=actor,
                                                 now=utc_now())
        show(out.shown(out.ReferralOut, saved), as_json, f"已转介 referred: {saved.referral_id} to {organisation}")


@arrangement_app.command("list")
def list_arrangements(account: Account, as_json: AsJson = False) -> None:
    """Everything arranged on an account. 账户的全部还款安排。"""
    with answers():
        model = out.account_arrangements_out(account_arrangements(Desk().uow, account))
        b = model.balances
        owed = f"owed {b.owed}, past due {b.past_due}" if b else "no ledger yet 尚未建立还款台账"
        lines = [
            f"账户 account {account}: {owed}",
            *(f"  plan {p.plan_id} {p.status} {p.principal} x {p.months}" for p in model.plans),
            *(f"  promise {p.promise_id} {p.amount} by {p.promised_date}" for p in model.promises),
            *(f"  settlement {s.settlement_id} {s.status} {s.amount}" for s in model.settlements),
            *(f"  extension {e.extension_id} {e.subject} -> {e.new_due}" for e in model.extensions),
            *(f"  hardship {h.programme_id} {h.kind} {h.start}..{h.end}" for h in model.hardship),
            *(f"  referral {r.referral_id} {r.organisation_id} {r.outcome}" for r in model.referrals),
        ]
        show(model, as_json, "\n".join(lines))
