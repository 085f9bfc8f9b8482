"""`arrears arrangement ...`: quote installment plans (个性化分期报价)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from arrears.domain.arrangements.fees import FeePolicy, FeePolicyError
from arrears.domain.arrangements.schedule import Schedule, ScheduleError
from arrears.domain.money import MINOR_UNIT, Money, MoneyError
from arrears.services.arrangements import quote_plan

arrangement_app = typer.Typer(
    name="arrangement",
    help="Promises, installment plans and other arrangements. 还款安排。",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    from arrears.entrypoints.cli import arrangement_records_cli

    arrangement_records_cli.register(arrangement_app)
    app.add_typer(arrangement_app, name="arrangement")


class InputError(ValueError):
    """Bad command-line input, with a zh and en message."""


_ZH_PREFIX: dict[type[Exception], str] = {
    MoneyError: "金额无效 invalid amount: ",
    ScheduleError: "分期参数无效 invalid plan: ",
    FeePolicyError: "费率无效 invalid rate: ",
}


def _fail(message: str) -> None:
    typer.echo(f"错误 error: {message}", err=True)
    raise typer.Exit(code=2)


def _rate(text: str, option: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise InputError(f"{option}: 不是数字 not a number: {text!r}") from exc
    if not value.is_finite() or value < 0:
        raise InputError(f"{option}: 必须为非负数 must be zero or more: {text!r}")
    return value


def _fee_policy(monthly_fee_rate: str | None, annual_rate: str | None) -> FeePolicy:
    if monthly_fee_rate is not None and annual_rate is not None:
        raise InputError(
            "--monthly-fee-rate 与 --annual-rate 只能选一个 / give one of "
            "--monthly-fee-rate and --annual-rate, not both"
        )
    if monthly_fee_rate is not None:
        return FeePolicy.monthly_fee(_rate(monthly_fee_rate, "--monthly-fee-rate"))
    if annual_rate is not None:
        return FeePolicy.interest(_rate(annual_rate, "--annual-rate"))
    return FeePolicy.none()


def _start(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"--start: 日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD: {text!r}") from exc


def fen(money: Money) -> str:
    """Money as text to the fen: "1000.00"."""
    return str(money.amount.quantize(MINOR_UNIT))


def schedule_as_json(schedule: Schedule) -> dict[str, object]:
    """The schedule with money as strings ("1000.00") and dates as ISO text."""
    return {
        "currency": schedule.principal.currency,
        "principal": fen(schedule.principal),
        "months": schedule.months,
        "first_due": schedule.first_due.isoformat(),
        "fee_policy": {"kind": str(schedule.policy.kind), "rate": str(schedule.policy.rate)},
        "installments": [
            {
                "number": row.number,
                "due_date": row.due_date.isoformat(),
                "principal": fen(row.principal),
                "fee": fen(row.fee),
                "interest": fen(row.interest),
                "total": fen(row.total),
            }
            for row in schedule.installments
        ],
        "totals": {
            "principal": fen(schedule.total_principal),
            "fee": fen(schedule.total_fee),
            "interest": fen(schedule.total_interest),
            "total": fen(schedule.total_due),
        },
    }


def _table(schedule: Schedule) -> Table:
    table = Table(title=f"分期计划 Installment plan: {schedule.principal} x {schedule.months}")
    for header in (
        "期数 No.",
        "到期日 Due date",
        "本金 Principal",
        "手续费 Fee",
        "利息 Interest",
        "合计 Total",
    ):
        table.add_column(header, justify="right")
    for row in schedule.installments:
        table.add_row(
            str(row.number),
            row.due_date.isoformat(),
            fen(row.principal),
            fen(row.fee),
            fen(row.interest),
            fen(row.total),
        )
    table.add_section()
    table.add_row(
        "合计 Total",
        "",
        fen(schedule.total_principal),
        fen(schedule.total_fee),
        fen(schedule.total_interest),
        fen(schedule.total_due),
    )
    return table


@arrangement_app.command("quote")
def quote(  # noqa: PLR0917 (a Typer command: one parameter per option)
    balance: Annotated[str, typer.Option(help="分期本金 plan amount, e.g. 12000.00")],
    months: Annotated[int, typer.Option(help="期数 months, 1-60")],
    start: Annotated[str, typer.Option(help="首期到期日 first due date, YYYY-MM-DD")],
    monthly_fee_rate: Annotated[
        str | None, typer.Option(help="月手续费率 monthly fee rate on the principal, e.g. 0.006")
    ] = None,
    annual_rate: Annotated[str | None, typer.Option(help="年利率(等额本息) annual interest rate, e.g. 0.18")] = None,
    currency: Annotated[str, typer.Option(help="ISO 4217 currency")] = "CNY",
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Quote an installment plan: the exact schedule and its totals. 分期报价。"""
    try:
        policy = _fee_policy(monthly_fee_rate, annual_rate)
        amount = Money.of(balance, currency)
        schedule = quote_plan(amount, months, _start(start), policy).schedule
    except (InputError, MoneyError, ScheduleError, FeePolicyError) as exc:
        _fail(f"{_ZH_PREFIX.get(type(exc), '')}{exc}")
        return
    if as_json:
        typer.echo(json.dumps(schedule_as_json(schedule), ensure_ascii=False, indent=2))
    else:
        Console().print(_table(schedule))
