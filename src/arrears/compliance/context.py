"""What every rule needs to know about one proposed contact, computed once per request.

Local times use `zoneinfo` only (never fixed offsets). A "day" in a zone is the local
calendar date there; counters ask for the start instant of a local date, so an attempt is
placed in a day by comparing UTC timestamps, which is DST-correct and cheap.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from arrears.compliance.history import Attempt, plain
from arrears.compliance.packs import RuleSpec
from arrears.compliance.request import CheckRequest, Flags, zone
from arrears.compliance.screening.types import Screening

CN_HOME_ZONE = "Asia/Shanghai"
UK_DEFAULT_ZONE = "Europe/London"
EMPTY_FLAGS = Flags()


@lru_cache(maxsize=4096)
def _midnight_ts(zone_name: str, day: date) -> float:
    return datetime.combine(day, time(0), tzinfo=zone(zone_name)).timestamp()


@lru_cache(maxsize=65536)
def _local_second(second: int, zone_name: str) -> datetime:
    """The instant `second` (whole epoch seconds: `at` truncated to the second) on the zone's
    clock; many requests share an instant, and an integer key hashes faster than a datetime."""
    return datetime.fromtimestamp(second, zone(zone_name))


@lru_cache(maxsize=4096)
def _window_ts(zone_name: str, today: date, days: int) -> tuple[float, float]:
    """[start of the local date days-1 before today, start of tomorrow) as timestamps."""
    return _midnight_ts(zone_name, today - timedelta(days=days - 1)), _midnight_ts(zone_name, today + timedelta(days=1))


class Context:
    """The request, its screening, and derived facts shared by the rules."""

    def __init__(self, request: CheckRequest, screening: Screening | None) -> None:
        action = request.action
        self.request = request
        self.action = action
        self.channel: str = action.channel._value_
        self.party: str = action.to.party._value_
        self.kind: str | None = plain(action.to.kind)
        self.address: str | None = action.to.address
        self.purpose: str | None = plain(action.purpose)
        self.debt_ids: tuple[str, ...] = tuple(dict.fromkeys(action.debt_ids or ()))
        self.flags: Flags = request.debtor.flags or EMPTY_FLAGS
        self.at: datetime = request.at
        self.at_ts: float = request.at.timestamp()
        self.screening = screening
        self.debtor_zones: tuple[str, ...] = tuple(dict.fromkeys(request.debtor.zones))
        self.attempts: tuple[Attempt, ...] = request.attempts
        self.attempt_times: tuple[float, ...] = request.attempt_times
        self._local: dict[str, datetime] = {}
        self._cn_zones: tuple[str, ...] | None = None
        self._windows: dict[tuple[str, int], tuple[float, float]] = {}
        self.memo: dict[object, object] = {}  # facts several rules share, computed once
        self.specs: dict[str, RuleSpec] = {}  # the rules in force, set by the gate

    # ------------------------------------------------------------ zones and local time
    @property
    def to_debtor(self) -> bool:
        return self.party == "debtor"

    def cn_zones(self) -> tuple[str, ...]:
        zones = self._cn_zones
        if zones is None:
            zones = self._cn_zones = (CN_HOME_ZONE, *(z for z in self.debtor_zones if z != CN_HOME_ZONE))
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
        return any(w.from_ <= self.at <= w.to for w in self.flags.consent_windows or ())


def clock_label(local: datetime) -> str:
    return local.strftime("%H:%M:%S") if local.second else local.strftime("%H:%M")


def zone_label_zh(zone_name: str) -> str:
    return "北京时间" if zone_name == CN_HOME_ZONE else f"{zone_name} 当地时间"


def zone_label_en(zone_name: str) -> str:
    return "Beijing time" if zone_name == CN_HOME_ZONE else f"{zone_name} local time"
