"""One explained-reason type: an arrangement decision, a compliance rule's result and an access
refusal each carry a `domain.reasons.Reason`, and their answers read the same as before."""

from __future__ import annotations

from datetime import date

from arrears.compliance.outcome import Verdict
from arrears.compliance.packs import load_pack
from arrears.domain.access import Role, may_take_work
from arrears.domain.arrangements.decisions import deny
from arrears.domain.reasons import Reason


def test_an_arrangement_refusal_carries_its_reason_and_answers_the_same_keys() -> None:
    decision = deny("ARR-AFFORD-01", "月供超出可负担额度", "the installment is not affordable", "policy 4.2",
                    field="amount")
    assert decision.reason == Reason("ARR-AFFORD-01", "月供超出可负担额度", "the installment is not affordable",
                                     "policy 4.2")
    assert decision.as_dict() == {"rule_id": "ARR-AFFORD-01", "allowed": False, "reason_zh": "月供超出可负担额度",
                                  "reason_en": "the installment is not affordable", "citation": "policy 4.2",
                                  "field": "amount"}


def test_a_compliance_rule_result_carries_the_rule_and_its_citation_in_its_reason() -> None:
    spec = load_pack("CN").rule("CN-FREQ-01")
    result = spec.deny("今日有效通话已达上限", "the daily cap of effective calls is reached")
    assert result.outcome is Verdict.DENY and result.rule_id == "CN-FREQ-01"
    assert result.reason == Reason("CN-FREQ-01", "今日有效通话已达上限", "the daily cap of effective calls is reached",
                                   spec.citation)
    assert spec.ok().passed and spec.ok().reason.citation == spec.citation


def test_an_access_refusal_is_a_reason_worded_in_the_callers_language() -> None:
    eligibility = may_take_work(Role.COLLECTOR, None, date(2030, 1, 1), False, date(2026, 12, 1))
    [refusal] = eligibility.refusals
    assert isinstance(refusal, Reason) and refusal.rule_id == "access.training_lapsed"
    assert refusal.text("en") == refusal.en and "lapsed" in refusal.en
    assert refusal.text("zh") == refusal.zh and "培训" in refusal.zh
