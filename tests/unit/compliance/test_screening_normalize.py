"""Normalisation undoes disguises and keeps a map back to the original text."""

from __future__ import annotations

import pytest

from arrears.compliance.screening.normalize import normalize


@pytest.mark.parametrize(
    ("disguised", "plain"),
    [
        ("坐-牢", "坐牢"),
        ("坐 牢", "坐牢"),
        ("坐*牢", "坐牢"),
        ("坐.牢", "坐牢"),
        ("坐\u200b牢", "坐牢"),
        ("坐，牢", "坐牢"),
        ("坐😀牢", "坐牢"),
        ("監獄", "监狱"),
        ("還錢！不還讓你們好看", "还钱!不还让你们好看"),
        ("ＺＵＯＬＡＯ", "坐牢"),
        ("zuo牢", "坐牢"),
        ("做牢", "坐牢"),
        ("座牢", "坐牢"),
        ("bao通讯录", "爆通讯录"),
        ("暴通讯录", "爆通讯录"),
        ("爆tongxunlu", "爆通讯录"),
        ("gong安", "公安"),
        ("公an", "公安"),
        ("fa院", "法院"),
        ("laolai", "老赖"),
        ("老lai", "老赖"),
        ("sb", "傻逼"),
        ("煞笔", "傻逼"),
        ("傻b", "傻逼"),
        ("j@il", "jail"),
        ("d3adb3at", "deadbeat"),
        ("p.o.l.i.c.e", "police"),
        ("STOOOOP", "stop"),
    ],
)
def test_a_disguised_word_normalizes_to_the_plain_word(disguised: str, plain: str) -> None:
    assert normalize(disguised).text == plain


@pytest.mark.parametrize("text", ["欠款3000元", "US$500 due", "1,000.50", "card ending 1234"])
def test_amounts_and_numbers_are_not_read_as_leetspeak(text: str) -> None:
    assert normalize(text).text == text.lower()


def test_clause_punctuation_between_ordinary_words_is_kept() -> None:
    assert normalize("好，谢谢").text == "好,谢谢"


def test_threat_emoji_become_tokens() -> None:
    assert normalize("🔪").text == "⟦刀⟧"
    assert normalize("⚰️").text == "⟦棺材⟧"


def test_every_normalized_span_points_back_to_the_original_characters() -> None:
    original = "你這個老-賴，不還錢就去zuo牢"
    normalized = normalize(original)
    start = normalized.text.index("老赖")
    a, b = normalized.original_span(start, start + 2)
    assert original[a:b] == "老-賴"
    start = normalized.text.index("坐牢")
    a, b = normalized.original_span(start, start + 2)
    assert original[a:b] == "zuo牢"


def test_normalizing_is_deterministic() -> None:
    text = "Y0u d3adb3at 坐 牢 🔪"
    assert normalize(text) == normalize(text)
