"""Which months of contact records may go: the longest minimum that binds any row of the month
decides (CN 2 years from the record, US 3 years after the debt's last activity, UK 6 years)."""

from __future__ import annotations

from datetime import date

from arrears.domain.retention import MonthFacts, judge_month, next_month, years_before
from arrears.services.retention.review import judge_months

AS_OF = date(2026, 12, 7)


def test_a_chinese_month_goes_once_two_years_have_passed_since_its_last_day() -> None:
    assert judge_month(MonthFacts(date(2024, 11, 1), {"CN": 10}, {}), AS_OF).may_drop
    kept = judge_month(MonthFacts(date(2024, 12, 1), {"CN": 10}, {}), AS_OF)
    assert not kept.may_drop
    assert kept.reason.rule_id == "RETENTION-CN" and "1006" not in kept.reason.citation


def test_a_us_month_stays_while_its_accounts_were_worked_within_three_years() -> None:
    month = date(2022, 6, 1)
    worked = judge_month(MonthFacts(month, {"US": 3}, {"US": date(2025, 1, 5)}), AS_OF)
    assert not worked.may_drop
    assert worked.reason.rule_id == "RETENTION-US" and "1006.100" in worked.reason.citation
    quiet = judge_month(MonthFacts(month, {"US": 3}, {"US": date(2023, 11, 30)}), AS_OF)
    assert quiet.may_drop


def test_a_month_mixing_jurisdictions_waits_for_the_longest_minimum() -> None:
    month = date(2023, 6, 1)  # past CN's 2 years, not past the UK's 6
    verdict = judge_month(MonthFacts(month, {"CN": 5, "UK": 1}, {}), AS_OF)
    assert not verdict.may_drop and verdict.reason.rule_id == "RETENTION-UK"


def test_rows_of_an_unknown_jurisdiction_keep_their_month() -> None:
    verdict = judge_month(MonthFacts(date(2010, 1, 1), {"CN": 5, "?": 1}, {}), AS_OF)
    assert not verdict.may_drop and verdict.reason.rule_id == "RETENTION-UNKNOWN"


def test_a_leap_day_counts_back_to_the_last_day_of_february() -> None:
    assert years_before(date(2028, 2, 29), 2) == date(2026, 2, 28)
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)


def test_the_decision_audit_drops_only_a_leading_run_of_sealed_months() -> None:
    old = [MonthFacts(date(2019, m, 1), {"CN": 1}, {}) for m in (1, 2, 3)]
    unsealed_second = [old[0], MonthFacts(old[1].month, {"CN": 1}, {}, chain_prefix=False), old[2]]
    verdicts = [v.may_drop for _, v in judge_months("compliance_decisions", unsealed_second, AS_OF)]
    assert verdicts == [True, False, False]  # the third would leave a hole in the chain
    assert [v.may_drop for _, v in judge_months("contacts", unsealed_second, AS_OF)] == [True, True, True]


def test_an_empty_month_made_ahead_or_still_being_filled_is_kept() -> None:
    for month in (date(2026, 12, 1), date(2027, 1, 1), date(2024, 12, 1)):
        verdict = judge_month(MonthFacts(month, {}, {}), AS_OF)
        assert not verdict.may_drop and verdict.reason.rule_id == "RETENTION-YOUNG"
    assert judge_month(MonthFacts(date(2024, 11, 1), {}, {}), AS_OF).may_drop  # an empty month past 2 years
