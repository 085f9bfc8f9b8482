from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.domain.aging import (
    DEFAULT_LADDER,
    AgingLadder,
    Bucket,
    LadderError,
    PausePeriod,
    days_past_due,
    roll_rates,
    transition,
)


def test_an_account_is_current_on_its_due_date() -> None:
    assert days_past_due(date(2026, 3, 1), date(2026, 3, 1)) == 0


def test_the_day_after_the_due_date_is_day_one() -> None:
    assert days_past_due(date(2026, 3, 1), date(2026, 3, 2)) == 1


def test_no_unpaid_due_date_means_current() -> None:
    assert days_past_due(None, date(2026, 3, 2)) == 0


def test_leap_day_is_counted_in_a_leap_year() -> None:
    assert days_past_due(date(2028, 2, 28), date(2028, 3, 1)) == 2
    assert days_past_due(date(2026, 2, 28), date(2026, 3, 1)) == 1


def test_month_end_due_dates_age_by_calendar_days() -> None:
    assert days_past_due(date(2026, 1, 31), date(2026, 2, 28)) == 28
    assert days_past_due(date(2026, 1, 31), date(2026, 3, 31)) == 59


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [(0, "M0"), (1, "M1"), (30, "M1"), (31, "M2"), (60, "M2"), (61, "M3"), (90, "M3"),
     (91, "M4"), (120, "M4"), (121, "M5"), (150, "M5"), (151, "M6"), (180, "M6"),
     (181, "M7+"), (5000, "M7+")],
)
def test_default_ladder_boundaries(dpd: int, bucket: str) -> None:
    assert DEFAULT_LADDER.bucket_for(dpd) == bucket


def test_an_open_dispute_stops_the_clock() -> None:
    pause = PausePeriod(start=date(2026, 3, 11), end=None)
    assert days_past_due(date(2026, 3, 1), date(2026, 3, 20), [pause]) == 9


def test_a_closed_pause_subtracts_only_its_days() -> None:
    pause = PausePeriod(start=date(2026, 3, 5), end=date(2026, 3, 9))
    assert days_past_due(date(2026, 3, 1), date(2026, 3, 20), [pause]) == 14


def test_overlapping_pauses_are_not_subtracted_twice() -> None:
    pauses = [PausePeriod(date(2026, 3, 5), date(2026, 3, 9)),
              PausePeriod(date(2026, 3, 8), date(2026, 3, 10))]
    assert days_past_due(date(2026, 3, 1), date(2026, 3, 20), pauses) == 13


def test_a_pause_before_the_due_date_changes_nothing() -> None:
    pause = PausePeriod(date(2026, 1, 1), date(2026, 2, 1))
    assert days_past_due(date(2026, 3, 1), date(2026, 3, 20), [pause]) == 19


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    st.integers(min_value=0, max_value=4000),
    st.integers(min_value=0, max_value=4000),
    st.integers(min_value=0, max_value=400),
)
def test_pauses_never_make_dpd_negative_or_larger(
    due: date, age: int, offset: int, length: int
) -> None:
    as_of = due + timedelta(days=age)
    pause = PausePeriod(due + timedelta(days=offset), due + timedelta(days=offset + length))
    dpd = days_past_due(due, as_of, [pause])
    assert 0 <= dpd <= days_past_due(due, as_of)


def test_ladder_with_a_gap_is_refused() -> None:
    with pytest.raises(LadderError, match="gap before M2: days 31-40"):
        AgingLadder.from_spec("M1:1-30,M2:41-60,M3:61+")


def test_ladder_with_an_overlap_is_refused() -> None:
    with pytest.raises(LadderError, match="M2 overlaps"):
        AgingLadder.from_spec("M1:1-30,M2:25-60,M3:61+")


def test_ladder_must_start_at_day_one() -> None:
    with pytest.raises(LadderError, match="gap before M1"):
        AgingLadder((Bucket("M1", 5, None),))


def test_ladder_must_end_open() -> None:
    with pytest.raises(LadderError, match="must be open-ended"):
        AgingLadder.from_spec("M1:1-30,M2:31-60")


def test_open_bucket_must_be_last() -> None:
    with pytest.raises(LadderError, match="not the last"):
        AgingLadder.from_spec("M1:1+,M2:31-60")


def test_a_custom_ladder_is_used() -> None:
    ladder = AgingLadder.from_spec("B1:1-15,B2:16-45,B3:46+")
    assert [ladder.bucket_for(d) for d in (0, 15, 16, 46)] == ["M0", "B1", "B2", "B3"]


def test_transition_is_recorded_only_when_the_bucket_changes() -> None:
    assert transition("A1", date(2026, 3, 1), "M1", "M1") is None
    moved = transition("A1", date(2026, 3, 1), "M1", "M2")
    assert moved is not None and moved.direction == "roll_forward"
    cured = transition("A1", date(2026, 3, 1), "M3", "M0")
    assert cured is not None and cured.direction == "roll_back"


def test_roll_rates_are_shares_of_each_previous_bucket() -> None:
    rates = roll_rates([("M1", "M2"), ("M1", "M1"), ("M1", "M0"), ("M1", "M2")])
    assert rates["M1"]["M2"] == 0.5 and rates["M1"]["M0"] == 0.25


def test_roll_rates_from_counts_match_the_rates_from_pairs() -> None:
    from arrears.domain.aging import roll_rates_from_counts

    pairs = [("M1", "M2"), ("M1", "M1"), ("M1", "M0"), ("M1", "M2"), ("M2", "M3")]
    counts = {"M1": {"M2": 2, "M1": 1, "M0": 1}, "M2": {"M3": 1}}
    assert roll_rates_from_counts(counts) == roll_rates(pairs)
