"""Roll rates (迁徙率): of the accounts in a bucket at one nightly run, the share found in each
bucket at the next; the matrix over a range of runs, the cure rate, and each bucket's forward
roll rate run by run. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True, slots=True)
class RollCount:
    as_of: date
    from_bucket: str
    to_bucket: str
    accounts: int



@dataclass(frozen=True)
class RollMatrix:
    """迁徙率: of the accounts in a bucket at one run, the share in each bucket at the next,
    summed over the runs in the range."""

    buckets: tuple[str, ...]
    counts: Mapping[tuple[str, str], int]

    def accounts_from(self, bucket: str) -> int:
        return sum(n for (f, _t), n in self.counts.items() if f == bucket)

    def rate(self, from_bucket: str, to_bucket: str) -> float | None:
        return ratio(self.counts.get((from_bucket, to_bucket), 0), self.accounts_from(from_bucket))

    def cure_rate(self, current: str = "M0") -> float | None:
        """The share of delinquent accounts that came back to current."""
        delinquent = [b for b in self.buckets if b != current]
        cured = sum(self.counts.get((b, current), 0) for b in delinquent)
        return ratio(cured, sum(self.accounts_from(b) for b in delinquent))


def bucket_order(bucket: str) -> tuple[int, str]:
    """M0 < M1 < ... < M7+ < other labels (by name)."""
    digits = "".join(ch for ch in bucket if ch.isdigit())
    return (int(digits), bucket) if bucket.startswith("M") and digits else (10_000, bucket)


def roll_matrix(rolls: Iterable[RollCount]) -> RollMatrix:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in rolls:
        counts[(r.from_bucket, r.to_bucket)] += r.accounts
    buckets = sorted({b for pair in counts for b in pair}, key=bucket_order)
    return RollMatrix(tuple(buckets), dict(counts))


def roll_trend(rolls: Iterable[RollCount]) -> list[tuple[date, dict[str, float | None]]]:
    """Per run date, each bucket's forward roll rate (the share that moved to a worse bucket)."""
    by_day: dict[date, list[RollCount]] = defaultdict(list)
    for r in rolls:
        by_day[r.as_of].append(r)
    trend = []
    for day in sorted(by_day):
        matrix = roll_matrix(by_day[day])
        rates: dict[str, float | None] = {}
        for b in matrix.buckets:
            worse = sum(n for (f, t), n in matrix.counts.items() if f == b and bucket_order(t) > bucket_order(b))
            rates[b] = ratio(worse, matrix.accounts_from(b))
        trend.append((day, rates))
    return trend
