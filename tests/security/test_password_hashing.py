"""The product hashes passwords with argon2id at its library's recommended cost (the test suite
swaps in a cheap hasher to save time, `tests/conftest.py`: this checks the one the product makes)."""

from __future__ import annotations

from argon2 import Type

from arrears.services.workbench import auth


def test_the_product_hashes_passwords_with_argon2id_at_64_mib_and_three_passes() -> None:
    hasher = auth.password_hasher()
    assert hasher.type is Type.ID
    assert hasher.memory_cost >= 64 * 1024 and hasher.time_cost >= 3 and hasher.parallelism >= 1


def test_a_hash_made_at_the_products_cost_is_checked_by_the_tests_cheap_hasher_too() -> None:
    stored = auth.password_hasher().hash("correct horse battery staple")
    assert auth._password_matches(stored, "correct horse battery staple")
    assert not auth._password_matches(stored, "correct horse battery stapler")
