"""The ``partitions.Cluster`` port on Dask (distributed): the nightly work's parts on the workers
of a scheduler (``--scheduler``, ``ARREARS_DASK_SCHEDULER``).

distributed is imported here only, and only when a scheduler is named, so the default install
runs without a cluster. Connecting checks that the workers run the same arrears (a fingerprint
of the package's files) and the same Dask as this process: a worker started from another
environment would judge with other rules.

Each task carries its data in its own definition (nothing is scattered), so when a worker dies
the scheduler runs its tasks again on another worker, and a value kept on the lost worker is
made again from the tasks that made it (the work is deterministic). Frames travel as
zstd-compressed Arrow IPC (``Packed``): the portfolio's text columns shrink about fourteenfold
(183 MB of a 100,000-customer scoring part to 13 MB), which is what moving them costs. Only when the scheduler
gives up (a task that took ``distributed.scheduler.allowed-failures`` workers down with it) or
is itself lost does a command stop, with ``ClusterFailed``, before it writes anything.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import polars as pl

import arrears
from arrears.partitions import ClusterFailed, ClusterUnavailable

CONNECT_SECONDS = 30  # to reach the scheduler, and then for a first worker to be there


DECIDING = frozenset({".py", ".json", ".yaml", ".yml", ".toml", ".tsv", ".csv", ".txt"})  # code, packs, strategies


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of the arrears package's files that decide anything (``DECIDING``: code, rule
    packs, strategies, lexicons), names included; pages, catalogues and caches are left out."""
    root = Path(arrears.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in DECIDING and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class DaskCluster:
    """A connected client; each task's key is ``arrears-NAME-...`` (what the dashboard groups by)."""

    def __init__(self, client: Any, address: str) -> None:
        self.client = client
        self.address = address
        self._run = uuid.uuid4().hex[:8]
        self._count = itertools.count()

    def size(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def workers(self) -> int:
        return len(self.client.nthreads())

    def map(self, name: str, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        return self._gather(self._submit(name, partial(_answered, func), items))

    def start(self, name: str, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        return self._submit(name, partial(_kept, func), items)

    def step(self, name: str, func: Callable[[Any, Any], Any], held: Sequence[Any], items: Sequence[Any],
             answer: Callable[[Any], Any]) -> tuple[list[Any], list[Any]]:
        batch = self._batch(name)
        with _quiet_about_large_graphs():
            kept = [self.client.submit(_stepped, func, value, packed(item), key=f"{batch}-{i}")
                    for i, (value, item) in enumerate(zip(held, items, strict=True))]
            answers = [self.client.submit(_answered, answer, value, key=f"{batch}-answer-{i}")
                       for i, value in enumerate(kept)]
        return kept, self._gather(answers)

    def _submit(self, name: str, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        batch = self._batch(name)
        with _quiet_about_large_graphs():
            return [self.client.submit(func, packed(item), key=f"{batch}-{i}") for i, item in enumerate(items)]

    def _batch(self, name: str) -> str:
        return f"arrears-{name}-{self._run}-{next(self._count)}"

    def _gather(self, futures: list[Any]) -> list[Any]:
        from distributed import CancelledError, TimeoutError
        from distributed.comm import CommClosedError
        from distributed.scheduler import KilledWorker

        try:
            return [unpacked(answer) for answer in self.client.gather(futures)]
        except KilledWorker as error:
            raise ClusterFailed(
                f"Dask 集群多次丢失同一任务，已停止 / the Dask cluster at {self.address} lost the workers running "
                f"{error.task!r} too many times (distributed.scheduler.allowed-failures): nothing was written; "
                "rerun the command") from None
        except (CancelledError, CommClosedError, TimeoutError) as error:  # not OSError: a task's own is raised
            raise ClusterFailed(
                f"与 Dask 集群的连接中断 / lost the Dask scheduler at {self.address} mid-run "
                f"({type(error).__name__}: {error}): nothing was written; rerun the command") from None


@dataclass(frozen=True)
class Packed:
    """A polars frame on its way to or from a worker, as zstd-compressed Arrow IPC."""

    ipc: bytes


def packed(value: Any) -> Any:
    """``value`` with every frame in it (in dicts, tuples and lists too) ``Packed``."""
    if isinstance(value, pl.DataFrame):
        buffer = io.BytesIO()
        value.write_ipc(buffer, compression="zstd")
        return Packed(buffer.getvalue())
    if isinstance(value, dict):
        return {key: packed(item) for key, item in value.items()}
    if type(value) in (tuple, list):
        return type(value)(packed(item) for item in value)
    return value


def unpacked(value: Any) -> Any:
    """``packed`` undone: the same frames (types and values; Arrow IPC keeps them exactly)."""
    if isinstance(value, Packed):
        return pl.read_ipc(io.BytesIO(value.ipc))
    if isinstance(value, dict):
        return {key: unpacked(item) for key, item in value.items()}
    if type(value) in (tuple, list):
        return type(value)(unpacked(item) for item in value)
    return value


def _answered(func: Callable[[Any], Any], item: Any) -> Any:
    """On a worker: ``func`` of the unpacked item, packed for the way back."""
    return packed(func(unpacked(item)))


def _kept(func: Callable[[Any], Any], item: Any) -> Any:
    """On a worker: ``func`` of the unpacked item, kept there as it is."""
    return func(unpacked(item))


def _stepped(func: Callable[[Any, Any], Any], value: Any, item: Any) -> Any:
    return func(value, unpacked(item))


@contextmanager
def connected(address: str, *, timeout: float | None = None) -> Iterator[DaskCluster]:
    """A client of the scheduler at ``address`` whose workers run this arrears (ClusterUnavailable if not)."""
    timeout = CONNECT_SECONDS if timeout is None else timeout
    try:
        from distributed import Client
    except ImportError as error:  # pragma: no cover - distributed is a dependency
        raise ClusterUnavailable(f"--scheduler needs the distributed package ({error})") from None
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterUnavailable(
            f"无法连接 Dask 调度器 / cannot reach the Dask scheduler at {address}: {error}") from None
    try:
        _check_workers(client, address, timeout)
        yield DaskCluster(client, address)
    finally:
        client.close()


def _check_workers(client: Any, address: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise ClusterUnavailable(f"Dask 调度器没有 worker / no worker joined the scheduler at {address} in "
                                 f"{timeout:.0f}s: start `dask worker {address}` from this environment") from None
    try:
        client.get_versions(check=True)
        found = client.run(code_fingerprint)
    except Exception as error:  # a worker that cannot import arrears, or other Dask versions
        raise ClusterUnavailable(f"Dask worker 的环境不同 / the workers of {address} cannot run this arrears: "
                                 f"{type(error).__name__}: {error}; start them from this project's environment"
                                 ) from None
    other = sorted(worker for worker, fingerprint in found.items() if fingerprint != code_fingerprint())
    if other:
        raise ClusterUnavailable(f"Dask worker 的代码不同 / workers {', '.join(other)} run other arrears code than "
                                 "this command: restart them from this project's environment")


@contextmanager
def _quiet_about_large_graphs() -> Iterator[None]:
    """A task carries its part of the portfolio on purpose (so that it can be run again elsewhere):
    distributed's warning about large graphs says nothing an operator can act on."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
        yield
