"""Negation cancels legal, visit, criminal and disclosure findings, never threats or insults."""

from __future__ import annotations

import pytest

from arrears.compliance.screening import Category, Severity, screen


@pytest.mark.parametrize(
    "text",
    [
        "您不会被起诉。",
        "不会影响您的家人。",
        "我们不会上门，也不会联系您的同事。",
        "您不会因此坐牢，请放心与我们协商。",
        "我们不收取任何催收费。",
        "You will not be arrested.",
        "We will not sue you.",
        "We won't contact your employer.",
        "We do not charge a collection fee.",
        "You do not need to sell your house.",
    ],
)
def test_a_negated_legal_visit_or_disclosure_term_is_not_a_finding(text: str) -> None:
    assert screen(text).findings == ()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("如果不还款，我们将起诉您", Category.LITIGATION),
        ("你以为你不会坐牢吗？", Category.CRIMINAL),
        ("别以为我们不会起诉你", Category.LITIGATION),
        ("不还钱的人都会坐牢", Category.CRIMINAL),
        ("If you do not pay you will be arrested", Category.CRIMINAL),
        ("Don't pay and we will sue", Category.LITIGATION),
        ("Do you think we won't sue you?", Category.LITIGATION),
        ("This is not a threat: we will tell your employer.", Category.DISCLOSURE),
    ],
)
def test_a_conditional_taunting_or_later_term_is_still_found(text: str, category) -> None:
    assert screen(text).of(category)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("不是威胁你，后果自负", Category.THREAT),
        ("我不是骂你，你就是个老赖", Category.INSULT),
        ("I'm not saying you are a deadbeat", Category.INSULT),
        ("We won't hurt you, but we know where you live", Category.THREAT),
    ],
)
def test_negation_never_excuses_a_threat_or_an_insult(text: str, category) -> None:
    assert screen(text).of(category)


@pytest.mark.parametrize(
    "text",
    [
        "逾期记录将依法报送征信系统。",
        "Late payments may be reported to credit bureaus.",
        "Missed payments can affect your credit score.",
    ],
)
def test_a_factual_credit_record_statement_is_allowed(text: str) -> None:
    assert screen(text).findings == ()


def test_visit_litigation_and_remedy_are_medium_the_rest_high() -> None:
    result = screen("我们会上门。我们会起诉。garnish your wages. 后果自负")
    severities = {f.category: f.severity for f in result.findings}
    assert severities[Category.VISIT] is Severity.MEDIUM
    assert severities[Category.LITIGATION] is Severity.MEDIUM
    assert severities[Category.REMEDY] is Severity.MEDIUM
    assert severities[Category.THREAT] is Severity.HIGH
