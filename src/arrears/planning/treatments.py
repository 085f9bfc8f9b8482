"""A strategy's treatments as rows: one per segment, escalation step, channel and offer chosen
by affordability (``afford_key``), with template, offer, effect, what the offer asks now,
cadence and quota; and what each treatment id means on a planned attempt (pure)."""

from __future__ import annotations

import polars as pl

from arrears.planning.strategy import Offer, Strategy

SERVICE = -1  # the treatment id of a service message on an installment plan
LOCATION = -2  # the treatment id of a location call to a third party
LOCATION_LABEL = ("失联修复: 请第三人转告回电 / locating a lost debtor: a third party is asked to pass on a "
                  "call-back request")
SCHEMA = {"segment": pl.Utf8, "channel": pl.Utf8, "channel_order": pl.Int32, "dpd_from": pl.Int32,
          "dpd_to": pl.Int32, "afford_key": pl.Utf8, "template": pl.Utf8, "offer": pl.Utf8,
          "offer_effect": pl.Float64, "ask": pl.Float64, "cadence": pl.Int32, "quota": pl.Int32, "label": pl.Utf8}


def _offers(strategy: Strategy, template: str, offer: Offer, effect: float
            ) -> list[tuple[str, str, str, float, float | None]]:
    """(afford_key, template, offer, effect, ask) of one treatment step for each offer the
    affordability rule may choose; one row keyed ``none`` when offers follow the segment."""
    if not strategy.models.offers:
        return [("none", template, "none", 1.0, None)]
    terms = strategy.affordability
    if terms is None:
        return [("none", template, str(offer), effect if offer != Offer.NONE else 1.0, None)]
    if offer == Offer.SETTLEMENT:  # a write-down stays the segment's decision
        return [(str(key), template, str(offer), effect, None) for key in terms.asks]
    return [(str(key), template if key == Offer.NONE and offer == Offer.NONE else terms.templates[key], str(key),
             terms.effect[key], ask) for key, ask in terms.asks.items()]


def treatments(strategy: Strategy) -> pl.DataFrame:
    """One row per (segment, channel, escalation step, afford_key) with its treatment id."""
    rows = []
    for segment, t in strategy.segments.items():
        steps = [(0, t.template, t.offer)] + [(s.after_dpd, s.template, s.offer or t.offer) for s in t.escalation]
        bounds = sorted(steps, key=lambda s: s[0])
        for i, (lo, template, offer) in enumerate(bounds):
            hi = bounds[i + 1][0] - 1 if i + 1 < len(bounds) else 100_000
            for order, channel in enumerate(t.channels):
                for key, use_template, use_offer, effect, ask in _offers(strategy, template, offer, t.offer_effect):
                    rows.append((str(segment), str(channel), order, lo, hi, key, use_template, use_offer, effect, ask,
                                 t.cadence_days.get(channel, 1), t.max_contacts_per_day, t.label))
    return pl.DataFrame(rows, orient="row", schema=SCHEMA).with_row_index("treat").with_columns(
        pl.col("treat").cast(pl.Int32))


def treatment_table(strategy: Strategy, strategy_index: int) -> pl.DataFrame:
    """What each treatment id of a strategy means: template, offer, what it asks now (a share of
    the past-due amount, when chosen by affordability), label, purpose, message (joined onto the
    planned attempts only, so the candidate frames stay narrow)."""
    collect = treatments(strategy).select(
        "treat", "template", "offer", "ask", "label", pl.lit("collection").alias("purpose"),
        pl.lit(None, dtype=pl.Utf8).alias("message"))
    schema = {"treat": pl.Int32, "template": pl.Utf8, "offer": pl.Utf8, "ask": pl.Float64, "label": pl.Utf8,
              "purpose": pl.Utf8, "message": pl.Utf8}
    service = pl.DataFrame({"treat": [SERVICE], "template": [strategy.holds.service_template], "offer": ["none"],
                            "ask": [None], "label": ["分期计划提醒 / installment plan reminder"],
                            "purpose": ["service"], "message": [strategy.holds.service_text]}, schema=schema)
    parts = [collect, service]
    if strategy.location is not None:
        parts.append(pl.DataFrame({"treat": [LOCATION], "template": [strategy.location.template], "offer": ["none"],
                                   "ask": [None], "label": [LOCATION_LABEL], "purpose": ["location"],
                                   "message": [None]}, schema=schema))
    return pl.concat(parts).with_columns(pl.lit(strategy_index).alias("strategy_index"))
