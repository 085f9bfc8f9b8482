import pytest
from compliance_builders import failed, judge, request


@pytest.mark.parametrize(
    ("local", "denied"),
    [
        ("21:59:59", False),
        ("22:00:00", True),
        ("23:30:00", True),
        ("03:00:00", True),
        ("08:00:00", True),
        ("08:00:00.500", True),  # truncated to the second: still the boundary instant
        ("08:00:01", False),
        ("12:00:00", False),
    ],
)
def test_quiet_hours_in_beijing_include_both_boundary_instants(local, denied):
    raw = request(at=f"2026-11-30T{local}+08:00")
    assert ("CN-TIME-01" in failed(raw)) is denied


def test_a_call_at_22_00_beijing_time_is_denied_with_a_chinese_reason():
    answer = judge(request(at="2026-11-30T22:30:00+08:00"))
    assert answer.decision == "deny"
    assert answer.reasons == ["北京时间 22:30 在 22:00 至次日 08:00 的禁止催收时段内"]


def test_the_instant_is_judged_in_beijing_whatever_offset_it_is_written_with():
    assert "CN-TIME-01" in failed(request(at="2026-11-30T14:30:00Z"))  # 22:30 in Beijing
    assert "CN-TIME-01" not in failed(request(at="2026-11-30T13:59:59Z"))


def test_a_debtor_in_urumqi_must_pass_in_both_zones_and_beijing_denies_23_30():
    raw = request(at="2026-11-30T23:30:00+08:00", zones=("Asia/Urumqi",))  # 21:30 Urumqi
    answer = judge(raw)
    assert answer.rules == ["CN-TIME-01"]
    assert "北京时间 23:30" in answer.reasons[0]


def test_a_debtor_in_urumqi_is_protected_in_the_morning_by_their_own_zone():
    raw = request(at="2026-11-30T09:30:00+08:00", zones=("Asia/Urumqi",))  # 07:30 Urumqi
    answer = judge(raw)
    assert answer.rules == ["CN-TIME-01"]
    assert "Asia/Urumqi 当地时间 07:30" in answer.reasons[0]


def test_a_consent_window_exempts_the_quiet_hours():
    window = {"from": "2026-11-30T22:00:00+08:00", "to": "2026-11-30T22:45:00+08:00"}
    raw = request(at="2026-11-30T22:30:00+08:00", flags={"consent_windows": [window]})
    assert "CN-TIME-01" not in failed(raw)
    assert "CN-TIME-01" in failed(
        request(at="2026-11-30T22:50:00+08:00", flags={"consent_windows": [window]})
    )


def test_a_letter_is_not_judged_by_the_clock():
    raw = request(at="2026-11-30T23:00:00+08:00", channel="letter", kind="postal")
    assert "CN-TIME-01" not in failed(raw)


def test_the_reason_is_in_english_when_asked():
    answer = judge(request(at="2026-11-30T22:30:00+08:00", language="en"))
    assert answer.reasons == ["22:30 Beijing time is inside the 22:00-08:00 quiet hours"]


TRAINED = {"id": "V1", "training_valid_until": "2026-11-30"}
TRAINED_2 = {"id": "V2", "training_valid_until": "2027-06-30"}


def test_a_visit_by_two_trained_collectors_in_the_daytime_is_allowed():
    raw = request(channel="visit", kind="postal", visitors=[TRAINED, TRAINED_2])
    assert failed(raw) == []


def test_a_visit_by_one_collector_is_denied():
    raw = request(channel="visit", kind="postal", visitors=[TRAINED])
    assert failed(raw) == ["CN-VISIT-01"]


def test_a_visitor_whose_training_lapsed_yesterday_does_not_count():
    lapsed = {"id": "V3", "training_valid_until": "2026-11-29"}
    raw = request(channel="visit", kind="postal", visitors=[TRAINED, lapsed])
    assert failed(raw) == ["CN-VISIT-01"]


def test_the_same_visitor_listed_twice_counts_once():
    raw = request(channel="visit", kind="postal", visitors=[TRAINED, TRAINED])
    assert failed(raw) == ["CN-VISIT-01"]


def test_a_visit_in_the_quiet_hours_is_denied_by_both_rules():
    raw = request(
        at="2026-11-30T07:00:00+08:00",
        channel="visit",
        kind="postal",
        visitors=[TRAINED, TRAINED_2],
    )
    assert failed(raw) == ["CN-TIME-01", "CN-VISIT-01"]
