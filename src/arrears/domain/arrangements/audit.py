"""An audit entry of the arrangements: who did what to which subject, when, with a before and
after summary and structured detail. Entries are only ever appended."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str  # e.g. "plan.agreed", "payment.posted"
    subject: str  # e.g. "account:A1", "plan:PL1"
    before: str
    after: str
    detail: Mapping[str, object] = field(default_factory=dict)  # stored as JSON; carries the account_id
