"""Portfolio commands: ingest, the nightly run, the demo."""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from arrears import __version__
from arrears.domain.money import cents_text
from arrears.entrypoints.cli.cluster_option import SchedulerOption, cluster_or_exit
from arrears.entrypoints.cli.dates import date_option
from arrears.entrypoints.cli.portfolio_input import portfolio_or_exit
from arrears.logs import log
from arrears.services.ingest import IngestPortfolio, IngestReport, ingest_portfolio
from arrears.services.nightly.aging import RunReport
from arrears.services.portfolio_files import Portfolio

if TYPE_CHECKING:  # the database, scoring and model libraries load with the commands that use them
    from arrears.bootstrap import Container
    from arrears.partitions import Cluster
    from arrears.scoring.weight_fit import FittedWeights
    from arrears.services.nightly.job import NightlyJobReport

console = Console()
err = Console(stderr=True)
logger = logging.getLogger("arrears.cli")


def _today() -> date:
    from arrears import bootstrap

    return datetime.now(ZoneInfo(bootstrap.settings().timezone)).date()


def _command(name: str) -> str:
    """How to type ``name`` in a fresh shell: bare when it is on PATH, else its path in this
    environment (``.venv/bin/arrears`` before the venv is activated)."""
    if shutil.which(name):
        return name
    path = Path(sys.executable).parent / name
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _stages(title: str, total: int) -> Iterator[callable]:  # type: ignore[valid-type]
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        task = progress.add_task(title, total=total)
        started = [False]

        def advance(name: str) -> None:
            if started[0]:
                progress.advance(task)
            started[0] = True
            progress.update(task, description=f"{title}: {name}")

        yield advance
        progress.update(task, completed=total, description=f"{title}: done")


def _container() -> Container:
    from arrears.entrypoints.cli.container import open_container

    return open_container()


def read_snapshot(folder: Path, as_of: date) -> Portfolio:
    """The folder read and validated before anything is opened or written (refused: exit 1)."""
    with _stages("validate", 1) as stage:
        stage("reading and checking files")
        return portfolio_or_exit(folder, as_of, outcome="nothing was stored / 未导入任何数据", code=1,
                                 show_notes=False)  # print_ingest shows them


def do_ingest(container: Container, portfolio: Portfolio, as_of: date) -> IngestReport:
    from arrears import bootstrap

    started = time.perf_counter()
    folder = portfolio.folder
    with _stages("load", 7) as stage:
        report = ingest_portfolio(bootstrap.ingest_uow(container.engine, container.cipher),
                                  IngestPortfolio(portfolio, as_of, _now()), progress=stage)
    log(
        logger,
        "ingest finished",
        folder=str(folder),
        digest=report.digest[:12],
        already_loaded=report.already_loaded,
        seconds=round(time.perf_counter() - started, 2),
    )
    return report


def print_ingest(report: IngestReport) -> None:
    if report.already_loaded:
        console.print(f"[green]已导入 / already loaded[/] snapshot {report.digest[:12]}: nothing changed")
        return
    table = Table(title=f"导入 Ingest · snapshot {report.snapshot_id} · as of {report.as_of}")
    for column in ("file 文件", "inserted 新增", "updated 更新", "unchanged 未变", "left 移出"):
        table.add_column(column, justify="right" if "file" not in column else "left")
    for name, c in report.counts.items():
        table.add_row(name, str(c.inserted), str(c.updated), str(c.unchanged), str(c.left_portfolio))
    console.print(table)
    if report.pauses_opened or report.pauses_closed:
        console.print(f"争议停表 dispute pauses: opened {report.pauses_opened}, closed {report.pauses_closed}")
    for name, c in report.counts.items():
        if c.ignored_changes:
            console.print(
                f"[yellow]{name}: {c.ignored_changes} existing rows differ; "
                "the ledger is append-only, kept as stored[/]"
            )
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}")


def print_run(report: RunReport, names: list[str]) -> None:
    table = Table(title=f"账龄分布 Buckets as of {report.as_of}")
    table.add_column("bucket 账龄")
    table.add_column("accounts 户数", justify="right")
    table.add_column("balance 余额 (CNY)", justify="right")
    for line in report.buckets:
        table.add_row(line.bucket, f"{line.accounts:,}", cents_text(line.balance_cents))
    table.add_row("[bold]total 合计", f"[bold]{report.accounts:,}", f"[bold]{cents_text(report.balance_cents)}")
    console.print(table)
    if report.previous_as_of is None:
        console.print("迁徙率 roll rates: first run, no previous run to compare with")
    else:
        roll = Table(title=f"迁徙率 Roll rates {report.previous_as_of} → {report.as_of} (share of accounts)")
        roll.add_column("from \\ to")
        for name in names:
            roll.add_column(name, justify="right")
        for before in names:
            if before not in report.roll_counts:
                continue
            cells = []
            for after in names:
                rate = report.roll_rate(before, after)
                cells.append("" if not rate else f"{rate:.1%}")
            roll.add_row(before, *cells)
        console.print(roll)
    console.print(f"账龄变化 bucket changes recorded: {report.transitions:,}")


SEGMENT_NAMES = {
    "able_willing": "有能力有意愿 able, willing",
    "able_unwilling": "有能力无意愿 able, unwilling",
    "willing_unable": "有意愿无能力 willing, unable",
    "unable_unwilling": "无能力无意愿 unable, unwilling",
}


def weights_line(fit: FittedWeights) -> str:
    """A refit's decision, the held-out AUCs and the weights used."""
    line = f"{fit.note_zh} / {fit.note_en}"
    if fit.auc_prior is not None and fit.auc_fitted is not None:
        line += (f" (as of {fit.components_as_of}: {fit.accounts:,} accounts, {fit.payers:,} paid; held-out AUC "
                 f"judgement {fit.auc_prior:.3f}, fitted {fit.auc_fitted:.3f})")
    return line + "; " + ", ".join(f"{name} {weight:.2f}" for name, weight in fit.weights.items())


def print_job(report: NightlyJobReport, names: list[str]) -> None:
    print_run(report.aging, names)
    scoring = report.scoring
    table = Table(title=f"客户分群 Segments as of {scoring.as_of} · {scoring.model_kind}: "
                        f"{scoring.model_id} v{scoring.model_version}")
    table.add_column("segment 分群")
    table.add_column("accounts 户数", justify="right")
    table.add_column("balance 余额 (CNY)", justify="right")
    for line in scoring.segments:
        table.add_row(SEGMENT_NAMES.get(line.segment, line.segment), f"{line.accounts:,}",
                      cents_text(line.balance_cents))
    table.add_row("[bold]scored 已评分", f"[bold]{scoring.accounts:,}",
                  f"[bold]{cents_text(sum(s.balance_cents for s in scoring.segments))}")
    console.print(table)
    console.print(f"还款倾向模型 propensity model: {scoring.model_note}", markup=False)
    for label, fit in (("还款能力权重 ability weights", scoring.ability),
                       ("还款意愿权重 willingness weights", scoring.willingness)):
        if fit is not None:
            console.print(f"{label}: {weights_line(fit)}", markup=False)
    if scoring.response is not None:
        console.print(scoring.response.rates.summary(), markup=False, soft_wrap=True)
    review = report.arrangements
    console.print(f"还款安排复核 arrangements reviewed on {review.on}: {review.accounts:,} accounts, "
                  f"{review.changed:,} plans/settlements changed (completed, broken or failed)")
    for failure in review.failures[:20]:
        err.print(f"[yellow]arrangement review failed:[/] {failure}", highlight=False)


def _job(container: Container, day: date, cluster: Cluster | None = None) -> NightlyJobReport:
    from arrears import bootstrap
    from arrears.scoring.segments import Thresholds
    from arrears.services.nightly.job import STAGES, RunNightly, run_nightly
    from arrears.services.scoring_run import load_scoring_model

    settings = container.settings
    model = load_scoring_model(settings.propensity_model)
    thresholds = Thresholds(settings.ability_threshold, settings.willingness_threshold)
    command = RunNightly(day, _now(), container.ladder, model, thresholds=thresholds, timezone=settings.timezone)
    with _stages("nightly run", STAGES) as stage:
        return run_nightly(bootstrap.nightly_ports(container.engine, cluster), command, stage=stage)


def register(app: typer.Typer) -> None:
    @app.command("version")
    def version() -> None:
        """Print the arrears version."""
        typer.echo(__version__)

    @app.command("ingest")
    def ingest(
        folder: Annotated[Path, typer.Argument(help="portfolio-v1 folder (CSV or Parquet)")],
        as_of: Annotated[date | None, date_option("--as-of", "snapshot date YYYY-MM-DD (default today)")] = None,
    ) -> None:
        """Validate and load a portfolio snapshot in one transaction (idempotent)."""
        day = as_of or _today()
        portfolio = read_snapshot(folder, day)
        print_ingest(do_ingest(_container(), portfolio, day))

    @app.command("run")
    def run(
        as_of: Annotated[date, date_option("--as-of", "the business date YYYY-MM-DD")],
        scheduler: SchedulerOption = None,
    ) -> None:
        """The nightly run: age every account (bucket changes, roll rates), score every
        delinquent account (ability, willingness, propensity, segment, reasons; on a Dask
        cluster with --scheduler), review installment plans and settlements on the date."""
        from arrears.services.nightly.job import NothingIngested

        with cluster_or_exit(scheduler) as cluster:  # a cluster that cannot be used stops it before the database
            container = _container()
            try:
                report = _job(container, as_of, cluster)
            except NothingIngested as error:
                err.print(f"[red]{error}[/]", highlight=False)
                raise typer.Exit(1) from None
        print_job(report, container.ladder.names)

    @app.command("demo")
    def demo(
        out: Annotated[Path | None, typer.Option(help="only write the files to this folder")] = None,
        customers: Annotated[int, typer.Option(help="how many customers")] = 10_000,
        as_of: Annotated[date | None, date_option("--as-of", "business date YYYY-MM-DD (default today)")] = None,
        fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
        seed: Annotated[int, typer.Option(help="random seed")] = 20261129,
    ) -> None:
        """Generate a realistic synthetic portfolio; ingest it and run the nightly job."""
        from arrears.services.demo_generator import DemoSize, generate

        day = as_of or _today()
        target = out or Path("var/demo") / day.isoformat()
        with _stages("generate", 1) as stage:
            stage(f"{customers:,} customers")
            counts = generate(target, day, DemoSize(customers=customers, seed=seed), fmt)
        console.print(f"生成 generated in {target}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        if out is not None:
            return
        portfolio = read_snapshot(target, day)
        container = _container()
        print_ingest(do_ingest(container, portfolio, day))
        print_job(_job(container, day), container.ladder.names)
        from arrears.entrypoints.cli.serve_cli import print_demo_users
        from arrears.services.workbench.demo_users import create_demo_users

        print_demo_users(create_demo_users(container.engine))
        console.print(
            "\n[bold]下一步 Next:[/]\n"
            f"  启动工作台 start the workbench: {_command('arrears')} serve  "
            "(it then answers on http://127.0.0.1:8000, the API documentation on /docs)\n"
            f"  数据库 database: {container.settings.database_url}\n"
            f"  组合文件 portfolio files: {target}\n"
            f"  再跑一次夜间作业 re-run the nightly job: {_command('arrears')} run --as-of {day}\n"
            f"  命令列表 all commands: {_command('arrears')} --help"
        )
