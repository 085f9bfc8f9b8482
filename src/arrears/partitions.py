"""One way to split the batch work: by customer, in parts; and the port of a cluster that runs them.

Every rule of the compliance gate is about one debtor (an attempt depends on its customer's
history and on the attempts planned for that customer before it, nothing else), and every
feature and score of an account reads only its own customer's rows. So the nightly work splits
by customer: ``part_of`` puts each customer in one of ``parts`` by a fixed-seed hash of its id,
and a part's frames hold only its customers' rows. What is decided for a customer does not
depend on how many parts there are, nor on where they run.

Two executors run the parts: worker processes on this machine (the plan's gate,
``planning.gate_runner``, ``--workers``) and a Dask cluster (``--scheduler``): the ``Cluster``
port below, whose adapter is ``adapters.dask_cluster``. The steps that need every customer at
once stay in the command's own process: the fill against the day's capacity, and writing the
outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import polars as pl

SEED = 20261129  # any fixed seed: a customer must fall in the same part in every pass of a plan


def part_of(parts: int, column: str = "customer_id") -> pl.Expr:
    """The part (0 .. parts-1) of each row's customer."""
    return pl.col(column).cast(pl.Utf8).hash(SEED) % parts


def split(frame: pl.DataFrame, parts: int, column: str = "customer_id") -> list[pl.DataFrame]:
    """``frame``'s rows in ``parts`` frames by their customer (``column``), each in the frame's order."""
    if parts <= 1:
        return [frame]
    found = frame.with_columns(part_of(parts, column).alias("_part")).partition_by(
        "_part", as_dict=True, include_key=False, maintain_order=True)
    empty = frame.clear()
    return [found.get((k,), empty) for k in range(parts)]


def by_customer(frames: Mapping[str, pl.DataFrame], parts: int) -> list[dict[str, pl.DataFrame]]:
    """Each part's rows of every frame: the rows of its customers. A frame with an ``account_id``
    (but ``accounts`` itself) follows its account's customer, whatever its own ``customer_id``
    says, so an account's rows stay together; the others go by ``customer_id``. Parts without
    an account are left out."""
    owners = frames["accounts"].select("account_id", "customer_id").unique("account_id")
    placed = owners.select("account_id", part_of(parts).alias("_part"))
    out: list[dict[str, pl.DataFrame]] = [{} for _ in range(parts)]
    for name, frame in frames.items():
        if name != "accounts" and "account_id" in frame.columns:
            keyed = frame.join(placed.cast({"account_id": frame.schema["account_id"]}), on="account_id",
                               how="left", maintain_order="left")
        else:
            keyed = frame.with_columns(part_of(parts).alias("_part"))
        found = keyed.partition_by("_part", as_dict=True, include_key=False, maintain_order=True)
        for k in range(parts):
            out[k][name] = found.get((k,), frame.clear())
    return [part for part in out if part["accounts"].height]


class ClusterUnavailable(RuntimeError):
    """The scheduler cannot be reached, has no workers, or its workers run other code."""


class ClusterFailed(RuntimeError):
    """The cluster lost the work mid-run (the command stops before writing anything)."""


class Cluster(Protocol):
    """Where the parts run when they leave this machine. A function and what it is given must
    pickle (a module-level function, ``functools.partial`` of one, frames, plain values); a task
    whose worker is lost is run again on another from what it was given, so a function must
    not change its arguments. ``name`` labels the tasks (``arrears-score``...) for operators."""

    address: str

    def size(self) -> int:
        """How many parts the work is worth splitting into: the cluster's worker threads."""
        ...

    def map(self, name: str, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """``func(item)`` for every item, on the cluster; the answers in the items' order."""
        ...

    def start(self, name: str, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """``func(item)`` for every item, kept on the cluster (handles to the values, at once)."""
        ...

    def step(self, name: str, func: Callable[[Any, Any], Any], held: Sequence[Any], items: Sequence[Any],
             answer: Callable[[Any], Any]) -> tuple[list[Any], list[Any]]:
        """``func(value, item)`` for each kept value and its item: the new values, kept on the
        cluster, and ``answer(new value)`` of each, brought back."""
        ...
