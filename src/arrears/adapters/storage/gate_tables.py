"""The attempt ledger and the decision audit behind the contact gate.

``contact_attempts`` holds every attempt made through arrears (reserved before it happens,
completed with its outcome afterwards); together with the ingested ``contacts`` it is the
history the compliance counters read. It holds no free text: a collector's notes are kept
encrypted with the workbench's logged contact (``logged_contacts.notes_enc``).
``compliance_decisions`` is append-only: database triggers refuse UPDATE and DELETE.
``debtor_locks`` serialises reservations (and recorded outcomes) per debtor.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Table, Text

from arrears.adapters.storage.tables import Id, UtcDateTime, metadata

contact_attempts = Table(
    "contact_attempts",
    metadata,
    Column("attempt_id", String(40), primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    Column("customer_id", Id, nullable=False, index=True),
    Column("contact_point_id", Id),
    Column("address_hash", String(32)),  # keyed hash of the number or address used
    Column("channel", String(10), nullable=False),
    Column("party", String(20), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("agent_id", Id),
    Column("agency_id", Id),
    Column("automated", Boolean, nullable=False),
    Column("purpose", String(12), nullable=False),
    Column("outcome", String(20)),  # NULL while reserved, then the portfolio-v1 outcome
    Column("outcome_party", String(20)),
    Column("completed_at", UtcDateTime()),
)

compliance_decisions = Table(
    "compliance_decisions",
    metadata,
    Column("decision_id", Integer, primary_key=True, autoincrement=True),
    Column("decided_for", UtcDateTime(), nullable=False),  # the instant judged
    Column("mode", String(10), nullable=False),  # preview | reserve | check
    Column("request_digest", String(64), nullable=False),
    Column("request_id", String(200)),
    Column("account_id", Id, index=True),
    Column("customer_id", Id, index=True),
    Column("channel", String(10)),
    Column("agent_id", Id),
    Column("pack_versions", Text, nullable=False),  # JSON
    Column("decision", String(10), nullable=False),
    Column("rules", Text, nullable=False),  # JSON list
    Column("reasons", Text, nullable=False),  # JSON list
    Column("warnings", Text, nullable=False),  # JSON list
    Column("attempt_id", String(40)),
    Column("caller", String(120)),  # HTTP checks: user:<username> or service:<token name>
)

debtor_locks = Table(
    "debtor_locks",
    metadata,
    Column("customer_id", Id, primary_key=True),
    Column("reservations", Integer, nullable=False),
)
