import pytest
from compliance_builders import failed, judge, request, screened

from arrears.compliance.screening.types import Category, Severity


def sms(**kw) -> dict:
    return request(channel="sms", message="text under test", **kw)


@pytest.mark.parametrize(
    ("category", "rule"),
    [
        (Category.THREAT, "CN-TXT-01"),
        (Category.INSULT, "CN-TXT-02"),
        (Category.AUTHORITY, "CN-TXT-03"),
        (Category.CRIMINAL, "CN-TXT-04"),
        (Category.DISCLOSURE, "CN-TXT-05"),
        (Category.FAMILY, "CN-TXT-06"),
        (Category.FUNDS, "CN-TXT-07"),
        (Category.LITIGATION, "CN-TXT-09"),
        (Category.REMEDY, "CN-TXT-09"),
    ],
)
def test_each_category_of_unlawful_wording_is_denied_by_its_rule(category, rule):
    answer = judge(sms(), screened(category))
    assert (answer.decision, answer.rules) == ("deny", [rule])
    assert f"<{category.value}>" in answer.reasons[0]


def test_a_visit_mention_goes_to_review():
    answer = judge(sms(), screened(Category.VISIT))
    assert (answer.decision, answer.rules) == ("review", ["CN-TXT-08"])


def test_a_medium_severity_finding_goes_to_review_rather_than_denial():
    answer = judge(sms(), screened((Category.THREAT, Severity.MEDIUM)))
    assert (answer.decision, answer.rules) == ("review", ["CN-TXT-01"])


def test_litigation_wording_is_reviewed_only_when_litigation_is_authorized():
    authorized = sms(flags={"litigation_authorized": True})
    assert judge(authorized, screened(Category.LITIGATION)).decision == "review"
    assert judge(sms(), screened(Category.LITIGATION)).decision == "deny"


def test_criminal_wording_needs_both_litigation_and_a_verified_referral_to_reach_review():
    only_litigation = sms(flags={"litigation_authorized": True})
    assert judge(only_litigation, screened(Category.CRIMINAL)).decision == "deny"
    both = sms(flags={"litigation_authorized": True, "criminal_referral_verified": True})
    assert judge(both, screened(Category.CRIMINAL)).decision == "review"


def test_a_message_that_does_not_identify_the_institution_goes_to_review():
    answer = judge(sms(), screened(self_identifies=False))
    assert (answer.decision, answer.rules) == ("review", ["CN-ID-01"])


def test_a_letter_is_not_held_to_the_call_and_sms_self_identification_rule():
    raw = request(channel="letter", kind="postal", message="...")
    assert failed(raw, screened(self_identifies=False)) == []


def test_several_findings_give_one_line_per_rule_in_pack_order():
    answer = judge(sms(), screened(Category.INSULT, Category.THREAT, Category.INSULT))
    assert answer.rules == ["CN-TXT-01", "CN-TXT-02"]
    assert len(answer.reasons) == 2
