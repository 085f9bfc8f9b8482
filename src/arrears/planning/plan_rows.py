"""The plan's rows as contact-plan-v1 writes them: the taken options with their template, offer,
strategy and the words of their reason (pure)."""

from __future__ import annotations

import polars as pl

from arrears.planning.affordability import reason_part
from arrears.planning.candidates import LOCATION
from arrears.planning.response_model import ResponseRates, response_reason
from arrears.planning.strategy import Split

PLAN_COLUMNS = ["account_id", "customer_id", "channel", "contact_point_id", "scheduled_at", "template", "offer",
                "reason"]
EXTRA_COLUMNS = ["strategy", "strategy_version"]
CHANNEL_ZH = {"call": "电话", "sms": "短信", "email": "邮件", "letter": "信函"}


def present(taken: pl.DataFrame, split: Split, response: ResponseRates | None = None,
            factors: dict[int, float | None] | None = None) -> pl.DataFrame:
    """The plan's rows (``PLAN_COLUMNS`` + ``EXTRA_COLUMNS``) from the taken options, each with its
    reason: the segment's treatment, days past due, channel, local hour, the right-party or
    response rate, the expected value, and why the offer (affordability) and with which response
    rates (``response``, for the strategies that use them, scaled by ``factors``)."""
    if taken.is_empty():
        return pl.DataFrame({c: pl.Series([], dtype=pl.Utf8) for c in PLAN_COLUMNS + EXTRA_COLUMNS})
    names = {i: s.name for i, s in enumerate(split.strategies)}
    versions = {i: str(s.version) for i, s in enumerate(split.strategies)}
    segment_labels = pl.DataFrame([(i, str(seg), t.label) for i, s in enumerate(split.strategies)
                                   for seg, t in s.segments.items()], orient="row",
                                  schema={"strategy_index": pl.Int32, "segment": pl.Utf8, "segment_label": pl.Utf8})
    taken = taken.join(segment_labels.cast({"strategy_index": taken.schema["strategy_index"]}),
                       on=["strategy_index", "segment"], how="left", maintain_order="left")
    location = pl.col("treat") == LOCATION
    label = pl.when(location).then(pl.concat_str(pl.col("segment_label"), pl.lit("; "), pl.col("label"))).otherwise(
        pl.col("label"))  # a location call says whose account it is for too
    reason = pl.format(
        "{} 逾期{}天 DPD {}; {} {} {}:00 当地/local, {} {}%; 预期/expected {}",
        label, pl.col("dpd"), pl.col("dpd"), pl.col("channel").replace_strict(CHANNEL_ZH, default=""),
        pl.col("channel"), pl.col("hour").cast(pl.Utf8).str.zfill(2),
        pl.when(location).then(pl.lit("第三人接听率/third party answers")).when(pl.col("channel") == "call")
        .then(pl.lit("接通率/RPC")).otherwise(pl.lit("回应率/response")),
        (pl.col("p_rpc") * 100).round(0).cast(pl.Int64), pl.col("value").round(0).cast(pl.Int64),
    )
    if "capacity_cents" in taken.columns:  # offers chosen by affordability say why
        taken, why = reason_part(taken)
        reason = pl.when(pl.col("ask").is_not_null()).then(pl.concat_str(reason, why)).otherwise(reason)
    factors = factors or {}
    if response is not None and factors:
        taken, why = response_reason(taken, response, factors)
        reason = pl.concat_str(reason, why)
    if "self_service" in taken.columns:
        reason = pl.when(pl.col("self_service").fill_null(False)).then(
            pl.concat_str(reason, pl.lit("; 回复短信多于接听电话，发送自助服务链接 / answers messages more than calls: "
                                         "the self-service link"))).otherwise(reason)
    return taken.with_columns(
        reason.alias("reason"),
        pl.col("strategy_index").replace_strict(names, return_dtype=pl.Utf8).alias("strategy"),
        pl.col("strategy_index").replace_strict(versions, return_dtype=pl.Utf8).alias("strategy_version"),
    ).select(PLAN_COLUMNS + EXTRA_COLUMNS)
