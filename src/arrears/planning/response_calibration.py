"""Are the response models calibrated? Fit on the history before a day, judge the events after.

``holdout`` fits the three models (``response_model``) on the events from ``since`` to ``split``
judged on the contacts and payments strictly before ``split`` (a promise counts there only if its
date and grace passed before ``split``, a message only if its days did), and predicts every event
on or after ``split`` that has matured by ``as_of``, both in the segments as they stood on
``since`` (nothing after that day decides them): each right-party call (promise or not), each
promise (kept or not), each delivered message (paid within the days or not). Per kind and
channel: the Brier score of the segment's rate and of the population's rate alone (the baseline
the segments must beat), and a reliability table: one row per segment (the model predicts one
rate per segment), with its events, the predicted and the observed rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from arrears.planning.response_model import events, rates_of, with_segments

KEYS = ["kind", "channel"]


@dataclass(frozen=True)
class ResponseCalibration:
    split: date
    as_of: date
    scores: pl.DataFrame  # kind, channel, events, brier, brier_population, used (enough training evidence)
    reliability: pl.DataFrame  # kind, channel, segment, events, predicted, observed

    def as_dict(self) -> dict[str, Any]:
        """What the nightly run stores with the rates: the scores of each kind and channel."""
        return {"split": self.split.isoformat(), "as_of": self.as_of.isoformat(), "scores": self.scores.to_dicts()}

    def as_text(self) -> str:
        lines = [f"held-back events from {self.split} to {self.as_of}",
                 "kind | channel | events | Brier | population"]
        for r in self.scores.iter_rows(named=True):
            lines.append(f"{r['kind']} | {r['channel']} | {r['events']} | {r['brier']:.4f} | "
                         f"{r['brier_population']:.4f}")
        lines.append("kind | channel | segment | events | predicted | observed")
        for r in self.reliability.iter_rows(named=True):
            lines.append(f"{r['kind']} | {r['channel']} | {r['segment']} | {r['events']} | {r['predicted']:.3f} | "
                         f"{r['observed']:.3f}")
        return "\n".join(lines)


def holdout(contacts: pl.DataFrame, payments: pl.DataFrame, segments: pl.DataFrame, *, since: date, split: date,
            as_of: date) -> ResponseCalibration:
    """Fit on ``since`` .. ``split``, judge the events from ``split`` that matured by ``as_of``."""
    before = pl.col("at").dt.date() < split
    learnt = events(contacts.filter(before), payments.filter(pl.col("paid_at").dt.date() < split), split)
    train = rates_of(with_segments(learnt.filter(pl.col("at").dt.date() >= since), segments))
    test = with_segments(events(contacts, payments, as_of), segments).filter(pl.col("at").dt.date() >= split)
    scored = test.join(train.select(*KEYS, "segment", pl.col("rate").alias("predicted"), "population", "used"),
                       on=[*KEYS, "segment"], how="left")
    scores = scored.group_by(KEYS).agg(
        pl.len().alias("events"), ((pl.col("predicted") - pl.col("hit")) ** 2).mean().alias("brier"),
        ((pl.col("population") - pl.col("hit")) ** 2).mean().alias("brier_population"),
        pl.col("used").all().alias("used")).sort(KEYS)
    table = scored.group_by(*KEYS, "segment").agg(
        pl.len().alias("events"), pl.col("predicted").first(), pl.col("hit").mean().alias("observed")
    ).sort([*KEYS, "predicted", "segment"])
    return ResponseCalibration(split, as_of, scores, table)
