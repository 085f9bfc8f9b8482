"""Load test of POST /v1/compliance/check from a second process, on loopback only.

Starts `uvicorn` (one worker) on a free 127.0.0.1 port with a fresh audit database (SQLite, or
a new PostgreSQL database with `--db postgres`) and a `compliance:check` service token
(`arrears token create`), then a separate client process sends requests with 50-attempt
histories from N threads for a bounded number of seconds and reports requests/second and
p50/p99 latency.

    .venv/bin/python benchmarks/bench_gate_http.py [--seconds 20] [--threads 8] [--db sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))
from bench_gate import make_request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(port: int, tries: int) -> None:
    """Until the server on `port` answers /v1/health (`tries` times 0.1 s at the most)."""
    import httpx

    for _ in range(tries):
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)


def fresh_database(kind: str, postgres: str, work: Path, name: str) -> str:
    """A new, empty database: a SQLite file in `work`, or database `name` (dropped first) on the
    PostgreSQL server of `postgres`."""
    if kind == "sqlite":
        return f"sqlite:///{work / 'bench.db'}"
    import psycopg

    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return postgres.rsplit("/", 1)[0] + f"/{name}"


def client(port: int, token: str, seconds: float, threads: int, out: multiprocessing.Queue, *, batch: int = 0) -> None:
    import httpx

    rng = random.Random(7)
    at = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    requests = [make_request(rng, i, ["CN"], "Asia/Shanghai", at) for i in range(200)]
    if batch:
        bodies = [json.dumps(requests[i : i + batch] or requests[:batch]).encode() for i in range(0, 200, batch)]
        path = "/v1/compliance/check/batch"
    else:
        bodies = [json.dumps(r).encode() for r in requests]
        path = "/v1/compliance/check"
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(k: int) -> None:
        mine: list[float] = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            i = k
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = http.post(path, content=bodies[i % len(bodies)],
                                     headers={"content-type": "application/json",
                                              "authorization": f"Bearer {token}"})
                mine.append(time.perf_counter() - start)
                if response.status_code != 200:
                    with lock:
                        errors[0] += 1
                i += threads
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors[0], time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--batch", type=int, default=0, help="requests per call to /check/batch (0: /check)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default=os.environ.get("ARREARS_TEST_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="arrears-http-"))
    env = {**os.environ, "ARREARS_DATABASE_URL": fresh_database(args.db, args.postgres, work, "arrears_bench_check"),
           "ARREARS_KEY_FILE": str(work / "key"), "ARREARS_LOG_LEVEL": "WARNING"}
    made = subprocess.run([sys.executable, "-m", "arrears.entrypoints.cli.main", "token", "create", "bench",
                           "--scope", "compliance:check"], env=env, capture_output=True, text=True, check=True)
    token = made.stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "arrears.entrypoints.api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env,
    )
    try:
        wait_for_health(port, 100)
        queue: multiprocessing.Queue = multiprocessing.Queue()
        warm = multiprocessing.Process(target=client, args=(port, token, 2, 2, queue))
        warm.start()
        queue.get()
        warm.join()
        proc = multiprocessing.Process(target=client, args=(port, token, args.seconds, args.threads, queue),
                                       kwargs={"batch": args.batch})
        from bench_reserve_http import server_cpu

        before = server_cpu(server.pid)
        proc.start()
        latencies, errors, elapsed = queue.get()
        proc.join()
        cpu = server_cpu(server.pid) - before
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    print(f"{args.db}: requests {len(latencies):,} in {elapsed:.1f} s from {args.threads} client threads "
          f"(second process), errors {errors}")
    per_call = args.batch or 1
    print(f"throughput {len(latencies) / elapsed:,.0f} calls/s = {len(latencies) * per_call / elapsed:,.0f} "
          f"decisions/s ({per_call} per call)")
    print(f"latency p50 {q[49] * 1000:.1f} ms  p99 {q[98] * 1000:.1f} ms  max {latencies[-1] * 1000:.1f} ms; "
          f"server CPU {cpu / (len(latencies) * per_call) * 1000:.1f} ms a decision")


if __name__ == "__main__":
    main()
