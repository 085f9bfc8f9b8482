"""Per-row work on personal fields (encryption, keyed hashes, masks) spread over the machine's
cores when a load is large.

A first load of a million customers encrypts, hashes and masks about three million personal
values, one Python call each: on one core that is most of the load. ``CoreWorkers.run`` cuts
such a job into one slice per core and runs the slices in worker processes, then joins the
slices' results in order, so the result is the one a single process gives. Below
``parallel_from`` rows the job runs in the calling process: a small load (a test, a day's
changes) pays no process start-up.

The workers are forked (0.05 s to start; a fresh interpreter, ``spawn``, re-imports the whole
application in each worker: 3-11 s measured on this kind of machine). A forked child must not
use polars (its thread pool does not survive a fork) nor the parent's database connections:
the tasks are pure Python on lists of strings (``personal_columns``), and a worker leaves with
``os._exit``, so nothing of the parent's is closed or flushed by it. The keys are inherited by
the fork, never sent over a pipe.

Tasks are module-level functions ``task(cipher, *columns) -> dict[str, list]`` (picklable by
name); their inputs and results cross a pipe, so a task is worth spreading only when it costs
much more per row than pickling its row (encryption with masks: yes; a keyed hash alone: no).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import chain
from typing import Any

from arrears.adapters.crypto import FieldCipher

PARALLEL_FROM = 100_000  # rows: a job this large is worth the worker processes' start-up

Task = Callable[..., dict[str, list[Any]]]

_worker_cipher: FieldCipher | None = None


def _install_keys(data_key: bytes, lookup_key: bytes) -> None:
    global _worker_cipher  # noqa: PLW0603 - one cipher per worker process, set once at its start
    _worker_cipher = FieldCipher(data_key, lookup_key)


def _run_in_worker(task: Task, columns: tuple[list[Any], ...]) -> dict[str, list[Any]]:
    if _worker_cipher is None:
        raise RuntimeError("a core worker ran a task before it was given the keys")
    return task(_worker_cipher, *columns)


def slice_bounds(rows: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous slices of ``rows`` rows, sizes differing by at most one, in order."""
    size, extra = divmod(rows, parts)
    bounds, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        if end > start:
            bounds.append((start, end))
        start = end
    return bounds


class CoreWorkers:
    """The cipher and, for large jobs, a pool of worker processes (one per core) that runs
    per-row tasks in slices. Close it (or use it as a context manager) to end the workers."""

    def __init__(self, cipher: FieldCipher, *, processes: int | None = None,
                 parallel_from: int = PARALLEL_FROM) -> None:
        self.cipher = cipher
        self._processes = processes if processes is not None else (os.cpu_count() or 1)
        self._parallel_from = parallel_from
        self._pool: ProcessPoolExecutor | None = None

    def run(self, task: Task, columns: Sequence[list[Any]]) -> dict[str, list[Any]]:
        """``task(cipher, *columns)``; on large inputs in slices over the cores, joined in order."""
        rows = len(columns[0]) if columns else 0
        if rows < self._parallel_from or self._processes < 2:
            return task(self.cipher, *columns)
        pool = self._started()
        futures = [pool.submit(_run_in_worker, task, tuple(c[a:b] for c in columns))
                   for a, b in slice_bounds(rows, self._processes)]
        parts = [future.result() for future in futures]
        return {name: list(chain.from_iterable(part[name] for part in parts)) for name in parts[0]}

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self._processes, mp_context=multiprocessing.get_context("fork"),
                initializer=_install_keys, initargs=(self.cipher.data_key, self.cipher.lookup_key))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> CoreWorkers:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
