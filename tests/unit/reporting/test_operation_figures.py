"""The operation's figures from plain facts (domain.reporting): each definition checked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arrears.domain.reporting import (
    AccountDims,
    BlockedFact,
    ContactFact,
    OperationFacts,
    PaymentFact,
    PromiseFact,
    ReportingError,
    ReportRange,
    RollCount,
    blocked_by_rule,
    kpis_by,
    kpis_by_day,
    last_touch,
    operation_report,
    right_party_by_hour,
    roll_matrix,
    roll_trend,
)

D1, D2, D3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)


def contact(account: str, day: date, outcome: str, *, hour: int = 10, who: str | None = "li",
            complaint: bool = False, channel: str = "call") -> ContactFact:
    return ContactFact(account, day, hour, channel, outcome, complaint, who, None)


def promise(pid: str, made: date, deadline: date, amount: str, status: str, *, who: str = "li") -> PromiseFact:
    return PromiseFact(pid, "A1", made, deadline, Decimal(amount), status, who, None)


FACTS = OperationFacts(
    contacts=(contact("A1", D1, "conversation"), contact("A1", D1, "no_answer"),
              contact("A2", D2, "refused", who="wu", complaint=True), contact("A2", D2, "answered_other", who="wu")),
    payments=(PaymentFact("A1", D2, Decimal("300.00")), PaymentFact("A2", D3, Decimal("50.50"))),
    promises=(promise("P1", D1, D3, "300.00", "kept"), promise("P2", D1, D2, "80.00", "broken"),
              promise("P3", D2, date(2026, 11, 20), "10.00", "open", who="wu")),
    blocked=(BlockedFact("A1", D1, ("CN-HOURS-01",)), BlockedFact("A2", D2, ("CN-HOURS-01", "CN-FREQ-01"))),
    dims={"A1": AccountDims("AG1", "able_willing", "default"), "A2": AccountDims(None, "unable_unwilling", "default")},
)


def test_a_day_counts_its_contacts_right_party_contacts_and_complaints():
    days = dict(kpis_by_day(FACTS, D1, D3))
    assert (days[D1].contacts, days[D1].right_party, days[D1].complaints) == (2, 1, 0)
    assert (days[D2].contacts, days[D2].right_party, days[D2].complaints) == (2, 1, 1)
    assert days[D1].right_party_rate == 0.5
    assert days[D2].complaints_per_10k == 5000.0
    assert days[D3].contacts == 0 and days[D3].right_party_rate is None


def test_a_promise_counts_as_made_on_its_day_and_as_kept_or_broken_on_its_deadline():
    days = dict(kpis_by_day(FACTS, D1, D3))
    assert (days[D1].promises_made, days[D1].promised_amount) == (2, Decimal("380.00"))
    assert (days[D2].promises_broken, days[D2].broken_amount) == (1, Decimal("80.00"))
    assert (days[D3].promises_kept, days[D3].kept_amount) == (1, Decimal("300.00"))
    assert days[D3].kept_rate == 1.0


def test_money_collected_is_summed_by_day_exactly():
    days = dict(kpis_by_day(FACTS, D1, D3))
    assert [days[d].collected for d in (D1, D2, D3)] == [Decimal("0.00"), Decimal("300.00"), Decimal("50.50")]


def test_days_outside_the_range_are_left_out():
    days = dict(kpis_by_day(FACTS, D2, D2))
    assert list(days) == [D2]
    assert days[D2].promises_made == 1  # P3 only; P1 and P2 were made on D1


def test_money_goes_to_the_last_collector_who_reached_the_debtor_within_thirty_days():
    touch = last_touch(FACTS.contacts)
    assert touch(PaymentFact("A1", D2, Decimal(1))) == "li"
    assert touch(PaymentFact("A2", D3, Decimal(1))) == "wu"
    assert touch(PaymentFact("A1", date(2026, 12, 5), Decimal(1))) is None  # more than 30 days after


def test_figures_by_collector_agency_segment_and_strategy_add_up_to_the_total():
    report = operation_report(FACTS, D1, D3)
    for dimension in ("collector", "agency", "segment", "strategy"):
        groups = kpis_by(FACTS, dimension)
        assert sum(k.contacts for k in groups.values()) == report.total.contacts == 4
        assert sum(k.collected for k in groups.values()) == report.total.collected == Decimal("350.50")
    assert kpis_by(FACTS, "agency")["AG1"].collected == Decimal("300.00")
    assert kpis_by(FACTS, "agency")["-"].contacts == 2  # A2 is in house


def test_blocked_attempts_count_for_every_rule_that_blocked_them():
    assert blocked_by_rule(FACTS.blocked) == [("CN-HOURS-01", 2), ("CN-FREQ-01", 1)]


def test_right_party_rate_by_hour_lists_every_hour_and_only_calls():
    hours = right_party_by_hour((*FACTS.contacts, contact("A1", D1, "conversation", channel="sms", hour=3)))
    assert len(hours) == 24 and hours[3].contacts == 0
    assert (hours[10].contacts, hours[10].right_party, hours[10].rate) == (4, 2, 0.5)


def test_the_roll_rate_matrix_shares_each_buckets_accounts_over_where_they_went():
    rolls = [RollCount(D1, "M1", "M1", 60), RollCount(D1, "M1", "M2", 30), RollCount(D1, "M1", "M0", 10),
             RollCount(D2, "M1", "M2", 50), RollCount(D2, "M1", "M0", 50), RollCount(D1, "M2", "M3", 5)]
    matrix = roll_matrix(rolls)
    assert matrix.buckets == ("M0", "M1", "M2", "M3")
    assert matrix.rate("M1", "M2") == 0.4  # (30 + 50) / 200
    assert matrix.cure_rate() == round(60 / 205, 4)
    trend = dict(roll_trend(rolls))
    assert trend[D1]["M1"] == 0.3 and trend[D2]["M1"] == 0.5 and trend[D1]["M2"] == 1.0


def test_buckets_sort_by_age_not_by_name():
    matrix = roll_matrix([RollCount(D1, "M10", "M2", 1), RollCount(D1, "M7+", "M1", 1)])
    assert matrix.buckets == ("M1", "M2", "M7+", "M10")


@pytest.mark.parametrize(("start", "end"), [(D2, D1), (date(2025, 1, 1), date(2026, 1, 2))])
def test_a_range_backwards_or_longer_than_a_year_is_refused(start, end):
    with pytest.raises(ReportingError):
        ReportRange(start, end, "Asia/Shanghai").check()


def test_a_range_ends_at_midnight_after_its_last_day_in_the_operation_zone():
    wanted = ReportRange(D1, D2, "Asia/Shanghai")
    assert wanted.since.isoformat() == "2026-11-01T00:00:00+08:00"
    assert wanted.until.isoformat() == "2026-11-03T00:00:00+08:00"


def test_the_queue_is_counted_per_bucket_youngest_first_with_every_state():
    from arrears.domain.reporting import QueueCount, queue_by_bucket

    rows = queue_by_bucket([QueueCount("M3", "open", 4), QueueCount("M1", "done", 2), QueueCount("M1", "open", 1),
                            QueueCount("M10", "assigned", 1)])
    assert rows == [("M1", {"open": 1, "assigned": 0, "done": 2}), ("M3", {"open": 4, "assigned": 0, "done": 0}),
                    ("M10", {"open": 0, "assigned": 1, "done": 0})]
