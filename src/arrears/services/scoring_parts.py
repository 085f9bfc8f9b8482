"""Scoring on a cluster (``--scheduler``): the portfolio split by customer (``partitions``), each
part scored by a task, the parts' rows put back in account order.

An account's features and scores read only its own customer's rows, so each row is what the
whole portfolio scored in one process gives, and the table is the same once sorted by account
(as ``compute_features`` sorts it). Personal fields that scoring never reads (names, ID
numbers, addresses, phone numbers) stay in this process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from math import ceil

import polars as pl

from arrears.partitions import Cluster, by_customer

ACCOUNTS_PER_PART = 100_000  # a part's frames and features stay well under a GB on a worker
NOT_READ = {"customers": ("name", "national_id", "birth_date", "address"), "contact_points": ("value", "relation")}

Score = Callable[[dict[str, pl.DataFrame]], pl.DataFrame]


def parts_for(cluster: Cluster, accounts: int) -> int:
    """At least one part per worker thread, and parts of at most ``ACCOUNTS_PER_PART`` accounts."""
    return max(cluster.size(), ceil(accounts / ACCOUNTS_PER_PART))


def scored_on(cluster: Cluster, frames: Mapping[str, pl.DataFrame], score: Score) -> pl.DataFrame:
    """``score`` (a picklable function of a part's frames, giving one row per account) over the
    parts, on ``cluster``; the rows sorted by ``account_id``."""
    shipped = {name: frame.drop(NOT_READ.get(name, ()), strict=False) for name, frame in frames.items()}
    parts = by_customer(shipped, parts_for(cluster, frames["accounts"]["account_id"].n_unique()))
    if not parts:
        return score(shipped)
    results = cluster.map("score", score, parts)
    filled = [result for result in results if result.height] or results[:1]
    return pl.concat(filled).sort("account_id")
