"""Offers by affordability: what a debtor can pay this month, and the offer that asks no more."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest

from arrears.domain.arrangements.affordability import affordable_ceiling, budget_of_income
from arrears.domain.money import Money
from arrears.planning.affordability import choose, with_capacity
from arrears.planning.frames import prepare
from arrears.planning.gate_requests import default_gate
from arrears.planning.optimiser import make_plan
from arrears.planning.strategy import Split, StrategyError, load_strategy, parse_strategy

AS_OF = date(2026, 11, 29)


def _portfolio(*, income: str | None = None, payments: list[tuple[str, str]] = (),
               promises: list[tuple[str, str, str]] = ()):
    """One customer with one account 40 days past due on 10,000.00; ``payments``: (paid_at, amount);
    ``promises``: (made at, promise date, amount)."""
    raw = {
        "customers": pl.DataFrame({"customer_id": ["C1"], "monthly_income": [income]},
                                  schema={"customer_id": pl.Utf8, "monthly_income": pl.Utf8}),
        "accounts": pl.DataFrame({"account_id": ["A1"], "customer_id": ["C1"], "balance": ["30000.00"],
                                  "past_due_amount": ["10000.00"], "oldest_unpaid_due_date": ["2026-10-20"]}),
        "payments": pl.DataFrame({"payment_id": [f"P{i}" for i in range(len(payments))],
                                  "account_id": ["A1"] * len(payments), "paid_at": [p[0] for p in payments],
                                  "amount": [p[1] for p in payments]},
                                 schema={"payment_id": pl.Utf8, "account_id": pl.Utf8, "paid_at": pl.Utf8,
                                         "amount": pl.Utf8}),
        "contacts": pl.DataFrame({"contact_id": [f"K{i}" for i in range(len(promises))],
                                  "account_id": ["A1"] * len(promises), "customer_id": ["C1"] * len(promises),
                                  "channel": ["call"] * len(promises), "at": [p[0] for p in promises],
                                  "outcome": ["conversation"] * len(promises),
                                  "promise_date": [p[1] for p in promises], "promise_amount": [p[2] for p in promises]},
                                 schema={c: pl.Utf8 for c in ("contact_id", "account_id", "customer_id", "channel",
                                                              "at", "outcome", "promise_date", "promise_amount")}),
    }
    return prepare(raw, AS_OF)


def _capacity(portfolio, ability: float = 0.3) -> dict:
    accounts = portfolio.accounts.join(portfolio.customers, on="customer_id").with_columns(
        pl.lit(ability).alias("ability"))
    return with_capacity(portfolio, accounts).row(0, named=True)


def test_a_declared_income_gives_the_arrangement_domains_ceiling():
    found = _capacity(_portfolio(income="8000.00"))
    expected = affordable_ceiling(budget_of_income(Money(Decimal("8000.00"))))
    assert (found["capacity_cents"], found["capacity_source"]) == (int(expected.amount * 100), "income")
    assert expected == Money(Decimal("2000.00"))  # half of (8,000 less expenses taken as half of it)


def test_without_income_the_ability_score_gives_a_share_of_the_past_due_amount():
    found = _capacity(_portfolio(), ability=0.3)
    assert (found["capacity_cents"], found["capacity_source"]) == (300_000, "scores")


def test_what_the_account_paid_recently_counts_when_it_is_more_than_the_score_says():
    found = _capacity(_portfolio(payments=[("2026-11-10T10:00:00+08:00", "2500.00"),
                                           ("2026-11-20T10:00:00+08:00", "1500.00"),
                                           ("2026-06-01T10:00:00+08:00", "9000.00")]), ability=0.3)
    assert (found["capacity_cents"], found["capacity_source"]) == (400_000, "payments")  # the 30 days' sum


def test_a_broken_promise_caps_what_the_debtor_can_pay_below_the_amount_promised():
    broken = _portfolio(promises=[("2026-11-10T10:00:00+08:00", "2026-11-15", "5000.00")],
                        payments=[("2026-11-14T10:00:00+08:00", "1000.00")])
    found = _capacity(broken, ability=0.9)
    assert (found["capacity_cents"], found["capacity_source"]) == (499_999, "broken_promise")
    kept = _portfolio(promises=[("2026-11-10T10:00:00+08:00", "2026-11-15", "5000.00")],
                      payments=[("2026-11-14T10:00:00+08:00", "5000.00")])
    assert _capacity(kept, ability=0.9)["capacity_source"] == "scores"  # a kept promise caps nothing


@pytest.fixture(scope="module")
def afford_strategy():
    return load_strategy("default")


@pytest.mark.parametrize(("capacity", "offer"), [
    (1_000_000, "none"), (999_999, "extension"), (500_000, "extension"), (499_999, "installment"),
    (250_000, "installment"), (100_000, "hardship"), (5_000, "hardship"), (None, "hardship")])
def test_the_offer_is_the_one_that_asks_the_most_within_what_the_debtor_can_pay(afford_strategy, capacity, offer):
    frame = pl.DataFrame({"past_due_cents": [1_000_000], "capacity_cents": [capacity]},
                         schema={"past_due_cents": pl.Int64, "capacity_cents": pl.Int64})
    assert frame.select(choose(afford_strategy)).item() == offer


def test_a_strategy_without_affordability_keys_every_account_to_its_segments_offer():
    v5 = load_strategy("default").model_copy(update={"affordability": None})
    frame = pl.DataFrame({"past_due_cents": [1_000_000], "capacity_cents": [1]})
    assert frame.select(choose(v5)).item() == "none"


def test_affordability_must_name_the_whole_amount_and_price_every_offer():
    data = load_strategy("default").model_dump(mode="json")
    data["affordability"]["asks"].pop("none")
    with pytest.raises(StrategyError, match="asks must name none"):
        parse_strategy(data, "x.yaml")
    data = load_strategy("default").model_dump(mode="json")
    data["affordability"]["templates"].pop("hardship")
    with pytest.raises(StrategyError, match="templates: no value for offers"):
        parse_strategy(data, "x.yaml")


@pytest.fixture(scope="module")
def plan(portfolio, capacity):
    return make_plan(portfolio, capacity, Split(load_strategy("default")), default_gate())


def test_every_planned_offer_asks_no_more_than_the_debtor_can_pay_unless_none_fits(plan, afford_strategy):
    asks = {str(o): a for o, a in afford_strategy.affordability.asks.items()}
    rows = plan.attempts.filter(pl.col("ask").is_not_null())
    assert rows.height > 50 and rows["offer"].n_unique() >= 3
    smallest = min(asks, key=asks.__getitem__)
    for row in rows.iter_rows(named=True):
        fits = [o for o, a in asks.items() if a * row["past_due_cents"] <= row["capacity_cents"]]
        assert row["offer"] == (max(fits, key=asks.__getitem__) if fits else smallest), row


def test_every_offer_chosen_by_affordability_says_why_in_the_plan_row(plan):
    chosen = plan.attempts.filter(pl.col("ask").is_not_null()).select("account_id", "channel", "offer")
    reasons = plan.plan.join(chosen, on=["account_id", "channel", "offer"], how="semi")["reason"]
    assert reasons.len() == chosen.height
    assert reasons.str.contains(r"can pay about ¥\d+ a month \((declared income|recent payments|ability score|"
                                r"a broken promise)\)(: the most that fits|, less than any offer: the smallest), "
                                r"(none|extension|installment|hardship) asks ¥\d+ now").all()
    assert reasons.str.contains("the most that fits").any() and reasons.str.contains("the smallest").any()


def test_a_settlement_stays_the_segments_decision(plan):
    settled = plan.attempts.filter((pl.col("segment") == "unable_unwilling") & (pl.col("purpose") == "collection"))
    assert settled.height > 0 and (settled["offer"] == "settlement").all()
    assert settled["ask"].is_null().all()


def _contacts_in_the_week(portfolio, strategy, capacity) -> pl.DataFrame:
    """Per planned account: attempts planned today and outbound attempts of the last 7 days on the
    debtor's own numbers and addresses."""
    attempts = make_plan(portfolio, capacity, Split(strategy), default_gate()).attempts
    others = portfolio.contact_points.filter(pl.col("owner") != "debtor").select("contact_point_id")
    recent = (portfolio.contacts.filter((pl.col("direction") == "outbound")
                                        & (pl.col("at").dt.date() >= AS_OF - timedelta(days=7)))
              .join(others, on="contact_point_id", how="anti")
              .group_by("account_id").len("recent").with_columns(pl.col("account_id").cast(pl.Utf8)))
    planned = (attempts.filter(pl.col("purpose") != "location").group_by("account_id").len("planned")
               .with_columns(pl.col("account_id").cast(pl.Utf8)))
    return planned.join(recent, on="account_id", how="left").with_columns(pl.col("recent").fill_null(0))


def test_no_debtor_is_planned_more_contacts_than_the_weekly_limit_leaves(portfolio, capacity, afford_strategy):
    limited = _contacts_in_the_week(portfolio, afford_strategy.model_copy(update={"contacts_per_week": 2}), capacity)
    assert (limited["planned"] + limited["recent"] <= 2).all()
    free = _contacts_in_the_week(portfolio, afford_strategy.model_copy(update={"contacts_per_week": None}), capacity)
    assert (free["planned"] + free["recent"] > 2).any()  # without the limit some debtor would get more
