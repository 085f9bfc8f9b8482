"""The right-party model is calibrated on held-back history and beats the hour pattern alone."""

from __future__ import annotations

from datetime import date

import polars as pl

from arrears.planning import contact_model
from arrears.planning.calibration import holdout_calibration
from arrears.planning.segmenter import SEGMENT_COLUMNS, history_segmenter


def test_the_fallback_segmenter_gives_every_account_a_segment_and_scores_in_0_1(portfolio):
    segments = history_segmenter(portfolio)
    assert segments.columns == SEGMENT_COLUMNS
    assert segments.height == portfolio.accounts.height
    for column in ("ability", "willingness", "propensity"):
        assert segments[column].is_between(0, 1).all()
    assert segments["segment"].n_unique() == 4


def test_held_back_calls_are_predicted_better_than_by_the_hour_pattern_alone(portfolio):
    result = holdout_calibration(portfolio, history_segmenter(portfolio), date(2026, 11, 9))
    assert result.calls > 1000
    assert result.brier < result.brier_population
    table = result.reliability
    assert (table["predicted"] - table["observed"]).abs().max() < 0.15  # ~150 calls a bin: 3.5 standard errors
    assert table["observed"][-1] > table["observed"][0] + 0.15  # the model separates


def test_a_customer_without_history_gets_the_segment_pattern(portfolio):
    segments = history_segmenter(portfolio)
    model = contact_model.fit(portfolio, segments)
    frame = pl.DataFrame({"customer_id": ["NEW"], "segment": ["able_willing"], "hour": [19]},
                         schema={"customer_id": pl.Utf8, "segment": pl.Utf8, "hour": pl.Int8})
    p = contact_model.rpc_probability(model, frame)["p_rpc"][0]
    expected = model.segment.filter((pl.col("segment") == "able_willing") & (pl.col("hour") == 19))["p_seg"][0]
    assert abs(p - expected) < 1e-9


def test_a_number_any_dial_found_dead_stays_dead_unless_the_debtor_answered_on_it_later(portfolio):
    model = contact_model.fit(portfolio, history_segmenter(portfolio))
    dead = set(model.dead_points["contact_point_id"].to_list())
    expected = set()
    for (point,), rows in portfolio.contacts.filter(pl.col("contact_point_id").is_not_null()).group_by(
            "contact_point_id"):
        died = rows.filter((pl.col("direction") == "outbound")
                           & pl.col("outcome").is_in(["not_in_service", "wrong_number", "bounced", "failed"]))
        if died.is_empty():
            continue
        reached = rows.filter(pl.col("outcome").is_in(["conversation", "refused", "dispute"]))
        if reached.is_empty() or reached["at"].max() <= died["at"].max():
            expected.add(point)
    assert dead == expected and dead


def test_a_dead_outcome_counts_even_when_a_later_dial_went_unanswered_but_a_conversation_revives_it():
    from datetime import UTC, datetime

    from arrears.planning.contact_model import _dead_points

    class History:
        contacts = pl.DataFrame({
            "contact_point_id": ["P1", "P1", "P2", "P2", "P3", "P3"], "direction": ["outbound"] * 6,
            "outcome": ["wrong_number", "conversation", "conversation", "not_in_service", "not_in_service",
                        "no_answer"],
            "at": [datetime(2026, 11, d, tzinfo=UTC) for d in (1, 2, 1, 2, 1, 2)]})

    assert sorted(_dead_points(History()).get_column("contact_point_id").to_list()) == ["P2", "P3"]


def test_a_customers_hour_counts_its_own_calls_fully_and_the_neighbouring_hours_by_half():
    from arrears.planning.contact_model import _customer_calls, with_own_history

    calls = pl.DataFrame({"customer_id": ["c1", "c1", "c1", "c1", "c2"], "hour": [10, 11, 0, 10, 1],
                          "rpc": [1.0, 0.0, 1.0, 0.0, 1.0]}, schema={"customer_id": pl.Utf8, "hour": pl.Int8,
                                                                   "rpc": pl.Float64})
    people = pl.DataFrame({"customer_id": ["c0", "c1", "c2"]}).with_row_index("ck")
    grid = pl.DataFrame({"ck": [1] * 24 + [0, 2, 2], "hour": [*range(24), 10, 0, 23]},
                        schema={"ck": pl.UInt32, "hour": pl.Int8})
    got = with_own_history(_customer_calls(calls), grid, people)
    c1 = {h: (r, n) for _, h, r, n in got.filter(pl.col("ck") == 1).iter_rows() if n}
    assert c1 == {0: (1.0, 1.0), 1: (0.5, 0.5), 9: (0.5, 1.0), 10: (1.0, 2.5), 11: (0.5, 2.0), 12: (0.0, 0.5)}
    others = got.filter(pl.col("ck") != 1).rows()
    assert others == [(0, 10, 0.0, 0.0), (2, 0, 0.5, 0.5), (2, 23, 0.0, 0.0)]  # no spill across customers


def _calls(rows: list[tuple[str, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, orient="row", schema={"customer_id": pl.Utf8, "rpc": pl.Float64})


def _responses(rows: list[tuple[str, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, orient="row", schema={"customer_id": pl.Utf8, "channel": pl.Utf8,
                                                    "p_response": pl.Float64})


POPULATION = pl.DataFrame({"channel": ["sms", "email"], "p_response_pop": [0.02, 0.04]})


def test_a_customer_who_answers_texts_well_above_the_population_but_never_calls_is_message_minded():
    calls = _calls([("texter", 0.0)] * 6 + [("caller", 1.0)] * 6 + [("both", 1.0)] * 6)
    responses = _responses([("texter", "sms", 0.10), ("caller", "sms", 0.04), ("both", "sms", 0.01),
                            ("silent", "email", 0.03)])
    minded = contact_model.message_minded(calls, responses, POPULATION, overall=0.3)
    # texter: message lift 5, call lift 0.27; caller: message lift 2 but call lift 2.3 (answers
    # calls even better); both: message lift 0.5; silent: never called (call lift 1), lift 0.75.
    assert minded["customer_id"].to_list() == ["texter"]


def test_a_customer_never_called_with_messages_answered_above_the_population_is_message_minded():
    minded = contact_model.message_minded(_calls([]), _responses([("new", "email", 0.09)]), POPULATION, overall=0.3)
    assert minded["customer_id"].to_list() == ["new"]
