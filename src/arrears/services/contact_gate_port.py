"""The one door every contact goes through: plan, page, API and message sends alike.

A ``ContactGate`` turns a proposed contact on a stored account into a compliance-check-v1
request (debtor zones, flags, the shared attempt ledger as history), asks the compliance
gate, writes the decision to the append-only audit table, and, with ``reserve``, records the
attempt in the ledger atomically, so concurrent callers can never together exceed a cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ContactRequest:
    account_id: str
    channel: str  # call | voicemail | sms | email | letter | visit
    at: datetime  # zone-aware instant the contact would reach the person
    contact_point_id: str | None = None  # the number or address used (None for a visit)
    agent_id: str | None = None  # who acts; None for a system send
    message: str | None = None  # exact text of a message, letter or script
    automated: bool = False
    visitors: tuple[str, ...] = ()  # agent ids going on a visit
    purpose: str = "collection"  # collection | service | location


@dataclass(frozen=True, slots=True)
class GateVerdict:
    decision: str  # allow | deny | review
    rules: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    pack_versions: tuple[str, ...] = ()
    attempt_id: str | None = None  # set by reserve() when the attempt was recorded

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"


class ContactGate(Protocol):
    def preview(self, request: ContactRequest, language: str = "zh") -> GateVerdict:
        """May this happen now? Audited, records no attempt."""
        ...

    def reserve(self, request: ContactRequest, language: str = "zh") -> GateVerdict:
        """Check and, when allowed, record the attempt in the ledger in one transaction."""
        ...

    def record_outcome(
        self, attempt_id: str, outcome: str, party: str | None = None, notes: str | None = None
    ) -> None:
        """Complete a reserved attempt with what happened (portfolio-v1 outcome vocabulary)."""
        ...
