"""The contact ledger's records: one row a contact made through arrears, and what it rests on.

Plain values (the clock and storage are the callers'): ``Attempt`` is one contact, reserved
before it happens and completed with its outcome; a contact logged in the workbench also
carries who logged it and what was taken in it (``Logged``; its notes only as the cipher's
bytes). ``StoredDebtor`` is what the gate reads of an account and its customer;
``GateDecision`` one judged request, for the append-only decision audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Logged:
    """What a workbench user logged with a contact (``notes_enc``: encrypted, never clear)."""

    contact_id: str
    logged_by: str
    direction: str = "outbound"
    notes_enc: bytes | None = None
    promise_amount_cents: int | None = None
    promise_date: date | None = None
    dispute: bool = False
    complaint: bool = False
    callback_at: datetime | None = None
    pack_versions: str | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    attempt_id: str
    account_id: str
    customer_id: str
    contact_point_id: str | None
    address_hash: str | None
    channel: str
    party: str
    at: datetime  # aware, UTC
    agent_id: str | None
    agency_id: str | None
    automated: bool
    purpose: str
    outcome: str | None = None  # None while reserved
    outcome_party: str | None = None
    completed_at: datetime | None = None
    logged: Logged | None = None


@dataclass(frozen=True, slots=True)
class StoredContact:
    """A contact of the history: ingested (``contacts``) or an attempt of the ledger."""

    at: datetime
    channel: str
    direction: str | None
    contact_point_id: str | None
    party: str | None
    outcome: str | None
    account_id: str | None
    agency_id: str | None
    automated: bool | None = None  # known for the ledger's attempts only


@dataclass(frozen=True, slots=True)
class StoredDebtor:
    account_id: str
    customer_id: str
    flags: str | None
    agency_id: str | None
    timezone: str
    jurisdiction: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class GateDecision:
    """One judged request, as the append-only decision audit keeps it."""

    decided_for: datetime
    mode: str  # preview | reserve | outcome
    request_digest: str
    request_id: str
    account_id: str
    customer_id: str
    channel: str
    agent_id: str | None
    pack_versions: dict[str, str]
    decision: str
    rules: list[str]
    reasons: list[str]
    warnings: list[str]
    attempt_id: str | None = None
    request: str | None = None  # the judged request as JSON (the facts the decision saw), for replay


@dataclass(frozen=True)
class StoredDecision:
    """A stored decision with the request it judged, for replay under another pack version."""

    decision_id: int
    decided_for: datetime
    mode: str
    account_id: str | None
    decision: str
    rules: list[str]
    pack_versions: dict[str, str]
    request: dict[str, Any] | None  # None: stored before requests were kept
