"""`arrears allocate` (分案: recall what is due, place the unplaced delinquent accounts by the
rules) and `arrears placement recall | move` (退案、调案 by hand, with a reason). Nightly, run
`arrears allocate --as-of DATE` after `arrears run`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from arrears.entrypoints.cli.dates import date_option
from arrears.entrypoints.cli.os_user import os_user

err = Console(stderr=True, soft_wrap=True, highlight=False)
out = Console(soft_wrap=True, highlight=False)


def _operator() -> str:
    return f"cli:{os_user()}"[:100]


def _today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def _rules(path: Path | None):  # type: ignore[no-untyped-def]
    from arrears.bootstrap import allocation_rules
    from arrears.services.allocation.rules import RulesError, read_rules

    try:
        return read_rules(path) if path else allocation_rules()
    except RulesError as error:
        err.print(str(error), style="red", markup=False)
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    _register_allocate(app)
    _register_commission(app)
    _register_placement(app)


def _register_allocate(app: typer.Typer) -> None:
    @app.command("allocate")
    def allocate(
        as_of: Annotated[date, date_option("--as-of", "the business date YYYY-MM-DD")],
        rules: Annotated[Path | None, typer.Option("--rules", help="an allocation rules YAML file")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="decide and report; change nothing")] = False,
    ) -> None:
        """Allocate 分案: recall placements that are due, place unplaced delinquent accounts by the rules."""
        from arrears.bootstrap import allocation_uow
        from arrears.entrypoints.cli.container import open_container
        from arrears.services.allocation.placements import Allocate, allocate_accounts

        chosen = _rules(rules)
        container = open_container()
        with err.status("分案 allocating…"):
            report = allocate_accounts(allocation_uow(container.engine), Allocate(as_of, _operator(), chosen, dry_run),
                                       datetime.now(UTC))
        table = Table(title=f"分案 allocation {as_of}{' (dry run 试算, nothing changed)' if dry_run else ''}")
        for column in ("what 项目", "to 去向", "accounts 账户数"):
            table.add_column(column)
        for reason, n in sorted(report.recalled.items()):
            table.add_row("recalled 退案", reason, f"{n:,}")
        for agency, n in sorted(report.placed.items()):
            table.add_row("placed 委外", agency, f"{n:,}")
        for rule, n in sorted(report.in_house.items()):
            table.add_row("in house 自营", rule, f"{n:,}")
        table.add_row("no rule matched 无规则", "-", f"{report.unmatched:,}")
        out.print(table)
        for decision in report.examples:
            out.print(f"  {decision.account_id}: {decision.zh} / {decision.en}", markup=False)



def _register_commission(app: typer.Typer) -> None:
    @app.command("commission")
    def commission(
        month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
        folder: Annotated[Path, typer.Option("--out", help="the folder for the statements")],
        rules: Annotated[Path | None, typer.Option("--rules", help="an allocation rules YAML file")] = None,
    ) -> None:
        """Monthly commission statements per agency 委外佣金结算单 (CSV per agency and one XLSX)."""
        from arrears.bootstrap import commission_source
        from arrears.entrypoints.cli.container import open_container
        from arrears.entrypoints.report.commission_files import write_statements
        from arrears.services.allocation.commission import MonthError, commission_statements

        chosen = _rules(rules)
        container = open_container()
        try:
            statements = commission_statements(commission_source(container.engine), chosen, month,
                                               container.settings.timezone)
        except MonthError as error:
            err.print(str(error), style="red", markup=False)
            raise typer.Exit(2) from None
        try:
            written = write_statements(statements, folder, month)
        except OSError as error:
            err.print(f"{folder}: cannot write: {error}", style="red", markup=False)
            raise typer.Exit(2) from None
        for s in statements:
            out.print(f"{s.agency_id} {month}: recovered 回收 {s.recovered:,.2f}, commission 佣金 {s.gross:,.2f}, "
                      f"findings 合规问题 {s.findings}, held back 扣留 {s.held_back:,.2f}, net 应付 {s.net:,.2f}",
                      markup=False)
        out.print(f"-> {', '.join(str(p) for p in written)}", markup=False)



def _register_placement(app: typer.Typer) -> None:
    placement = typer.Typer(name="placement", help="Placements by hand 人工分案/退案.", no_args_is_help=True)

    @placement.command("recall")
    def recall(
        accounts: Annotated[list[str], typer.Argument(help="account ids")],
        reason: Annotated[str, typer.Option("--reason", help="why 退案原因")],
        as_of: Annotated[date | None, date_option("--as-of", "YYYY-MM-DD (default today)")] = None,
    ) -> None:
        """Bring placed accounts back in house 退案 (the agency loses access at once)."""
        from arrears.bootstrap import allocation_uow
        from arrears.entrypoints.cli.container import open_container
        from arrears.services.allocation.placements import AllocationError, Recall, recall_accounts

        container = open_container()
        try:
            day = as_of or _today(container.settings.timezone)
            n = recall_accounts(allocation_uow(container.engine), Recall(tuple(accounts), day, _operator(), reason),
                                datetime.now(UTC))
        except AllocationError as error:
            err.print(str(error), style="red", markup=False)
            raise typer.Exit(2) from None
        out.print(f"退案 recalled {n} accounts")

    @placement.command("move")
    def move(
        accounts: Annotated[list[str], typer.Argument(help="account ids")],
        to: Annotated[str, typer.Option("--to", help="the agency id")],
        reason: Annotated[str, typer.Option("--reason", help="why 分案/调案原因")],
        as_of: Annotated[date | None, date_option("--as-of", "YYYY-MM-DD (default today)")] = None,
        rules: Annotated[Path | None, typer.Option("--rules", help="an allocation rules YAML file")] = None,
    ) -> None:
        """Place accounts with an agency by hand 分案/调案 (recalled from another agency first)."""
        from arrears.bootstrap import allocation_uow
        from arrears.entrypoints.cli.container import open_container
        from arrears.services.allocation.placements import AllocationError, Move, move_accounts

        chosen = _rules(rules)
        container = open_container()
        try:
            day = as_of or _today(container.settings.timezone)
            command = Move(tuple(accounts), day, _operator(), reason, to_agency=to, rules=chosen)
            n = move_accounts(allocation_uow(container.engine), command, datetime.now(UTC))
        except AllocationError as error:
            err.print(str(error), style="red", markup=False)
            raise typer.Exit(2) from None
        out.print(f"分案 placed {n} accounts with {to}")

    app.add_typer(placement, name="placement")
