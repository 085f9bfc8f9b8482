from compliance_builders import attempt, failed, judge, request, warned

TODAY = "2026-11-30T{}+08:00"


def conversations(*times: str, **kw) -> list[dict]:
    return [attempt(TODAY.format(t), "conversation", **kw) for t in times]


def test_a_fourth_effective_conversation_in_a_day_is_denied():
    history = conversations("09:00:00", "11:00:00", "13:00:00")
    answer = judge(request(at=TODAY.format("15:00:00"), history=history))
    assert answer.rules == ["CN-FREQ-01"]
    assert "3 次" in answer.reasons[0]


def test_a_third_effective_conversation_is_allowed():
    history = conversations("09:00:00", "11:00:00")
    assert "CN-FREQ-01" not in failed(request(at=TODAY.format("15:00:00"), history=history))


def test_conversations_by_different_agencies_are_summed():
    history = [
        *conversations("09:00:00", agency_id="AG1"),
        *conversations("10:00:00", agency_id="AG2"),
        *conversations("11:00:00"),  # the issuer itself
    ]
    assert "CN-FREQ-01" in failed(request(at=TODAY.format("15:00:00"), history=history))


def test_calls_answered_by_someone_else_are_not_effective_conversations():
    history = [attempt(TODAY.format(t), "answered_other") for t in ("09:00", "10:00", "11:00")]
    assert "CN-FREQ-01" not in failed(request(at=TODAY.format("15:00:00"), history=history))


def test_inbound_conversations_are_not_proactive_and_do_not_count():
    history = conversations("09:00:00", "10:00:00", "11:00:00", direction="inbound")
    assert "CN-FREQ-01" not in failed(request(at=TODAY.format("15:00:00"), history=history))


def test_yesterdays_conversations_do_not_count_today_in_beijing():
    history = [attempt(f"2026-11-29T{t}+08:00", "conversation") for t in ("20:00", "21:00")]
    history += conversations("07:59:00")
    assert "CN-FREQ-01" not in failed(request(at=TODAY.format("15:00:00"), history=history))


def test_the_day_is_also_the_debtors_local_day_whichever_is_stricter():
    # With a consent window, 00:30 Beijing on the 30th is 22:30 on the 29th in Urumqi, where
    # three conversations already took place that (Urumqi) day.
    history = [
        attempt(f"2026-11-29T{t}+08:00", "conversation") for t in ("21:00", "21:30", "23:50")
    ]
    window = {"from": "2026-11-29T23:00:00+08:00", "to": "2026-11-30T01:00:00+08:00"}
    raw = request(
        at="2026-11-30T00:30:00+08:00",
        zones=("Asia/Urumqi",),
        history=history,
        flags={"consent_windows": [window]},
    )
    assert failed(raw) == ["CN-FREQ-01"]
    beijing_only = request(
        at="2026-11-30T00:30:00+08:00", history=history, flags={"consent_windows": [window]}
    )
    assert failed(beijing_only) == []


def test_a_call_to_a_third_party_is_not_capped_by_the_debtor_conversations():
    history = conversations("09:00:00", "11:00:00", "13:00:00")
    raw = request(at=TODAY.format("15:00:00"), history=history, party="guarantor")
    assert "CN-FREQ-01" not in failed(raw)


def unanswered(n: int, outcome: str = "no_answer", address: str = "+8613800138000"):
    return [attempt(TODAY.format(f"{9 + i:02d}:00:00"), outcome, address=address) for i in range(n)]


def test_a_seventh_dial_after_six_unanswered_to_the_same_number_is_denied():
    assert "CN-FREQ-02" in failed(request(at=TODAY.format("16:00:00"), history=unanswered(6)))


def test_a_sixth_dial_after_five_unanswered_is_allowed():
    assert "CN-FREQ-02" not in failed(request(at=TODAY.format("16:00:00"), history=unanswered(5)))


def test_busy_signals_count_as_unanswered_dials():
    assert "CN-FREQ-02" in failed(
        request(at=TODAY.format("16:00:00"), history=unanswered(6, "busy"))
    )


def test_unanswered_dials_to_another_number_do_not_count():
    history = unanswered(6, address="+8613900139000")
    assert "CN-FREQ-02" not in failed(request(at=TODAY.format("16:00:00"), history=history))


def test_more_touches_than_the_policy_cap_are_a_warning_not_a_denial():
    history = [
        attempt(TODAY.format(f"{9 + i:02d}:00:00"), "delivered", channel="sms") for i in range(10)
    ]
    raw = request(at=TODAY.format("20:00:00"), history=history, channel="sms")
    answer = judge(raw)
    assert answer.decision == "allow"
    assert warned(raw) == ["CN-FREQ-03"]
