"""The attempt ledger and the decision audit behind the contact gate.

``contact_attempts`` is the one ledger of the contacts made through arrears: one row a contact,
reserved before it happens, completed with its outcome afterwards; together with the ingested
``contacts`` it is the history the compliance counters read. A contact logged in the workbench
carries who logged it (``logged_by``), the party reached, what was taken in the conversation
(promise, dispute, complaint, callback) and the collector's notes, encrypted (``notes_enc``,
written only through ``FieldCipher``): no free text is stored in clear.
``compliance_decisions`` is append-only: database triggers refuse UPDATE and DELETE.
``debtor_locks`` serialises reservations (and recorded outcomes) per debtor.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    and_,
    case,
    false,
    literal,
    text,
)

from arrears.adapters.storage.tables import Id, cents, instant, serial, table

contact_attempts = table(
    "contact_attempts",
    Column("attempt_id", String(40), primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    Column("customer_id", Id, nullable=False, index=True),
    Column("contact_point_id", Id),
    Column("address_hash", String(32)),  # keyed hash of the number or address used
    Column("channel", String(10), nullable=False),
    Column("party", String(20), nullable=False),
    instant("at", nullable=False),
    Column("agent_id", Id),
    Column("agency_id", Id),
    Column("automated", Boolean, nullable=False),
    Column("purpose", String(12), nullable=False),
    Column("outcome", String(20)),  # NULL while reserved, then the portfolio-v1 outcome
    Column("outcome_party", String(20)),
    instant("completed_at"),
    # logged in the workbench: the contact's id (promises are ``workbench:<contact_id>``), who
    # logged it, and what was taken in it
    Column("contact_id", Id),
    Column("logged_by", Id),  # the workbench user; NULL for a contact made by the system
    Column("direction", String(10), nullable=False, server_default=text("'outbound'")),
    Column("notes_enc", LargeBinary),  # FieldCipher only
    cents("promise_amount_cents", nullable=True),
    Column("promise_date", Date),
    Column("dispute", Boolean, nullable=False, server_default=false()),
    Column("complaint", Boolean, nullable=False, server_default=false()),
    instant("callback_at"),
    Column("pack_versions", String(200)),
)
# not unique: a unique index of a month-partitioned table must hold the month (contact ids are random UUIDs)
Index("ix_contact_attempts_contact_id", contact_attempts.c.contact_id)
Index("ix_contact_attempts_logged_by_at", contact_attempts.c.logged_by, contact_attempts.c.at)

compliance_decisions = table(
    "compliance_decisions",
    serial("decision_id"),
    instant("decided_for", nullable=False),  # the instant judged
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
    Column("facts_enc", LargeBinary),  # FieldCipher: the request judged, history included (for replay)
    Column("prev_hash", String(64)),  # the hash chain (domain.audit_chain), set when sealed
    Column("row_hash", String(64)),
)

Index("ix_compliance_decisions_decided_for", compliance_decisions.c.decided_for)

debtor_locks = table(
    "debtor_locks",
    Column("customer_id", Id, primary_key=True),
    Column("reservations", Integer, nullable=False),
)

# The contacts logged in the workbench, and their state: reserved (the gate said yes, the call
# is under way) until the outcome is recorded, then logged.
_m = contact_attempts.c
IN_WORKBENCH = _m.logged_by.is_not(None)
LOGGED_IN_WORKBENCH = and_(_m.logged_by.is_not(None), _m.outcome.is_not(None))
LOGGED_STATE = case((_m.outcome.is_(None), literal("reserved")), else_=literal("logged")).label("state")
