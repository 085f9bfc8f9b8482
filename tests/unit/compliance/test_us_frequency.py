from compliance_builders import attempt, failed, judge, request, warned

NY = "America/New_York"
PHONE = "+12125550100"


def call(day: int, outcome: str = "no_answer", hour: int = 10, month: int = 3, **kw) -> dict:
    kw.setdefault("address", PHONE)
    return attempt(f"2026-{month:02d}-{day:02d}T{hour:02d}:00:00-05:00", outcome, **kw)


def us(day: int = 9, history=(), month: int = 3, zones=(NY,), **kw) -> dict:
    return request(
        at=f"2026-{month:02d}-{day:02d}T14:00:00-04:00",
        packs=("US",),
        zones=zones,
        address=PHONE,
        history=list(history),
        **kw,
    )


def test_an_eighth_call_in_seven_days_is_denied():
    history = [call(d) for d in (3, 4, 5, 6, 7, 8, 9)]
    answer = judge(us(history=history))
    assert answer.rules == ["US-FREQ-01"]
    assert "8 calls" in answer.reasons[0]


def test_a_seventh_call_in_seven_days_is_allowed():
    assert failed(us(history=[call(d) for d in (4, 5, 6, 7, 8, 9)])) == []


def test_a_call_eight_days_before_is_outside_the_seven_day_window():
    history = [call(2), *[call(d) for d in (4, 5, 6, 7, 8, 9)]]
    assert failed(us(history=history)) == []


def test_busy_and_not_in_service_calls_are_not_counted():
    history = [
        call(3, "busy"),
        call(4, "not_in_service"),
        call(5, "failed"),
        *[call(d) for d in (6, 7, 8, 9)],
        call(9, "busy", hour=11),
    ]
    assert failed(us(history=history)) == []


def test_dropped_voicemail_and_answered_by_others_are_counted():
    history = [
        call(3, "dropped"),
        call(4, "voicemail"),
        call(5, "answered_other"),
        *[call(d) for d in (6, 7, 8, 9)],
    ]
    assert failed(us(history=history)) == ["US-FREQ-01"]


def test_calls_about_another_debt_do_not_count():
    history = [call(d, debt_ids=("B2",)) for d in (3, 4, 5, 6, 7, 8, 9)]
    assert failed(us(history=history)) == []


def test_calls_to_the_consumers_attorney_are_not_counted():
    history = [call(d, party="attorney", address="+12125550199") for d in (3, 4, 5, 6, 7, 8, 9)]
    assert failed(us(history=history)) == []


def test_the_day_is_counted_in_the_strictest_zone():
    # 01:30 EST on 3 Mar is 22:30 PST on 2 Mar: inside the 3-9 Mar window only in New York
    history = [attempt("2026-03-03T06:30:00Z", "no_answer", address=PHONE)]
    history += [call(d) for d in (4, 5, 6, 7, 8, 9)]
    assert failed(us(history=history, zones=("America/Los_Angeles",))) == []
    assert failed(us(history=history, zones=(NY, "America/Los_Angeles"))) == ["US-FREQ-01"]


def test_a_conversation_stops_calls_for_seven_days_counting_its_own_date():
    history = [call(2, "conversation")]
    assert failed(us(day=8, history=history)) == ["US-FREQ-02"]  # day 7 of the period
    assert failed(us(day=9, history=history)) == []


def test_a_new_conversation_restarts_the_seven_day_clock():
    history = [call(2, "conversation"), call(9, "conversation", hour=9)]
    assert failed(us(day=9, history=history)) == ["US-FREQ-02"]
    assert failed(us(day=15, history=history)) == ["US-FREQ-02"]
    assert failed(us(day=16, history=history)) == []


def test_an_inbound_conversation_also_starts_the_quiet_period():
    history = [call(8, "conversation", direction="inbound")]
    assert failed(us(day=9, history=history)) == ["US-FREQ-02"]


def test_consent_given_in_a_conversation_allows_the_call_back_it_asks_for():
    # comment 14(b)(3)(i)-3.i: in a conversation the consumer says "call back on Monday"
    history = [call(8, "conversation")]
    asked = {"call_consent_until": "2026-03-14T10:00:00-04:00"}
    assert failed(us(day=9, history=history, flags=asked)) == []
    assert failed(us(day=9, history=history)) == ["US-FREQ-02"]


def test_a_conversation_after_the_consent_was_received_ends_it():
    # comment 14(b)(3)(i)-2: consent received on the 7th, a conversation on the 8th ends it
    history = [call(8, "conversation")]
    consent = {"call_consent_until": "2026-03-14T10:00:00-04:00", "call_consent_given_at": "2026-03-07T10:00:00-05:00"}
    assert failed(us(day=9, history=history, flags=consent)) == ["US-FREQ-02"]
    later = {**consent, "call_consent_given_at": "2026-03-08T12:00:00-05:00"}  # received after it
    assert failed(us(day=9, history=history, flags=later)) == []


def test_calls_inside_a_consent_window_are_not_counted():
    history = [call(d) for d in (3, 4, 5, 6, 7, 8, 9)]
    flags = {"call_consent_until": "2026-03-06T23:00:00-05:00"}  # covers calls up to the 6th
    assert failed(us(day=9, history=history, flags=flags)) == []


def test_a_multi_debt_call_needs_one_debt_with_capacity():
    full_a = [call(d, debt_ids=("A1001",)) for d in (3, 4, 5, 6, 7, 8, 9)]
    raw = us(history=full_a, debt_ids=("A1001", "B2"))
    assert judge(raw).decision == "allow"
    assert warned(raw) == ["US-FREQ-03"]
    full_b = [call(d, debt_ids=("B2",), hour=11) for d in (3, 4, 5, 6, 7, 8, 9)]
    assert failed(us(history=full_a + full_b, debt_ids=("A1001", "B2"))) == ["US-FREQ-03"]


def test_a_text_message_is_not_a_call_for_the_seven_in_seven_count():
    history = [call(d, "delivered", channel="sms") for d in (3, 4, 5, 6, 7, 8, 9)]
    assert "US-FREQ-01" not in failed(us(history=history))


def test_a_tightened_quiet_period_reaches_further_back_than_seven_days():
    from arrears.compliance.packs import GateConfig

    config = GateConfig({"US-FREQ-02": {"quiet_days_after_conversation": 12}})
    history = [call(1, "conversation")]
    assert failed(us(day=12, history=history)) == []
    assert failed(us(day=12, history=history), config=config) == ["US-FREQ-02"]
    assert failed(us(day=13, history=history), config=config) == []
