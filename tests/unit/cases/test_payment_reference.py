"""The payment reference: an ISO 11649 creditor reference, stable, checked, nothing personal."""

from __future__ import annotations

import pytest

from arrears.domain.payment_reference import (
    creditor_reference,
    grouped,
    is_valid_reference,
    normalise,
    reference_body,
)


def test_the_reference_of_the_standards_example_has_its_check_digits():
    assert creditor_reference("539007547034") == "RF18539007547034"


def test_a_reference_is_valid_as_typed_with_spaces_and_lower_case():
    assert is_valid_reference("rf18 5390 0754 7034")
    assert normalise("rf18 5390 0754 7034") == "RF18539007547034"
    assert grouped("RF18539007547034") == "RF18 5390 0754 7034"


@pytest.mark.parametrize("typed", ["RF18539007547035", "RF81539007547034", "RF1853900754703", "XX18539007547034",
                                   "RF", "RF18-5390", ""])
def test_a_mistyped_reference_is_refused(typed):
    assert not is_valid_reference(typed)


def test_the_body_is_twelve_digits_from_the_keyed_hash_and_always_the_same():
    body = reference_body("ff" * 16)
    assert len(body) == 12 and body.isdigit()
    assert reference_body("ff" * 16) == body
    assert is_valid_reference(creditor_reference(body))
