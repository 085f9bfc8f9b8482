"""The nightly refit of the response models (``planning.response_model``): promise given a
right-party call, keep given a promise, a payment after a delivered message, per segment, from the
ledger the scoring stage read (contacts and payments up to the business date) and the segments it
just gave the delinquent accounts (accounts it did not score, those no longer delinquent among
them, count in the population's rates only). Each run also checks the rates on the last
``HOLDOUT_DAYS`` (fitted before them, judged on them: ``response_calibration``) and stores both
with the scoring run; ``arrears plan`` reads the latest (``stored_response_rates``).

The segments are today's, also for the held-back check: a segment that the outcomes of the
held-back days helped decide (a kept promise raises willingness) makes the check look better than
it is for the segments' part; the population's rate is free of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from arrears.planning.response_calibration import ResponseCalibration, holdout
from arrears.planning.response_model import ResponseRates, events, rates_of, with_segments

HOLDOUT_DAYS = 28
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


def refit_response(frames: dict[str, pl.DataFrame], segments: pl.DataFrame, as_of: date) -> ResponseRefit:
    """The rates as of the end of ``as_of`` (every promise due by then judged, every message whose
    days ended by then), and their check on the last ``HOLDOUT_DAYS``."""
    contacts, payments = ledger(frames, as_of)
    end = as_of + timedelta(days=1)
    rates = ResponseRates(as_of, "nightly", rates_of(with_segments(events(contacts, payments, end), segments)))
    return ResponseRefit(rates, holdout(contacts, payments, segments, end - timedelta(days=HOLDOUT_DAYS), end))


def stored_rates(stored: tuple[date, str] | None, plan_date: date) -> ResponseRates | None:
    """The rates a nightly run stored (its date and JSON), when the run is at most ``FRESH_DAYS``
    before ``plan_date``; else None (the plan fits them from its portfolio)."""
    if stored is None or not plan_date - timedelta(days=FRESH_DAYS) <= stored[0] <= plan_date:
        return None
    return ResponseRates.from_dict(json.loads(stored[1]), source="nightly")
