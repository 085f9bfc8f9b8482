"""Running the gate over a pass of planned attempts, in order, optionally in worker processes.

Attempts of one customer depend on each other (each sees the ones planned before it), and on
nothing else, so the rows are split by customer (crc32 of the id) and each worker judges its
customers' rows in plan order: the verdicts are the same as judging them one by one. Workers
are forked and run only the gate (pure Python), never polars.
"""

from __future__ import annotations

import multiprocessing
import zlib
from dataclasses import dataclass, field
from typing import Any

from arrears.planning.gate_requests import Gate, planned_entry, request_for


@dataclass
class Verdicts:
    allowed: list[int] = field(default_factory=list)  # option ids, in plan order
    planned: dict[str, list[dict]] = field(default_factory=dict)  # new history entries per customer
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


def _at_key(entry: dict) -> str:
    return entry["at"]  # every history instant is written in UTC, so text order is time order


def judge_rows(rows: list[dict[str, Any]], histories: dict[str, list[dict]], planned: dict[str, list[dict]],
               agencies: dict, gate: Gate) -> Verdicts:
    """Each row in order; its history = the portfolio's + earlier planned + earlier allowed rows."""
    out = Verdicts()
    for row in rows:
        customer = row["customer_id"]
        earlier = planned.get(customer, []) + out.planned.get(customer, [])
        history = histories.get(customer, [])
        if earlier:
            history = sorted(history + earlier, key=_at_key)
        answer = gate(request_for(row, history, agencies))
        out.checks += 1
        if answer.get("decision") == "allow":
            out.allowed.append(row["option"])
            out.planned.setdefault(customer, []).append(planned_entry(row))
        else:
            out.denied += 1
            for rule in answer.get("rules", []):
                out.denials[rule] = out.denials.get(rule, 0) + 1
    return out


MIN_PARALLEL = 5_000  # below this, forking costs more than it saves
_WORK: dict[str, tuple] = {}  # filled before forking; read by the workers


def _work(index: int) -> Verdicts:
    parts, histories, planned, agencies, gate = _WORK["job"]
    return judge_rows(parts[index], histories, planned, agencies, gate)


def judge_all(rows: list[dict[str, Any]], histories: dict[str, list[dict]], planned: dict[str, list[dict]],
              agencies: dict, gate: Gate, *, workers: int = 1) -> Verdicts:
    if workers <= 1 or len(rows) < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        return judge_rows(rows, histories, planned, agencies, gate)
    parts: list[list[dict]] = [[] for _ in range(workers)]
    for row in rows:
        parts[zlib.crc32(row["customer_id"].encode()) % workers].append(row)
    _WORK["job"] = (parts, histories, planned, agencies, gate)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_work, range(workers))
    finally:
        _WORK.clear()
    order = {row["option"]: i for i, row in enumerate(rows)}
    merged = Verdicts()
    for result in results:
        merged.merge(result)
    merged.allowed.sort(key=order.__getitem__)
    return merged
