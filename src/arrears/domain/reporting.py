"""The operation's figures (运营指标): contacts, right-party contacts, promises made, kept and
broken, money collected, complaints and blocked attempts, by day and by collector, agency,
segment and strategy; right-party contact by local hour; the roll-rate matrix and its trend.

Pure: the facts come in as plain values (days already in the operation's zone), the figures go
out. One definition of each figure, used by the dashboards and by ``arrears report`` alike, so
they cannot differ.

Definitions:
- a *contact* is one attempt with an outcome (calls, messages, letters, visits; outbound and
  inbound); *right party* is an outcome with the debtor (conversation, refused, dispute);
- a promise is *made* on the day it was taken and *resolved* on its deadline (promised date +
  grace days): kept, partly kept or broken, counted on that day with its promised amount;
- *collected* is the sum of payments received that day (reversals left out);
- *complaints per 10,000 contacts* is complaints / contacts x 10,000;
- money by collector is attributed to the last collector with a right-party contact on the
  account in the 30 days before the payment (last touch); by agency, segment and strategy to
  the account's own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from arrears.domain.arrangements.payments import Payment
from arrears.domain.arrangements.promises import PromisePolicy, PromiseToPay, deadline, promise_status
from arrears.domain.experiments import AccountResult, Arm, Verdict, account_results, arms, champion_of, verdict
from arrears.domain.money import Money
from arrears.domain.queue_figures import QueueCount, queue_by_bucket
from arrears.domain.roll_rates import RollCount, RollMatrix, bucket_order, ratio, roll_matrix, roll_trend

RIGHT_PARTY_OUTCOMES = frozenset({"conversation", "refused", "dispute"})
ATTRIBUTION_DAYS = 30
UNKNOWN = "-"
ZERO = Decimal("0.00")


MAX_DAYS = 366


class ReportingError(ValueError):
    """A date range that cannot be reported."""


@dataclass(frozen=True)
class ReportRange:
    """The days reported, in the operation's zone, both ends included; ``agency`` for an agency's
    own view (only accounts placed with it)."""

    start: date
    end: date
    zone: str
    agency: str | None = None

    def check(self) -> ReportRange:
        if self.end < self.start:
            raise ReportingError(f"--to {self.end} is before --from {self.start}")
        if (self.end - self.start).days >= MAX_DAYS:
            raise ReportingError(f"at most {MAX_DAYS} days in one report ({self.start} .. {self.end})")
        return self

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), ZoneInfo(self.zone))

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(0), ZoneInfo(self.zone))

    def day(self, instant: datetime) -> date:
        return instant.astimezone(ZoneInfo(self.zone)).date()


@dataclass(frozen=True, slots=True)
class ContactFact:
    account_id: str
    day: date  # in the operation's zone
    hour: int  # the customer's local hour
    channel: str
    outcome: str
    complaint: bool
    collector: str | None
    agency: str | None

    @property
    def right_party(self) -> bool:
        return self.outcome in RIGHT_PARTY_OUTCOMES


@dataclass(frozen=True, slots=True)
class PaymentFact:
    account_id: str
    day: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PromiseFact:
    promise_id: str
    account_id: str
    made_on: date
    deadline: date
    amount: Decimal
    status: str  # open | kept | partly_kept | broken (domain.arrangements.promises)
    taken_by: str | None
    agency: str | None


@dataclass(frozen=True, slots=True)
class BlockedFact:
    account_id: str
    day: date
    rules: tuple[str, ...]
    collector: str | None = None


@dataclass(frozen=True, slots=True)
class AccountDims:
    agency: str | None = None
    segment: str | None = None
    strategy: str | None = None


@dataclass(frozen=True)
class OperationFacts:
    contacts: tuple[ContactFact, ...] = ()
    payments: tuple[PaymentFact, ...] = ()
    promises: tuple[PromiseFact, ...] = ()
    blocked: tuple[BlockedFact, ...] = ()
    rolls: tuple[RollCount, ...] = ()
    dims: Mapping[str, AccountDims] = field(default_factory=dict)
    queue: tuple[QueueCount, ...] = ()  # the work queue of the range's last day, by bucket and state


@dataclass(frozen=True)
class StoredFacts:
    """The facts as stored: promises not yet judged, payments from before the range included
    (a promise resolved in the range may have been kept by an earlier payment)."""

    contacts: tuple[ContactFact, ...]
    payments: tuple[PaymentFact, ...]
    promises: tuple[PromiseToPay, ...]
    blocked: tuple[BlockedFact, ...]
    rolls: tuple[RollCount, ...]
    dims: Mapping[str, AccountDims]
    queue: tuple[QueueCount, ...] = ()

    def judged(self, start: date, end: date, policy: PromisePolicy | None = None) -> OperationFacts:
        """The facts of ``start`` .. ``end``: each promise's status as of ``end`` from the payments
        (``domain.arrangements.promises``), payments outside the range left out."""
        policy = policy or PromisePolicy()
        paid: dict[str, list[Payment]] = defaultdict(list)
        for i, p in enumerate(self.payments):
            if p.amount > 0:
                paid[p.account_id].append(Payment(f"p{i}", p.account_id, Money(p.amount),
                                                  datetime.combine(p.day, time(12), UTC), p.day))
        promises = tuple(
            PromiseFact(p.promise_id, p.account_id, p.made_on, deadline(p, policy), p.amount.amount,
                        promise_status(p, paid.get(p.account_id, ()), end, policy).value, p.taken_by or None, None)
            for p in self.promises)
        return OperationFacts(
            contacts=tuple(c for c in self.contacts if start <= c.day <= end),
            payments=tuple(p for p in self.payments if start <= p.day <= end),
            promises=promises, blocked=self.blocked, rolls=self.rolls, dims=self.dims, queue=self.queue)


@dataclass
class Kpis:
    contacts: int = 0
    right_party: int = 0
    complaints: int = 0
    promises_made: int = 0
    promised_amount: Decimal = ZERO
    promises_kept: int = 0
    kept_amount: Decimal = ZERO
    promises_partly_kept: int = 0
    promises_broken: int = 0
    broken_amount: Decimal = ZERO
    collected: Decimal = ZERO
    blocked: int = 0

    @property
    def right_party_rate(self) -> float | None:
        return ratio(self.right_party, self.contacts)

    @property
    def complaints_per_10k(self) -> float | None:
        return None if not self.contacts else round(self.complaints * 10_000 / self.contacts, 2)

    @property
    def kept_rate(self) -> float | None:
        return ratio(self.promises_kept, self.promises_kept + self.promises_partly_kept + self.promises_broken)

    def add_contact(self, contact: ContactFact) -> None:
        self.contacts += 1
        self.right_party += contact.right_party
        self.complaints += contact.complaint

    def add_made(self, promise: PromiseFact) -> None:
        self.promises_made += 1
        self.promised_amount += promise.amount

    def add_resolved(self, promise: PromiseFact) -> None:
        if promise.status == "kept":
            self.promises_kept += 1
            self.kept_amount += promise.amount
        elif promise.status == "partly_kept":
            self.promises_partly_kept += 1
        elif promise.status == "broken":
            self.promises_broken += 1
            self.broken_amount += promise.amount


def days_between(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end``, both included."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def kpis_by_day(facts: OperationFacts, start: date, end: date) -> list[tuple[date, Kpis]]:
    days = {day: Kpis() for day in days_between(start, end)}
    _fill(days, facts, lambda day, _account, _who: day)
    return sorted(days.items())


def kpis_by(facts: OperationFacts, dimension: str) -> dict[str, Kpis]:
    """Figures per collector, agency, segment or strategy (``dimension``), over every fact given."""
    groups: dict[str, Kpis] = defaultdict(Kpis)
    key = _key_of(facts, dimension)
    _fill(groups, facts, lambda _day, account, who: key(account, who))
    return dict(sorted(groups.items()))


def totals(facts: OperationFacts) -> Kpis:
    one: dict[str, Kpis] = {"all": Kpis()}
    _fill(one, facts, lambda _day, _account, _who: "all")
    return one["all"]


Key = Callable[[date, str, str | None], object]


def _fill(groups: dict[Any, Kpis], facts: OperationFacts, key: Key) -> None:
    """Adds every fact to its group (groups not already present are created when ``groups`` is a
    defaultdict, skipped otherwise: a day outside the range)."""
    def group(day: date, account: str, who: str | None) -> Kpis | None:
        k = key(day, account, who)
        return groups[k] if isinstance(groups, defaultdict) or k in groups else None

    for contact in facts.contacts:
        if (kpis := group(contact.day, contact.account_id, contact.collector)) is not None:
            kpis.add_contact(contact)
    for promise in facts.promises:
        if (kpis := group(promise.made_on, promise.account_id, promise.taken_by)) is not None:
            kpis.add_made(promise)
        if (kpis := group(promise.deadline, promise.account_id, promise.taken_by)) is not None:
            kpis.add_resolved(promise)
    touch = last_touch(facts.contacts)
    for payment in facts.payments:
        if (kpis := group(payment.day, payment.account_id, touch(payment))) is not None:
            kpis.collected += payment.amount
    for blocked in facts.blocked:
        if (kpis := group(blocked.day, blocked.account_id, blocked.collector)) is not None:
            kpis.blocked += 1


def _key_of(facts: OperationFacts, dimension: str) -> Callable[[str, str | None], str]:
    if dimension == "collector":
        return lambda _account, who: who or UNKNOWN
    if dimension not in ("agency", "segment", "strategy"):
        raise ValueError(f"unknown dimension {dimension!r}: collector, agency, segment or strategy")
    dims = facts.dims

    def of_account(account: str, _who: str | None) -> str:
        value = getattr(dims.get(account, AccountDims()), dimension)
        return value or UNKNOWN
    return of_account


def last_touch(contacts: Iterable[ContactFact]) -> Callable[[PaymentFact], str | None]:
    """The collector with the last right-party contact on the account within ``ATTRIBUTION_DAYS``
    before (or on) the payment's day."""
    touches: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for c in contacts:
        if c.right_party and c.collector:
            touches[c.account_id].append((c.day, c.collector))
    for rows in touches.values():
        rows.sort()

    def who(payment: PaymentFact) -> str | None:
        best = None
        for day, collector in touches.get(payment.account_id, ()):
            if day > payment.day:
                break
            if (payment.day - day).days <= ATTRIBUTION_DAYS:
                best = collector
        return best
    return who


@dataclass(frozen=True, slots=True)
class HourRow:
    hour: int
    contacts: int
    right_party: int

    @property
    def rate(self) -> float | None:
        return ratio(self.right_party, self.contacts)


def right_party_by_hour(contacts: Iterable[ContactFact], channel: str = "call") -> list[HourRow]:
    """Calls and right-party contacts by the customer's local hour (0-23, every hour listed)."""
    made = [0] * 24
    reached = [0] * 24
    for c in contacts:
        if c.channel == channel:
            made[c.hour] += 1
            reached[c.hour] += c.right_party
    return [HourRow(h, made[h], reached[h]) for h in range(24)]


def blocked_by_rule(blocked: Iterable[BlockedFact]) -> list[tuple[str, int]]:
    """Blocked attempts per rule, most first (an attempt blocked by two rules counts for each)."""
    counts: dict[str, int] = defaultdict(int)
    for b in blocked:
        for rule in b.rules or (UNKNOWN,):
            counts[rule] += 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


DIMENSIONS = ("collector", "agency", "segment", "strategy")


@dataclass(frozen=True)
class OperationReport:
    """Everything the dashboards and ``arrears report`` show for a date range."""

    start: date
    end: date
    total: Kpis
    days: list[tuple[date, Kpis]]
    by: dict[str, dict[str, Kpis]]  # dimension -> value -> figures
    hours: list[HourRow]
    blocked: list[tuple[str, int]]
    roll: RollMatrix
    trend: list[tuple[date, dict[str, float | None]]]
    queue: list[tuple[str, dict[str, int]]] = field(default_factory=list)  # bucket -> state -> items
    arms: list[Arm] = field(default_factory=list)  # champion/challenger, per strategy
    verdicts: list[Verdict] = field(default_factory=list)  # each challenger against the champion


def operation_report(facts: OperationFacts, start: date, end: date) -> OperationReport:
    """The report over facts already limited to ``start`` .. ``end`` (both included)."""
    found = arms(_per_account(facts, start, end))
    champion = champion_of(found)
    return OperationReport(
        start=start, end=end, total=totals(facts), days=kpis_by_day(facts, start, end),
        by={d: kpis_by(facts, d) for d in DIMENSIONS}, hours=right_party_by_hour(facts.contacts),
        blocked=blocked_by_rule(facts.blocked), roll=roll_matrix(facts.rolls), trend=roll_trend(facts.rolls),
        queue=queue_by_bucket(facts.queue), arms=found,
        verdicts=[verdict(champion, arm) for arm in found if champion and arm is not champion],
    )


def _per_account(facts: OperationFacts, start: date, end: date) -> dict[str, dict[str, AccountResult]]:
    recovered: dict[str, Decimal] = defaultdict(Decimal)
    kept: dict[str, int] = defaultdict(int)
    contacts: dict[str, int] = defaultdict(int)
    complaints: dict[str, int] = defaultdict(int)
    for p in facts.payments:
        recovered[p.account_id] += p.amount
    for promise in facts.promises:
        if promise.status == "kept" and start <= promise.deadline <= end:
            kept[promise.account_id] += 1
    for c in facts.contacts:
        contacts[c.account_id] += 1
        complaints[c.account_id] += c.complaint
    return account_results({a: d.strategy for a, d in facts.dims.items()}, recovered, kept, contacts, complaints)


__all__ = ["QueueCount", "RollCount", "RollMatrix", "bucket_order", "roll_matrix", "roll_trend"]  # part of the report
