"""Planning commands: `arrears plan` (contact-plan-v1) and `arrears simulate`."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import polars as pl
import typer
from rich.console import Console

from arrears.adapters.spreadsheets import write_csv
from arrears.domain.portal import Preferences
from arrears.entrypoints.cli.cluster_option import SchedulerOption, cluster_or_exit, scheduler_address
from arrears.entrypoints.cli.dates import date_option
from arrears.entrypoints.cli.portfolio_input import print_notes, print_refusal
from arrears.planning.frames import with_contact_points, with_preferences
from arrears.planning.gate_requests import GateUnavailable, default_gate
from arrears.planning.gate_runner import WorkerFailed
from arrears.planning.optimiser import PlanResult, make_plan
from arrears.planning.response_model import ResponseRates
from arrears.planning.segmenter import history_segmenter, scores_segmenter
from arrears.planning.strategy import Split, Strategy, StrategyError, built_in_strategies, load_strategy
from arrears.services.plan_files import (
    PlanInputError,
    read_capacity,
    read_portfolio_for_planning,
    read_scores,
    write_hours,
    write_plan,
)
from arrears.services.portfolio_files import PortfolioReadError, PortfolioRefused

if TYPE_CHECKING:
    from arrears.partitions import Cluster

err = Console(stderr=True)


def _split(strategy: str, challengers: list[str]) -> Split:
    parsed = []
    for text in challengers:
        name, _, share = text.rpartition(":")
        try:
            parsed.append((load_strategy(name), float(share)))
        except ValueError as error:
            raise StrategyError(
                f"--challenger {text!r}: expected NAME_OR_FILE:SHARE, e.g. validity_hours:0.1 ({error})") from None
    return Split(load_strategy(strategy), tuple(parsed))


AUTO_WORKERS_FROM = 20_000  # below this the gate takes a second or two: starting workers would cost more


def auto_workers(accounts: int) -> int:
    """Gate worker processes for a portfolio: one per core (at most 8) for a large one."""
    return min(os.cpu_count() or 1, 8) if accounts >= AUTO_WORKERS_FROM else 1


def _message_texts(split: Split) -> pl.DataFrame:
    """The words of each message the plan may send, for its gate to screen."""
    from arrears.bootstrap import planned_message_texts

    return planned_message_texts(split)


def _stored_preferences() -> dict[str, Preferences]:
    """What customers chose on their own page, from the configured database (none without one)."""
    from arrears.bootstrap import stored_preferences

    return stored_preferences()


def _stored_contact_points() -> list[dict[str, Any]]:
    """What collectors changed on contact points in the workbench (none without a database)."""
    from arrears.bootstrap import stored_contact_points

    return stored_contact_points()


def _stored_response(day: date) -> ResponseRates | None:
    """The response models' rates of the latest nightly run (none without a database or such a run)."""
    from arrears.bootstrap import stored_response_rates

    return stored_response_rates(day)


def plan(  # noqa: PLR0917 (one option per argument)
    portfolio: Annotated[Path, typer.Option("--portfolio", help="portfolio-v1 folder / 资产包目录")],
    as_of: Annotated[date, date_option("--as-of", "plan date YYYY-MM-DD / 计划日期")],
    out: Annotated[Path, typer.Option("--out", help="plan.csv to write / 输出文件")],
    capacity: Annotated[Path | None, typer.Option("--capacity", help="capacity.csv (default: in the folder)")] = None,
    strategy: Annotated[str, typer.Option("--strategy", help="champion: built-in name or YAML file")] = "default",
    challenger: Annotated[list[str] | None, typer.Option("--challenger", help="NAME_OR_FILE:SHARE, repeatable")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="processes judging attempts at the gate (default: one per core from "
                                 f"{AUTO_WORKERS_FROM:,} accounts, else 1)")] = None,
    scores: Annotated[Path | None, typer.Option(
        "--scores", help="CSV from `arrears score` (ability, willingness, propensity, segment); "
                         "default: the history fallback")] = None,
    store: Annotated[bool, typer.Option("--store", help="also store the plan in the database (settings)")] = False,
    scheduler: SchedulerOption = None,
) -> None:
    """Write the day's contact plan (contact-plan-v1), best first. 生成当日联系计划。"""
    started = time.perf_counter()
    if workers is not None and scheduler_address(scheduler):
        err.print("--workers 与 --scheduler 只能选一个 / --workers and --scheduler (or ARREARS_DASK_SCHEDULER) "
                  "both say where the gate runs: give one", style="red", markup=False, highlight=False)
        raise typer.Exit(2)
    with cluster_or_exit(scheduler) as cluster:
        result = _plan(portfolio, as_of, capacity, strategy, challenger or [], workers=workers, scores=scores,
                       cluster=cluster)
    write_plan(result.plan, out)
    hours = write_hours(result.hours, out)
    if store:
        from arrears.entrypoints.cli.container import open_container
        from arrears.services.plan_store import store_plan

        stored = store_plan(open_container().engine, as_of, result.plan)
        err.print(f"已存储 {stored} 条计划 / stored {stored} planned attempts for {as_of}")
    s = result.stats
    err.print(f"计划 {s.planned} 次联系 / planned {s.planned} attempts for {s.accounts} accounts "
              f"({s.held} on hold, {s.location} location calls to third parties, gate checks {s.gate_checks}, "
              f"denied {s.gate_denied}) in {time.perf_counter() - started:.1f}s -> {out}; per hour: {hours}")
    for label, level in s.complaint_levels.items():
        err.print(f"{label}: {level.summary()}", markup=False, highlight=False)
    if s.response:
        err.print(s.response, markup=False, highlight=False, soft_wrap=True)


def _plan(portfolio: Path, day: date, capacity: Path | None, strategy: str, challengers: list[str], *,
          workers: int | None, scores: Path | None, cluster: Cluster | None) -> PlanResult:
    """Read, check and plan (the gate's shards on ``cluster`` when given); exit 2 on bad input,
    1 when the gate's workers fail (nothing is written then)."""
    notes: list[str] = []
    try:
        split = _split(strategy, challengers)
        frames = with_preferences(with_contact_points(read_portfolio_for_planning(portfolio, day, notes),
                                                      _stored_contact_points()), _stored_preferences())
        limits = read_capacity(capacity, portfolio)
        gate = default_gate()
        segmenter = scores_segmenter(read_scores(scores)) if scores else history_segmenter
        response = _stored_response(day) if any(s.models.response for s in split.strategies) else None
    except PortfolioRefused as error:
        print_refusal(error)
        raise typer.Exit(2) from None
    except (StrategyError, PlanInputError, PortfolioReadError, GateUnavailable) as error:
        err.print(f"[red]{error}[/red]", highlight=False)
        raise typer.Exit(2) from None
    print_notes(notes)
    try:
        result = make_plan(frames, limits, split, gate, segmenter=segmenter, cluster=cluster,
                           workers=workers or auto_workers(frames.accounts.height), message_texts=_message_texts(split),
                           response=response)
    except WorkerFailed as error:
        err.print(f"合规闸门进程失败，未写入计划 / {error}; nothing was written", style="red", markup=False,
                  highlight=False)
        raise typer.Exit(1) from None
    return result


def simulate(  # noqa: PLR0917 (one option per argument)
    strategy: Annotated[list[str], typer.Option(
        "--strategy", help=f"built-in name ({', '.join(built_in_strategies())}), YAML file, or `reference` "
                           "(the simple reference planner), repeatable"),
    ] = ["default"],  # noqa: B006
    days: Annotated[int, typer.Option("--days", min=1, max=365)] = 30,
    customers: Annotated[int, typer.Option("--customers", min=50)] = 2000,
    seed: Annotated[int, typer.Option("--seed")] = 20261201,
    world: Annotated[list[str] | None, typer.Option(
        "--world", help="the world's assumptions, repeatable (default: the simulator's own): "
                        "default, evening, office, sms_minded, call_only, dead_numbers, affordability, touchy")] = None,
    out: Annotated[Path, typer.Option("--out", help="folder for summary.csv, daily.csv and charts "
                                                    "(one subfolder per world when several are given)")] = Path(
        "simulation"),
) -> None:
    """Run strategies side by side in a synthetic world, with the naive baseline. 策略仿真。"""
    from arrears.planning.sim_worlds import world as world_named
    from arrears.planning.simulator import NAIVE, REFERENCE, SimConfig

    try:
        chosen: dict[str, Strategy | None] = {NAIVE: None}
        for name in strategy:
            loaded = None if name == REFERENCE else load_strategy(name)
            chosen[loaded.label if loaded else REFERENCE] = loaded
        worlds = [world_named(name) for name in (world or ["default"])]
        gate = default_gate()
    except KeyError as error:
        err.print(f"[red]--world: {error.args[0]}[/red]", highlight=False)
        raise typer.Exit(2) from None
    except (StrategyError, GateUnavailable) as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    tables = []
    for spec in worlds:
        folder = out if len(worlds) == 1 else out / spec.name
        cfg = SimConfig(customers=customers, days=days, seed=seed, world=spec)
        tables.append(_simulate_world(chosen, cfg, gate, folder).select(pl.lit(spec.name).alias("world"), pl.all()))
    if len(worlds) > 1:
        write_csv(pl.concat(tables), out / "worlds.csv")


def _simulate_world(chosen: dict, cfg: Any, gate: Any, out: Path) -> pl.DataFrame:
    from arrears.planning.simulator import charts, summary
    from arrears.planning.simulator import simulate as run

    started = time.perf_counter()
    daily = run(chosen, cfg, gate)
    table = summary(daily)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(daily, out / "daily.csv")
    write_csv(table, out / "summary.csv")
    paths = charts(daily, out)
    console = Console()
    console.print(f"world: {cfg.world.name}" + (f" ({cfg.world.about})" if cfg.world.about else ""))
    console.print(table)
    err.print(f"{len(chosen)} 个策略 / strategies x {cfg.days} days x {cfg.customers} customers in "
              f"{time.perf_counter() - started:.0f}s; charts: {len(paths)} PNG in {out}")
    return table


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("simulate")(simulate)
