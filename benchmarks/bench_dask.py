"""`arrears score` and `arrears plan` on a Dask cluster against the local run, whole commands.

    .venv/bin/python benchmarks/bench_dask.py --customers 100000 --folder /tmp/arrears_dask_100k

Generates the demo portfolio into --folder once (about 10 s for 100,000 customers) and reuses it.
Then, for each setting in turn (local: no scheduler; a cluster of 1 worker; of 2 workers) and each
command, starts a fresh `dask scheduler` and `dask worker --nworkers N --nthreads 1` as separate
processes of this environment (the `dask` command beside this Python), runs the command as its own
process with --scheduler, and reports its wall time (start to exit), its peak RSS, each worker
process's peak RSS, and whether its output files are byte-identical to the local run's. Each
command runs twice in a row on the same setting: the first time on fresh workers (they import
arrears, polars and LightGBM as the first tasks arrive), the second on warm ones, as on workers
kept running between nights. A worker's peak covers both runs of one command. CPU is user +
system seconds of the command, the scheduler and the workers during the run: on a machine that
other jobs share, it says what the cluster costs where wall times mostly say how busy it was.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

AS_OF = date(2026, 11, 29)
BIN = Path(sys.executable).parent
OUTPUTS = {"score": ["scores.csv"], "plan": ["plan.csv", "plan_hours.csv"]}


@dataclass
class Run:
    command: str
    setting: str
    wall: float  # the first run (fresh workers)
    warm: float  # the second run, on the same workers
    cpu: float  # CPU seconds of the command, the scheduler and the workers, first run
    cpu_warm: float
    peak_mb: float
    worker_peaks_mb: list[float]
    digest: str
    load: float  # the machine's 1-minute load average when the command ended


def _peak_rss_kb() -> int:
    """Runs on a worker (pickled by value): its process's peak RSS so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU so far of these processes and all their descendants (alive)."""
    import psutil

    total = 0.0
    for pid in pids:
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            times = process.cpu_times()
            total += times.user + times.system
    return total


@contextmanager
def cluster(workers: int, folder: Path) -> Iterator[tuple[str, list[int]]]:
    """A fresh `dask scheduler` and `dask worker` processes; yields the scheduler's address and
    the two processes' ids."""
    from distributed import Client

    with tempfile.TemporaryDirectory() as scratch:
        file = Path(scratch) / "scheduler.json"
        logs = open(folder / "dask.log", "ab")  # noqa: SIM115 (closed below, after the processes)
        scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--scheduler-file", str(file), "--port", "0",
                                      "--dashboard-address", ":0"], stdout=logs, stderr=logs)
        while not file.exists():
            time.sleep(0.1)
        worker = subprocess.Popen([str(BIN / "dask"), "worker", "--scheduler-file", str(file), "--nworkers",
                                   str(workers), "--nthreads", "1", "--no-dashboard",
                                   "--local-directory", scratch], stdout=logs, stderr=logs)
        address = json.loads(file.read_text())["address"]
        with Client(address, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)
        try:
            yield address, [scheduler.pid, worker.pid]
        finally:
            worker.terminate()
            worker.wait()
            scheduler.terminate()
            scheduler.wait()
            logs.close()


def worker_peaks(address: str) -> list[float]:
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        return sorted(kb / 1024 for kb in client.run(_peak_rss_kb).values())


def run(command: str, folder: Path, out: Path, address: str | None, pids: list[int] | None = None
        ) -> tuple[float, float, float]:
    """The command as its own process: wall seconds, its peak RSS in MB, and the CPU seconds of
    the command and of the processes ``pids`` (and theirs) while it ran."""
    before = cpu_seconds(pids or [])
    target = out / OUTPUTS[command][0]
    args = [str(BIN / "arrears"), command, "--portfolio", str(folder), "--as-of", AS_OF.isoformat(),
            "--out", str(target)] + (["--scheduler", address] if address else [])
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{error.decode(errors='replace')[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime + cpu_seconds(pids or []) - before
    return wall, usage.ru_maxrss / 1024, cpu


def digest(command: str, out: Path) -> str:
    md5 = hashlib.md5()
    for name in OUTPUTS[command]:
        md5.update((out / name).read_bytes())
    return md5.hexdigest()[:12]


def measure(command: str, setting: str, folder: Path) -> Run:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        if setting == "local":
            (wall, peak, cpu), (warm, _, cpu_warm) = run(command, folder, out, None), run(command, folder, out, None)
            return Run(command, setting, wall, warm, cpu, cpu_warm, peak, [], digest(command, out),
                       os.getloadavg()[0])
        with cluster(int(setting.split(maxsplit=1)[0]), folder) as (address, pids):
            (wall, peak, cpu), (warm, _, cpu_warm) = (run(command, folder, out, address, pids),
                                                      run(command, folder, out, address, pids))
            return Run(command, setting, wall, warm, cpu, cpu_warm, peak, worker_peaks(address),
                       digest(command, out), os.getloadavg()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=1, help="each setting this many times, in turn")
    parser.add_argument("--commands", nargs="+", default=["score", "plan"], choices=sorted(OUTPUTS))
    args = parser.parse_args()
    folder = args.folder or Path(f"/tmp/arrears_dask_{args.customers}")
    if not (folder / "accounts.csv").exists():
        from arrears.services.demo_generator import DemoSize, generate

        started = time.perf_counter()
        generate(folder, AS_OF, DemoSize(customers=args.customers))
        print(f"generated {args.customers:,} customers in {time.perf_counter() - started:.1f}s", flush=True)
    settings = ["local", "1 worker", "2 workers"]
    runs = []
    for _ in range(args.rounds):
        for command in args.commands:
            for setting in settings:
                done = measure(command, setting, folder)
                runs.append(done)
                print(f"{command:5} {setting:9} {done.wall:6.1f} s, again {done.warm:6.1f} s  "
                      f"CPU {done.cpu:6.1f} s, again {done.cpu_warm:6.1f} s  "
                      f"command peak {done.peak_mb:7,.0f} MB  "
                      f"workers {', '.join(f'{p:,.0f}' for p in done.worker_peaks_mb) or '-'} MB  "
                      f"outputs {done.digest}  load {done.load:.1f}", flush=True)
    print("\n| command | setting | first run | again | vs local (again) | CPU first, again | CPU vs local (again) "
          "| command peak RSS | worker peak RSS | outputs = local |\n|---|---|---|---|---|---|---|---|---|---|")
    for command in args.commands:
        local = [r for r in runs if r.command == command and r.setting == "local"]
        for setting in settings:
            mine = [r for r in runs if r.command == command and r.setting == setting]
            walls = ", ".join(f"{r.wall:.1f}" for r in mine)
            warms = ", ".join(f"{r.warm:.1f}" for r in mine)
            ratio = min(r.warm for r in mine) / min(r.warm for r in local)
            cpus = ", ".join(f"{r.cpu:.1f} / {r.cpu_warm:.1f}" for r in mine)
            cpu_ratio = min(r.cpu_warm for r in mine) / min(r.cpu_warm for r in local)
            peaks = max(max(r.worker_peaks_mb, default=0) for r in mine)
            same = all(r.digest == local[0].digest for r in mine)
            print(f"| {command} | {setting} | {walls} s | {warms} s | {ratio:.2f} | {cpus} s | {cpu_ratio:.2f} | "
                  f"{max(r.peak_mb for r in mine):,.0f} MB | "
                  f"{f'{peaks:,.0f} MB' if peaks else '-'} | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
