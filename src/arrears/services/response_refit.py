"""The nightly refit of the response models (``planning.response_model``): promise given a
right-party call, keep given a promise, a payment after a delivered message, per segment, from the
ledger the scoring stage read (contacts and payments up to the business date). The events are those
after the scoring run nearest before the window's start (``WINDOW_DAYS`` back, at most
``SEGMENT_SLACK_DAYS`` earlier), counted in the segments that run stored: the segments as they
stood before the outcomes (accounts it did not score count in the population's rates only).
Without such a run, the events of the window count in the population only. Each run also checks
the rates on the last ``HOLDOUT_DAYS`` (fitted before them, judged on them, in the same segments:
``response_calibration``) and stores both with the scoring run; ``arrears plan`` reads the latest
(``stored_response_rates``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta

import polars as pl

from arrears.planning.response_calibration import ResponseCalibration, holdout
from arrears.planning.response_model import WINDOW_DAYS, ResponseRates, fit

HOLDOUT_DAYS = 14
SEGMENT_SLACK_DAYS = 5  # how much earlier than the window's start a stored run's segments may stand in
FRESH_DAYS = 7  # the plan takes the stored rates of a run at most this many days before its date


@dataclass(frozen=True)
class ResponseRefit:
    rates: ResponseRates
    calibration: ResponseCalibration

    def as_json(self) -> str:
        return json.dumps({**self.rates.as_dict(), "calibration": self.calibration.as_dict()}, ensure_ascii=False)


def _cents(column: str, into: str) -> pl.Expr:
    return (pl.col(column).cast(pl.Float64) * 100).round(0).cast(pl.Int64).alias(into)


def ledger(frames: dict[str, pl.DataFrame], as_of: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The contacts and payments of the scoring frames (money as in the ledger, Decimal) up to the
    end of ``as_of`` (UTC dates), with amounts in integer cents as the models read them."""
    end = pl.lit(as_of)
    contacts = frames.get("contacts")
    payments = frames.get("payments")
    contacts = (pl.DataFrame(schema={"account_id": pl.Utf8, "channel": pl.Utf8, "direction": pl.Utf8,
                                     "at": pl.Datetime("us", "UTC"), "outcome": pl.Utf8, "promise_amount": pl.Float64,
                                     "promise_date": pl.Date})
                if contacts is None else contacts)
    payments = (pl.DataFrame(schema={"account_id": pl.Utf8, "paid_at": pl.Datetime("us", "UTC"), "amount": pl.Float64,
                                     "reversed": pl.Boolean})
                if payments is None else payments)
    contacts = contacts.filter(pl.col("at").dt.date() <= end).with_columns(_cents("promise_amount", "promise_cents"))
    payments = payments.filter(pl.col("paid_at").dt.date() <= end).with_columns(_cents("amount", "amount_cents"))
    return contacts, payments


def window_start(as_of: date) -> date:
    """The last day whose stored segments the refit of ``as_of`` takes (``WINDOW_DAYS`` back)."""
    return as_of - timedelta(days=WINDOW_DAYS)


def refit_response(frames: dict[str, pl.DataFrame], stored: tuple[date | None, pl.DataFrame],
                   as_of: date) -> ResponseRefit:
    """The rates as of the end of ``as_of`` (every promise due by then judged, every message whose
    days ended by then), from the events after the scoring run ``stored`` (its date and segments:
    ``ScoreStore.segments``; None: the window's, in the population only), and their check on the
    last ``HOLDOUT_DAYS``."""
    contacts, payments = ledger(frames, as_of)
    end = as_of + timedelta(days=1)
    run, segments = stored
    since = run + timedelta(days=1) if run is not None else window_start(as_of) + timedelta(days=1)
    rates = fit(contacts, payments, segments if run is not None else None, end, since=since, source="nightly")
    rates = replace(rates, fitted_on=as_of)
    split = max(end - timedelta(days=HOLDOUT_DAYS), since)
    return ResponseRefit(rates, holdout(contacts, payments, segments, since=since, split=split, as_of=end))


def stored_rates(stored: tuple[date, str] | None, plan_date: date) -> ResponseRates | None:
    """The rates a nightly run stored (its date and JSON), when the run is at most ``FRESH_DAYS``
    before ``plan_date``; else None (the plan fits them from its portfolio)."""
    if stored is None or not plan_date - timedelta(days=FRESH_DAYS) <= stored[0] <= plan_date:
        return None
    return ResponseRates.from_dict(json.loads(stored[1]), source="nightly")
