"""Every professional message passes; every disguised abusive message is caught."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from arrears.compliance.screening import Category, Severity, screen

SETS = Path(__file__).resolve().parents[2] / "data" / "screening"


def _rows(name: str) -> list[dict[str, str]]:
    with (SETS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


PROFESSIONAL = _rows("professional_messages.csv")
ABUSIVE = _rows("abusive_messages.csv")


def test_the_sets_are_big_enough_and_mix_both_languages() -> None:
    assert len(PROFESSIONAL) >= 220
    assert len(ABUSIVE) >= 150
    assert {r["language"] for r in PROFESSIONAL} == {"zh", "en"}
    assert {r["language"] for r in ABUSIVE} == {"zh", "en"}
    assert {Category(r["category"]) for r in ABUSIVE} == set(Category) - {
        Category.VISIT,
        Category.REMEDY,
    }


@pytest.mark.parametrize("row", PROFESSIONAL, ids=[r["id"] for r in PROFESSIONAL])
def test_a_professional_message_gets_no_finding_beyond_its_labelled_review(row) -> None:
    result = screen(row["text"])
    allowed = {Category(c) for c in row["expect_review"].split(";") if c}
    assert not [f for f in result.findings if f.severity is Severity.HIGH]
    assert result.categories() == allowed


@pytest.mark.parametrize("row", ABUSIVE, ids=[r["id"] for r in ABUSIVE])
def test_an_abusive_message_is_caught_with_its_category(row) -> None:
    result = screen(row["text"])
    caught = result.of(Category(row["category"]))
    assert caught, f"{row['disguise']}: {row['text']!r} -> {result.normalized!r}"
    for finding in caught:
        assert finding.excerpt and finding.excerpt in row["text"]
