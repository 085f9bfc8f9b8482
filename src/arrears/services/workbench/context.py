"""What every workbench use case needs: storage, the cipher, the contact gate, the clock."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import overload
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from arrears.adapters.clock import Clock, system_clock
from arrears.adapters.crypto import FieldCipher
from arrears.domain.access import LoginPolicy
from arrears.domain.vocabulary import DEFAULT_ZONE
from arrears.services.contact_gate_port import ContactGate
from arrears.services.workbench.errors import InvalidInput


@dataclass
class Workbench:
    engine: Engine
    cipher: FieldCipher
    gate: ContactGate
    clock: Clock = system_clock
    timezone: str = DEFAULT_ZONE
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)
    session_ttl: timedelta = timedelta(hours=10)
    token_ttl: timedelta = timedelta(days=30)
    lease: timedelta = timedelta(minutes=30)
    skip_rest: timedelta | None = None  # a skipped account rests this long (None: until the next full hour)
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48), repr=False)
    secure_cookies: bool = False
    institution_name: str = "信用卡中心"  # named in message templates (自报家门) for in-house accounts

    def now(self) -> datetime:
        """Now, in UTC (how instants are stored)."""
        return self.clock().astimezone(UTC)

    def today(self) -> date:
        return self.now().astimezone(ZoneInfo(self.timezone)).date()


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
@overload
def as_utc(value: datetime | None) -> datetime | None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """An instant read back from storage (SQLite gives naive UTC) or typed in, as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def typed_instant(value: datetime, field: str, zh: str, en: str) -> datetime:
    """An instant a person typed (``zh``/``en`` name it), in UTC; InvalidInput when it has no
    time zone or cannot be placed in UTC (0001-01-01 00:00 at +08:00 is before year 1 in UTC)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{zh}须带时区", f"a {en} carries its time zone", field)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidInput(f"{zh}超出可以记录的日期范围", f"the {en} is outside the dates that can be recorded",
                           field) from None
