"""The daily plan on a large generated portfolio: wall time per stage, planned attempts, gate checks.

    PYTHONPATH=src python benchmarks/bench_plan.py --customers 1000000 --folder /tmp/plan_1m

Generates the demo portfolio into --folder once (about 100 s for 1,000,000 customers) and
reuses it on later runs. Times reading the folder, then `make_plan` stage by stage, with the
real compliance gate on every planned attempt.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from datetime import date
from pathlib import Path

from arrears.planning.gate_requests import default_gate
from arrears.planning.optimiser import make_plan
from arrears.planning.strategy import Split, load_strategy
from arrears.services.demo_generator import DemoSize, generate
from arrears.services.plan_files import read_capacity, read_portfolio_for_planning

AS_OF = date(2026, 11, 29)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=2, help="gate worker processes")
    parser.add_argument("--response", action="store_true",
                        help="the default strategy with the response models fitted from the files (models.response)")
    parser.add_argument("--cpu", action="store_true",
                        help="time the stages in CPU seconds of this process instead of wall time (the gate "
                             "workers' CPU is not in the gate stage: they are waited for when the plan ends)")
    args = parser.parse_args()
    folder = args.folder or Path(f"/tmp/arrears_plan_{args.customers}")
    if not (folder / "accounts.csv").exists():
        started = time.perf_counter()
        generate(folder, AS_OF, DemoSize(customers=args.customers))
        print(f"generated {args.customers:,} customers in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    portfolio = read_portfolio_for_planning(folder, AS_OF)
    capacity = read_capacity(None, folder)
    read = time.perf_counter() - started
    clock = _cpu_seconds if args.cpu else time.perf_counter
    strategy = load_strategy("default")
    if args.response:
        strategy = strategy.model_copy(update={"models": strategy.models.model_copy(update={"response": True})})
    result = make_plan(portfolio, capacity, Split(strategy), default_gate(), clock=clock, workers=args.workers)
    total = time.perf_counter() - started
    s = result.stats
    if s.response:
        print(s.response)
    print(f"accounts {s.accounts:,}  held {s.held:,}  candidates {s.candidates:,}  planned {s.planned:,}  "
          f"gate checks {s.gate_checks:,} (denied {s.gate_denied:,})  passes {s.passes}")
    print(("CPU " if args.cpu else "") + f"read {read:.1f}s (wall)  "
          + "  ".join(f"{k} {v:.1f}s" for k, v in s.timings.items()))
    rate = s.gate_checks / max(s.timings.get("gate", 1e-9), 1e-9)
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"workers {args.workers}  total {total:.1f}s  gate {rate:,.0f} checks/s  "
          f"peak RSS {own.ru_maxrss / 1024:,.0f} MB")
    print(f"page faults: planner {own.ru_minflt:,} (sys {own.ru_stime:.1f}s)  "
          f"gate workers {workers.ru_minflt:,} (sys {workers.ru_stime:.1f}s)")


def _cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children: a measure that the load
    of other jobs on a shared machine does not inflate. The gate workers are waited for only
    when the plan ends, so their CPU is not in any stage."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


if __name__ == "__main__":
    main()
