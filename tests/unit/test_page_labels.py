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


def test_a_queue_reason_is_worded_in_the_readers_language_and_old_text_stays_as_stored() -> None:
    from arrears.domain.work_queue import CALLBACK_REASON, QueueReason, ReasonKind
    from arrears.entrypoints.web.labels import queue_reason

    zh, en = translations("zh"), translations("en")
    plan = QueueReason(ReasonKind.PLAN, {"text": "M1 reminder", "offer": "installment"}).stored()
    assert queue_reason(zh, plan) == "计划：M1 reminder · 方案：分期"
    assert queue_reason(en, plan) == "Plan: M1 reminder · offer: Installment plan"
    assert queue_reason(zh, CALLBACK_REASON) == "约定回电时间已到"
    assert queue_reason(en, CALLBACK_REASON) == "a callback is due"
    unscored = QueueReason(ReasonKind.UNSCORED, {"dpd": 12, "bucket": "M1", "past_due": "1,500.00"}).stored()
    assert queue_reason(en, unscored) == "no score yet · 12 days past due · bucket M1 · past due 1,500.00"
    assert queue_reason(zh, unscored) == "尚无评分 · 逾期 12 天 · 账龄 M1 · 逾期金额 1,500.00"
    assert queue_reason(en, "逾期 3 天 · 账龄 M1") == "逾期 3 天 · 账龄 M1"  # stored before reasons were codes
