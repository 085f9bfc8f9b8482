"""What every rule needs to know about one proposed contact, computed once per request.

Local times use `zoneinfo` only (never fixed offsets). A "day" in a zone is the local
calendar date there; counters ask for the start instant of a local date, so an attempt is
placed in a day by comparing UTC timestamps, which is DST-correct and cheap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType

from arrears.compliance.history import Attempt, Attempts
from arrears.compliance.packs import RuleSpec
from arrears.compliance.request import Agency, CheckRequest, Flags, HistoryEntry, Person, zone
from arrears.compliance.screening.types import Screening

CN_HOME_ZONE = "Asia/Shanghai"
UK_DEFAULT_ZONE = "Europe/London"
EMPTY_FLAGS = Flags()
NO_SPECS: Mapping[str, RuleSpec] = MappingProxyType({})


@lru_cache(maxsize=4096)
def _midnight_ts(zone_name: str, day: date) -> float:
    return datetime.combine(day, time(0), tzinfo=zone(zone_name)).timestamp()


def day_start(zone_name: str, day: date) -> float:
    """The instant (timestamp) the local date `day` starts in the zone."""
    return _midnight_ts(zone_name, day)


@lru_cache(maxsize=65536)
def _local_second(second: int, zone_name: str) -> datetime:
    """The instant `second` (whole epoch seconds: `at` truncated to the second) on the zone's
    clock; many requests share an instant, and an integer key hashes faster than a datetime."""
    return datetime.fromtimestamp(second, zone(zone_name))


@lru_cache(maxsize=4096)
def _window_ts(zone_name: str, today: date, days: int) -> tuple[float, float]:
    """[start of the local date days-1 before today, start of tomorrow) as timestamps."""
    return _midnight_ts(zone_name, today - timedelta(days=days - 1)), _midnight_ts(zone_name, today + timedelta(days=1))


@lru_cache(maxsize=1024)
def _cn_zones(debtor_zones: tuple[str, ...]) -> tuple[str, ...]:
    """(a portfolio has a few zone sets, and most of them are Beijing alone)"""
    return (CN_HOME_ZONE, *(z for z in debtor_zones if z != CN_HOME_ZONE))


class Context:
    """The proposed contact as plain values, its screening, and derived facts shared by the
    rules. Rules read only this (never the request models), so any caller that knows the
    values can judge them: `of` takes them from a parsed `CheckRequest` (every external
    request); the daily planner passes its own rows' values straight in
    (`planning/trusted_requests.py`), skipping the request models it would build only to be
    read back here. Text values are plain strings (see `history.plain`). The facts may be
    passed by position, in the order of `__init__` (the planner does: keywords cost it ~1 µs a
    check); `of` names them."""

    __slots__ = (
        "_cn_zones",
        "_local",
        "_proposed",
        "_windows",
        "address",
        "agency",
        "agent",
        "at",
        "at_ts",
        "attempt_times",
        "attempts",
        "automated",
        "channel",
        "debt_ids",
        "debtor_zones",
        "envelope",
        "flags",
        "history_memo",
        "kind",
        "location_follow_up",
        "memo",
        "outcome",
        "party",
        "postcard",
        "purpose",
        "screening",
        "specs",
        "validation_end_date",
        "visitors",
    )

    def __init__(  # noqa: PLR0917 (the facts of one proposed contact, see the class docstring)
        self, channel: str, party: str, kind: str | None, address: str | None, purpose: str | None,
        debt_ids: tuple[str, ...], automated: bool | None, agent: Person | None, agency: Agency | None,
        visitors: Sequence[Person] | None, flags: Flags, at: datetime, at_ts: float, debtor_zones: tuple[str, ...],
        attempts: tuple[Attempt, ...], attempt_times: tuple[float, ...], screening: Screening | None,
        outcome: str | None = None, *, postcard: bool | None = None, envelope: str | None = None,
        validation_end_date: date | None = None, location_follow_up: str | None = None,
    ) -> None:
        self.channel = channel
        self.party = party
        self.kind = kind
        self.address = address
        self.purpose = purpose
        self.debt_ids = debt_ids  # distinct, in the request's order
        self.automated = automated
        self.agent = agent
        self.agency = agency
        self.visitors = visitors
        self.flags = flags
        self.at = at
        self.at_ts = at_ts  # at.timestamp()
        self.screening = screening
        self.debtor_zones = debtor_zones  # distinct, in the request's order
        self.attempts = attempts  # oldest first
        self.attempt_times = attempt_times  # their timestamps, ascending (for bisection)
        # None: a contact not made yet, which may still turn out any way its channel allows;
        # an outcome: a contact made, judged as it turned out (`gate.check_outcome`)
        self.outcome = outcome
        # optional extensions of the action (US pack): a postcard, the envelope's text, the
        # validation-period end date a notice states, why a location contact is repeated
        self.postcard = postcard
        self.envelope = envelope
        self.validation_end_date = validation_end_date
        self.location_follow_up = location_follow_up
        self._proposed: Attempt | None = None
        self._local: dict[str, datetime] = {}
        self._cn_zones: tuple[str, ...] | None = None
        self._windows: dict[tuple[str, int], tuple[float, float]] = {}
        self.memo: dict[object, object] = {}  # facts several rules share, computed once
        # what depends on the history alone, kept with it when it is an `Attempts` (a parsed
        # request's), so that every contact judged against it shares it; else this contact's
        self.history_memo = attempts.memo if isinstance(attempts, Attempts) else self.memo
        self.specs: Mapping[str, RuleSpec] = NO_SPECS  # the rules in force, set by the gate

    @classmethod
    def of(cls, request: CheckRequest, screening: Screening | None, outcome: str | None = None) -> Context:
        """The facts of a parsed request (the strict path: API, CLI, workbench); `outcome`: what
        came of the contact, when it has been made (None: it is proposed)."""
        action, (at_ts, zones, debt_ids, attempts, times, _), to = request.action, request.facts, request.action.to
        kind, purpose, follow_up = to.kind, action.purpose, action.location_follow_up
        return cls(  # by position (see the class docstring), in the order of __init__
            action.channel._value_, to.party._value_, None if kind is None else kind._value_, to.address,
            None if purpose is None else purpose._value_, debt_ids, action.automated, action.agent,
            action.agency, action.visitors, with_stop_replies(request.debtor.flags or EMPTY_FLAGS, request.history),
            request.at, at_ts, zones,
            attempts, times, screening, outcome, postcard=action.postcard,
            envelope=action.envelope, validation_end_date=action.validation_end_date,
            location_follow_up=None if follow_up is None else follow_up._value_,
        )

    @property
    def proposed(self) -> Attempt:
        """The contact judged, as a history entry: the counters count it as they count the
        others (`history.could_be`), so a proposed call counts as everything it could become."""
        attempt = self._proposed
        if attempt is None:
            agency = self.agency.id if self.agency is not None else None
            attempt = self._proposed = Attempt(
                self.at_ts, self.channel, True, self.party, self.kind, self.address, self.outcome,
                frozenset(self.debt_ids) or None, bool(self.automated), agency,
            )
        return attempt

    # ------------------------------------------------------------ zones and local time
    @property
    def to_debtor(self) -> bool:
        return self.party == "debtor"

    def cn_zones(self) -> tuple[str, ...]:
        """Beijing first, then the debtor's other zones (the CN rules judge in each)."""
        zones = self._cn_zones
        if zones is None:
            zones = self._cn_zones = _cn_zones(self.debtor_zones)
        return zones

    def uk_zones(self) -> tuple[str, ...]:
        return self.debtor_zones or (UK_DEFAULT_ZONE,)

    def counting_zones(self) -> tuple[str, ...]:
        """Zones for US/UK day counts; with no location at all, UTC (US-TIME-02 denies)."""
        return self.debtor_zones or ("UTC",)

    def local(self, zone_name: str) -> datetime:
        """`at` in the zone, truncated to the second (A1: 08:00:00.5 is still 08:00:00)."""
        local = self._local.get(zone_name)
        if local is None:
            local = self._local[zone_name] = _local_second(math.floor(self.at_ts), zone_name)
        return local

    def today(self, zone_name: str) -> date:
        return self.local(zone_name).date()

    def latest_date(self, zones: tuple[str, ...]) -> date:
        """The latest local date of `at` among zones: the strictest date for `*_until` checks."""
        return max(self.today(z) for z in zones)

    def window(self, zone_name: str, days: int) -> tuple[float, float]:
        """[start of the local date days-1 ago, start of tomorrow): `days` dates incl. today."""
        key = (zone_name, days)
        span = self._windows.get(key)
        if span is None:
            span = self._windows[key] = _window_ts(zone_name, self.today(zone_name), days)
        return span

    # ------------------------------------------------------------ consent
    def time_consented(self) -> bool:
        """`at` falls inside a window in which the debtor agreed to be contacted."""
        windows = self.flags.consent_windows
        if not windows:
            return False
        return any(w.from_ <= self.at <= w.to for w in windows)


def clock_label(local: datetime) -> str:
    return local.strftime("%H:%M:%S") if local.second else local.strftime("%H:%M")


def zone_label_zh(zone_name: str) -> str:
    return "北京时间" if zone_name == CN_HOME_ZONE else f"{zone_name} 当地时间"


def zone_label_en(zone_name: str) -> str:
    return "Beijing time" if zone_name == CN_HOME_ZONE else f"{zone_name} local time"


# A reply that stops texts or e-mails (FCC 24-24: stop, quit, end, revoke, opt out, cancel,
# unsubscribe; 12 CFR 1006.14(h)), or 退订 / TD / T (the CN opt-out replies), as the whole message or
# said in it ("please stop texting me").
_STOP_REPLY = re.compile(
    r"^\s*(?:stop\s*all|stop|quit|end|revoke|opt[ -]?out|cancel|unsubscribe|td|t|退订|拒收)\s*[.!。！]*\s*$"
    r"|\bstop\s+(?:texting|messaging|emailing|e-mailing|sending|contacting)\b|\bunsubscribe\b|退订|拒收",
    re.IGNORECASE,
)
_MESSAGES = frozenset({"sms", "email"})


def with_stop_replies(flags: Flags, history: Sequence[HistoryEntry] | None) -> Flags:
    """``flags`` with the numbers and addresses from which the history shows the person replied
    STOP to a text or e-mail added to ``replied_stop`` (unchanged when there are none)."""
    stopped = [entry.to.address for entry in history or ()
               if entry.direction is not None and entry.direction._value_ == "inbound"
               and entry.channel._value_ in _MESSAGES and entry.message is not None and entry.to is not None
               and entry.to.address is not None and _STOP_REPLY.search(entry.message) is not None]
    if not stopped:
        return flags
    return flags.model_copy(update={"replied_stop": [*(flags.replied_stop or ()), *stopped]})
