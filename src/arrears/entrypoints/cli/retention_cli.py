"""`arrears retention`: which months of contact records may go on a date, and (``--apply``)
dropping them: whole month partitions on PostgreSQL, never single rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from arrears.entrypoints.cli.dates import date_option

err = Console(stderr=True, soft_wrap=True, highlight=False)
out = Console(soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("retention")
    def retention(
        as_of: Annotated[date, date_option("--as-of", "the business date YYYY-MM-DD")],
        apply: Annotated[bool, typer.Option("--apply", help="drop the months that may go (else only list)")] = False,
    ) -> None:
        """List each month of contacts, attempts and decisions with whether it may go and why; --apply drops them."""
        from arrears.bootstrap import retention_uow
        from arrears.entrypoints.cli.container import open_container
        from arrears.services.retention import ReviewRetention, review_retention

        container = open_container()
        with err.status("审查保存期限 reviewing retention…"):
            reviewed = review_retention(retention_uow(container.engine),
                                        ReviewRetention(as_of, datetime.now(UTC), apply))
        if not reviewed:
            out.print("没有按月分区的记录（SQLite 不分区；按月删除只在 PostgreSQL 上进行） / "
                      "no month partitions (SQLite has none; months are dropped on PostgreSQL only)")
            return
        table = Table("table 表", "month 月份", "rows 行数", "may go 可删除", "why 原因", "citation 依据")
        for month in reviewed:
            state = "dropped 已删除" if month.dropped else ("yes 是" if month.verdict.may_drop else "no 否")
            rows = "-" if month.rows is None else f"{month.rows:,}"  # a month too young to go is not counted
            table.add_row(month.table, month.month.strftime("%Y-%m"), rows, state,
                          f"{month.verdict.reason.zh} / {month.verdict.reason.en}", month.verdict.reason.citation)
        out.print(table)
        dropped = sum(m.dropped for m in reviewed)
        may_go = sum(m.verdict.may_drop for m in reviewed)
        out.print(f"已删除 {dropped} 个月份 / dropped {dropped} months" if apply
                  else f"{may_go} 个月份可删除（加 --apply 执行） / {may_go} months may go (--apply drops them)")
