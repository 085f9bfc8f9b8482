"""Offers by affordability: what each debtor can pay this month, and the offer that asks no more
than that (pure, vectorised with polars).

**What the debtor can pay in a month** (``capacity_cents``, with its ``capacity_source``):
- ``income``: a declared ``monthly_income`` (customers.csv) gives the arrangement domain's ceiling
  (``domain.arrangements.affordability.affordable_ceiling``: the policy's share of the income less
  the essential expenses, taken as the policy's share of the income when not declared), the same
  rule that judges an installment plan when it is agreed;
- otherwise it is inferred from the account: the larger of what the account has shown it can pay
  (``payments``: the payments of the last 30 days, or its largest payment of the last 90) and the
  share of the past-due amount its ability score says it can pay (``scores``: past due x ability,
  the scoring model's or the history fallback's ability in [0, 1]);
- ``broken_promise``: a promise of the last 60 days that was not kept (its date and the grace days
  passed, less paid since it was made than promised) caps the capacity just below the amount
  promised: the debtor could not pay that much, so the next offer asks less.

**The offer** (``choose``): among the strategy's ``affordability.asks`` (what each offer asks in
its first month, as a share of the past-due amount: the offer's terms), the one that asks the
most within the capacity; when even the smallest ask is more than the capacity, the smallest
(hardship help). The plan row says why (``reason_part``).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from arrears.domain.arrangements.affordability import AffordabilityPolicy
from arrears.planning.frames import Portfolio
from arrears.planning.strategy import Strategy

POLICY = AffordabilityPolicy()
PAID_DAYS, LARGEST_DAYS, PROMISE_DAYS = 30, 90, 60
PROMISE_GRACE_DAYS = 3
SOURCE_ZH = {"income": "申报收入", "payments": "近期还款", "scores": "还款能力评分", "broken_promise": "未兑现承诺"}
SOURCE_EN = {"income": "declared income", "payments": "recent payments", "scores": "ability score",
             "broken_promise": "a broken promise"}
OFFER_ZH = {"none": "全额还款", "extension": "延期", "installment": "分期", "hardship": "困难帮扶",
            "settlement": "减免结清"}


def income_ceiling(income_cents: pl.Expr, policy: AffordabilityPolicy = POLICY) -> pl.Expr:
    """``affordable_ceiling`` of a declared income with assumed expenses, in integer cents (the
    domain rule in polars: share x (income - expense share x income), rounded half up)."""
    expenses = (income_cents * float(policy.assumed_expense_share)).round(0)
    disposable = (income_cents - expenses).clip(lower_bound=0)
    return (disposable * float(policy.max_share_of_disposable)).round(0).cast(pl.Int64)


def _shown(portfolio: Portfolio) -> pl.DataFrame:
    """account_id, shown: the most the account has shown it can pay in a month."""
    since = portfolio.as_of - timedelta(days=LARGEST_DAYS)
    recent = portfolio.as_of - timedelta(days=PAID_DAYS)
    paid = portfolio.payments.filter(~pl.col("reversed") & (pl.col("paid_at").dt.date() >= since))
    return paid.group_by("account_id").agg(pl.max_horizontal(
        pl.col("amount_cents").filter(pl.col("paid_at").dt.date() >= recent).sum(),
        pl.col("amount_cents").max()).alias("shown"))


def _broken(portfolio: Portfolio) -> pl.DataFrame:
    """account_id, broken: the smallest promise of the last 60 days that was not kept."""
    as_of = portfolio.as_of
    promises = portfolio.contacts.filter(
        pl.col("promise_cents").is_not_null() & pl.col("promise_date").is_not_null()
        & (pl.col("at").dt.date() >= as_of - timedelta(days=PROMISE_DAYS))
        & (pl.col("promise_date") + pl.duration(days=PROMISE_GRACE_DAYS) < pl.lit(as_of))
    ).select("account_id", "at", "promise_date", "promise_cents")
    if promises.is_empty():
        return pl.DataFrame(schema={"account_id": promises.schema["account_id"], "broken": pl.Int64})
    paid = portfolio.payments.filter(~pl.col("reversed")).select("account_id", "paid_at", "amount_cents")
    within = (pl.col("paid_at") >= pl.col("at")) & (
        pl.col("paid_at").dt.date() <= pl.col("promise_date") + pl.duration(days=PROMISE_GRACE_DAYS))
    kept = (promises.with_row_index("p").join(paid, on="account_id", how="left")
            .group_by("p", "account_id", "promise_cents")
            .agg(pl.col("amount_cents").filter(within).sum().alias("paid")))
    return (kept.filter(pl.col("paid") < pl.col("promise_cents")).group_by("account_id")
            .agg(pl.col("promise_cents").min().alias("broken")))


def with_capacity(portfolio: Portfolio, accounts: pl.DataFrame) -> pl.DataFrame:
    """``accounts`` (account_id, past_due_cents, ability, and ``income_cents`` when the customers
    carry it) with ``capacity_cents`` and ``capacity_source``: see the module's docstring."""
    income = pl.col("income_cents") if "income_cents" in accounts.columns else pl.lit(None, dtype=pl.Int64)
    key = accounts.schema["account_id"]
    frame = (accounts.join(_shown(portfolio).cast({"account_id": key}), on="account_id", how="left")
             .join(_broken(portfolio).cast({"account_id": key}), on="account_id", how="left"))
    scored = (pl.col("past_due_cents") * pl.col("ability").fill_null(0.5).clip(0, 1)).round(0).cast(pl.Int64)
    shown = pl.col("shown").fill_null(0)
    declared = income.is_not_null() & (income > 0)
    capacity = pl.when(declared).then(income_ceiling(income)).otherwise(pl.max_horizontal(shown, scored))
    source = (pl.when(declared).then(pl.lit("income")).when(shown > scored).then(pl.lit("payments"))
              .otherwise(pl.lit("scores")))
    capped = pl.col("broken").is_not_null() & (pl.col("broken") - 1 < pl.col("capacity_cents"))
    return frame.with_columns(capacity.alias("capacity_cents"), source.alias("capacity_source")).with_columns(
        pl.when(capped).then(pl.col("broken") - 1).otherwise(pl.col("capacity_cents")).alias("capacity_cents"),
        pl.when(capped).then(pl.lit("broken_promise")).otherwise(pl.col("capacity_source")).alias("capacity_source"),
    ).drop("shown", "broken")


def choose(strategy: Strategy) -> pl.Expr:
    """The offer each account gets (``afford_key``): the strategy's offer that asks the most within
    ``capacity_cents`` (its ask x ``past_due_cents``), else the one that asks the least; ``none``
    for every account when the strategy has no ``affordability`` or makes no offers."""
    terms = strategy.affordability
    if terms is None or not strategy.models.offers:
        return pl.lit("none").alias("afford_key")
    asks = sorted(((str(o), a) for o, a in terms.asks.items()), key=lambda oa: -oa[1])
    capacity = pl.col("capacity_cents").fill_null(0)
    chosen: pl.Expr = pl.lit(asks[-1][0])
    for offer, ask in reversed(asks[:-1]):  # the largest ask that fits is tested first
        chosen = pl.when(capacity >= pl.col("past_due_cents") * ask).then(pl.lit(offer)).otherwise(chosen)
    return chosen.alias("afford_key")


def reason_part(taken: pl.DataFrame) -> tuple[pl.DataFrame, pl.Expr]:
    """Why the offer: what the debtor can pay a month, from what, against what the offer asks now
    (for the rows of treatments chosen by affordability: ``ask`` is not null). ``taken`` with the
    amounts as text (worked out once per row), and the expression of the words."""
    def yuan(cents: pl.Expr) -> pl.Expr:
        return (cents / 100).round(0).cast(pl.Int64).cast(pl.Utf8)

    taken = taken.with_columns(yuan(pl.col("capacity_cents")).alias("_can"),
                               yuan(pl.col("past_due_cents") * pl.col("ask")).alias("_asks"))
    source = pl.col("capacity_source")
    fits = pl.col("past_due_cents") * pl.col("ask") <= pl.col("capacity_cents").fill_null(0)
    words = pl.format(
        "; 可负担约¥{}/月({}), {}{}本月应还¥{} / can pay about ¥{} a month ({}){} {} asks ¥{} now",
        pl.col("_can"), source.replace_strict(SOURCE_ZH, default=""),
        pl.when(fits).then(pl.lit("可负担的最大方案: ")).otherwise(pl.lit("低于所有方案, 取最低: ")),
        pl.col("offer").replace_strict(OFFER_ZH, default=""), pl.col("_asks"),
        pl.col("_can"), source.replace_strict(SOURCE_EN, default=""),
        pl.when(fits).then(pl.lit(": the most that fits,")).otherwise(pl.lit(", less than any offer: the smallest,")),
        pl.col("offer"), pl.col("_asks"))
    return taken, words
