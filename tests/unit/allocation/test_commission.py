"""Agency commission from the agreement: a rate by the bucket when placed or by the payment's
amount band, rounded to the fen per line, and a hold-back per compliance finding capped at all."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arrears.domain.commission import Agreement, Band, CommissionError, PlacedPayment, parse_bands, statement

D = date(2026, 11, 10)
BY_BUCKET = Agreement("AG01", by_bucket=(("M3", Decimal("0.12")), ("M4", Decimal("0.15"))),
                      holdback_per_finding=Decimal("0.02"))
BANDS = Agreement("AG02", bands=parse_bands([(Decimal("5000"), Decimal("0.15")), (None, Decimal("0.10"))]))


def test_a_rate_by_bucket_applies_to_each_payment_rounded_half_up_to_the_fen():
    s = statement(BY_BUCKET, "2026-11", [PlacedPayment("A1", D, Decimal("100.05"), "M3"),
                                         PlacedPayment("A2", D, Decimal("1000.00"), "M4")], findings=0)
    assert [line.commission for line in s.lines] == [Decimal("12.01"), Decimal("150.00")]
    assert (s.recovered, s.gross, s.net) == (Decimal("1100.05"), Decimal("162.01"), Decimal("162.01"))


def test_a_bucket_outside_the_agreement_earns_nothing_and_says_why():
    line = statement(BY_BUCKET, "2026-11", [PlacedPayment("A1", D, Decimal("100"), "M1")], 0).lines[0]
    assert line.commission == 0 and "not in the agreement" in line.term


def test_amount_bands_take_the_first_band_the_payment_fits():
    s = statement(BANDS, "2026-11", [PlacedPayment("A1", D, Decimal("5000.00"), None),
                                     PlacedPayment("A2", D, Decimal("5000.01"), None)], 0)
    assert [line.rate for line in s.lines] == [Decimal("0.15"), Decimal("0.10")]


def test_findings_hold_back_a_share_of_the_commission_but_never_more_than_all():
    payments = [PlacedPayment("A1", D, Decimal("1000.00"), "M4")]
    assert statement(BY_BUCKET, "2026-11", payments, findings=3).held_back == Decimal("9.00")  # 6% of 150
    assert statement(BY_BUCKET, "2026-11", payments, findings=80).net == Decimal("0.00")


@pytest.mark.parametrize("raw", [[(Decimal(5), Decimal("0.1"))], [(None, Decimal("0.1")), (None, Decimal("0.1"))],
                                 [(Decimal(9), Decimal("0.1")), (Decimal(5), Decimal("0.1")), (None, Decimal(0))]])
def test_bands_must_rise_and_end_without_a_limit(raw):
    with pytest.raises(CommissionError):
        parse_bands(raw)


def test_a_band_is_a_limit_and_a_rate():
    assert parse_bands([(None, Decimal("0.1"))]) == (Band(None, Decimal("0.1")),)
