"""The gate's shards on a cluster (``--scheduler``): the shards of ``gate_runner``, one task per
shard and pass.

A shard is kept on the cluster as a value: each pass's task takes the shard as the last pass
left it and gives back a new one (``Shard.copy``) with the attempts it allowed, and the
verdicts. Nothing a task is given changes, so when a worker dies the cluster runs the lost
passes again from what they were given and gets the same verdicts. A failure inside a task is
answered as ``Failed`` with its traceback, personal data masked (``logs.scrub``), like the
worker processes' answers: an exception raised there would put the task's frames into the
worker's log.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from functools import partial
from typing import Any

import polars as pl

from arrears.logs import scrub
from arrears.partitions import Cluster
from arrears.planning.gate_requests import GatePath
from arrears.planning.gate_runner import Shard, Verdicts, WorkerFailed


@dataclass(frozen=True)
class Failed:
    text: str


Kept = tuple[Shard, Verdicts] | Failed  # a shard and the verdicts of its last pass


def started(path: GatePath, agencies: dict[str, dict[str, Any]], recent: pl.DataFrame) -> Kept:
    """A shard with its customers' histories (rows of ``gate_requests.recent_history``)."""
    try:
        shard = Shard(path, agencies)
        shard.add_histories(recent)
        return shard, Verdicts()
    except Exception:
        return Failed(scrub(traceback.format_exc()))


def judged(kept: Kept, work: tuple[pl.DataFrame, pl.DataFrame]) -> Kept:
    """The shard after judging a pass's ``attempts`` (in order), given its new ``histories``."""
    if isinstance(kept, Failed):
        return kept
    attempts, histories = work
    try:
        shard = kept[0].copy()
        shard.add_histories(histories)
        return shard, shard.judge(attempts)
    except Exception:
        return Failed(scrub(traceback.format_exc()))


def verdicts(kept: Kept) -> Verdicts | Failed:
    return kept if isinstance(kept, Failed) else kept[1]


class ClusterShards:
    """The shards of one plan on ``cluster``: as many as the cluster has worker threads."""

    def __init__(self, cluster: Cluster, path: GatePath, agencies: dict[str, dict[str, Any]]) -> None:
        self.cluster = cluster
        self.path = path
        self.agencies = agencies
        self.shards = cluster.size()
        self.held: list[Any] | None = None

    def start(self, recent: list[pl.DataFrame]) -> None:
        """Each shard's histories (one frame per shard), built on the cluster from now on."""
        self.held = self.cluster.start("gate-histories", partial(started, self.path, self.agencies), recent)

    def judge(self, work: list[tuple[pl.DataFrame, pl.DataFrame]]) -> Verdicts:
        """One pass: each shard's attempts and new histories; the verdicts of all shards."""
        if self.held is None:
            self.start([histories.clear() for _, histories in work])
        assert self.held is not None
        self.held, answers = self.cluster.step("gate-pass", judged, self.held, work, verdicts)
        merged = Verdicts()
        for answer in answers:
            if isinstance(answer, Failed):
                raise WorkerFailed(f"a gate shard failed on the Dask cluster at {self.cluster.address}:\n"
                                   f"{answer.text}")
            merged.merge(answer)
        return merged
