"""What a collector's change does to a contact point (domain.contact_points), and how a number a
customer gives is read: as one of the customer's own country, in E.164 like ingest stores it."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.domain.contact_points import (
    ConsentScope,
    PointRefused,
    PointState,
    WrongReason,
    consent_scope,
    marked_wrong,
    with_consent,
)
from arrears.domain.vocabulary import ContactKind
from arrears.services.workbench.contact_points import normalised_value
from arrears.services.workbench.errors import InvalidInput

DEBTORS = PointState("debtor", "valid", None, False)
TODAY = date(2026, 11, 29)


def test_a_wrong_number_belongs_to_a_third_party_who_is_not_called_again() -> None:
    assert marked_wrong(DEBTORS, WrongReason.WRONG_NUMBER) == PointState("other", "invalid", None, True)
    assert marked_wrong(DEBTORS, WrongReason.NOT_IN_SERVICE) == PointState("debtor", "invalid", None, False)
    with pytest.raises(PointRefused):
        marked_wrong(PointState("other", "invalid", None, True), WrongReason.WRONG_NUMBER)


def test_a_consent_is_never_dated_after_today_nor_given_on_a_number_that_may_not_be_used() -> None:
    assert with_consent(DEBTORS, True, TODAY, TODAY).consent is True
    with pytest.raises(PointRefused):
        with_consent(DEBTORS, True, date(2026, 11, 30), TODAY)
    with pytest.raises(PointRefused):
        with_consent(PointState("other", "invalid", None, True), True, TODAY, TODAY)
    with pytest.raises(PointRefused):
        with_consent(DEBTORS, False, TODAY, TODAY)  # nothing to withdraw


def test_what_a_consent_permits_follows_from_the_kind_and_the_owner() -> None:
    assert consent_scope("mobile", "debtor") == ConsentScope.MOBILE_CALLS_AND_TEXTS
    assert consent_scope("email", "debtor") == ConsentScope.EMAIL
    assert consent_scope("work", "debtor") == ConsentScope.WORK
    assert consent_scope("mobile", "emergency_contact") == ConsentScope.THIRD_PARTY


@pytest.mark.parametrize(("kind", "typed", "jurisdiction", "stored"), [
    (ContactKind.MOBILE, "139 1234 5678", "CN", "+8613912345678"),
    (ContactKind.MOBILE, "+86 139-1234-5678", "CN", "+8613912345678"),
    (ContactKind.HOME, "(010) 6552-9988", "CN", "+861065529988"),
    (ContactKind.MOBILE, "(415) 555-2671", "US;US-MA", "+14155552671"),
    (ContactKind.MOBILE, "07400 123456", "UK", "+447400123456"),
    (ContactKind.EMAIL, " Wang.Li@Example.COM ", "CN", "wang.li@example.com"),
])
def test_a_number_is_read_as_one_of_the_customers_country_and_stored_in_e164(
        kind: ContactKind, typed: str, jurisdiction: str, stored: str) -> None:
    assert normalised_value(kind, typed, jurisdiction) == stored


@pytest.mark.parametrize(("kind", "typed", "jurisdiction"), [
    (ContactKind.MOBILE, "13912345678", "US"),  # a Chinese mobile without +86 is no US number
    (ContactKind.MOBILE, "010 6552 9988", "CN"),  # a fixed line is not a mobile
    (ContactKind.HOME, "12345", "CN"),
    (ContactKind.EMAIL, "wang.li", "CN"),
])
def test_what_is_not_a_number_of_the_customers_country_is_refused(kind: ContactKind, typed: str,
                                                                 jurisdiction: str) -> None:
    with pytest.raises(InvalidInput):
        normalised_value(kind, typed, jurisdiction)
