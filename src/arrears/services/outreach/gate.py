"""Outreach's one door to the compliance gate (the ``ContactGate`` port): reserve a message's
attempt at the dispatch instant, with its exact text, and record what came of it. Everything
outreach asks the gate goes through here, so a change of the gate's port touches one place."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from arrears.domain.outreach import PlannedMessage
from arrears.services.contact_gate_port import AttemptError, ContactGate, ContactRequest, GateVerdict

if TYPE_CHECKING:
    from sqlalchemy import Connection

def reserve(gate: ContactGate, message: PlannedMessage, text: str, at: datetime, language: str = "zh", *,
            connection: Connection | None) -> GateVerdict:
    """Judge the message at ``at`` with the ledger as it is now and, when allowed, reserve its
    attempt (in the caller's transaction). The gate screens ``text`` (message screening)."""
    request = ContactRequest(message.account_id, message.channel, at, message.contact_point_id, None,
                             message=text, automated=True)
    return gate.reserve(request, language, connection=connection)


def record(gate: ContactGate, attempt_id: str, outcome: str, *, connection: Connection | None) -> bool:
    """Complete a reserved attempt with its outcome; False when the gate would not record it
    (it is closed already, or the outcome would break a cap: the decision is audited)."""
    try:
        return gate.record_outcome(attempt_id, outcome, connection=connection).allowed
    except AttemptError:
        return False
