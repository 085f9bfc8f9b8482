"""Where a batch of reservations spends its time, in process (no HTTP): the service
``reserve_calls`` on a demo database, with each SQL statement's wall time and the CPU profile.

    .venv/bin/python benchmarks/profile_reservations.py --db postgres [--batch 20] [--batches 200]

Sets up the database as ``bench_reserve_http.py`` does (demo customers, an in-house collector),
then reserves batches of ``--batch`` consecutive calls of the shuffled list on a clock fixed at
10:00 Beijing today, and prints: wall and CPU time a batch, the statements of a batch by their
summed wall time (PostgreSQL's work and the round trip), and the top of the CPU profile.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))
from bench_reserve_http import _setup, database_options


def main() -> None:
    parser = argparse.ArgumentParser()
    database_options(parser, "postgres")
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--sort", default="cumulative", help="the profile's order (pstats: cumulative, tottime)")
    parser.add_argument("--top", type=int, default=45, help="the profile's rows")
    parser.add_argument("--no-profile", action="store_true", help="time only (for an outside sampler)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="arrears-profile-"))
    env, _token, pairs, agent = _setup(args, work)
    os.environ.update(env)

    from sqlalchemy import event

    from arrears.adapters.clock import FixedClock
    from arrears.entrypoints.api.workbench.state import _process_workbench
    from arrears.services.dialer.reservations import CallWanted, ReserveCalls, reserve_calls

    zone = ZoneInfo("Asia/Shanghai")
    ten = datetime.combine(datetime.now(zone).date(), clock_time(10), zone)
    wb = _process_workbench()
    wb.clock = FixedClock(ten)
    order = list(pairs)
    random.Random(7).shuffle(order)
    commands = [ReserveCalls(agent, tuple(CallWanted(a, p) for a, p in order[i:i + args.batch]))
                for i in range(0, len(order) - args.batch + 1, args.batch)]
    statements: dict[str, list[float]] = defaultdict(list)
    started: list[float] = []

    @event.listens_for(wb.engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001, PLR0917
        started.append(time.perf_counter())

    @event.listens_for(wb.engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001, PLR0917
        statements[" ".join(statement.split())[:110]].append(time.perf_counter() - started.pop())

    for command in commands[:10]:  # warm-up: caches, prepared statements
        reserve_calls(wb, command)
    statements.clear()
    profile = cProfile.Profile()
    runs = [commands[10 + k % (len(commands) - 10)] for k in range(args.batches)]
    wall, cpu = time.perf_counter(), time.process_time()
    if not args.no_profile:
        profile.enable()
    for command in runs:
        reserve_calls(wb, command)
    profile.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = len(runs)
    print(f"{args.db}: {n} batches of {args.batch} calls: {wall / n * 1000:.1f} ms wall, {cpu / n * 1000:.1f} ms CPU "
          "a batch" + ("" if args.no_profile else " (profiled: the profiler adds CPU)"))
    print("statements of a batch (calls a batch, ms a batch summed):")
    for text, times in sorted(statements.items(), key=lambda item: -sum(item[1])):
        print(f"  {len(times) / n:5.2f}  {sum(times) / n * 1000:6.2f} ms  {text}")
    if not args.no_profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
