"""What the `arrears arrangement` commands share: reading their options (each error names the
option, in Chinese and English), the options several commands take (declared once), answering
refusals and errors with an exit code, and the configured database's arrangements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from pydantic import BaseModel

from arrears.domain import dates
from arrears.domain.arrangements.schedule import FeePolicy, FeePolicyError, ScheduleError
from arrears.domain.money import Money, MoneyError
from arrears.services.arrangements import approvals
from arrears.services.arrangements.accounts import named_approver
from arrears.services.arrangements.common import DEFAULT_ZONE, ArrangementRefused, NotFound

EXIT_INPUT, EXIT_REFUSED, EXIT_NOT_FOUND = 2, 3, 4


class InputError(ValueError):
    """Bad command-line input, with a zh and en message."""


ZH_PREFIX: dict[type[Exception], str] = {
    MoneyError: "金额无效 invalid amount: ",
    ScheduleError: "分期参数无效 invalid plan: ",
    FeePolicyError: "费率无效 invalid rate: ",
}


@contextmanager
def answers() -> Iterator[None]:
    """Turn refusals and errors into a clear message and a non-zero exit code."""
    try:
        yield
    except ArrangementRefused as exc:
        d = exc.decision
        typer.echo(f"拒绝 refused [{d.rule_id}]: {d.reason_zh} / {d.reason_en}", err=True)
        raise typer.Exit(EXIT_REFUSED) from exc
    except NotFound as exc:
        typer.echo(f"未找到 not found: {exc}", err=True)
        raise typer.Exit(EXIT_NOT_FOUND) from exc
    except ValueError as exc:
        typer.echo(f"错误 error: {ZH_PREFIX.get(type(exc), '')}{exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from exc


T = TypeVar("T")


def parsed(parse: Callable[[str], T], text: str, option: str, expected: str) -> T:
    """``parse(text)``, or an input error naming the option and what it expects."""
    try:
        return parse(text)
    except (ValueError, ArithmeticError) as exc:
        raise InputError(f"{option}: {expected}{text!r}") from exc


def rate(text: str, option: str) -> Decimal:
    value = parsed(Decimal, text, option, "不是数字 not a number: ")
    if not value.is_finite() or value < 0:
        raise InputError(f"{option}: 必须为非负数 must be zero or more: {text!r}")
    return value


def fee_policy(monthly_fee_rate: str | None, annual_rate: str | None) -> FeePolicy:
    monthly = None if monthly_fee_rate is None else rate(monthly_fee_rate, "--monthly-fee-rate")
    annual = None if annual_rate is None else rate(annual_rate, "--annual-rate")
    return FeePolicy.chosen(monthly, annual, ("--monthly-fee-rate", "--annual-rate"))


def day(text: str, option: str) -> date:
    """``YYYY-MM-DD`` within ``domain.dates``' range, or an input error naming the option."""
    try:
        return dates.day_of(text)
    except dates.DateRefused as refused:
        raise InputError(f"{option}: {refused.zh} / {refused.en}: {text!r}") from None


def instant(text: str, option: str) -> datetime:
    """An ISO 8601 instant with its offset, within ``domain.dates``' range, or an input error."""
    try:
        return dates.instant_of(text)
    except dates.DateRefused as refused:
        raise InputError(f"{option}: {refused.zh} / {refused.en}: {text!r}") from None


def choice(kind: type[T], text: str, option: str) -> T:
    names = ", ".join(str(v) for v in kind)  # type: ignore[attr-defined]
    return parsed(kind, text, option, f"可选 one of {names}; not ")  # type: ignore[arg-type]


def money(text: str, option: str) -> Money:
    try:
        return Money.of(text)
    except MoneyError as exc:
        raise InputError(f"{option}: 金额无效 invalid amount: {exc}") from exc


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_of_day(text: str | None) -> date:
    return day(text, "--as-of") if text else utc_now().astimezone(ZoneInfo(DEFAULT_ZONE)).date()


def show(model: BaseModel, as_json: bool, line: str) -> None:
    typer.echo(model.model_dump_json(indent=2) if as_json else line)


class Desk:
    """The configured database's arrangements (the database libraries load with the commands)."""

    def __init__(self) -> None:
        from arrears import bootstrap
        from arrears.entrypoints.cli.container import open_container

        self.engine = open_container().engine
        self.uow, self.portfolio = bootstrap.arrangements_uow(self.engine), bootstrap.ingested_portfolio(self.engine)
        self.directory = bootstrap.counselling_directory

    def book(self, command: approvals.Booking, *, actor: str, approved_by: str) -> Any:
        """Book with the authority of the workbench user ``approved_by`` (or the least)."""
        approver = named_approver(self.engine, actor, approved_by, command.account_id)
        return approvals.book(self.uow, self.portfolio, command, maker=actor, approver=approver, now=utc_now())


Account = Annotated[str, typer.Argument(help="账户 account id")]
Actor = Annotated[str, typer.Option(help="操作人 who does it (user id)")]
ApprovedBy = Annotated[str, typer.Option(
    help="审批人 an active workbench user whose role's authority covers it (blank: a collector's authority)")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON output")]
AsOf = Annotated[str | None, typer.Option(help="截至日期 as of, YYYY-MM-DD (today)")]
Day = Annotated[str, typer.Option(help="日期 YYYY-MM-DD")]
Months = Annotated[int, typer.Option(help="期数 months, 1-60")]
Start = Annotated[str, typer.Option(help="首期到期日 first due date, YYYY-MM-DD")]
MonthlyFeeRate = Annotated[str | None, typer.Option(help="月手续费率 monthly fee rate on the principal, e.g. 0.006")]
AnnualRate = Annotated[str | None, typer.Option(help="年利率(等额本息) annual interest rate, e.g. 0.18")]
Amount = Annotated[str, typer.Option(help="金额 amount, e.g. 500.00")]
GivenId = Annotated[str, typer.Option(help="编号 id (generated when blank)")]
