"""Running the gate over a pass of planned attempts, in order, optionally in worker processes.

Attempts of one customer depend on each other (each sees the ones planned before it), and on
nothing else, so the rows are split by customer (crc32 of the id) and each worker judges its
customers' rows in plan order: the verdicts are the same as judging them one by one. Workers
are forked and run only the gate (pure Python), never polars: the parent hands them the pass
as plain column lists (and the gate path's histories), and each worker builds the request
rows of its own customers.
"""

from __future__ import annotations

import gc
import multiprocessing
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from arrears.planning.gate_requests import GatePath


@dataclass
class Verdicts:
    allowed: list[int] = field(default_factory=list)  # option ids, in plan order
    planned: dict[str, list] = field(default_factory=dict)  # new history entries per customer
    checks: int = 0
    denials: dict[str, int] = field(default_factory=dict)
    denied: int = 0

    def merge(self, other: Verdicts) -> None:
        self.allowed += other.allowed
        for customer, entries in other.planned.items():
            self.planned.setdefault(customer, []).extend(entries)
        self.checks += other.checks
        self.denied += other.denied
        for rule, n in other.denials.items():
            self.denials[rule] = self.denials.get(rule, 0) + n


Columns = dict[str, list[Any]]  # the pass's attempts, one list per column, in plan order


def rows_at(columns: Columns, indices: Iterable[int]) -> Iterator[dict[str, Any]]:
    """The attempts at ``indices`` as dicts (built where they are judged, in the worker)."""
    names = list(columns)
    lists = [columns[name] for name in names]
    for i in indices:
        yield dict(zip(names, [values[i] for values in lists], strict=True))


def judge_rows(columns: Columns, indices: Iterable[int], histories: Mapping[str, list], planned: dict[str, list],
               *, agencies: dict, path: GatePath) -> Verdicts:
    """Each row in order; its history = the portfolio's + earlier planned + earlier allowed rows."""
    collecting = gc.isenabled()
    gc.disable()  # the loop makes no reference cycles; collecting over the large live heap only costs time
    try:
        return _judge_in_order(rows_at(columns, indices), histories, planned, agencies, path)
    finally:
        if collecting:
            gc.enable()


def _judge_in_order(rows: Iterable[dict[str, Any]], histories: Mapping[str, list], planned: dict[str, list],
                    agencies: dict, path: GatePath) -> Verdicts:
    out = Verdicts()
    for row in rows:
        customer = row["customer_id"]
        earlier = planned.get(customer, []) + out.planned.get(customer, [])
        allowed, rules = path.judge(row, histories.get(customer, []), earlier, agencies)
        out.checks += 1
        if allowed:
            out.allowed.append(row["option"])
            out.planned.setdefault(customer, []).append(path.entry(row))
        else:
            out.denied += 1
            for rule in rules:
                out.denials[rule] = out.denials.get(rule, 0) + 1
    return out


MIN_PARALLEL = 5_000  # below this, forking costs more than it saves
_WORK: dict[str, tuple] = {}  # filled before forking; read by the workers


def _work(index: int) -> Verdicts:
    columns, parts, histories, planned, agencies, path = _WORK["job"]
    return judge_rows(columns, parts[index], histories, planned, agencies=agencies, path=path)


def judge_all(columns: Columns, histories: Mapping[str, list], planned: dict[str, list],
              agencies: dict, path: GatePath, *, workers: int = 1) -> Verdicts:
    size = len(columns["option"])
    if workers <= 1 or size < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        return judge_rows(columns, range(size), histories, planned, agencies=agencies, path=path)
    parts: list[list[int]] = [[] for _ in range(workers)]
    for i, customer in enumerate(columns["customer_id"]):
        parts[zlib.crc32(customer.encode()) % workers].append(i)
    _WORK["job"] = (columns, parts, histories, planned, agencies, path)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_work, range(workers))
    finally:
        _WORK.clear()
    order = {option: i for i, option in enumerate(columns["option"])}
    merged = Verdicts()
    for result in results:
        merged.merge(result)
    merged.allowed.sort(key=order.__getitem__)
    return merged
