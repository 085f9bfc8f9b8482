"""The outbox of planned messages and what came back from the SMS gateway.

``outbox_messages`` holds one row per sms, email or letter row of a plan, keyed by its stable
message id: its state (``OutboxState``), the lease of the dispatcher that claimed it, its
tries and next try, the gate's attempt, the provider's id and the receipt. It holds ids
only: the number or address stays in contact_points (encrypted), the text is rendered anew
at each try. ``inbound_messages`` keeps each reply (text encrypted, number by its keyed
hash) and what it did: an opt-out or a follow-up.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, LargeBinary, String, Text

from arrears.adapters.storage.planning_tables import planned_contact
from arrears.adapters.storage.tables import Id, instant, table

outbox_messages = table(
    "outbox_messages",
    Column("message_id", String(40), primary_key=True),
    *planned_contact(),
    Column("state", String(10), nullable=False),
    Column("tries", Integer, nullable=False),
    instant("next_try_at"),
    instant("lease_until"),  # a claimed (sending) row belongs to its dispatcher until then
    Column("attempt_id", String(40)),  # the gate's reservation for the current try
    Column("provider_id", String(120), index=True),
    Column("rules", Text),  # denied: the gate's rule ids, space-separated
    Column("reason", Text),  # failed: why (no personal data)
    Column("delivery", String(20)),  # the gateway's receipt: delivered | failed | undeliverable
    instant("enqueued_at", nullable=False),
    instant("updated_at", nullable=False),
    Index("ix_outbox_messages_due", "state", "scheduled_at"),
)

inbound_messages = table(
    "inbound_messages",
    Column("inbound_id", String(40), primary_key=True),
    instant("at", nullable=False),
    Column("from_hash", String(32), nullable=False, index=True),
    Column("customer_id", Id, nullable=False),
    Column("account_id", Id),
    Column("contact_point_id", Id),
    Column("text_enc", LargeBinary, nullable=False),
    Column("effect", String(12), nullable=False),  # opt_out | reply
    Column("follow_up_id", Id),
    instant("received_at", nullable=False),
)
