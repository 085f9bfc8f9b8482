from compliance_builders import attempt, judge, request, screened

from arrears.compliance.gate import check
from arrears.compliance.request import Answer, parse_request
from arrears.compliance.screening.types import Category, Screening


def busy_request() -> dict:
    history = [
        attempt(f"2026-11-30T0{h}:00:00+08:00", "conversation", agency_id=f"AG{h}") for h in (8, 9)
    ] + [attempt("2026-11-30T09:30:00+08:00", "conversation")]
    return request(
        at="2026-11-30T22:30:00+08:00",
        packs=("CN", "US", "UK"),
        zones=("Asia/Urumqi",),
        channel="sms",
        message="...",
        history=history,
        flags={"dispute_open": True},
    )


def test_the_same_request_twice_gets_an_identical_answer():
    first = judge(busy_request(), screened(Category.THREAT, Category.VISIT))
    second = judge(busy_request(), screened(Category.THREAT, Category.VISIT))
    assert first == second
    assert first.model_dump_json() == second.model_dump_json()


def test_deny_wins_over_review_and_every_failing_rule_is_listed_with_a_reason():
    answer = judge(busy_request(), screened(Category.THREAT, Category.VISIT))
    assert answer.decision == "deny"
    assert "CN-TIME-01" in answer.rules and "CN-TXT-08" in answer.rules
    assert len(answer.rules) == len(answer.reasons) == len(answer.citations)
    assert any(w.startswith("CN-DISP-01: ") for w in answer.warnings)


def test_review_without_deny_gives_review():
    answer = judge(request(channel="sms", message="..."), screened(Category.VISIT))
    assert answer.decision == "review"


def test_reasons_default_to_chinese_with_cn_and_english_without():
    zh = judge(request(at="2026-11-30T23:00:00+08:00"))
    assert zh.reasons[0].startswith("北京时间")
    en = judge(request(at="2026-11-30T23:00:00-05:00", packs=("US",), zones=("America/New_York",)))
    assert en.reasons[0].startswith("23:00")


def test_the_screener_is_called_only_when_there_is_a_message():
    calls: list[str] = []

    def spy(text: str) -> Screening:
        calls.append(text)
        return Screening(self_identifies=True)

    check(parse_request(request()), screener=spy)
    assert calls == []
    check(parse_request(request(channel="sms", message="您好")), screener=spy)
    assert calls == ["您好"]


def test_every_requested_pack_is_reported_in_a_fixed_order():
    raw = request(packs=("UK", "CN", "US"), zones=("Asia/Shanghai",))
    assert list(judge(raw).pack_versions) == ["CN", "US", "UK"]


def test_an_allowed_contact_has_no_rules_and_no_reasons():
    answer = judge(request())
    assert (answer.decision, answer.rules, answer.reasons) == ("allow", [], [])


def test_the_gate_builds_its_answer_as_the_contract_model_would() -> None:
    raw = request(flags={"cease_communication": True}, packs=("CN", "US"), zones=("Asia/Shanghai",))
    answer = check(parse_request(raw))
    same = Answer.assemble(**{name: getattr(answer, name) for name in Answer.model_fields})
    assert answer.decision == "deny"
    assert answer == same
    assert answer.model_fields_set == same.model_fields_set
    assert answer.model_dump_json() == same.model_dump_json()
    assert Answer.model_validate(answer.model_dump()) == answer


def test_an_outcome_recheck_earlier_that_day_does_not_bring_forward_a_rule_not_yet_in_force():
    # CN-VISIT-01 (two visitors) takes effect on 2026-01-30; a lone visitor the day before is lawful
    from arrears.compliance.gate import check_outcome
    from arrears.compliance.packs import GateConfig

    visit = request(at="2026-01-29T10:00:00+08:00", channel="visit", kind="postal",
                    visitors=[{"id": "V1", "training_valid_until": "2026-11-30"}])
    alone = check(parse_request(visit), config=GateConfig())
    config = GateConfig()
    check_outcome(parse_request(visit), "conversation", config=config)  # the caps alone, asked first
    after_recheck = check(parse_request(visit), config=config)
    assert alone.decision == "allow"
    assert after_recheck.decision == alone.decision and after_recheck.rules == alone.rules
