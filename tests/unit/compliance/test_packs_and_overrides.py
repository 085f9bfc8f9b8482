import pytest
from compliance_builders import attempt, failed, judge, request

from arrears.compliance.packs import PACK_ORDER, GateConfig, OverrideError, load_pack
from arrears.compliance.rules import RULES

ALL_SPECS = [spec for code in PACK_ORDER for spec in load_pack(code).rules]


def test_every_rule_in_a_pack_has_a_function_and_every_function_a_pack():
    assert {spec.id for spec in ALL_SPECS} == set(RULES)


def test_rule_ids_are_unique_across_packs():
    ids = [spec.id for spec in ALL_SPECS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.id)
def test_every_rule_carries_its_citation_confidence_date_and_meaning_in_two_languages(spec):
    assert spec.citation and spec.confidence and spec.effective_from
    assert spec.meaning_zh and spec.meaning_en
    assert set(spec.tighten) <= set(spec.params)


def test_each_pack_names_its_version():
    assert load_pack("CN").version == "CN-2026.11"
    assert {load_pack(code).version.split("-20")[0] for code in PACK_ORDER} == set(PACK_ORDER)


def test_an_institution_may_allow_only_two_conversations_a_day():
    config = GateConfig({"CN-FREQ-01": {"max_effective_calls_per_day": 2}}, label="bank-x")
    history = [attempt(f"2026-11-30T0{h}:00:00+08:00", "conversation") for h in (8, 9)]
    raw = request(at="2026-11-30T15:00:00+08:00", history=history)
    assert failed(raw) == []
    answer = judge(raw, config=config)
    assert answer.rules == ["CN-FREQ-01"]
    assert answer.pack_versions == {"CN": "CN-2026.11+bank-x"}


def test_an_institution_may_start_the_quiet_hours_earlier_and_end_them_later():
    config = GateConfig({"CN-TIME-01": {"allowed_until": "21:00:00", "allowed_from": "09:00:00"}})
    assert failed(request(at="2026-11-30T21:30:00+08:00")) == []
    answer = judge(request(at="2026-11-30T21:30:00+08:00"), config=config)
    assert answer.reasons == ["北京时间 21:30 在 21:00 至次日 09:00 的禁止催收时段内"]
    assert failed(request(at="2026-11-30T08:30:00+08:00"), config=config) == ["CN-TIME-01"]


def test_an_institution_may_turn_a_warning_into_a_review():
    config = GateConfig({"CN-DISP-01": {"action": "review"}})
    answer = judge(request(flags={"dispute_open": True}), config=config)
    assert (answer.decision, answer.rules) == ("review", ["CN-DISP-01"])


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"CN-FREQ-01": {"max_effective_calls_per_day": 4}}, "would loosen"),
        ({"CN-TIME-01": {"allowed_until": "23:00:00"}}, "would loosen"),  # a later quiet start
        ({"CN-TIME-01": {"allowed_from": "07:00:00"}}, "would loosen"),
        ({"CN-VISIT-01": {"min_visitors": 1}}, "would loosen"),
        ({"CN-FREQ-02": {"action": "warn"}}, "would loosen"),
        ({"CN-FREQ-01": {"max_effective_calls_per_day": "2"}}, "whole number"),
        ({"CN-FREQ-01": {"per_hour": 1}}, "no such parameter"),
        ({"CN-XX-99": {"max": 1}}, "unknown rule id"),
        ({"CN-TIME-01": {"allowed_from": "21:00:00", "allowed_until": "20:00:00"}}, "before"),
    ],
)
def test_an_override_that_loosens_or_is_unknown_is_refused_clearly(overrides, words):
    with pytest.raises(OverrideError, match=words):
        GateConfig(overrides)


def test_the_shipped_pack_is_unchanged_by_an_override():
    GateConfig({"CN-FREQ-01": {"max_effective_calls_per_day": 1}})
    assert load_pack("CN").rule("CN-FREQ-01").params["max_effective_calls_per_day"] == 3
