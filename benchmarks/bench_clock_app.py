"""The API app on a clock set to a chosen local hour, for benchmarks run at any time of day.

The compliance gate refuses calls in the debtor's quiet hours (in China 22:00-08:00), so a load
test of the reserve path run in the Beijing night measures nothing but refusals. Production has
no settable clock; this factory, used only by benchmarks (``uvicorn bench_clock_app:create_app
--factory`` with this folder on ``PYTHONPATH``), builds the same app and hands its workbench a
clock that starts at ``BENCH_LOCAL_START`` (``HH:MM`` in ``ARREARS_TIMEZONE``, by default
Asia/Shanghai) today and runs at the real rate.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from arrears.adapters.clock import Clock, system_clock
from arrears.entrypoints.api.app import create_app as real_create_app
from arrears.entrypoints.api.workbench.state import configure_workbench, workbench_of


def shifted_clock(local_start: str, zone: str) -> Clock:
    """A clock that reads `local_start` (HH:MM in `zone`) on today's date now and runs on from there."""
    hour, minute = (int(part) for part in local_start.split(":"))
    today = datetime.now(ZoneInfo(zone)).date()
    start = datetime.combine(today, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)
    offset: timedelta = start - system_clock()
    return lambda: system_clock() + offset


def create_app() -> FastAPI:
    app = real_create_app()
    start = os.environ.get("BENCH_LOCAL_START")
    if start:
        workbench = workbench_of(app)
        configure_workbench(app, replace(workbench, clock=shifted_clock(start, workbench.timezone)))
    return app
