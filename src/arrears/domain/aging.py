"""Delinquency aging: days past due, the bucket ladder, pauses and bucket transitions.

Days past due (DPD) count from the oldest unpaid due date: the day after it is day 1.
Days inside a pause period (an open dispute stops the clock) are not counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

CURRENT = "M0"


class LadderError(ValueError):
    """An aging ladder with a gap, an overlap or a bad range."""


@dataclass(frozen=True, slots=True)
class Bucket:
    """One rung of the ladder: ``low`` to ``high`` DPD inclusive; ``high=None`` is open."""

    name: str
    low: int
    high: int | None

    def holds(self, dpd: int) -> bool:
        return dpd >= self.low and (self.high is None or dpd <= self.high)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.low}+)" if self.high is None else (
            f"{self.name} ({self.low}-{self.high})"
        )


@dataclass(frozen=True, slots=True)
class AgingLadder:
    """Ordered buckets that cover every DPD from 1 upwards exactly once."""

    buckets: tuple[Bucket, ...]

    def __post_init__(self) -> None:
        validate_ladder(self.buckets)

    @classmethod
    def from_spec(cls, spec: str) -> AgingLadder:
        """Parse ``"M1:1-30,M2:31-60,M3:61+"``."""
        buckets = []
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            name, _, rng = part.partition(":")
            if not rng:
                raise LadderError(f"bucket {part!r} needs NAME:LOW-HIGH or NAME:LOW+")
            try:
                if rng.endswith("+"):
                    buckets.append(Bucket(name.strip(), int(rng[:-1]), None))
                else:
                    low, _, high = rng.partition("-")
                    buckets.append(Bucket(name.strip(), int(low), int(high)))
            except ValueError as exc:
                raise LadderError(f"bucket {part!r}: range must be whole days") from exc
        return cls(tuple(buckets))

    @property
    def names(self) -> list[str]:
        return [CURRENT, *(b.name for b in self.buckets)]

    def bucket_for(self, dpd: int) -> str:
        """The bucket name for a DPD; ``M0`` (current) for 0 or less."""
        if dpd <= 0:
            return CURRENT
        for bucket in self.buckets:
            if bucket.holds(dpd):
                return bucket.name
        raise LadderError(f"no bucket holds {dpd} days")  # unreachable for a valid ladder

    def rank(self, name: str) -> int:
        return self.names.index(name)


def validate_ladder(buckets: Sequence[Bucket]) -> None:
    if not buckets:
        raise LadderError("the ladder needs at least one bucket")
    names = [b.name for b in buckets]
    if len(set(names)) != len(names) or CURRENT in names:
        raise LadderError(f"bucket names must be unique and not {CURRENT}: {names}")
    expected_low = 1
    for index, bucket in enumerate(buckets):
        if bucket.high is not None and bucket.high < bucket.low:
            raise LadderError(f"{bucket.name}: {bucket.low}-{bucket.high} is an empty range")
        if bucket.low > expected_low:
            raise LadderError(f"gap before {bucket.name}: days {expected_low}-{bucket.low - 1}")
        if bucket.low < expected_low:
            raise LadderError(f"{bucket.name} overlaps the bucket before it at day {bucket.low}")
        if bucket.high is None:
            if index != len(buckets) - 1:
                raise LadderError(f"{bucket.name} is open-ended but is not the last bucket")
            return
        expected_low = bucket.high + 1
    raise LadderError(f"the last bucket must be open-ended (no bucket holds {expected_low}+)")


DEFAULT_LADDER = AgingLadder.from_spec(
    "M1:1-30,M2:31-60,M3:61-90,M4:91-120,M5:121-150,M6:151-180,M7+:181+"
)


@dataclass(frozen=True, slots=True)
class PausePeriod:
    """Days on which the delinquency clock stands still: ``start`` to ``end`` inclusive.

    ``end=None`` means still open (counts up to the as-of date).
    """

    start: date
    end: date | None = None
    reason: str = "dispute"


def paused_days(since: date, as_of: date, pauses: Iterable[PausePeriod]) -> int:
    """How many days in ``(since, as_of]`` fall inside any pause (overlaps counted once)."""
    days: set[date] = set()
    for pause in pauses:
        first = max(pause.start, since + timedelta(days=1))
        last = min(pause.end or as_of, as_of)
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return len(days)


def days_past_due(
    oldest_unpaid_due_date: date | None,
    as_of: date,
    pauses: Iterable[PausePeriod] = (),
) -> int:
    """DPD as of a date: days after the oldest unpaid due date, less paused days."""
    if oldest_unpaid_due_date is None or as_of <= oldest_unpaid_due_date:
        return 0
    elapsed = (as_of - oldest_unpaid_due_date).days
    return max(elapsed - paused_days(oldest_unpaid_due_date, as_of, pauses), 0)


@dataclass(frozen=True, slots=True)
class BucketTransition:
    """An account moved from one bucket to another on a date."""

    account_id: str
    on: date
    from_bucket: str
    to_bucket: str
    direction: str  # "roll_forward" (worse) or "roll_back" (better)


def transition(
    account_id: str,
    on: date,
    previous: str | None,
    current: str,
    ladder: AgingLadder = DEFAULT_LADDER,
) -> BucketTransition | None:
    """The transition to record, or None when the bucket did not change."""
    before = previous if previous is not None else CURRENT
    if before == current:
        return None
    worse = ladder.rank(current) > ladder.rank(before)
    return BucketTransition(account_id, on, before, current, "roll_forward" if worse else "roll_back")


def roll_rates(
    pairs: Iterable[tuple[str, str]], ladder: AgingLadder = DEFAULT_LADDER
) -> dict[str, dict[str, float]]:
    """Share of accounts in each previous bucket that are in each bucket now.

    ``pairs`` are (previous bucket, current bucket) per account.
    """
    counts: dict[str, dict[str, int]] = {}
    for before, after in pairs:
        counts.setdefault(before, {}).setdefault(after, 0)
        counts[before][after] += 1
    return roll_rates_from_counts(counts, ladder)


def roll_rates_from_counts(
    counts: Mapping[str, Mapping[str, int]], ladder: AgingLadder = DEFAULT_LADDER
) -> dict[str, dict[str, float]]:
    """The roll-rate matrix from account counts per (previous bucket, current bucket).

    Rates are ratios of counts, not money, so floats are fine here.
    """
    order = ladder.names
    result: dict[str, dict[str, float]] = {}
    for before in sorted(counts, key=lambda n: order.index(n) if n in order else len(order)):
        row_total = sum(counts[before].values())
        if row_total:
            result[before] = {after: counts[before].get(after, 0) / row_total for after in order}
    return result
