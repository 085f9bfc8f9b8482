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
from arrears.services.contact_gate_port import ContactGate


@dataclass
class Workbench:
    engine: Engine
    cipher: FieldCipher
    gate: ContactGate
    clock: Clock = system_clock
    timezone: str = "Asia/Shanghai"
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)
    session_ttl: timedelta = timedelta(hours=10)
    token_ttl: timedelta = timedelta(days=30)
    lease: timedelta = timedelta(minutes=30)
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
