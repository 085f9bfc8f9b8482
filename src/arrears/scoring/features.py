"""Account features as of a date, from the portfolio v1 tables (polars frames).

Pure: frames and ``as_of`` in, one row per account out; no IO, no clock. Only rows dated on
or before ``as_of`` (local date in ``FeatureConfig.timezone``) are used, so a payment or a
contact after the date never changes a feature. Money stays ``Decimal``
(``pl.Decimal(38, 2)``); ratios are floats. Each column is described in ``FEATURES``
(zh, en) and in docs/scoring.md.

``accounts`` is the account state on ``as_of``. It may hold several snapshots with a
``snapshot_date`` column: then each account's latest snapshot on or before ``as_of`` is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from arrears.domain.aging import DEFAULT_LADDER, AgingLadder
from arrears.domain.vocabulary import DEFAULT_ZONE

if TYPE_CHECKING:
    from polars._typing import PolarsDataType

MONEY = pl.Decimal(38, 2)
TRUE_TEXT = ["true", "1", "yes"]
VOICE = ["call", "voicemail", "visit"]
ANSWERED = ["conversation", "answered_other", "dropped", "refused", "dispute"]
DEAD_NUMBER = ["not_in_service", "wrong_number"]

FEATURES: dict[str, tuple[str, str]] = {
    # delinquency
    "dpd": ("当前逾期天数", "days past due now"),
    "bucket": ("当前账龄", "current bucket (M0 = current)"),
    "worst_dpd": ("历史最长逾期天数", "worst days past due in the history"),
    "months_delinquent_6m": ("近6个月逾期月数", "months with DPD > 0 in the last 6"),
    "months_delinquent_12m": ("近12个月逾期月数", "months with DPD > 0 in the last 12"),
    "bucket_rolls_12m": ("近12个月账龄迁徙(恶化)次数", "times the bucket worsened, 12 months"),
    # payments
    "payments_30d": ("近30天还款笔数", "payments in the last 30 days"),
    "payments_90d": ("近90天还款笔数", "payments in the last 90 days"),
    "paid_amount_30d": ("近30天还款金额", "amount paid in the last 30 days"),
    "paid_amount_90d": ("近90天还款金额", "amount paid in the last 90 days"),
    "payment_to_min_ratio": ("近30天还款/最低还款额", "paid in 30 days / minimum payment"),
    "days_since_last_payment": ("距上次还款天数", "days since the last payment"),
    "partial_payment_share": ("部分还款占比", "share of payments below the minimum (180 days)"),
    # promises
    "promises_made": ("承诺还款次数", "promises to pay made"),
    "promises_kept": ("履约承诺次数", "promises kept"),
    "promises_broken": ("违约承诺次数", "promises broken"),
    "promises_pending": ("未到期承诺次数", "promises not yet due"),
    "promise_kept_ratio": ("承诺履约率", "kept / (kept + broken)"),
    # contacts
    "contact_attempts": ("外呼/外发次数", "outbound contact attempts"),
    "right_party_rate": ("有效联系率", "share of attempts that reached the debtor"),
    "right_party_rate_call": ("电话有效通话率", "calls that reached the debtor"),
    "right_party_rate_visit": ("外访有效接触率", "visits that reached the debtor"),
    "calls_answered_share": ("电话接通率", "share of calls answered"),
    "invalid_numbers": ("无效号码数", "invalid / not-in-service numbers"),
    "days_since_last_conversation": ("距上次有效通话天数", "days since the last conversation"),
    "inbound_contacts": ("客户主动联系次数", "contacts started by the customer"),
    "refusals": ("拒绝还款次数", "contacts where the customer refused"),
    "complaints": ("投诉次数", "complaints"),
    # capacity
    "balance": ("欠款总额", "total balance"),
    "past_due_amount": ("逾期金额", "amount past due"),
    "min_payment": ("最低还款额", "minimum payment"),
    "monthly_income": ("申报月收入", "declared monthly income"),
    "utilisation": ("额度使用率", "balance / credit limit"),
    "income_to_balance": ("月收入/欠款", "monthly income / balance"),
    "income_to_min_payment": ("月收入/最低还款额", "monthly income / minimum payment"),
    "hardship": ("困难帮扶标记", "hardship flag"),
    "installment_plan": ("个性化分期中", "installment plan active"),
    "dispute": ("争议中", "dispute open"),
}


@dataclass(frozen=True)
class FeatureConfig:
    timezone: str = DEFAULT_ZONE
    promise_grace_days: int = 2
    promise_kept_share: Decimal = Decimal("0.90")
    partial_window_days: int = 180
    ladder: AgingLadder = DEFAULT_LADDER


# ----------------------------------------------------------------- parsing helpers

def _is_text(frame: pl.DataFrame, column: str) -> bool:
    return frame.schema[column] == pl.Utf8


def _money(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    present = [c for c in columns if c in frame.columns]
    return frame.with_columns(
        [(pl.col(c).str.strip_chars().replace("", None) if _is_text(frame, c) else pl.col(c))
         .cast(MONEY) for c in present]
    )


def _dates(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    present = [c for c in columns if c in frame.columns]
    return frame.with_columns(
        [(pl.col(c).replace("", None).str.to_date("%Y-%m-%d") if _is_text(frame, c)
          else pl.col(c).cast(pl.Date)) for c in present]
    )


def _local_date(frame: pl.DataFrame, column: str, tz: str, name: str) -> pl.DataFrame:
    col = pl.col(column)
    dtype = frame.schema[column]
    if _is_text(frame, column):
        col = col.str.to_datetime(time_zone="UTC")
    elif isinstance(dtype, pl.Datetime) and dtype.time_zone is None:  # naive instants are taken as UTC
        col = col.dt.replace_time_zone("UTC")
    return frame.with_columns(col.dt.convert_time_zone(tz).dt.date().alias(name))


def _bool(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(False)
    if _is_text(frame, column):
        return pl.col(column).str.strip_chars().str.to_lowercase().is_in(TRUE_TEXT).fill_null(False)
    return pl.col(column).cast(pl.Boolean).fill_null(False)


def _days_between(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_days()


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    den_f = den.cast(pl.Float64)
    return pl.when(den_f > 0).then(num.cast(pl.Float64) / den_f).otherwise(None)


def _optional(frame: pl.DataFrame | None, columns: dict[str, PolarsDataType]) -> pl.DataFrame:
    if frame is None:
        return pl.DataFrame(schema=columns)
    missing = {c: t for c, t in columns.items() if c not in frame.columns}
    return frame.with_columns([pl.lit(None, dtype=t).alias(c) for c, t in missing.items()])


# ----------------------------------------------------------------- account state

def account_state(accounts: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One row per account: the snapshot valid on ``as_of``."""
    frame = _dates(accounts, ["snapshot_date", "oldest_unpaid_due_date", "due_date"])
    if "snapshot_date" in frame.columns:
        frame = (frame.filter(pl.col("snapshot_date") <= as_of)
                 .sort("snapshot_date").group_by("account_id").last())
    return _money(frame, ["balance", "past_due_amount", "min_payment", "credit_limit"])


def _bucket_rank(dpd: pl.Expr, ladder: AgingLadder) -> pl.Expr:
    return pl.sum_horizontal([(dpd >= b.low).cast(pl.Int32) for b in ladder.buckets])


def delinquency(state: pl.DataFrame, aging: pl.DataFrame | None, as_of: date,
                config: FeatureConfig) -> pl.DataFrame:
    due = pl.col("oldest_unpaid_due_date") if "oldest_unpaid_due_date" in state.columns \
        else pl.lit(None, dtype=pl.Date)
    out = state.select(
        "account_id",
        _days_between(pl.lit(as_of), due).clip(lower_bound=0).fill_null(0).alias("dpd"),
    )
    rank_names = dict(enumerate(config.ladder.names))
    out = out.with_columns(_bucket_rank(pl.col("dpd"), config.ladder)
                           .replace_strict(rank_names, return_dtype=pl.Utf8).alias("bucket"))
    history = _aging_history(aging, as_of, config)
    if history is None:
        return out.with_columns(
            pl.col("dpd").alias("worst_dpd"),
            *[pl.lit(None, dtype=pl.Int64).alias(c) for c in
              ("months_delinquent_6m", "months_delinquent_12m", "bucket_rolls_12m")],
        )
    out = out.join(history, on="account_id", how="left")
    return out.with_columns(
        pl.max_horizontal("dpd", pl.col("history_worst_dpd").fill_null(0)).alias("worst_dpd"),
        *[pl.col(c).fill_null(0) for c in
          ("months_delinquent_6m", "months_delinquent_12m", "bucket_rolls_12m")],
    ).drop("history_worst_dpd")


def _aging_history(aging: pl.DataFrame | None, as_of: date,
                   config: FeatureConfig) -> pl.DataFrame | None:
    if aging is None:
        return None
    rows = _dates(aging, ["as_of"]).with_columns(pl.col("dpd").cast(pl.Int64))
    rows = rows.filter(pl.col("as_of") <= as_of).sort("account_id", "as_of")
    month = pl.col("as_of").dt.year() * 12 + pl.col("as_of").dt.month()
    late = pl.col("dpd") > 0
    rank = _bucket_rank(pl.col("dpd"), config.ladder)
    rows = rows.with_columns(
        (rank > rank.shift(1).over("account_id")).fill_null(False).alias("rolled"))
    in_6m = pl.col("as_of") > as_of - timedelta(days=183)
    in_12m = pl.col("as_of") > as_of - timedelta(days=365)
    return rows.group_by("account_id").agg(
        pl.col("dpd").max().alias("history_worst_dpd"),
        month.filter(late & in_6m).n_unique().cast(pl.Int64).alias("months_delinquent_6m"),
        month.filter(late & in_12m).n_unique().cast(pl.Int64).alias("months_delinquent_12m"),
        pl.col("rolled").filter(in_12m).sum().cast(pl.Int64).alias("bucket_rolls_12m"),
    )


# ----------------------------------------------------------------- payments

def usable_payments(payments: pl.DataFrame | None, as_of: date, tz: str) -> pl.DataFrame:
    """Payments not reversed, dated (locally) on or before ``as_of``."""
    frame = _optional(payments, {"payment_id": pl.Utf8, "account_id": pl.Utf8,
                                 "paid_at": pl.Utf8, "amount": pl.Utf8})
    frame = _local_date(_money(frame, ["amount"]), "paid_at", tz, "paid_on")
    return frame.filter(~_bool(frame, "reversed") & (pl.col("paid_on") <= as_of))


def payment_behaviour(state: pl.DataFrame, paid: pl.DataFrame, as_of: date,
                      config: FeatureConfig) -> pl.DataFrame:
    age = _days_between(pl.lit(as_of), pl.col("paid_on"))
    stats = paid.group_by("account_id").agg(
        (age < 30).sum().cast(pl.Int64).alias("payments_30d"),
        (age < 90).sum().cast(pl.Int64).alias("payments_90d"),
        pl.col("amount").filter(age < 30).sum().alias("paid_amount_30d"),
        pl.col("amount").filter(age < 90).sum().alias("paid_amount_90d"),
        age.min().alias("days_since_last_payment"),
    )
    minimum = state.select("account_id", _min_payment(state))
    recent = paid.filter(age < config.partial_window_days).join(minimum, on="account_id")
    partial = recent.group_by("account_id").agg(
        (pl.col("amount").cast(pl.Float64) < pl.col("min_payment").cast(pl.Float64))
        .mean().alias("partial_payment_share"))
    out = state.select("account_id").join(stats, on="account_id", how="left")
    out = out.join(partial, on="account_id", how="left").join(minimum, on="account_id")
    return out.with_columns(
        pl.col("payments_30d", "payments_90d").fill_null(0),
        pl.col("paid_amount_30d", "paid_amount_90d").fill_null(Decimal("0")).cast(MONEY),
    ).with_columns(
        _ratio(pl.col("paid_amount_30d"), pl.col("min_payment")).alias("payment_to_min_ratio")
    ).drop("min_payment")


def _min_payment(state: pl.DataFrame) -> pl.Expr:
    if "min_payment" in state.columns:
        return pl.col("min_payment")
    return pl.lit(None, dtype=MONEY).alias("min_payment")


# ----------------------------------------------------------------- contacts and promises

def usable_contacts(contacts: pl.DataFrame | None, as_of: date, tz: str) -> pl.DataFrame:
    frame = _optional(contacts, {
        "contact_id": pl.Utf8, "account_id": pl.Utf8, "channel": pl.Utf8, "at": pl.Utf8,
        "outcome": pl.Utf8, "direction": pl.Utf8, "contact_point_id": pl.Utf8,
        "promise_amount": pl.Utf8, "promise_date": pl.Utf8, "complaint": pl.Utf8})
    frame = _local_date(_dates(_money(frame, ["promise_amount"]), ["promise_date"]),
                        "at", tz, "contact_on")
    return frame.filter(pl.col("contact_on") <= as_of)


def promise_behaviour(contacted: pl.DataFrame, paid: pl.DataFrame, as_of: date,
                      config: FeatureConfig) -> pl.DataFrame:
    """A promise is kept when payments from the contact day to promise_date + grace sum to
    at least ``promise_kept_share`` of the amount; broken when that window has closed
    (on or before ``as_of``) without it; pending otherwise."""
    promises = contacted.filter(pl.col("promise_date").is_not_null()).select(
        "contact_id", "account_id", "contact_on",
        (pl.col("promise_date") + timedelta(days=config.promise_grace_days)).alias("until"),
        (pl.col("promise_amount").fill_null(Decimal("0.01")) * config.promise_kept_share)
        .alias("needed"))
    window = promises.join(paid.select("account_id", "paid_on", "amount"), on="account_id",
                           how="left")
    in_window = pl.col("paid_on").is_between(pl.col("contact_on"), pl.col("until"))
    totals = window.group_by("contact_id", "account_id", "until", "needed").agg(
        pl.col("amount").filter(in_window).sum().alias("paid_in_window"))
    kept = pl.col("paid_in_window").fill_null(0) >= pl.col("needed")
    closed = pl.col("until") <= as_of
    out = totals.group_by("account_id").agg(
        pl.len().cast(pl.Int64).alias("promises_made"),
        kept.sum().cast(pl.Int64).alias("promises_kept"),
        (~kept & closed).sum().cast(pl.Int64).alias("promises_broken"),
        (~kept & ~closed).sum().cast(pl.Int64).alias("promises_pending"),
    )
    resolved = pl.col("promises_kept") + pl.col("promises_broken")
    return out.with_columns(
        pl.when(resolved > 0).then(pl.col("promises_kept") / resolved).otherwise(None)
        .alias("promise_kept_ratio"))


def contact_responsiveness(contacted: pl.DataFrame, contact_points: pl.DataFrame | None,
                           state: pl.DataFrame, as_of: date) -> pl.DataFrame:
    inbound = pl.col("direction").fill_null("outbound") == "inbound"
    spoke = pl.col("outcome") == "conversation"
    channel = pl.col("channel")

    def rate(hit: pl.Expr, among: pl.Expr) -> pl.Expr:
        return pl.when(among.sum() > 0).then((hit & among).sum() / among.sum())

    stats = contacted.group_by("account_id").agg(
        (~inbound).sum().cast(pl.Int64).alias("contact_attempts"),
        rate(spoke, ~inbound).alias("right_party_rate"),
        rate(spoke, ~inbound & (channel == "call")).alias("right_party_rate_call"),
        rate(spoke, ~inbound & (channel == "visit")).alias("right_party_rate_visit"),
        rate(pl.col("outcome").is_in(ANSWERED), ~inbound & (channel == "call"))
        .alias("calls_answered_share"),
        _days_between(pl.lit(as_of), pl.col("contact_on").filter(spoke).max())
        .alias("days_since_last_conversation"),
        inbound.sum().cast(pl.Int64).alias("inbound_contacts"),
        (pl.col("outcome") == "refused").sum().cast(pl.Int64).alias("refusals"),
        _bool(contacted, "complaint").sum().cast(pl.Int64).alias("complaints"),
    )
    dead = contacted.filter(pl.col("outcome").is_in(DEAD_NUMBER)).select(
        "account_id", pl.coalesce("contact_point_id", "contact_id").alias("point"))
    if contact_points is not None and "status" in contact_points.columns:
        marked = contact_points.filter(pl.col("status") == "invalid").join(
            state.select("account_id", "customer_id"), on="customer_id"
        ).select("account_id", pl.col("contact_point_id").alias("point"))
        dead = pl.concat([dead, marked])
    invalid = dead.group_by("account_id").agg(
        pl.col("point").n_unique().cast(pl.Int64).alias("invalid_numbers"))
    out = state.select("account_id").join(stats, on="account_id", how="left")
    out = out.join(invalid, on="account_id", how="left")
    return out.with_columns(pl.col("contact_attempts", "inbound_contacts", "refusals",
                                   "complaints", "invalid_numbers").fill_null(0))


# ----------------------------------------------------------------- capacity

def capacity(state: pl.DataFrame, customers: pl.DataFrame | None) -> pl.DataFrame:
    income = _money(_optional(customers, {"customer_id": pl.Utf8, "monthly_income": pl.Utf8})
                    .select("customer_id", "monthly_income"), ["monthly_income"])
    frame = state.join(income, on="customer_id", how="left")
    flags = (pl.col("flags").fill_null("") if "flags" in frame.columns else pl.lit(""))
    flag_list = flags.str.split(";").list.eval(pl.element().str.strip_chars())
    return frame.select(
        "account_id",
        "balance",
        "past_due_amount",
        _min_payment(frame),
        "monthly_income",
        _ratio(pl.col("balance"), pl.col("credit_limit") if "credit_limit" in frame.columns
               else pl.lit(None)).alias("utilisation"),
        _ratio(pl.col("monthly_income"), pl.col("balance")).alias("income_to_balance"),
        _ratio(pl.col("monthly_income"), _min_payment(frame)).alias("income_to_min_payment"),
        flag_list.list.contains("hardship").alias("hardship"),
        flag_list.list.contains("installment_plan").alias("installment_plan"),
        flag_list.list.contains("dispute").alias("dispute"),
    )


# ----------------------------------------------------------------- all together

def compute_features(
    accounts: pl.DataFrame,
    *,
    as_of: date,
    payments: pl.DataFrame | None = None,
    contacts: pl.DataFrame | None = None,
    customers: pl.DataFrame | None = None,
    contact_points: pl.DataFrame | None = None,
    aging: pl.DataFrame | None = None,
    config: FeatureConfig | None = None,
) -> pl.DataFrame:
    """One row per account (``account_id``, ``customer_id`` + the FEATURES columns)."""
    config = config or FeatureConfig()
    state = account_state(accounts, as_of)
    paid = usable_payments(payments, as_of, config.timezone)
    contacted = usable_contacts(contacts, as_of, config.timezone)
    out = state.select("account_id", "customer_id")
    for part in (
        delinquency(state, aging, as_of, config),
        payment_behaviour(state, paid, as_of, config),
        promise_behaviour(contacted, paid, as_of, config),
        contact_responsiveness(contacted, contact_points, state, as_of),
        capacity(state, customers),
    ):
        out = out.join(part, on="account_id", how="left")
    out = out.with_columns(pl.col("promises_made", "promises_kept", "promises_broken",
                                  "promises_pending").fill_null(0))
    return out.select("account_id", "customer_id", *FEATURES).sort("account_id")
