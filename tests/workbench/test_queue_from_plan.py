"""Today's queue comes from the day's stored plan when there is one."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import Engine
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD, FakeGate, load_into

from arrears.adapters.clock import FixedClock
from arrears.services.plan_store import store_plan
from arrears.services.workbench import queue
from arrears.services.workbench.auth import authenticate
from arrears.services.workbench.context import Workbench


def _plan(small_demo: Path) -> pl.DataFrame:
    accounts = pl.read_csv(small_demo / "accounts.csv", infer_schema=False)
    points = pl.read_csv(small_demo / "contact_points.csv", infer_schema=False)
    plain = accounts.filter(pl.col("flags").is_null() & pl.col("agency_id").is_null()).head(3)
    mobiles = points.filter((pl.col("kind") == "mobile") & (pl.col("owner") == "debtor"))
    picked = plain.join(mobiles, on="customer_id").select("account_id", "customer_id", "contact_point_id")
    day = AS_OF_NOON.date().isoformat()
    return picked.with_columns(
        pl.lit("call").alias("channel"),
        pl.Series("scheduled_at", [f"{day}T19:05:00+08:00", f"{day}T10:05:00+08:00", f"{day}T12:05:00+08:00"]),
        pl.lit("").alias("template"),
        pl.Series("offer", ["installment", "none", "none"]),
        pl.Series("reason", ["愿还无力：分期方案", "提醒", "提醒"]),
        pl.lit("default").alias("strategy"),
        pl.lit(1).alias("strategy_version"),
    )


def test_the_queue_follows_the_stored_plan_in_its_order_with_its_reasons(sqlite_engine: Engine,
                                                                        small_demo: Path) -> None:
    load_into(sqlite_engine, small_demo)
    wb = Workbench(engine=sqlite_engine, cipher=CIPHER, gate=FakeGate(), clock=FixedClock(AS_OF_NOON))
    plan = _plan(small_demo)
    store_plan(sqlite_engine, wb.today(), plan)
    assert queue.ensure_queue(wb, wb.today()) == 3
    collector = authenticate(wb, "collector", PASSWORD)
    first = queue.next_account(wb, collector)
    assert first is not None and first["account_id"] == plan["account_id"][0]
    items = queue.my_queue(wb, collector)
    text = str(items)
    assert "愿还无力：分期方案" in text and "installment" in text
