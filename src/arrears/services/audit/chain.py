"""Seal the append-only logs into hash chains, and verify them (``arrears audit seal | verify``).

Sealing runs often (a cron every few minutes, and after the nightly run); rows younger than the
settling time wait for the next run, so that a transaction still open when the sealer passes is
not left behind. Verifying reads every log from its first row and names the first row that breaks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from arrears.domain.audit_chain import Break

SETTLE = timedelta(minutes=5)


class AuditChains(Protocol):
    def logs(self) -> list[str]: ...
    def seal(self, log: str, *, now: datetime, settle: timedelta) -> int: ...
    def first_break(self, log: str) -> Break | None: ...


def seal_all(chains: AuditChains, now: datetime, settle: timedelta = SETTLE) -> dict[str, int]:
    """Rows sealed per log."""
    return {log: chains.seal(log, now=now, settle=settle) for log in chains.logs()}


def verify_all(chains: AuditChains) -> list[Break]:
    """The first break of each log; empty when every chain holds."""
    return [found for log in chains.logs() if (found := chains.first_break(log)) is not None]
