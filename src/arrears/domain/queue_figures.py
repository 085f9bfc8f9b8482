"""The day's work queue in figures: items per bucket, waiting, being worked and done. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from arrears.domain.roll_rates import bucket_order


@dataclass(frozen=True, slots=True)
class QueueCount:
    bucket: str
    status: str  # open | assigned | done
    items: int


def queue_by_bucket(counts: Iterable[QueueCount]) -> list[tuple[str, dict[str, int]]]:
    """The work queue per bucket (youngest first), each with its items waiting, being worked and done."""
    found: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "assigned": 0, "done": 0})
    for c in counts:
        found[c.bucket][c.status] = found[c.bucket].get(c.status, 0) + c.items
    return sorted(found.items(), key=lambda item: bucket_order(item[0]))
