"""Every code a page may show has a label in the Chinese and the English catalogue."""

from __future__ import annotations

import pytest

from arrears.entrypoints.web.i18n import translations
from arrears.entrypoints.web.labels import CODE_LISTS, label, labels


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_code_of_every_list_has_a_label_that_is_not_the_code(language: str) -> None:
    catalogue = translations(language)
    missing = [f"{name}:{code}" for name, codes in CODE_LISTS.items() for code in codes
               if label(catalogue, name, code) == code]
    assert missing == [], f"untranslated codes in the {language} catalogue: {missing}"


def test_chinese_labels_are_chinese_and_english_labels_are_not() -> None:
    zh, en = translations("zh"), translations("en")
    assert label(zh, "product", "credit_card") == "信用卡" and label(en, "product", "credit_card") == "Credit card"
    assert label(zh, "outcome", "answered_other") == "他人接听"
    assert label(en, "contact_kind", "mobile") == "Mobile"
    for name, codes in CODE_LISTS.items():
        for code in codes:
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in label(en, name, code)), f"{name}:{code}"


def test_a_list_of_flags_reads_as_words_and_an_unknown_code_stays_as_given() -> None:
    zh = translations("zh")
    assert labels(zh, "flag", "dispute;hardship") == "争议、困难援助"
    assert labels(zh, "flag", "") == "—"
    assert label(zh, "product", "store_card") == "store_card"
