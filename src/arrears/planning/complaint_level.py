"""How often this portfolio's debtors complain, read from the history (pure, polars).

A strategy prices a contact's disturbance (the complaint or fatigue it may cause) at complaint
rates it assumes (``complaints.rates``: complaints per outbound attempt on the channel to a debtor
with no other contact in the 7 days before; each earlier contact that week adds one more of it,
as the price grows with ``1 + contacts in 7 days``). The history says how many complaints those
rates would have predicted for the attempts actually made in the last ``complaints.days`` days,
and how many there were: their ratio, shrunk toward 1 by ``complaints.weight`` expected
complaints and at least ``complaints.floor``, is the **complaint level** that every disturbance
price of the strategy is multiplied by. Debtors who complain a tenth as often as assumed make a
contact a tenth as costly in disturbance; debtors who complain three times as often, three
times as costly. The plan's summary states the level.

Only attempts on the debtor's own numbers and addresses are judged (a location call to a third
party neither disturbs the debtor nor sets their cadence, ``candidates._last_touch``); a complaint
the debtor made in a contact of their own (an inbound call or message) counts as seen. A history
without any ``complaint`` value recorded (the column empty) says nothing: the level is 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from arrears.planning.frames import Portfolio
from arrears.planning.strategy import ComplaintLevel

WEEK = "7d"


@dataclass(frozen=True)
class Level:
    """The level and what it was read from: ``complaints`` seen, ``expected`` at the strategy's
    rates, over ``attempts`` outbound attempts."""

    level: float
    complaints: int
    expected: float
    attempts: int

    def summary(self) -> str:
        return (f"投诉水平/complaint level {self.level:.2f}: {self.complaints} complaints against "
                f"{self.expected:.1f} expected at the strategy's rates, {self.attempts} attempts")


def _own_contacts(portfolio: Portfolio, days: int) -> pl.DataFrame:
    """Contacts on the debtor's own points (or on none) in the ``days`` before the plan's day, plus
    the week before them (the touches of the first attempts): account, day, channel, direction,
    complaint."""
    others = portfolio.contact_points.filter(pl.col("owner") != "debtor").select("contact_point_id")
    since = portfolio.as_of - timedelta(days=days + 7)
    return (portfolio.contacts.select("account_id", "channel", "direction", "at", "contact_point_id", "complaint")
            .filter(pl.col("at").is_not_null())
            .with_columns(pl.col("at").dt.date().alias("day"))
            .filter(pl.col("day").is_between(since, portfolio.as_of, closed="left"))
            .join(others, on="contact_point_id", how="anti")
            .select("account_id", "day", "channel", "direction", "complaint"))


def _touches(attempts: pl.DataFrame) -> pl.DataFrame:
    """Each account's attempts in the 7 days before each day it was contacted (as ``recent`` counts
    them for the plan's day: the 7 days before, not the day itself)."""
    daily = attempts.group_by("account_id", "day").agg(pl.len().alias("n")).sort("account_id", "day")
    return (daily.rolling(index_column="day", period=WEEK, group_by="account_id", closed="left")
            .agg(pl.col("n").sum().alias("touches")))


def complaint_level(portfolio: Portfolio, rule: ComplaintLevel) -> Level:
    """The complaint level of ``portfolio``'s history under ``rule`` (see the module)."""
    contacts = _own_contacts(portfolio, rule.days)
    attempts = contacts.filter(pl.col("direction") == "outbound")
    if attempts.is_empty() or contacts["complaint"].null_count() == contacts.height:
        return Level(1.0, 0, 0.0, 0)
    rates = {str(k): v for k, v in rule.rates.items()}
    rate = pl.col("channel").replace_strict(rates, default=None, return_dtype=pl.Float64)
    in_window = pl.col("day") >= portfolio.as_of - timedelta(days=rule.days)
    judged = (attempts.filter(in_window & rate.is_not_null())
              .join(_touches(attempts), on=["account_id", "day"], how="left"))
    expected = float(judged.select((rate * (1 + pl.col("touches").fill_null(0))).sum()).item() or 0.0)
    if judged.is_empty() or expected + rule.weight <= 0:  # nothing judged in the window: nothing to read
        return Level(1.0, 0, 0.0, 0)
    made_inbound = contacts.filter(in_window & (pl.col("direction") != "outbound"))  # a debtor who called to complain
    seen = int(judged["complaint"].fill_null(False).sum()) + int(made_inbound["complaint"].fill_null(False).sum())
    level = max(rule.floor, (seen + rule.weight) / (expected + rule.weight))
    return Level(level, seen, expected, judged.height)
