"""Load test of the reserve path, `POST /v1/accounts/{id}/attempts`, from a second process.

The dialer's path to the gate against the stored ledger: a service token (scope `dialer`), the
collector named in the body, no history in the body (the server reads the debtor's ledger,
judges, records the attempt and the decision's audit row in one transaction). Sets up a fresh
database (SQLite file, or a new PostgreSQL database on the server of `--postgres`) with
`arrears demo --customers N`, picks an in-house collector and the in-house accounts' valid
debtor phone numbers, issues the token, starts `uvicorn` on 127.0.0.1 and sends reservations
from a second process (N threads, keep-alive) for a bounded time, round robin over the numbers.
A reservation denied by the gate (409: the day's caps fill up as the run goes on) is a decision
like an allowed one (201); anything else is an error.

    .venv/bin/python benchmarks/bench_reserve_http.py --db sqlite [--seconds 15] [--threads 8] [--workers 1]
    .venv/bin/python benchmarks/bench_reserve_http.py --db postgres [--postgres postgresql://postgres@127.0.0.1:5432/test]
    .venv/bin/python benchmarks/bench_reserve_http.py --db postgres --batch 50
    .venv/bin/python benchmarks/bench_reserve_http.py --db postgres --batch 20 --local-time 10:00

With ``--batch N`` each request is the dialers' batch route, `POST /v1/dialer/reservations`, with N
consecutive calls of the list (each answered on its own: 201 reserved, 409 refused); a call's
latency is its request's.

With ``--local-time HH:MM`` the server runs on a clock that starts at that local time today
(``bench_clock_app.py``): at night every call falls in the debtors' quiet hours and is refused.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_gate_http import free_port, fresh_database, wait_for_health

BENCH_DB = "arrears_bench_reserve"


def _targets(url: str) -> tuple[str, list[tuple[str, str]]]:
    """An in-house agent with current training, and (account, valid debtor phone) pairs of the
    in-house accounts."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        agent = connection.execute(text(
            "SELECT agent_id FROM agents WHERE agency_id IS NULL AND training_valid_until >= CURRENT_DATE "
            "ORDER BY agent_id LIMIT 1")).scalar_one()
        pairs = connection.execute(text(
            "SELECT a.account_id, p.contact_point_id FROM accounts a JOIN contact_points p "
            "ON p.customer_id = a.customer_id WHERE a.agency_id IS NULL AND p.owner = 'debtor' "
            "AND p.kind = 'mobile' AND p.status <> 'invalid' AND NOT p.do_not_contact AND p.in_portfolio "
            "ORDER BY a.account_id, p.contact_point_id")).all()
    engine.dispose()
    return agent, [(r[0], r[1]) for r in pairs]


def _bodies(order: list[tuple[str, str]], agent: str, batch: int) -> list[tuple[str, bytes]]:
    if batch <= 1:
        return [(f"/v1/accounts/{account}/attempts",
                 json.dumps({"channel": "call", "contact_point_id": point, "agent_id": agent}).encode())
                for account, point in order]
    groups = [order[i:i + batch] for i in range(0, len(order) - batch + 1, batch)]
    return [("/v1/dialer/reservations", json.dumps({"agent_id": agent, "calls": [
        {"account_id": account, "contact_point_id": point} for account, point in group]}).encode())
        for group in groups]


def _answered(response: Any, batch: int) -> dict[str, int]:
    """Allowed, denied and errors in one response (a batch's: its calls')."""
    if batch > 1:
        if response.status_code != 200:
            return {"allowed": 0, "denied": 0, "errors": batch}
        body = response.json()
        return {"allowed": body["reserved"], "denied": body["refused"], "errors": body["failed"]}
    kind = {201: "allowed", 409: "denied"}.get(response.status_code, "errors")
    if kind == "denied" and b'"ContactBlocked"' not in response.content:
        kind = "errors"
    return {"allowed": 0, "denied": 0, "errors": 0} | {kind: 1}


def client(target: tuple[list[int], str, str, int, float], pairs: list[tuple[str, str]], seconds: float,
           threads: int, out: multiprocessing.Queue) -> None:
    """Reserve calls on `pairs` for `seconds` from `threads` threads; `target`: (ports, token, agent, batch,
    rate). Thread k talks to ``ports[k % len(ports)]`` (one keep-alive connection each). With a rate
    (decisions a second, > 0) the requests go out on a fixed schedule and a request's latency counts
    from the instant it was due (a late start is waiting too); without, each thread sends its next
    request when the last one is answered."""
    import httpx

    ports, token, agent, batch, rate = target
    interval = max(batch, 1) / rate if rate > 0 else 0.0  # seconds between two requests of all threads
    order = list(pairs)
    random.Random(7).shuffle(order)
    bodies = _bodies(order, agent, batch)
    latencies: list[float] = []
    counts = {"allowed": 0, "denied": 0, "errors": 0}
    lock = threading.Lock()
    began = time.perf_counter()
    deadline = began + seconds
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}

    def worker(k: int) -> None:
        mine: list[float] = []
        seen = {"allowed": 0, "denied": 0, "errors": 0}
        with httpx.Client(base_url=f"http://127.0.0.1:{ports[k % len(ports)]}", timeout=30) as http:
            i = k
            while time.perf_counter() < deadline:
                path, body = bodies[i % len(bodies)]
                start = time.perf_counter()
                if interval:
                    due = began + i * interval
                    if due > start:
                        time.sleep(due - start)
                    start = due
                response = http.post(path, content=body, headers=headers)
                mine.append(time.perf_counter() - start)
                answered = _answered(response, batch)
                for kind, n in answered.items():
                    seen[kind] += n
                if answered["errors"] and seen["errors"] <= 3:
                    print(f"error {response.status_code}: {response.text[:300]}", file=sys.stderr)
                i += threads
        with lock:
            latencies.extend(mine)
            for key, value in seen.items():
                counts[key] += value

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put((latencies, counts, time.perf_counter() - started))


def _setup(args: argparse.Namespace, work: Path) -> tuple[dict[str, str], str, list[tuple[str, str]], str]:
    url = fresh_database(args.db, args.postgres, work, BENCH_DB)
    env = {**os.environ, "ARREARS_DATABASE_URL": url, "ARREARS_KEY_FILE": str(work / "key"),
           "ARREARS_LOG_LEVEL": "WARNING"}
    cli = [sys.executable, "-m", "arrears.entrypoints.cli.main"]
    subprocess.run([*cli, "demo", "--customers", str(args.customers), "--out", str(work / "demo")], env=env,
                   capture_output=True, check=True)
    subprocess.run([*cli, "ingest", str(work / "demo")], env=env, capture_output=True, check=True)
    agent, pairs = _targets(url)
    subprocess.run([*cli, "user", "add", "bench-collector", "--role", "collector", "--agent", agent], env=env,
                   capture_output=True, check=True)
    made = subprocess.run([*cli, "token", "create", "bench-dialer", "--scope", "dialer"], env=env,
                          capture_output=True, text=True, check=True)
    return env, made.stdout.strip().splitlines()[-1], pairs, agent


def _serve(env: dict[str, str], port: int, workers: int, local_time: str | None) -> subprocess.Popen[bytes]:
    factory = "arrears.entrypoints.api.app:create_app"
    if local_time:  # the app on a clock set to that local hour (bench_clock_app.py); production has none
        here = str(Path(__file__).parent)
        env = {**env, "BENCH_LOCAL_START": local_time,
               "PYTHONPATH": os.pathsep.join(p for p in (here, env.get("PYTHONPATH", "")) if p)}
        factory = "bench_clock_app:create_app"
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", factory, "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
         "--workers", str(workers)],
        env=env,
    )


def _run(ports: list[int], token: str, agent: str, pairs: list[tuple[str, str]], args: argparse.Namespace, *,
         server_pids: list[int]) -> Any:
    for port in ports:
        wait_for_health(port, 300)
    queue: multiprocessing.Queue = multiprocessing.Queue()
    split = len(pairs) // 10  # the warm-up uses its own numbers, so that the run starts on fresh ones
    warm = multiprocessing.Process(target=client, args=((ports, token, agent, args.batch, 0.0), pairs[:split], 2, 2,
                                                        queue))
    warm.start()
    queue.get()
    warm.join()
    proc = multiprocessing.Process(target=client, args=((ports, token, agent, args.batch, args.rate), pairs[split:],
                                                        args.seconds, args.threads, queue))
    before = cpu_by_process(server_pids)
    database_before = postgres_cpu()
    proc.start()
    result = queue.get()
    proc.join()
    spent = {pid: round(cpu - before.get(pid, 0.0), 3) for pid, cpu in cpu_by_process(server_pids).items()}
    return (*result, spent, postgres_cpu() - database_before)


def cpu_by_process(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) so far of each server process and each of its worker processes."""
    import psutil

    seen: dict[int, float] = {}
    for pid in pids:
        server = psutil.Process(pid)
        for process in (server, *server.children(recursive=True)):
            seen[process.pid] = sum(process.cpu_times()[:2])
    return seen


def postgres_cpu() -> float:
    """CPU seconds so far of the PostgreSQL server's processes on this machine (0 if none is local)."""
    import psutil

    total = 0.0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in ("postgres", "postmaster"):
            try:
                total += sum(process.cpu_times()[:2])
            except psutil.Error:
                continue
    return total


def database_options(parser: argparse.ArgumentParser, db: str) -> None:
    """The options of the database ``_setup`` makes (this benchmark's and the in-process profile's)."""
    parser.add_argument("--db", choices=["sqlite", "postgres"], default=db)
    parser.add_argument("--postgres", default=os.environ.get("ARREARS_TEST_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--customers", type=int, default=2000)


def main() -> None:
    parser = argparse.ArgumentParser()
    database_options(parser, "sqlite")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="decisions a second, sent on a fixed schedule (open loop); 0: as fast as answered")
    parser.add_argument("--instances", type=int, default=1,
                        help="uvicorn servers, each on its own port (as behind a load balancer); client thread k "
                             "talks to server k mod N")
    parser.add_argument("--batch", type=int, default=1, help="calls a request (>1: POST /v1/dialer/reservations)")
    parser.add_argument("--local-time", metavar="HH:MM",
                        help="serve on a clock that starts at this local time today (the debtors' quiet hours "
                             "refuse every call, so a run in the Beijing night needs it)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="arrears-reserve-"))
    began = time.perf_counter()
    env, token, pairs, agent = _setup(args, work)
    print(f"set up in {time.perf_counter() - began:.0f} s: {len(pairs):,} in-house debtor mobiles, agent {agent}")
    ports = [free_port() for _ in range(args.instances)]
    servers = [_serve(env, port, args.workers, args.local_time) for port in ports]
    try:
        latencies, counts, elapsed, spent, database = _run(ports, token, agent, pairs, args,
                                                           server_pids=[s.pid for s in servers])
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
    cpu = sum(spent.values())
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    decisions = counts["allowed"] + counts["denied"]
    print(f"{args.db}, {args.instances} server(s) x {args.workers} worker(s), {args.threads} client threads "
          f"(second process{f', open loop at {args.rate:,.0f} decisions/s' if args.rate else ''}), "
          f"{args.batch} call(s) a request, {len(latencies):,} requests in {elapsed:.1f} s: "
          f"{decisions:,} decisions ({counts['allowed']:,} allowed, {counts['denied']:,} denied), "
          f"errors {counts['errors']}")
    print(f"throughput {decisions / elapsed:,.0f} decisions/s; request latency p50 {q[49] * 1000:.1f} ms  "
          f"p99 {q[98] * 1000:.1f} ms  max {latencies[-1] * 1000:.1f} ms; server CPU {cpu / decisions * 1000:.1f} ms "
          "a decision")
    print(f"server CPU s by process: {sorted(spent.values(), reverse=True)}; PostgreSQL CPU "
          f"{database / decisions * 1000:.2f} ms a decision")


if __name__ == "__main__":
    main()
