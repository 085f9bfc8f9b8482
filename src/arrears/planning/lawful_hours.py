"""The local start hours each customer's rule packs allow a contact in (pure: reads pack data).

A pack's time rule (``CN-TIME-01``, ``US-TIME-01``, ``UK-TIME-01``: the rules with
``allowed_from`` / ``allowed_until`` parameters) gives the window in which a contact may be
made; the planner schedules an attempt between HH:01 and HH:59 of its hour, so hour H may be
planned when H:01 is after ``allowed_from`` and H:59 before ``allowed_until``: CN 08:00-22:00
gives start hours 8..21, US and UK 08:00-21:00 give 8..20. A customer protected by several
packs gets the hours every one of them allows. The gate still judges every attempt; these
bounds only keep the planner from proposing hours the gate would refuse.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache

from arrears.compliance.packs import PACK_ORDER, load_pack

WHOLE_DAY = (0, 23)


def _minutes(value: object) -> int:
    at = value if isinstance(value, time) else time.fromisoformat(str(value))
    return at.hour * 60 + at.minute


@lru_cache(maxsize=64)
def pack_start_hours(code: str) -> tuple[int, int]:
    """The first and last start hour the pack's time rules allow (the whole day without one)."""
    if code not in PACK_ORDER:
        return WHOLE_DAY
    first, last = WHOLE_DAY
    for spec in load_pack(code).rules:
        if "allowed_from" in spec.params and "allowed_until" in spec.params:
            start, end = _minutes(spec.params["allowed_from"]), _minutes(spec.params["allowed_until"])
            first = max(first, -(-start // 60))  # H:01 after the start: H x 60 >= start
            last = min(last, (end - 60) // 60)  # H:59 before the end: H x 60 + 59 < end
    return first, last


@lru_cache(maxsize=1024)
def start_hours(jurisdiction: str) -> tuple[int, int]:
    """The start hours every pack of a ``CN;US`` jurisdiction allows (first > last: none)."""
    first, last = WHOLE_DAY
    for code in filter(None, jurisdiction.split(";")):
        lo, hi = pack_start_hours(code)
        first, last = max(first, lo), min(last, hi)
    return first, last
