"""The daily plans as stored: which strategy and version treated each account each day.

One row per planned attempt, in plan order (``position`` 0 = best). Ids only: the number or
address itself stays in contact_points (encrypted); ``reason`` holds no personal data
(segment, days past due, channel, hour, rates, expected value).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, PrimaryKeyConstraint, String, Text

from arrears.adapters.storage.tables import Id, instant, table


def planned_contact() -> tuple[Column, ...]:
    """What a plan row says to do: which account, whom, by which channel and contact point,
    when, with which template and offer (the plan and the outbox that carries it out)."""
    return (
        Column("account_id", Id, nullable=False),
        Column("customer_id", Id, nullable=False),
        Column("channel", String(10), nullable=False),
        Column("contact_point_id", Id, nullable=False),
        instant("scheduled_at", nullable=False),
        Column("template", String(64), nullable=False),
        Column("offer", String(20), nullable=False),
    )


plan_attempts = table(
    "plan_attempts",
    Column("plan_date", Date, nullable=False),
    Column("position", Integer, nullable=False),
    *planned_contact(),
    Column("reason", Text, nullable=False),
    Column("strategy", String(64), nullable=False),
    Column("strategy_version", Integer, nullable=False),
    PrimaryKeyConstraint("plan_date", "position", name="pk_plan_attempts"),
    Index("ix_plan_attempts_account", "account_id", "plan_date"),
)

# One row per stored plan date: how many times it was stored (its version) and when last, so
# that the work queue knows a plan stored after it built the day's queue.
plan_days = table(
    "plan_days",
    Column("plan_date", Date, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    instant("stored_at", nullable=False),
)
