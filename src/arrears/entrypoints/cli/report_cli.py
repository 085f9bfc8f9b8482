"""`arrears report --from DATE --to DATE --out DIR`: the operation's report as report.html
(self-contained, opens offline) and report.xlsx, from the stored ledgers; the same figures as
the dashboards."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from arrears.entrypoints.cli.dates import date_option

err = Console(stderr=True, soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        start: Annotated[date, date_option("--from", "first day, YYYY-MM-DD (operation zone)")],
        end: Annotated[date, date_option("--to", "last day, YYYY-MM-DD, included")],
        out: Annotated[Path, typer.Option("--out", help="the folder to write report.html and report.xlsx into")],
        language: Annotated[str, typer.Option("--lang", help="zh (default) or en")] = "zh",
        agency: Annotated[str | None, typer.Option("--agency", help="only accounts placed with this agency")] = None,
    ) -> None:
        """Write the operation's report 运营报告 for a date range."""
        from arrears.bootstrap import reporting_source
        from arrears.domain.reporting import ReportingError, ReportRange
        from arrears.entrypoints.cli.container import open_container
        from arrears.entrypoints.report.html import write_html
        from arrears.entrypoints.report.xlsx import write_xlsx
        from arrears.services.reporting.figures import report_for

        if language not in ("zh", "en"):
            err.print(f"--lang: {language!r} is not zh or en", style="red", markup=False)
            raise typer.Exit(2)
        container = open_container()
        wanted = ReportRange(start, end, container.settings.timezone, agency)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("reading the ledgers 读取台账", total=3)
            try:
                result = report_for(reporting_source(container.engine), wanted)
            except ReportingError as error:
                err.print(str(error), style="red", markup=False)
                raise typer.Exit(2) from None
            progress.update(task, advance=1, description="report.html")
            try:
                out.mkdir(parents=True, exist_ok=True)
                stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
                write_html(result, out / "report.html", language, generated_at=stamp)
                progress.update(task, advance=1, description="report.xlsx")
                write_xlsx(result, out / "report.xlsx", language)
            except OSError as error:
                err.print(f"{out}: cannot write: {error}", style="red", markup=False)
                raise typer.Exit(2) from None
            progress.update(task, advance=1)
        t = result.total
        typer.echo(f"{result.start} .. {result.end}: {t.contacts} contacts 联系, {t.promises_made} promises 承诺, "
                   f"collected 回收 {t.collected:,.2f} -> {out / 'report.html'}, {out / 'report.xlsx'}")
