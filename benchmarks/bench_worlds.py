"""Benchmark: the planner judged in worlds it was not tuned on (issue 18, item 5).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_worlds.py [--customers 3000] [--days 30]
        [--seeds 20261201,20261202,20261203] [--worlds all | evening,office,...]
        [--strategies naive,reference,default] [--ablation] [--workers 2] [--out sim/worlds]
        [--with EARLIER/grid.csv]

Runs every (world, seed, strategy) of the grid as its own task in ``--workers`` processes (each
builds the world and its warm-up history from the seed, so every strategy of a world and seed
starts from the same state), with a progress bar, and writes ``grid.csv`` (one row per task:
the simulator's summary) and ``table.md`` (per world: money against naive and against the
reference, complaints, known-bad attempts and violations, means over the seeds).

``--ablation`` adds the default strategy with one part switched off in turn (variants of its
data, named ``default-no_fill`` etc.): ``fill`` (no calls at other hours for the capacity the
best-hours passes leave), ``location`` (no location calls to third parties), ``learning``
(no hour model learnt from history: every hour at the population's rate) and ``offers`` (offer
``none`` everywhere). Other variants, by name (``default-with_response`` etc.): ``with_response`` /
``no_response`` (the response models fitted from the history on or off, at the judgement's level:
``models.response``), ``fitted_response`` (on, at face value: ``response_level: fitted``).

``--with`` adds the rows of an earlier grid.csv (of the same code, customers and days) for the
worlds and seeds of this one before the table is made: e.g. the ablation variants alone, with
naive, reference and default taken from the main grid.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import polars as pl

ABLATION = ("no_fill", "no_location", "no_learning", "no_offers")
VARIANTS = (*ABLATION, "no_response", "with_response", "fitted_response")


def strategy_for(name: str):  # type: ignore[no-untyped-def]
    """A strategy by name: ``naive`` / ``reference`` (None), a built-in or file, or
    ``BASE-no_PART`` (the base strategy with one part switched off)."""
    from arrears.planning.strategy import load_strategy

    if name in ("naive", "reference"):
        return None
    base, _, part = name.partition("-")
    strategy = load_strategy(base)
    if not part:
        return strategy
    models = strategy.models
    update: dict = {"name": f"{strategy.name}_{part}"}
    if part == "no_fill":
        update["models"] = models.model_copy(update={"fill": False})
    elif part == "no_learning":
        update["models"] = models.model_copy(update={"hour_model": False})
    elif part == "no_offers":
        update["models"] = models.model_copy(update={"offers": False})
    elif part == "no_location":
        update["location"] = None
    elif part in ("no_response", "with_response", "fitted_response"):
        update["models"] = models.model_copy(update={"response": part != "no_response"})
        if part == "fitted_response":  # the fitted rates at face value, with the strategy's prices
            update["response_level"] = "fitted"
    else:
        raise ValueError(f"unknown variant {part!r} (known: {', '.join(VARIANTS)})")
    return strategy.model_copy(update=update)


def run_one(world: str, seed: int, name: str, customers: int, days: int) -> dict:
    """One strategy in one world and seed: the simulator's summary row, with the seconds taken."""
    from arrears.planning.gate_requests import default_gate
    from arrears.planning.sim_worlds import world as world_named
    from arrears.planning.simulator import SimConfig, simulate, summary

    started = time.perf_counter()
    cfg = SimConfig(customers=customers, days=days, seed=seed, world=world_named(world))
    daily = simulate({name: strategy_for(name)}, cfg, default_gate())
    row = summary(daily).row(0, named=True)
    return {"world": world, "seed": seed, **row, "seconds": round(time.perf_counter() - started, 1)}


def table(grid: pl.DataFrame) -> str:
    """Per world and strategy, means over the seeds: money (yuan), x naive, x reference,
    complaints, known-bad attempts, violations."""
    naive = grid.filter(pl.col("strategy") == "naive").select("world", "seed", pl.col("money").alias("naive"))
    ref = grid.filter(pl.col("strategy") == "reference").select("world", "seed", pl.col("money").alias("ref"),
                                                                pl.col("complaints").alias("ref_complaints"))
    rows = (grid.join(naive, on=["world", "seed"], how="left").join(ref, on=["world", "seed"], how="left")
            .with_columns((pl.col("money") / pl.col("naive")).alias("x_naive"),
                          (pl.col("money") / pl.col("ref")).alias("x_ref"))
            .group_by("world", "strategy", maintain_order=True)
            .agg(pl.len().alias("seeds"), pl.col("money").mean(), pl.col("x_naive").mean(),
                 pl.col("x_naive").min().alias("x_naive_min"), pl.col("x_ref").mean(),
                 pl.col("x_ref").min().alias("x_ref_min"), pl.col("complaints").mean(),
                 pl.col("ref_complaints").mean(), pl.col("known_bad").sum(), pl.col("violations").sum(),
                 pl.col("calls").mean(), pl.col("sms").mean(), pl.col("email").mean()))
    lines = ["| world | planner | seeds | money ¥ (mean) | × naive (min) | × reference (min) | complaints "
             "(reference) | calls | SMS | e-mail | known-bad | violations |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows.iter_rows(named=True):
        lines.append(
            f"| {r['world']} | {r['strategy']} | {r['seeds']} | {r['money']:,.0f} | {_x(r['x_naive'])} "
            f"({_x(r['x_naive_min'])}) | {_x(r['x_ref'])} ({_x(r['x_ref_min'])}) | {r['complaints']:,.0f} "
            f"({_n(r['ref_complaints'])}) | {r['calls']:,.0f} | {r['sms']:,.0f} | {r['email']:,.0f} | "
            f"{r['known_bad']} | {r['violations']} |")
    return "\n".join(lines) + "\n"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}×"


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def main() -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from arrears.planning.sim_worlds import WORLDS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seeds", default="20261201,20261202,20261203")
    parser.add_argument("--worlds", default="all")
    parser.add_argument("--strategies", default="naive,reference,default")
    parser.add_argument("--ablation", action="store_true")
    parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 2))
    parser.add_argument("--out", type=Path, default=Path("sim/worlds"))
    parser.add_argument("--with", dest="earlier", type=Path, help="an earlier grid.csv to add to the table")
    args = parser.parse_args()
    worlds = list(WORLDS) if args.worlds == "all" else args.worlds.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    names = [n for n in args.strategies.split(",") if n] + ([f"default-{p}" for p in ABLATION] if args.ablation else [])
    for name in names:
        strategy_for(name)  # fail before the pool starts
    tasks = [(w, s, n) for w in worlds for s in seeds for n in names]
    args.out.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"{len(tasks)} runs: {len(worlds)} worlds x {len(seeds)} seeds x {len(names)} strategies, "
          f"{args.customers} customers, {args.days} days, {args.workers} processes; load {load[0]:.2f}", flush=True)
    rows, started = [], time.perf_counter()
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns) as progress, ProcessPoolExecutor(args.workers) as pool:
        bar = progress.add_task("worlds x seeds x strategies", total=len(tasks))
        futures = {pool.submit(run_one, w, s, n, args.customers, args.days): (w, s, n) for w, s, n in tasks}
        for future in as_completed(futures):
            rows.append(future.result())
            progress.advance(bar)
            pl.DataFrame(rows).write_csv(args.out / "grid.csv")  # what is done so far survives an interruption
    order = {t: i for i, t in enumerate(tasks)}
    grid = pl.DataFrame(sorted(rows, key=lambda r: order[(r["world"], r["seed"], r["strategy"])]))
    grid.write_csv(args.out / "grid.csv")
    if args.earlier:
        earlier = pl.read_csv(args.earlier).filter(pl.col("world").is_in(worlds) & pl.col("seed").is_in(seeds)
                                                   & ~pl.col("strategy").is_in(names))
        grid = pl.concat([earlier, grid], how="diagonal_relaxed")
        grid.write_csv(args.out / "grid_all.csv")
    text = table(grid)
    (args.out / "table.md").write_text(text, encoding="utf-8")
    end = os.getloadavg()
    print(text)
    print(f"{time.perf_counter() - started:.0f} s; load average at the start {load[0]:.2f}, at the end "
          f"{end[0]:.2f} {end[1]:.2f} {end[2]:.2f}")


if __name__ == "__main__":
    main()
