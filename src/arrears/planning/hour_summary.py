"""The plan's summary per channel and hour (``plan_hours.csv``): capacity, attempts planned, and
for an hour left with room the value of its best remaining option and why it was left."""

from __future__ import annotations

import polars as pl

from arrears.planning.candidates import BELOW
from arrears.planning.fill_state import FillState
from arrears.planning.frames import Capacity

HOUR_COLUMNS = ["channel", "hour", "capacity", "planned", "best_remaining", "why"]


def hour_summary(state: FillState, live: pl.DataFrame, below: list[pl.DataFrame], capacity: Capacity,
                 channels: list[str]) -> pl.DataFrame:
    """Per channel and operation hour with capacity (and per channel's whole day, hour ``*``):
    the capacity, the attempts planned, and when it is not full the value (net, yuan) of the
    best option left for it, and why it was left: ``full``, ``day_full`` (the channel's day
    limit is used), ``worth_less_than_nothing`` (the best remaining option's net is below 0),
    ``below_min_value`` (below the strategy's ``min_value``, or a second contact that its
    fatigue makes worth less than nothing), ``no_option`` (no account may be contacted then on
    that channel: all planned, resting, held, or outside their lawful or the strategy's hours),
    ``unfilled`` (an option worth planning was left: the pass limit or the gate)."""
    remaining = _remaining(state, live, below)
    best_at = {(c, h): v for c, h, v in remaining.group_by("channel", "op_hour").agg(pl.col("now").max()).iter_rows()}
    short_at = {(c, h): v for c, h, v in remaining.group_by("channel", "op_hour").agg(pl.col("short").all())
                .iter_rows()}
    best_day = {c: v for c, v in remaining.group_by("channel").agg(pl.col("now").max()).iter_rows()}
    short_day = {c: v for c, v in remaining.group_by("channel").agg(pl.col("short").all()).iter_rows()}
    rows: list[tuple] = []
    for channel in channels:
        day = capacity.daily.get(channel)
        day_full = day is not None and state.day_used.get(channel, 0) >= day
        for hour in range(24):
            cap = capacity.per_hour(channel, hour)
            if cap is None or cap <= 0:
                continue
            used = state.hour_used.get((channel, hour), 0)
            best = best_at.get((channel, hour))
            why = _why(used >= cap, day_full, best, short_at.get((channel, hour), True))
            rows.append((channel, str(hour), cap, used, None if why in ("full", "day_full") else best, why))
        if day is not None:
            used = state.day_used.get(channel, 0)
            best = best_day.get(channel)
            why = _why(used >= day, False, best, short_day.get(channel, True))
            rows.append((channel, "*", day, used, None if why == "full" else best, why))
    return pl.DataFrame(rows, orient="row", schema={"channel": pl.Utf8, "hour": pl.Utf8, "capacity": pl.Int64,
                                                    "planned": pl.Int64, "best_remaining": pl.Float64,
                                                    "why": pl.Utf8}).with_columns(pl.col("best_remaining").round(2))


def _why(full: bool, day_full: bool, best: float | None, short: bool) -> str:
    if full:
        return "full"
    if day_full:
        return "day_full"
    if best is None:
        return "no_option"
    if best < 0:
        return "worth_less_than_nothing"
    return "below_min_value" if short else "unfilled"


def _remaining(state: FillState, live: pl.DataFrame, below: list[pl.DataFrame]) -> pl.DataFrame:
    """channel, op_hour, now (the option's net today: less the fatigue of the account's planned
    contacts), short (not worth planning): the options an account with room left could still
    have had, from the options still open and those worth less than ``min_value``."""
    planned = state.planned()
    left = live.select("account_id", "channel", "op_hour", "net", "fatigue").join(
        planned.select("account_id", "used"), on="account_id", how="left").with_columns(
        (pl.col("net") - pl.col("fatigue") * pl.col("used").fill_null(0)).alias("now"))
    left = left.select("channel", "op_hour", "now", (pl.col("now") < 0).alias("short"))
    taken = (pl.concat([c.select("account_id", "channel") for c in state.chosen]) if state.chosen
             else pl.DataFrame(schema={"account_id": pl.Utf8, "channel": pl.Utf8}))
    parts = [left]
    for frame in below:
        if frame.height:
            rest = frame.select(BELOW).join(taken.cast({"account_id": frame.schema["account_id"]}),
                                            on=["account_id", "channel"], how="anti")
            parts.append(rest.select("channel", "op_hour", pl.col("net").alias("now"), pl.lit(True).alias("short")))
    return pl.concat([p.cast({"op_hour": pl.Int8, "now": pl.Float64}) for p in parts], how="vertical_relaxed")
