"""The password policy (domain.passwords): length and a blocklist, no composition rules."""

from __future__ import annotations

import pytest

from arrears.adapters.common_passwords import common_passwords
from arrears.domain.passwords import is_repeated, is_sequence, password_refusals


def rules(password: str, username: str = "wang_fang") -> set[str]:
    return {r.rule_id for r in password_refusals(password, username, common_passwords())}


@pytest.mark.parametrize(("password", "rule"), [
    ("aaaaaaaaaa", "password.length"),
    ("password12", "password.length"),
    (" " * 10, "password.blank"),
    (" " * 12, "password.blank"),
    ("aaaaaaaaaaaa", "password.repeated"),
    ("abababababab", "password.few_characters"),
    ("monkeymonkey", "password.repeated"),
    ("abcdefghijkl", "password.sequence"),
    ("1234567890123", "password.sequence"),
    ("lkjihgfedcba", "password.sequence"),
    ("qwertyuiopasd", "password.sequence"),
    ("1qaz2wsx3edc", "password.sequence"),
    ("wang_fang_2026", "password.username"),
    ("My-WANG_FANG-pass", "password.username"),
    ("password1234", "password.common"),
    ("Dragon2024!!!", "password.common"),
    ("!!iloveyou!!2026", "password.common"),
    ("woaini1314520", "password.common"),
    ("x" * 201, "password.length"),
])
def test_a_weak_password_breaks_the_rule_named(password: str, rule: str) -> None:
    assert rule in rules(password)


@pytest.mark.parametrize("password", ["correct-horse-battery", "plum orchard ledger", "Tr0ub4dor&3-xyz",
                                      "我的密码是很长很长的一句话", "j8Fq-2mZx_Lp0aT"])
def test_a_long_uncommon_password_passes_without_composition_rules(password: str) -> None:
    assert rules(password) == set()


def test_the_username_counts_in_any_case_and_only_from_three_characters() -> None:
    assert "password.username" in rules("Wang_Fang_Is_Here", "wang_fang")
    assert rules("xy-orchard-ledger", "xy") == set()


def test_repetition_and_sequence_are_recognised_exactly() -> None:
    assert is_repeated("abcabcab") and not is_repeated("abcabcabd")
    assert is_sequence("7890123") and is_sequence("zyxw") and not is_sequence("acegik")


def test_the_shipped_list_holds_thousands_of_lower_case_passwords() -> None:
    listed = common_passwords()
    assert len(listed) > 5000 and {"123456", "password", "qwerty", "woaini1314"} <= listed
    assert all(p == p.lower() and p.strip() == p for p in listed)
