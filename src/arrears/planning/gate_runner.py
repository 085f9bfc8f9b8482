"""Running the gate over the passes of a plan, in order, in one process or in worker processes.

Attempts of one customer depend on each other (each sees the ones planned before it), and on
nothing else, so customers are split into shards by a stable hash of their id, and each shard
judges its customers' rows in plan order: the verdicts are the same as judging them one by one.

A ``Shard`` keeps, across all passes of one plan, its customers' histories (each sent once,
with the first attempt of that customer) and the attempts it allowed. With ``workers`` > 1
each shard lives in its own worker process (``gate_worker``), started when the plan starts so
that it is ready by the first pass: a fresh interpreter, not a fork, so it shares nothing with
the planner's large heap (no copy-on-write traffic) and may use polars itself. A pass sends
each worker its rows and its new histories as frames, in chunks of ``CHUNK`` rows so that the
worker judges one chunk while the next is on its way, and gets back the allowed option ids.
Only the gate's trusted path goes to workers; any other gate (a plain callable, which may not
survive pickling) is judged in this process.

With a ``cluster`` (``--scheduler``) the same shards (``partitions.part_of``) live on a Dask
cluster instead of in worker processes (``gate_cluster``): each pass is one task per shard.
"""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

import arrears
from arrears.partitions import Cluster, part_of, split
from arrears.planning.gate_requests import GatePath, PlannedRow, tuples_of

if TYPE_CHECKING:
    from arrears.planning.gate_cluster import ClusterShards

ROW_COLUMNS = list(PlannedRow._fields)


@dataclass
class Verdicts:
    allowed: list[int] = field(default_factory=list)  # option ids
    checks: int = 0
    denials: dict[str, int] = field(default_factory=dict)
    denied: int = 0

    def merge(self, other: Verdicts) -> None:
        self.allowed += other.allowed
        self.checks += other.checks
        self.denied += other.denied
        for rule, n in other.denials.items():
            self.denials[rule] = self.denials.get(rule, 0) + n


def rows_of(frame: pl.DataFrame) -> Iterator[PlannedRow]:
    """The attempts (ROW_COLUMNS) as tuples, in the frame's order (columns converted once, and
    each row made without a Python call)."""
    return tuples_of(PlannedRow, [frame[name].to_list() for name in ROW_COLUMNS])


@contextmanager
def _no_collection() -> Iterator[None]:
    """No garbage-collection passes meanwhile: building histories and judging make millions of
    plain values and no reference cycles, and each pass over the shard's large live heap (its
    histories and planned attempts) only costs time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class Shard:
    """Judges the attempts of some customers, pass after pass, each given the customer's
    history and the attempts of that customer allowed before it."""

    def __init__(self, path: GatePath, agencies: dict[str, dict[str, Any]]) -> None:
        self.path = path
        self.agencies = agencies
        self.histories: dict[str, Any] = {}  # each customer's history, from the pass that sent it
        self.planned: dict[str, list] = {}  # allowed attempts as history entries, per customer

    def copy(self) -> Shard:
        """A shard that judges on from here and leaves this one as it is (what a cluster keeps
        between passes must not change: a lost pass is run again from it)."""
        twin = Shard(self.path, self.agencies)
        twin.histories, twin.planned = dict(self.histories), dict(self.planned)
        return twin

    def __sizeof__(self) -> int:
        """An estimate for Dask's scheduler, which keeps a pass with the shard it judges on."""
        return object.__sizeof__(self) + 2_000 * (len(self.histories) + len(self.planned))

    def add_histories(self, recent: pl.DataFrame) -> None:
        """Histories (rows of ``gate_requests.recent_history``) of customers not seen before."""
        if recent.height:
            with _no_collection():
                self.histories.update(self.path.histories(recent))

    def judge(self, attempts: pl.DataFrame) -> Verdicts:
        """Each row in order."""
        with _no_collection():
            return self._judge_in_order(attempts)

    def _judge_in_order(self, attempts: pl.DataFrame) -> Verdicts:
        out = Verdicts()
        path, agencies, planned, histories = self.path, self.agencies, self.planned, self.histories
        for row in rows_of(attempts):
            customer = row.customer_id
            earlier = planned.get(customer, [])
            allowed, rules = path.judge(row, histories.get(customer), earlier, agencies)
            out.checks += 1
            if allowed:
                out.allowed.append(row.option)
                planned[customer] = [*earlier, path.entry(row)]  # a new list: a copy of the shard shares the old
            else:
                out.denied += 1
                for rule in rules:
                    out.denials[rule] = out.denials.get(rule, 0) + 1
        return out


class GateRunner:
    """The shards of one plan: in this process (``workers`` <= 1, or a gate without a trusted
    path), else one worker process per shard, or on a ``cluster``."""

    def __init__(self, path: GatePath, agencies: dict[str, dict[str, Any]], *, workers: int = 1,
                 cluster: Cluster | None = None) -> None:
        self.shards = max(1, workers)
        self.local: Shard | None = None
        self.remote: ClusterShards | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self.sent: pl.DataFrame | None = None  # customers whose history has gone to their shard
        self.preloading: threading.Thread | None = None
        self.preload_failed: BaseException | None = None
        self.starting = False
        if cluster is not None and _picklable_trusted(path):
            from arrears.planning.gate_cluster import ClusterShards

            self.remote = ClusterShards(cluster, path, agencies)
            self.shards = self.remote.shards
        elif self.shards > 1 and _picklable_trusted(path):
            self.workers = [_start_worker() for _ in range(self.shards)]
            self._send_all([("start", path, agencies)] * self.shards)  # answered at the first pass
            self.starting = True
        else:
            self.shards = 1
            self.local = Shard(path, agencies)

    def preload(self, recent: pl.DataFrame) -> None:
        """With worker processes: every customer's recent history goes to its worker now, in
        the background, so the workers build the histories while the planner is still working
        out the candidates (its polars stages leave part of the two cores idle), and the
        passes send only rows. In this process, histories are built when first needed. On a
        cluster, the shards' tasks build them meanwhile."""
        if (not self.workers and self.remote is None) or self.sent is not None:
            return
        self.sent = recent.select("customer_id").unique()
        if self.remote is not None:
            self.remote.start([_plain(part) for part in split(recent, self.shards)])
            return
        shard = part_of(self.shards)
        messages = [[("histories", _plain(part)) for part in _by_customer_chunks(recent.filter(shard == k))]
                    for k in range(self.shards)]
        self.preloading = threading.Thread(target=self._preload, args=(messages,), name="gate-preload", daemon=True)
        self.preloading.start()

    def _preload(self, messages: list[list[tuple[Any, ...]]]) -> None:
        try:
            self._started()
            self._exchange(messages)
        except BaseException as error:  # raised in the planner's thread, by _preloaded
            self.preload_failed = error

    def _preloaded(self) -> None:
        if self.preloading is not None:
            self.preloading.join()
            self.preloading = None
            if self.preload_failed is not None:
                raise self.preload_failed

    def _started(self) -> None:
        if self.starting:
            self._receive_all()
            self.starting = False

    def judge(self, attempts: pl.DataFrame, recent: pl.DataFrame) -> Verdicts:
        """Verdicts on ``attempts`` (ROW_COLUMNS, in plan order); ``recent``: the portfolio's
        recent history, of which each shard gets its new customers' rows (all of them at once
        if ``preload`` sent them)."""
        self._preloaded()
        attempts = attempts.select(ROW_COLUMNS)
        customers = attempts.select("customer_id").unique(maintain_order=True)
        if self.sent is not None:
            customers = customers.join(self.sent, on="customer_id", how="anti")
        histories = recent.join(customers.with_columns(pl.col("customer_id").cast(recent.schema["customer_id"])),
                                on="customer_id", how="semi", maintain_order="left")
        self.sent = customers if self.sent is None else pl.concat([self.sent, customers])
        if self.local is not None:
            self.local.add_histories(histories)
            return self.local.judge(attempts)
        if self.remote is not None:
            return self.remote.judge(list(zip(map(_plain, split(attempts, self.shards)),
                                              map(_plain, split(histories, self.shards)), strict=True)))
        self._started()
        shard = part_of(self.shards)
        merged = Verdicts()
        for answers in self._exchange([_messages(attempts.filter(shard == k), histories.filter(shard == k))
                                       for k in range(self.shards)]):
            for verdicts in answers:
                merged.merge(verdicts)
        return merged

    def _exchange(self, messages: list[list[tuple[Any, ...]]]) -> list[list[Any]]:
        """Each worker its messages, written by one thread per worker while another reads its
        answers: a worker judges one chunk while the next is pickled and sent, and no pipe
        fills up with answers nobody reads."""
        with ThreadPoolExecutor(2 * len(self.workers)) as pool:
            sent = [pool.submit(_send_each, worker, mine) for worker, mine in zip(self.workers, messages, strict=True)]
            answers = [pool.submit(_receive, worker, len(mine))
                       for worker, mine in zip(self.workers, messages, strict=True)]
            for done in sent:
                done.result()
            return [done.result() for done in answers]

    def _send_all(self, messages: list[tuple[Any, ...]]) -> None:
        """Each worker its message, written at the same time (a pass's frames are hundreds of MB)."""
        with ThreadPoolExecutor(len(self.workers)) as writers:
            for done in [writers.submit(_send, worker, message)
                         for worker, message in zip(self.workers, messages, strict=True)]:
                done.result()

    def _receive_all(self) -> list[Any]:
        return [_receive(worker, 1)[0] for worker in self.workers]

    def close(self) -> None:
        if self.preloading is not None:  # a plan that failed early: let the preload finish writing first
            self.preloading.join()
            self.preloading = None
        for worker in self.workers:
            try:
                if worker.stdin is not None:
                    pickle.dump(("stop",), worker.stdin)
                    worker.stdin.close()
            except (BrokenPipeError, OSError):
                pass
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            if worker.stdout is not None:
                worker.stdout.close()
        self.workers = []

    def __enter__(self) -> GateRunner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


CHUNK = 40_000  # rows per message: the first chunk's pickling is the only send a worker waits for


def _messages(attempts: pl.DataFrame, histories: pl.DataFrame) -> list[tuple[Any, ...]]:
    """A shard's rows in chunks, in order, each with the histories of the customers whose
    first row of this pass is in it (so a history always arrives before its rows)."""
    chunk = (pl.int_range(pl.len()) // CHUNK).alias("chunk")
    first = attempts.select("customer_id", chunk).unique("customer_id", keep="first")
    by_chunk = histories.join(first.with_columns(pl.col("customer_id").cast(histories.schema["customer_id"])),
                              on="customer_id", how="left", maintain_order="left").partition_by(
        "chunk", as_dict=True, include_key=False, maintain_order=True)
    empty = histories.clear()
    return [("judge", _plain(rows), _plain(by_chunk.get((i,), empty)))
            for i, rows in enumerate(attempts.iter_slices(CHUNK))] or [("judge", _plain(attempts), _plain(empty))]


HISTORY_CHUNK = 50_000  # customers per preloaded message


def _by_customer_chunks(recent: pl.DataFrame) -> list[pl.DataFrame]:
    """``recent`` (each customer's rows together, as ``recent_history`` sorts them) in parts of
    HISTORY_CHUNK customers, never splitting a customer."""
    if recent.is_empty():
        return []
    starts = (pl.col("customer_id") != pl.col("customer_id").shift()).fill_null(True)
    part = ((starts.cum_sum() - 1) // HISTORY_CHUNK).alias("_part")
    return recent.with_columns(part).partition_by("_part", maintain_order=True, include_key=False)


def _send_each(worker: subprocess.Popen[bytes], messages: list[tuple[Any, ...]]) -> None:
    for message in messages:
        _send(worker, message)


def _receive(worker: subprocess.Popen[bytes], count: int) -> list[Any]:
    """``count`` answers; a failed request's answer is read past (the worker goes on reading,
    so the writer is not left blocked) and reported once all are in."""
    assert worker.stdout is not None
    answers, failure = [], None
    for _ in range(count):
        try:
            answer = pickle.load(worker.stdout)
        except EOFError as error:
            raise WorkerFailed(f"gate worker {worker.pid} stopped (exit {worker.wait()})") from error
        if isinstance(answer, tuple) and answer and answer[0] == ERROR:
            failure = failure or WorkerFailed(f"gate worker {worker.pid} failed:\n{answer[1]}")
        answers.append(answer)
    if failure is not None:
        raise failure
    return answers


def _send(worker: subprocess.Popen[bytes], message: tuple[Any, ...]) -> None:
    assert worker.stdin is not None
    try:
        pickle.dump(message, worker.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        worker.stdin.flush()
    except BrokenPipeError as error:
        raise WorkerFailed(f"gate worker {worker.pid} is gone (exit {worker.poll()})") from error


def _start_worker() -> subprocess.Popen[bytes]:
    """``python -m arrears.planning.gate_worker``, importing this same ``arrears``."""
    package_root = str(Path(arrears.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.Popen([sys.executable, "-m", "arrears.planning.gate_worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env)


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Categorical columns as text: a pickled categorical carries its whole dictionary (every
    id of the portfolio), a text column only the rows' own values."""
    return frame.with_columns(pl.col(pl.Categorical).cast(pl.Utf8))


def _picklable_trusted(path: GatePath) -> bool:
    from arrears.planning.trusted_requests import TrustedPath

    return type(path) is TrustedPath


ERROR = "error"  # the first item of a worker's answer when the request failed (gate_worker.ERROR)


class WorkerFailed(RuntimeError):
    """A gate worker process failed or stopped answering."""
