"""`arrears score`, `plan` and `run` on a real Dask cluster (a ``distributed.LocalCluster`` of two
worker processes): every output byte for byte the local run's, a worker killed mid-run changes
nothing, and a cluster that gives up stops the command before it writes anything."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.dask_cluster import connected
from arrears.adapters.storage.scoring_tables import account_scores
from arrears.bootstrap import ingest_uow, nightly_ports
from arrears.domain.aging import DEFAULT_LADDER
from arrears.entrypoints.cli.main import app
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.nightly.job import RunNightly, run_nightly
from arrears.services.portfolio_files import read_portfolio
from arrears.services.scoring_run import scorecard_fallback

distributed = pytest.importorskip("distributed")

AS_OF = "2026-11-29"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.CRITICAL) as local:
        yield local


@pytest.fixture
def address(cluster: Any) -> str:
    """The scheduler's address, with both workers up (a test before may have killed one)."""
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
    return cluster.scheduler_address


def _arrears(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _score(folder: Path, out: Path, *more: str) -> Any:
    return _arrears("score", "--portfolio", str(folder), "--as-of", AS_OF, "--out", str(out), *more)


def _plan(folder: Path, out: Path, *more: str) -> Any:
    return _arrears("plan", "--portfolio", str(folder), "--as-of", AS_OF, "--out", str(out), *more)


@pytest.fixture(scope="module")
def local_outputs(small_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What the local run writes (no scheduler): scores.csv, plan.csv and plan_hours.csv."""
    out = tmp_path_factory.mktemp("local")
    assert _score(small_demo, out / "scores.csv").exit_code == 0
    assert _plan(small_demo, out / "plan.csv").exit_code == 0
    return {name: (out / name).read_bytes() for name in ("scores.csv", "plan.csv", "plan_hours.csv")}


class KillOnce(distributed.diagnostics.plugin.SchedulerPlugin):
    """Kills (SIGKILL) the worker process of the first task of ``prefix`` to reach ``state``: one
    running it (``processing``) or one holding its result (``memory``); counts how often each
    task of ``prefix`` reached ``state`` (more than once: it was run again)."""

    def __init__(self, scheduler: Any, prefix: str, state: str, pids: dict[str, int]) -> None:
        self.scheduler, self.prefix, self.state, self.pids = scheduler, prefix, state, pids
        self.killed: str | None = None
        self.reached: Counter[str] = Counter()

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:  # noqa: ARG002 (the hook's signature)
        if finish != self.state or not str(key).startswith(self.prefix):
            return
        self.reached[str(key)] += 1
        if self.killed:
            return
        task = self.scheduler.tasks[key]
        worker = task.processing_on if finish == "processing" else next(iter(task.who_has), None)
        if worker is not None:
            self.killed = worker.address
            os.kill(self.pids[worker.address], signal.SIGKILL)


@pytest.fixture
def kill_once(cluster: Any, address: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``kill_once(prefix, state, tries=None)``: arms a ``KillOnce``; ``tries=0``: the scheduler
    gives up on a task at the first worker that dies running it."""
    with distributed.Client(address, set_as_default=False) as client:
        pids = client.run(os.getpid)
    plugins: list[KillOnce] = []

    def arm(prefix: str, state: str, tries: int | None = None) -> KillOnce:
        if tries is not None:
            monkeypatch.setattr(cluster.scheduler, "allowed_failures", tries)
        plugin = KillOnce(cluster.scheduler, prefix, state, pids)
        cluster.scheduler.add_plugin(plugin, name="kill-once")
        plugins.append(plugin)
        return plugin

    yield arm
    if plugins:
        cluster.scheduler.remove_plugin(name="kill-once")


def test_scores_on_the_cluster_are_the_local_scores_byte_for_byte(small_demo, local_outputs, address, tmp_path):
    result = _score(small_demo, tmp_path / "scores.csv", "--scheduler", address)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "scores.csv").read_bytes() == local_outputs["scores.csv"]
    assert "2 worker threads" in result.output


def test_the_plan_on_the_cluster_is_the_local_plan_byte_for_byte(small_demo, local_outputs, address, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv("ARREARS_DASK_SCHEDULER", address)  # the setting, as a nightly job would give it
    from arrears.settings import get_settings

    get_settings.cache_clear()
    try:
        result = _plan(small_demo, tmp_path / "plan.csv")
    finally:
        monkeypatch.delenv("ARREARS_DASK_SCHEDULER")
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "2 worker threads" in result.output
    assert (tmp_path / "plan.csv").read_bytes() == local_outputs["plan.csv"]
    assert (tmp_path / "plan_hours.csv").read_bytes() == local_outputs["plan_hours.csv"]


def test_a_worker_killed_while_it_holds_a_shard_of_the_gate_changes_nothing_in_the_plan(
        small_demo, local_outputs, address, kill_once, tmp_path):
    killer = kill_once("arrears-gate-pass", "memory")  # the shard after its first pass is lost with it
    result = _plan(small_demo, tmp_path / "plan.csv", "--scheduler", address)
    assert killer.killed is not None
    assert max(killer.reached.values()) == 2  # made again from the tasks that made it
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plan.csv").read_bytes() == local_outputs["plan.csv"]
    assert (tmp_path / "plan_hours.csv").read_bytes() == local_outputs["plan_hours.csv"]


def test_a_worker_killed_while_it_scores_a_part_changes_nothing_in_the_scores(
        small_demo, local_outputs, address, kill_once, tmp_path):
    killer = kill_once("arrears-score", "processing")
    result = _score(small_demo, tmp_path / "scores.csv", "--scheduler", address)
    assert killer.killed is not None
    assert max(killer.reached.values()) == 2  # run again on the other worker
    assert result.exit_code == 0, result.output
    assert (tmp_path / "scores.csv").read_bytes() == local_outputs["scores.csv"]


def test_a_cluster_that_gives_up_stops_the_plan_with_a_clear_message_and_writes_nothing(
        small_demo, address, kill_once, tmp_path):
    out = tmp_path / "plan.csv"
    out.write_text("yesterday's plan\n", encoding="utf-8")
    killer = kill_once("arrears-gate-pass", "processing", tries=0)
    result = _plan(small_demo, out, "--scheduler", address)
    assert killer.killed is not None
    assert result.exit_code == 1, result.output
    assert "nothing was written" in result.output and "rerun" in result.output
    assert out.read_text(encoding="utf-8") == "yesterday's plan\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.csv"]


def test_a_scheduler_nobody_answers_at_is_refused_before_anything_is_read(small_demo, tmp_path, monkeypatch):
    from arrears.adapters import dask_cluster as adapter

    monkeypatch.setattr(adapter, "CONNECT_SECONDS", 1)
    result = _score(small_demo, tmp_path / "scores.csv", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert not (tmp_path / "scores.csv").exists()


def test_workers_and_scheduler_together_are_refused(small_demo, tmp_path):
    result = _plan(small_demo, tmp_path / "plan.csv", "--workers", "2", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2
    assert "--workers and --scheduler" in result.output


def _stored_scores(engine: Engine) -> pl.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(select(account_scores).order_by(account_scores.c.account_id)).mappings().all()
    return pl.DataFrame([dict(r) for r in rows])


def test_the_nightly_run_scores_on_the_cluster_the_rows_it_stores_alone(
        small_demo, address, sqlite_engine: Engine, cipher: FieldCipher):
    day, now = date(2026, 11, 29), datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    ingest_portfolio(ingest_uow(sqlite_engine, cipher), IngestPortfolio(read_portfolio(small_demo, day), day, now))
    command = RunNightly(day, now, DEFAULT_LADDER, scorecard_fallback())
    alone = run_nightly(nightly_ports(sqlite_engine), command)
    stored_alone = _stored_scores(sqlite_engine)
    with connected(address) as cluster:
        on_cluster = run_nightly(nightly_ports(sqlite_engine, cluster), command)  # replaces the date's rows
    assert on_cluster.scoring.accounts == alone.scoring.accounts == stored_alone.height > 100
    assert _stored_scores(sqlite_engine).equals(stored_alone)


def test_without_a_scheduler_the_commands_never_import_distributed():
    import subprocess

    code = ("import sys; import arrears.entrypoints.cli.main, arrears.services.scoring_run, "
            "arrears.services.scoring_parts, arrears.planning.optimiser, arrears.services.nightly.job; "
            "from arrears.entrypoints.cli.cluster_option import cluster_or_exit\n"
            "with cluster_or_exit(None) as cluster: assert cluster is None\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('distributed', 'dask')))")
    env = {k: v for k, v in os.environ.items() if k != "ARREARS_DASK_SCHEDULER"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
