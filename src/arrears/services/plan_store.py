"""Storing the day's plan: which strategy and version treated each account, replayable.

Storing a plan date again replaces that date's rows in one transaction (idempotent).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import Engine, delete, func, select

from arrears.adapters.storage.bulk import insert_rows
from arrears.adapters.storage.planning_tables import plan_attempts

COLUMNS = ["plan_date", "position", "account_id", "customer_id", "channel", "contact_point_id", "scheduled_at",
           "template", "offer", "reason", "strategy", "strategy_version"]


def store_plan(engine: Engine, plan_date: date, plan: pl.DataFrame) -> int:
    rows = [
        (plan_date, i, r["account_id"], r["customer_id"], r["channel"], r["contact_point_id"],
         datetime.fromisoformat(r["scheduled_at"]).astimezone(UTC), r["template"], r["offer"], r["reason"],
         r["strategy"], int(r["strategy_version"]))
        for i, r in enumerate(plan.iter_rows(named=True))
    ]
    with engine.begin() as connection:
        connection.execute(delete(plan_attempts).where(plan_attempts.c.plan_date == plan_date))
        return insert_rows(connection, plan_attempts, COLUMNS, rows)


def stored_strategies(engine: Engine, plan_date: date) -> dict[tuple[str, int], int]:
    """How many planned attempts each strategy version made on a date."""
    query = (select(plan_attempts.c.strategy, plan_attempts.c.strategy_version, func.count())
             .where(plan_attempts.c.plan_date == plan_date)
             .group_by(plan_attempts.c.strategy, plan_attempts.c.strategy_version))
    with engine.connect() as connection:
        return {(s, v): n for s, v, n in connection.execute(query)}
