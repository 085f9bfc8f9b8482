"""What a dialer reported about each call it was handed (append-only): the number handed out
(``reserved``), then ringing, answered, no answer, busy or failed."""

from __future__ import annotations

from sqlalchemy import Column, Index, String

from arrears.adapters.storage.tables import instant, serial, table

dialer_events = table(
    "dialer_events",
    serial("event_id"),
    Column("attempt_id", String(64), nullable=False),
    Column("event", String(20), nullable=False),  # reserved | ringing | answered | no_answer | busy | failed
    instant("at", nullable=False),
    Column("account_id", String(64), nullable=False),
    Column("agent_id", String(64), nullable=False),
    Column("contact_point_id", String(64)),
    Column("caller", String(120), nullable=False),  # service:<token name>
)
Index("ix_dialer_events_attempt", dialer_events.c.attempt_id, dialer_events.c.event)
