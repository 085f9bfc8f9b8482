"""A stored plan records the strategy and version of every planned attempt, idempotently."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from arrears.adapters.storage.planning_tables import plan_attempts
from arrears.planning.gate_requests import default_gate
from arrears.planning.optimiser import make_plan
from arrears.planning.strategy import Split, load_strategy
from arrears.services.plan_files import read_capacity, read_portfolio_for_planning
from arrears.services.plan_store import store_plan, stored_strategies

AS_OF = date(2026, 11, 29)


def test_storing_a_plan_twice_keeps_one_copy_with_its_strategies(engine, small_demo):
    portfolio = read_portfolio_for_planning(small_demo, AS_OF)
    split = Split(load_strategy("default"), ((load_strategy("validity_hours"), 0.3),))
    plan = make_plan(portfolio, read_capacity(None, small_demo), split, default_gate()).plan
    assert store_plan(engine, AS_OF, plan) == plan.height
    assert store_plan(engine, AS_OF, plan) == plan.height
    counts = stored_strategies(engine, AS_OF)
    assert sum(counts.values()) == plan.height
    assert set(counts) == {("default", load_strategy("default").version),
                           ("validity_hours", load_strategy("validity_hours").version)}
    with engine.connect() as connection:
        first = connection.execute(select(plan_attempts).where(plan_attempts.c.position == 0)).one()
    assert first.account_id == plan["account_id"][0]
    assert first.scheduled_at is not None
