"""Is the right-party model calibrated? Train on calls before a day, judge the calls after.

``holdout_calibration`` fits the contact model on the history strictly before ``split`` and
predicts every outbound call on or after it: a reliability table (predicted vs observed RPC
rate in ten equal-count bins), the Brier score, and the Brier score of the population's
hourly rate alone (the baseline the per-customer model must beat).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from arrears.planning import contact_model
from arrears.planning.frames import Portfolio


@dataclass(frozen=True)
class Calibration:
    split: date
    calls: int
    brier: float
    brier_population: float
    reliability: pl.DataFrame  # bin, calls, predicted, observed

    def as_text(self) -> str:
        lines = [f"held-back calls from {self.split}: {self.calls}; Brier {self.brier:.4f} "
                 f"(population hour pattern alone {self.brier_population:.4f})",
                 "bin | calls | predicted | observed"]
        for row in self.reliability.iter_rows(named=True):
            lines.append(f"{row['bin']} | {row['calls']} | {row['predicted']:.3f} | {row['observed']:.3f}")
        return "\n".join(lines)


def holdout_calibration(portfolio: Portfolio, segments: pl.DataFrame, split: date, bins: int = 10) -> Calibration:
    before = pl.col("at").dt.date() < split
    train = replace(portfolio, contacts=portfolio.contacts.filter(before),
                    payments=portfolio.payments.filter(pl.col("paid_at").dt.date() < split))
    model = contact_model.fit(train, segments)
    test = contact_model.outbound_calls(replace(portfolio, contacts=portfolio.contacts.filter(~before)), segments)
    scored = contact_model.rpc_probability(model, test).join(model.population, on="hour", how="left")
    scored = scored.sort("p_rpc", "customer_id", "at").with_row_index("i").with_columns(
        (pl.col("i") * bins // pl.len()).alias("bin"))
    table = scored.group_by("bin").agg(pl.len().alias("calls"), pl.col("p_rpc").mean().alias("predicted"),
                                       pl.col("rpc").mean().alias("observed")).sort("bin")
    brier = _mean((scored["p_rpc"] - scored["rpc"]) ** 2)
    base = _mean((scored["p_pop"] - scored["rpc"]) ** 2)
    return Calibration(split, scored.height, brier, base, table)


def _mean(column: pl.Series) -> float:
    mean = column.mean()
    return float(mean) if isinstance(mean, int | float) else 0.0
