from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.domain.money import Money, MoneyError, parse_amount, total

amounts = st.decimals(
    min_value=Decimal("-1000000000"), max_value=Decimal("1000000000"), places=2,
    allow_nan=False, allow_infinity=False,
)


@given(st.floats(allow_nan=False))
def test_money_refuses_any_float(value: float) -> None:
    with pytest.raises(MoneyError):
        Money(value)  # type: ignore[arg-type]


@given(st.lists(amounts, max_size=50))
def test_sums_are_exact_to_the_fen(values: list[Decimal]) -> None:
    assert total([Money(v) for v in values]).amount == sum(values, Decimal(0))


@given(amounts, amounts)
def test_adding_then_subtracting_gives_back_the_original(a: Decimal, b: Decimal) -> None:
    assert (Money(a) + Money(b) - Money(b)).amount == a


def test_mixing_currencies_is_an_error() -> None:
    with pytest.raises(MoneyError, match="currency mismatch"):
        Money(Decimal("1.00"), "CNY") + Money(Decimal("1.00"), "USD")


@pytest.mark.parametrize("text", ["1.234", "abc", "", "NaN", "Infinity", "1e400000"])
def test_parse_amount_rejects_bad_money_text(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_amount(text)


def test_parse_amount_accepts_two_decimals() -> None:
    assert parse_amount("1234.50") == Decimal("1234.50")


def test_rounding_is_half_up_to_the_fen() -> None:
    assert Money(Decimal("0.125")).rounded().amount == Decimal("0.13")
    assert Money(Decimal("-0.125")).rounded().amount == Decimal("-0.13")


def test_str_shows_amount_and_currency() -> None:
    assert str(Money.of("12.5")) == "12.50 CNY"


def test_cents_are_written_with_thousands_separators_and_the_sign_in_front() -> None:
    from arrears.domain.money import cents_text

    assert cents_text(3449999) == "34,499.99"
    assert cents_text(-105) == "-1.05"
    assert cents_text(3449999, grouped=False) == "34499.99"
    assert cents_text(0) == "0.00"


def test_chinese_writes_yuan_after_the_amount_and_english_the_code_before_it() -> None:
    from arrears.domain.money import spoken_amount

    assert spoken_amount(3449999, "CNY", "zh") == "34,499.99元"
    assert spoken_amount(3449999, "CNY", "en") == "CNY 34,499.99"
    assert spoken_amount(1000, "USD", "zh") == "10.00美元"
    assert spoken_amount(1000, "JPY", "zh") == "JPY 10.00"


def test_amounts_are_read_as_people_type_them_and_nothing_looser() -> None:
    from arrears.domain.money import parse_typed_amount

    for typed in ("1500", "1,500.00", "1500元", "¥1,500", " 1,500.5 元", "￥1500.00"):
        assert parse_typed_amount(typed) in (Decimal("1500"), Decimal("1500.5")), typed
    assert parse_typed_amount("34,499.99") == Decimal("34499.99")
    for wrong in ("15,00", "1,5000", "1500.001", "abc", "", "1500美元", "1e3", "--5"):
        with pytest.raises(MoneyError):
            parse_typed_amount(wrong)
