from compliance_builders import MOBILE, failed, judge, request, screened, warned

from arrears.compliance.screening.types import Category

PLAN = {"installment_plan_active": True}


def test_a_collection_call_during_an_installment_plan_is_denied():
    assert failed(request(flags=PLAN)) == ["CN-PLAN-01"]


def test_a_service_message_during_an_installment_plan_is_allowed():
    raw = request(
        channel="sms", flags=PLAN, message="【XX银行】您的分期第3期账单已出。", purpose="service"
    )
    assert judge(raw, screened(mentions_debt=True)).decision == "allow"


def test_a_message_without_collection_content_is_recognised_as_service():
    raw = request(channel="sms", flags=PLAN, message="【XX银行】您的账户地址已更新。")
    assert judge(raw, screened(mentions_debt=False)).decision == "allow"


def test_a_message_declared_service_that_contains_pressure_is_denied():
    raw = request(channel="sms", flags=PLAN, message="...", purpose="service")
    assert "CN-PLAN-01" in failed(raw, screened(Category.LITIGATION))


def test_a_declared_service_call_without_a_script_goes_to_review():
    answer = judge(request(flags=PLAN, purpose="service"))
    assert (answer.decision, answer.rules) == ("review", ["CN-PLAN-01"])


def test_an_open_objection_is_a_warning_by_default():
    raw = request(flags={"dispute_open": True})
    assert judge(raw).decision == "allow"
    assert warned(raw) == ["CN-DISP-01"]


def agency(until: str | None, evaluated: str | None) -> dict:
    return {"id": "AG1", "authorized_until": until, "last_evaluation": evaluated}


def test_an_agency_mandate_is_valid_through_its_last_day():
    assert failed(request(agency=agency("2026-11-30", "2026-06-01"))) == []
    assert failed(request(agency=agency("2026-11-29", "2026-06-01"))) == ["CN-AGY-03"]


def test_an_agency_evaluated_exactly_365_days_ago_may_act_but_not_366():
    assert failed(request(agency=agency("2027-12-31", "2025-11-30"))) == []
    assert failed(request(agency=agency("2027-12-31", "2025-11-29"))) == ["CN-AGY-03"]


def test_an_agency_with_unknown_dates_goes_to_review():
    answer = judge(request(agency=agency(None, "2026-06-01")))
    assert (answer.decision, answer.rules) == ("review", ["CN-AGY-03"])


def test_a_collector_training_is_valid_through_its_last_day():
    ok = {"id": "G7", "training_valid_until": "2026-11-30"}
    lapsed = {"id": "G7", "training_valid_until": "2026-11-29"}
    assert failed(request(agent=ok)) == []
    assert failed(request(agent=lapsed)) == ["CN-AGY-04"]


def test_the_date_is_the_latest_local_date_so_a_lapse_at_beijing_midnight_is_seen():
    # 00:30 on 1 Dec in Beijing (with consent) is still 30 Nov in Urumqi: strictest is Beijing
    agent = {"id": "G7", "training_valid_until": "2026-11-30"}
    window = {"from": "2026-12-01T00:00:00+08:00", "to": "2026-12-01T01:00:00+08:00"}
    raw = request(
        at="2026-12-01T00:30:00+08:00",
        zones=("Asia/Urumqi",),
        agent=agent,
        flags={"consent_windows": [window]},
    )
    assert failed(raw) == ["CN-AGY-04"]


def test_a_system_send_without_an_agent_is_not_judged_on_training():
    assert failed(request(agent=None, agency=None)) == []


def test_a_debtor_who_replied_td_to_a_text_gets_no_more_texts_at_that_number():
    history = [{"at": "2026-11-29T18:00:00+08:00", "channel": "sms", "direction": "inbound",
                "to": {"party": "debtor", "kind": "mobile", "address": MOBILE}, "debt_ids": ["A1001"],
                "outcome": "delivered", "message": "TD"}]
    raw = request(channel="sms", message="【示例银行】您好，请回电。拒收请回复R", history=history)
    assert "CN-OPTOUT-01" in failed(raw, screened(has_opt_out=True))
