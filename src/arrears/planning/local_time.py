"""Local hours and instants per IANA zone, vectorised (zoneinfo via polars, DST-aware)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from arrears.compliance.context import CN_HOME_ZONE


def local_hour(instant: str, zone: str, zones: list[str]) -> pl.Expr:
    """The hour of day of UTC datetime column ``instant`` in each row's ``zone`` column."""
    expr = pl.lit(None, dtype=pl.Int8)
    for z in zones:
        expr = pl.when(pl.col(zone) == z).then(pl.col(instant).dt.convert_time_zone(z).dt.hour()).otherwise(expr)
    return expr


def slot_table(day: date, zones: list[str], hours: range, operation_zone: str) -> pl.DataFrame:
    """For each zone and local start hour on ``day``: the UTC start instant, the operation
    zone's hour (for capacity) and the Beijing hour. Hours that do not exist (DST gaps) or
    fall on another local date are left out."""
    rows = []
    op, beijing = ZoneInfo(operation_zone), ZoneInfo(CN_HOME_ZONE)
    for z in zones:
        tz = ZoneInfo(z)
        for h in hours:
            start = datetime(day.year, day.month, day.day, h, tzinfo=tz)
            back = start.astimezone(ZoneInfo("UTC")).astimezone(tz)
            if back.hour != h or back.date() != day:
                continue
            rows.append((z, h, start.astimezone(ZoneInfo("UTC")).replace(tzinfo=None),
                         start.astimezone(op).hour, start.astimezone(beijing).hour))
    return pl.DataFrame(
        rows, schema={"zone": pl.Utf8, "hour": pl.Int8, "start_utc": pl.Datetime("us"), "op_hour": pl.Int8,
                      "beijing_hour": pl.Int8}, orient="row",
    ).with_columns(pl.col("start_utc").dt.replace_time_zone("UTC"))


def local_iso(instant: str, zones: list[str]) -> pl.Expr:
    expr = pl.lit(None, dtype=pl.Utf8)
    for z in zones:
        expr = pl.when(pl.col("zone") == z).then(
            pl.col(instant).dt.convert_time_zone(z).dt.strftime("%Y-%m-%dT%H:%M:%S%:z")).otherwise(expr)
    return expr
