"""Allocation (分案) decided from rules as data: the first matching rule, the best agency with a
valid mandate and room, the house when none qualifies (saying why), recalls at the end of the
period or of the mandate; and the rules file read with errors naming the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.domain.allocation import (
    IN_HOUSE,
    AccountToPlace,
    ActivePlacement,
    AgencyTerms,
    AllocationRule,
    RecallReason,
    allocate,
    due_recalls,
)
from arrears.services.allocation.rules import DEFAULT_RULES, RulesError, read_rules

ON = date(2026, 12, 8)
RULES = (
    AllocationRule("early", (IN_HOUSE,), buckets=frozenset({"M1", "M2"})),
    AllocationRule("large", ("AG01", "AG02"), buckets=frozenset({"M4"}), min_balance=Decimal("20000")),
    AllocationRule("late", ("AG02", "AG01"), buckets=frozenset({"M3", "M4"}), regions=("CN-44",)),
)


def terms(agency: str, *, capacity: int = 10, performance: float = 0.1, until: date | None = date(2027, 12, 31),
          active: int = 0, days: int = 90) -> AgencyTerms:
    return AgencyTerms(agency, capacity, days, until, performance, active)


def account(account_id: str, bucket: str, balance: str, region: str = "CN-44", agency: str | None = None
            ) -> AccountToPlace:
    return AccountToPlace(account_id, bucket, Decimal(balance), region, None, agency)


def test_the_first_matching_rule_decides_and_says_so():
    result = allocate([account("A1", "M1", "50000")], RULES, {"AG01": terms("AG01")}, ON)
    assert result.placements == [] and result.in_house[0].rule == "early"
    assert "worked in house" in result.in_house[0].en


def test_the_best_performing_agency_with_room_takes_the_account_until_the_end_of_its_period():
    agencies = {"AG01": terms("AG01", performance=0.05), "AG02": terms("AG02", performance=0.12, days=60)}
    decision = allocate([account("A1", "M4", "25000")], RULES, agencies, ON).placements[0]
    assert (decision.agency_id, decision.rule, decision.until) == ("AG02", "large", date(2027, 2, 5))


def test_a_full_agency_passes_the_account_to_the_next_one_then_to_the_house():
    agencies = {"AG01": terms("AG01", capacity=1, performance=0.2), "AG02": terms("AG02", capacity=1)}
    result = allocate([account(f"A{i}", "M4", "30000") for i in range(3)], RULES, agencies, ON)
    assert [d.agency_id for d in result.placements] == ["AG01", "AG02"]
    assert "every listed agency is at capacity" in result.in_house[0].en


def test_an_agency_without_a_valid_mandate_takes_nothing():
    agencies = {"AG01": terms("AG01", until=date(2026, 12, 1)), "AG02": terms("AG02", until=None)}
    result = allocate([account("A1", "M4", "30000")], RULES, agencies, ON)
    assert result.placements == [] and "no listed agency holds a valid mandate" in result.in_house[0].en


def test_a_placement_never_outlasts_the_agencys_mandate():
    agencies = {"AG01": terms("AG01", until=date(2026, 12, 31), performance=0.3)}
    assert allocate([account("A1", "M4", "30000")], RULES, agencies, ON).placements[0].until == date(2026, 12, 31)


def test_accounts_already_placed_are_not_moved_and_unmatched_ones_are_counted():
    result = allocate([account("A1", "M4", "30000", agency="AG09"), account("A2", "M3", "100", region="CN-31")],
                      RULES, {"AG01": terms("AG01")}, ON)
    assert result.placements == [] and result.in_house == [] and result.unmatched == 1


def test_a_placement_is_recalled_after_its_last_day_or_when_the_mandate_ends():
    agencies = {"AG01": terms("AG01"), "AG02": terms("AG02", until=date(2026, 12, 7))}
    active = [ActivePlacement(1, "A1", "AG01", date(2026, 12, 7)), ActivePlacement(2, "A2", "AG01", ON),
              ActivePlacement(3, "A3", "AG02", date(2027, 1, 1))]
    assert [(p.account_id, r) for p, r in due_recalls(active, agencies, ON)] == [
        ("A1", RecallReason.PERIOD_ENDED), ("A3", RecallReason.MANDATE_ENDED)]


def test_the_shipped_rules_read():
    rules = read_rules(DEFAULT_RULES)
    assert rules.rules[0].target == (IN_HOUSE,) and set(rules.agencies) == {"AG01", "AG02"}


@pytest.mark.parametrize(("text", "problem"), [
    ("version: 2\nrules: []\n", "version: must be 1"),
    ("version: 1\nrules:\n  - {name: x, target: [AG09]}\n", "rules[0].target: agency AG09 has no capacity"),
    ("version: 1\nagencies: {AG01: {capacity: 0, placement_days: 30}}\nrules: [{name: x, target: in_house}]\n",
     "agencies.AG01.capacity"),
    ("version: 1\nrules:\n  - {name: x, target: in_house, min_balance: 200.5}\n", "rules[0].min_balance: write money"),
    ("version: 1\nrules:\n  - {name: x, target: in_house, bucket: [M1]}\n", "rules[0].bucket: not a rule field"),
])
def test_a_bad_rules_file_is_refused_naming_the_file_and_field(tmp_path: Path, text: str, problem: str):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match=r"rules\.yaml: ") as raised:
        read_rules(path)
    assert problem in str(raised.value)
