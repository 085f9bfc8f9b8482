"""The plan uses the day's capacity while a contact is worth it, says per hour what it left and
why, and looks for lost debtors once through each permitted third party, saying nothing of the
debt (issue 18, items 1 and 2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from arrears.compliance.screening import screen
from arrears.planning.affordability import with_capacity
from arrears.planning.candidates import candidates, spare_calls
from arrears.planning.contact_model import fit
from arrears.planning.eligibility import eligibility
from arrears.planning.frames import Capacity, prepare
from arrears.planning.gate_requests import default_gate, request_for
from arrears.planning.hour_summary import HOUR_COLUMNS
from arrears.planning.lawful_hours import start_hours
from arrears.planning.optimiser import PlanResult, make_plan
from arrears.planning.segmenter import history_segmenter
from arrears.planning.strategy import Split, assign, load_strategy
from arrears.services.outreach.plan_texts import planned_message_texts, split_templates

DAY = date(2026, 12, 7)
SPLIT = Split(load_strategy("default"))


def _texts() -> pl.DataFrame:
    return planned_message_texts(split_templates(SPLIT), "示例银行")


# --- 1. the day's capacity ---------------------------------------------------------------------


ROOMY = Capacity({("call", h): 45 for h in range(7, 23)}, {"sms": 900, "email": 900})


@pytest.fixture(scope="module")
def roomy(portfolio) -> PlanResult:
    return make_plan(portfolio, ROOMY, SPLIT, default_gate(), message_texts=_texts())


def _every_call_option_left(portfolio, result: PlanResult) -> pl.DataFrame:
    """Every call option at every hour for the accounts the plan could still have called (no call
    planned, room under their daily quota), worth what it is worth today (net less the fatigue
    of the contacts planned for the account), whatever its value: the oracle."""
    strategy = SPLIT.champion.model_copy(update={"min_value": -1e12})
    segments = history_segmenter(portfolio)
    model = fit(portfolio, segments)
    accounts = (portfolio.accounts.join(portfolio.customers, on="customer_id", how="left")
                .join(segments, on="account_id", how="inner"))
    accounts = with_capacity(portfolio, accounts.with_columns(
        assign(accounts["account_id"], SPLIT).alias("strategy_index")))  # what the offers by affordability need
    found = candidates(portfolio, eligibility(portfolio, accounts, strategy), strategy, model, capacity=ROOMY,
                       strategy_index=0)
    planned = result.attempts.group_by("account_id").agg(
        pl.len().cast(pl.Int64).alias("used"), (pl.col("channel") == "call").any().alias("called"))
    every = pl.concat([spare_calls(found.spare, list(range(24)), planned, off_cadence=late)[0]
                       for late in (False, True)])  # the numbers' other hours, the calls off cadence
    return every.join(planned.cast({"account_id": every.schema["account_id"]}), on="account_id", how="left").select(
        "op_hour", (pl.col("net") - pl.col("fatigue") * pl.col("used").fill_null(0)).alias("now"))


def test_an_hour_keeps_capacity_only_when_its_best_remaining_call_is_worth_less_than_nothing(roomy, portfolio):
    used = dict(roomy.attempts.filter(pl.col("channel") == "call").group_by("op_hour").len().iter_rows())
    left_open = [h for h in range(7, 23) if used.get(h, 0) < 45]
    assert left_open and len(left_open) < 16  # some hours fill and some do not, so the test can fail
    best_left = dict(_every_call_option_left(portfolio, roomy).group_by("op_hour").agg(pl.col("now").max())
                     .iter_rows())
    assert roomy.stats.gate_denied == 0  # nothing was left because the gate refused it
    for hour in left_open:
        assert best_left.get(hour, -1.0) < 0, (hour, used.get(hour, 0), best_left.get(hour))
    assert any(best_left.get(h, -1.0) >= 0 for h in range(7, 23) if h not in left_open)


def test_the_hour_summary_names_each_hour_left_with_capacity_and_its_best_remaining_value(roomy):
    hours = roomy.hours
    assert hours.columns == HOUR_COLUMNS
    calls = hours.filter((pl.col("channel") == "call") & (pl.col("hour") != "*"))
    assert calls["hour"].to_list() == [str(h) for h in range(7, 23)]
    planned = dict(roomy.attempts.filter(pl.col("channel") == "call").group_by("op_hour").len().iter_rows())
    assert calls["planned"].to_list() == [planned.get(h, 0) for h in range(7, 23)]
    not_full = calls.filter(pl.col("planned") < pl.col("capacity"))
    assert not_full.height and set(not_full["why"]) <= {"worth_less_than_nothing", "no_option"}
    assert (not_full.filter(pl.col("why") == "worth_less_than_nothing")["best_remaining"] < 0).all()
    assert calls.filter(pl.col("why") == "full")["best_remaining"].null_count() == calls.filter(
        pl.col("why") == "full").height
    assert calls.filter(pl.col("hour").is_in(["7", "22"]))["why"].to_list() == ["no_option", "no_option"]  # unlawful


def test_when_capacity_is_short_every_call_hour_is_full(portfolio):
    tight = Capacity({("call", h): 12 for h in range(8, 22)}, {"sms": 100, "email": 40})
    result = make_plan(portfolio, tight, SPLIT, default_gate(), message_texts=_texts())
    calls = result.hours.filter(pl.col("channel") == "call")
    assert calls["why"].to_list() == ["full"] * 14  # 8..21, the afternoon and 21 h included


def _off_cadence_calls(portfolio, result: PlanResult) -> pl.DataFrame:
    """The planned calls to the debtor whose treatment's cadence had not passed since the
    account's last call to the debtor's own numbers, with the customer's last day reached."""
    from arrears.planning.treatments import treatments

    own = portfolio.contact_points.filter(pl.col("owner") == "debtor").select("contact_point_id")
    contacts = portfolio.contacts.join(own, on="contact_point_id", how="semi")
    last = (contacts.filter((pl.col("channel") == "call") & (pl.col("direction") == "outbound"))
            .group_by(pl.col("account_id").cast(pl.Utf8)).agg(pl.col("at").max().dt.date().alias("last_day")))
    reached = (contacts.filter(pl.col("outcome").is_in(["conversation", "refused", "dispute"]))
               .group_by(pl.col("customer_id").cast(pl.Utf8)).agg(pl.col("at").max().dt.date().alias("reached")))
    cadence = treatments(SPLIT.champion).select(pl.col("treat").cast(pl.Int32), "cadence")
    calls = result.attempts.filter((pl.col("channel") == "call") & (pl.col("treat") >= 0)).select(
        pl.col("account_id").cast(pl.Utf8), pl.col("customer_id").cast(pl.Utf8), pl.col("treat").cast(pl.Int32))
    return (calls.join(cadence, on="treat").join(last, on="account_id")
            .filter((pl.lit(portfolio.as_of) - pl.col("last_day")).dt.total_days() < pl.col("cadence"))
            .join(reached, on="customer_id", how="left"))


def test_capacity_left_goes_to_calls_off_cadence_but_not_the_day_after_a_call_nor_to_the_recently_reached():
    from arrears.planning.simulator import SimConfig, _start_state

    cfg = SimConfig(customers=600, days=1, warmup_days=7, seed=5)  # a week of history
    portfolio = _start_state(cfg).portfolio(cfg.start)
    wide = Capacity({("call", h): 40 for h in range(8, 22)}, {"sms": 60, "email": 15})  # more than the due calls
    result = make_plan(portfolio, wide, SPLIT, default_gate())
    early = _off_cadence_calls(portfolio, result)
    assert early.height > 0
    rest_days, gap = SPLIT.champion.rest_days, SPLIT.champion.fill_gap_days
    assert (rest_days, gap) == (3, 2)
    assert early.select((pl.lit(portfolio.as_of) - pl.col("last_day")).dt.total_days().min()).item() >= gap
    assert early.filter(pl.col("reached").is_not_null()
                        & ((pl.lit(portfolio.as_of) - pl.col("reached")).dt.total_days() <= rest_days)).height == 0
    no_fill = SPLIT.champion.model_copy(update={"models": SPLIT.champion.models.model_copy(update={"fill": False})})
    without = make_plan(portfolio, wide, Split(no_fill), default_gate())
    assert _off_cadence_calls(portfolio, without).height == 0
    assert without.attempts.filter(pl.col("channel") == "call").height < result.attempts.filter(
        pl.col("channel") == "call").height


def test_the_packs_give_each_jurisdiction_its_lawful_start_hours():
    assert start_hours("CN") == (8, 21)  # CN-TIME-01: until 22:00
    assert start_hours("US") == (8, 20)  # US-TIME-01: until 21:00 local
    assert start_hours("US;US-NYC") == (8, 20)
    assert start_hours("CN;US") == (8, 20)


def test_cn_customers_are_called_at_21_and_us_customers_never_after_20_local(portfolio):
    us = set(portfolio.customers["customer_id"].to_list()[::3])
    customers = portfolio.customers.with_columns(
        pl.when(pl.col("customer_id").is_in(us)).then(pl.lit("US")).otherwise(pl.col("jurisdiction"))
        .alias("jurisdiction"))
    result = make_plan(replace(portfolio, customers=customers), ROOMY, SPLIT, default_gate(), message_texts=_texts())
    calls = result.attempts.filter(pl.col("channel") == "call")
    assert calls.filter(pl.col("jurisdiction") == "US")["hour"].max() <= 20
    assert calls.filter((pl.col("jurisdiction") == "CN") & (pl.col("hour") == 21)).height > 0


# --- 2. the lost, through third parties ----------------------------------------------------------


def _portfolio(*, history: list[tuple] = (), points: list[tuple] = (), jurisdiction: str = "CN",
               zone: str = "Asia/Shanghai"):
    """Two customers: C1, whose only mobile is listed invalid, with an emergency contact, a
    spouse and an employer; C2, reachable. ``history``: (contact point, direction, outcome,
    instant) of C1; ``points``: more points of C1 (id, kind, owner, status, source)."""
    rows = [("P1", "C1", "mobile", "+8613800000001", "debtor", "invalid", "application"),
            ("P2", "C1", "mobile", "+8613800000002", "emergency_contact", "unknown", "application"),
            ("P3", "C1", "mobile", "+8613800000003", "spouse", "unknown", "application"),
            ("P4", "C1", "work", "+8610800000004", "employer", "unknown", "application"),
            ("P9", "C2", "mobile", "+8613800000009", "debtor", "valid", "application")]
    rows += [(pid, "C1", kind, f"+86137{i:08d}", owner, status, source)
             for i, (pid, kind, owner, status, source) in enumerate(points)]
    contacts = [(f"K{i}", "A1", "C1", point, "call", direction, at, None, outcome)
                for i, (point, direction, outcome, at) in enumerate(history)]
    raw = {
        "customers": pl.DataFrame({"customer_id": ["C1", "C2"], "language": ["zh", "zh"],
                                   "timezone": [zone, "Asia/Shanghai"], "jurisdiction": [jurisdiction, "CN"]}),
        "contact_points": pl.DataFrame(rows, orient="row", schema=["contact_point_id", "customer_id", "kind", "value",
                                                                   "owner", "status", "source"]),
        "accounts": pl.DataFrame({"account_id": ["A1", "A2"], "customer_id": ["C1", "C2"],
                                  "balance": ["20000.00", "9000.00"], "past_due_amount": ["6000.00", "900.00"],
                                  "oldest_unpaid_due_date": ["2026-09-20", "2026-11-20"], "status": ["open", "open"]}),
        "contacts": pl.DataFrame(contacts, orient="row", schema=["contact_id", "account_id", "customer_id",
                                                                 "contact_point_id", "channel", "direction", "at",
                                                                 "party", "outcome"]) if contacts else None,
    }
    return prepare(raw, DAY)


CAPACITY = Capacity({("call", h): 10 for h in range(8, 22)}, {"sms": 10})


def _plan(portfolio) -> PlanResult:
    return make_plan(portfolio, CAPACITY, SPLIT, default_gate(), message_texts=_texts())


def _location(result: PlanResult) -> pl.DataFrame:
    return result.attempts.filter(pl.col("purpose") == "location")


def test_a_lost_debtor_gets_one_location_call_to_a_permitted_third_party_with_offer_none():
    result = _plan(_portfolio())
    location = _location(result)
    assert location.height == 1
    row = location.row(0, named=True)
    assert row["account_id"] == "A1" and row["channel"] == "call" and row["offer"] == "none"
    assert row["template"] == "location_inquiry" and row["contact_point_id"] in {"P2", "P3"}  # never the employer
    assert row["party"] in {"emergency_contact", "spouse"}
    assert result.attempts.filter(pl.col("account_id") == "A2")["purpose"].to_list() != []  # C2: collected from
    assert result.attempts.filter(pl.col("account_id") == "A2")["purpose"].unique().to_list() == ["collection"]


def test_a_reachable_debtor_gets_no_location_call():
    reachable = _portfolio(points=[("P5", "mobile", "debtor", "valid", "application")])
    assert _location(_plan(reachable)).is_empty()


def test_a_third_party_called_before_is_not_called_again_and_the_other_one_is():
    first = _location(_plan(_portfolio()))["contact_point_id"].item()
    other = ({"P2", "P3"} - {first}).pop()
    called = _portfolio(history=[(first, "outbound", "answered_other", "2026-12-02T10:05:00+08:00")])
    assert _location(_plan(called))["contact_point_id"].to_list() == [other]
    both = _portfolio(history=[("P2", "outbound", "answered_other", "2026-11-20T10:05:00+08:00"),
                               ("P3", "outbound", "no_answer", "2026-12-03T19:05:00+08:00")])
    assert _location(_plan(both)).is_empty()  # one call to each party, ever


def test_a_third_party_who_asked_to_be_called_again_may_be():
    asked = _portfolio(history=[("P2", "outbound", "answered_other", "2026-12-02T10:05:00+08:00"),
                                ("P3", "outbound", "answered_other", "2026-12-02T11:05:00+08:00"),
                                ("P2", "inbound", "conversation", "2026-12-04T15:00:00+08:00")])
    assert _location(_plan(asked))["contact_point_id"].to_list() == ["P2"]


def test_the_location_call_discloses_nothing_and_the_gate_judges_it_as_a_third_party_contact():
    for jurisdiction, zone in (("CN", "Asia/Shanghai"), ("US", "America/New_York")):
        portfolio = _portfolio(jurisdiction=jurisdiction, zone=zone)
        row = _location(_plan(portfolio)).row(0, named=True)
        script = row["message"]
        assert script and not screen(script).mentions_debt
        assert "6,000" not in script and "6000" not in script and "逾期" not in script and "debt" not in script
        attempt = {**row, "at": row["scheduled_at"], "packs": jurisdiction.split(";")}
        request = request_for(attempt, [], {})
        assert request["action"]["to"]["party"] == row["party"] != "debtor"
        assert request["action"]["purpose"] == "location"
        assert default_gate()(request)["decision"] == "allow"
        collecting = {**request, "action": {**request["action"], "purpose": "collection"}}
        assert default_gate()(collecting)["decision"] == "deny"  # the gate sees whom it is for


def test_a_number_the_debtor_gives_back_is_used_from_the_next_plan_and_the_search_stops():
    found = _portfolio(history=[("P2", "outbound", "answered_other", "2026-12-06T10:05:00+08:00")],
                       points=[("P7", "mobile", "debtor", "unknown", "customer_update")])
    result = _plan(found)
    assert _location(result).is_empty()
    assert result.attempts.filter((pl.col("account_id") == "A1") & (pl.col("channel") == "call"))[
        "contact_point_id"].to_list() == ["P7"]


def test_a_debtor_who_has_not_answered_for_days_is_looked_for_when_that_is_worth_more_than_calling_again():
    # twice a day for six days, the last yesterday: calling the silent number again is worth less today
    unanswered = [("P5", "outbound", "no_answer", f"2026-12-0{d}T{10 + 6 * k}:05:00+08:00")
                  for d in range(1, 7) for k in range(2)]
    silent = _portfolio(history=unanswered, points=[("P5", "mobile", "debtor", "valid", "application")])
    # the value decides, not the weekly limit, and this small debt's location call (17 yuan) is worth its
    # disturbance at version 5's price (2 yuan a call), not at version 6's (40)
    v5_prices = SPLIT.champion.model_copy(update={
        "contacts_per_week": None, "disturbance": {"call": 2.0, "sms": 0.5, "email": 0.2, "letter": 1.0}})

    def _plan(portfolio) -> PlanResult:
        return make_plan(portfolio, CAPACITY, Split(v5_prices), default_gate(), message_texts=_texts())

    result = _plan(silent)
    assert _location(result).height == 1
    # the location call takes the account's call of the day (the value decides which): never both, since a
    # call that reached the debtor first would make the location call unlawful (CN-3P-02)
    assert result.attempts.filter((pl.col("channel") == "call") & (pl.col("purpose") != "location")
                                  & (pl.col("account_id") == "A1")).is_empty()
    four = _portfolio(history=unanswered[4:], points=[("P5", "mobile", "debtor", "valid", "application")])
    assert _location(_plan(four)).is_empty()  # four days: not lost yet
