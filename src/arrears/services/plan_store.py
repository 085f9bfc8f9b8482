"""Storing the day's plan: which strategy and version treated each account, replayable.

Storing a plan date again replaces that date's rows in one transaction (idempotent), and counts
up the date's version in ``plan_days`` (the work queue rebuilds its waiting part from a newer one).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import Connection, Engine, delete, func, select, update

from arrears.adapters.storage.bulk import insert_rows
from arrears.adapters.storage.planning_tables import plan_attempts, plan_days

COLUMNS = ["plan_date", "position", "account_id", "customer_id", "channel", "contact_point_id", "scheduled_at",
           "template", "offer", "reason", "strategy", "strategy_version"]


def store_plan(engine: Engine, plan_date: date, plan: pl.DataFrame, stored_at: datetime | None = None) -> int:
    rows = [
        (plan_date, i, r["account_id"], r["customer_id"], r["channel"], r["contact_point_id"],
         datetime.fromisoformat(r["scheduled_at"]).astimezone(UTC), r["template"], r["offer"], r["reason"],
         r["strategy"], int(r["strategy_version"]))
        for i, r in enumerate(plan.iter_rows(named=True))
    ]
    with engine.begin() as connection:
        connection.execute(delete(plan_attempts).where(plan_attempts.c.plan_date == plan_date))
        stored = insert_rows(connection, plan_attempts, COLUMNS, rows)
        _count_version(connection, plan_date, stored, stored_at or datetime.now(UTC))
        return stored


def _count_version(connection: Connection, plan_date: date, attempts: int, stored_at: datetime) -> None:
    d = plan_days.c
    version = connection.execute(select(d.version).where(d.plan_date == plan_date)).scalar()
    if version is None:
        connection.execute(plan_days.insert().values(plan_date=plan_date, version=1, attempts=attempts,
                                                     stored_at=stored_at))
    else:
        connection.execute(update(plan_days).where(d.plan_date == plan_date).values(
            version=version + 1, attempts=attempts, stored_at=stored_at))


def stored_strategies(engine: Engine, plan_date: date) -> dict[tuple[str, int], int]:
    """How many planned attempts each strategy version made on a date."""
    query = (select(plan_attempts.c.strategy, plan_attempts.c.strategy_version, func.count())
             .where(plan_attempts.c.plan_date == plan_date)
             .group_by(plan_attempts.c.strategy, plan_attempts.c.strategy_version))
    with engine.connect() as connection:
        return {(s, v): n for s, v, n in connection.execute(query)}
