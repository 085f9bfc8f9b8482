import pytest

from arrears.domain.identity import cn_resident_id_problem
from arrears.domain.personal import Personal, PersonalKind, mask_name, mask_national_id, mask_phone


def test_a_well_known_valid_resident_id_passes() -> None:
    assert cn_resident_id_problem("11010519491231002X") is None


def test_a_lower_case_x_check_character_is_accepted() -> None:
    assert cn_resident_id_problem("11010519491231002x") is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("110101199003071234", "checksum fails (last character should be 3)"),
        ("1101011990030712", "a CN resident ID has 18 characters, this has 16"),
        ("110101199002301233", "birth date 19900230 in the ID is not a real date"),
        ("11010119900307123A", "a CN resident ID is 17 digits and a digit or X"),
    ],
)
def test_bad_resident_ids_say_what_is_wrong(value: str, problem: str) -> None:
    assert cn_resident_id_problem(value) == problem


def test_phones_are_masked_keeping_the_last_four_digits() -> None:
    assert mask_phone("13800138000") == "*******8000"
    assert mask_phone("+8613800138000") == "*******8000"


def test_resident_ids_are_masked_keeping_the_last_four() -> None:
    assert mask_national_id("110101199003071233") == "**************1233"


def test_names_keep_only_the_first_character() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("John Smith") == "J*** *****"


def test_personal_data_never_shows_in_repr_or_str() -> None:
    phone = Personal(PersonalKind.PHONE, "+8613800138000")
    assert "13800138000" not in repr(phone) and "13800138000" not in str(phone)
    assert phone.reveal() == "+8613800138000"


def test_free_text_is_scrubbed_of_mobiles_resident_ids_and_e_mail_addresses():
    from arrears.logs import scrub

    text = scrub("bad address zhang.wei+x@qq.com for 13812345678, id 110101196201012185; order 12345")
    assert text == "bad address z***@qq.com for *******5678, id **************2185; order 12345"
