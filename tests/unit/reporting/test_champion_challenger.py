"""Champion/challenger results: per-account means with 95% intervals, and a challenger called
better or worse only when the interval of the difference excludes zero."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arrears.domain.experiments import AccountResult, Estimate, account_results, arms, champion_of, verdict


def arm_results(name: str, amounts: list[int]) -> dict[str, AccountResult]:
    return {f"{name}-{i}": AccountResult(Decimal(a), contacts=1) for i, a in enumerate(amounts)}


def test_the_interval_is_the_mean_plus_or_minus_1_96_standard_errors():
    estimate = Estimate.of([1.0, 2.0, 3.0, 4.0])
    assert estimate.mean == 2.5
    assert estimate.high - estimate.mean == pytest.approx(1.959964 * (1.6666667 / 4) ** 0.5)


def test_the_champion_is_the_arm_with_most_accounts():
    found = arms({"default": arm_results("d", [0] * 90), "challenger": arm_results("c", [0] * 10)})
    assert champion_of(found).strategy == "default"


def test_a_challenger_clearly_ahead_is_called_better():
    found = arms({"default": arm_results("d", [0, 10, 20, 0, 10] * 40),
                  "fast": arm_results("f", [100, 110, 90, 100, 120] * 10)})
    result = verdict(champion_of(found), next(a for a in found if a.strategy == "fast"))
    assert result.better is True and result.difference.low > 0
    assert "is better than the champion default" in result.en and "优于冠军" in result.zh


def test_a_challenger_within_the_noise_is_not_known_yet():
    found = arms({"default": arm_results("d", [0, 100] * 50), "maybe": arm_results("m", [0, 110] * 10)})
    result = verdict(champion_of(found), next(a for a in found if a.strategy == "maybe"))
    assert result.better is None
    assert "not known yet" in result.en and "(20 against 100 accounts)" in result.en


def test_a_challenger_clearly_behind_is_called_worse():
    found = arms({"default": arm_results("d", [100, 90, 110] * 30), "slow": arm_results("s", [0, 5, 10] * 10)})
    assert verdict(champion_of(found), next(a for a in found if a.strategy == "slow")).better is False


def test_every_account_of_an_arm_counts_with_zeros_for_what_it_did_not_do():
    grouped = account_results({"A1": "default", "A2": "default", "A3": None}, {"A1": Decimal("50")}, {}, {}, {})
    assert set(grouped) == {"default"} and grouped["default"]["A2"] == AccountResult()
    assert arms(grouped)[0].recovered.mean == 25.0
