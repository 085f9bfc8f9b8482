from compliance_builders import MOBILE, attempt, failed, judge, request, screened, warned

SISTER = "+8613700137000"


def to_contact(**kw) -> dict:
    defaults = {"party": "emergency_contact", "address": SISTER}
    return request(**{**defaults, **kw})


def test_an_emergency_contact_cannot_be_called_while_the_debtor_is_reachable():
    history = [attempt("2026-11-29T10:00:00+08:00", "conversation")]
    assert failed(to_contact(history=history)) == ["CN-3P-02"]


def test_a_lost_debtor_allows_a_locate_call_with_a_caution_not_to_mention_the_debt():
    raw = to_contact(flags={"lost_contact": True})
    assert failed(raw) == []
    assert warned(raw) == ["CN-3P-01"]


def test_a_deceased_debtor_counts_as_lost():
    assert failed(to_contact(flags={"deceased": True})) == []


def test_a_number_out_of_service_makes_the_debtor_lost():
    history = [attempt("2026-11-30T09:00:00+08:00", "not_in_service")]
    assert failed(to_contact(history=history)) == []


def test_three_failed_attempts_make_the_debtor_lost_only_from_the_next_day():
    history = [attempt(f"2026-11-30T0{h}:10:00+08:00", "no_answer") for h in (8, 8, 9)]
    assert failed(to_contact(at="2026-11-30T15:00:00+08:00", history=history)) == ["CN-3P-02"]
    assert failed(to_contact(at="2026-12-01T09:00:00+08:00", history=history)) == []


def test_a_conversation_after_the_failures_means_the_debtor_is_not_lost():
    history = [attempt(f"2026-11-29T0{h}:10:00+08:00", "no_answer") for h in (8, 8, 9)]
    history.append(attempt("2026-11-29T18:00:00+08:00", "conversation"))
    assert failed(to_contact(at="2026-11-30T10:00:00+08:00", history=history)) == ["CN-3P-02"]


def test_three_consecutive_days_unreachable_make_the_debtor_lost():
    history = [attempt(f"2026-11-{d}T10:00:00+08:00", "no_answer") for d in (28, 29, 30)]
    # the third failed attempt is today, so only the "3 days unreachable" trigger applies
    assert failed(to_contact(at="2026-11-30T15:00:00+08:00", history=history)) == []


def test_two_unreachable_days_with_a_gap_do_not_make_the_debtor_lost():
    history = [attempt(f"2026-11-{d}T10:00:00+08:00", "no_answer") for d in (27, 30)]
    assert failed(to_contact(at="2026-11-30T15:00:00+08:00", history=history)) == ["CN-3P-02"]


def test_a_message_to_a_third_party_that_mentions_the_debt_is_denied():
    raw = to_contact(channel="sms", message="请转告张三尽快还款", flags={"lost_contact": True})
    assert failed(raw, screened(mentions_debt=True)) == ["CN-3P-01"]


def test_a_neutral_relay_message_to_a_third_party_is_allowed_when_the_debtor_is_lost():
    raw = to_contact(channel="sms", message="请张三回电", flags={"lost_contact": True})
    assert judge(raw, screened()).decision == "allow"


def test_a_written_contact_to_a_third_party_without_its_text_goes_to_review():
    raw = to_contact(channel="sms", flags={"lost_contact": True})
    assert judge(raw).rules == ["CN-3P-01"]
    assert judge(raw).decision == "review"


def test_a_declared_collection_purpose_toward_a_third_party_is_denied():
    raw = to_contact(purpose="collection", flags={"lost_contact": True})
    assert failed(raw) == ["CN-3P-01"]


def test_a_third_party_who_asked_not_to_be_contacted_is_never_contacted():
    raw = to_contact(flags={"lost_contact": True, "third_party_do_not_contact": [SISTER]})
    assert failed(raw) == ["CN-3P-03"]


def test_the_guarantor_can_be_collected_from_without_the_debtor_being_lost():
    history = [attempt("2026-11-29T10:00:00+08:00", "conversation")]
    assert failed(request(party="guarantor", address=SISTER, history=history)) == []


def test_a_debtor_who_replied_td_gets_no_more_sms_at_that_number():
    assert "CN-OPTOUT-01" in failed(request(channel="sms", flags={"opt_outs": [MOBILE]}))
    assert "CN-OPTOUT-01" not in failed(request(channel="sms"))


def test_a_debtor_who_opted_out_of_sms_can_still_be_called_at_that_number():
    assert "CN-OPTOUT-01" not in failed(request(channel="call", flags={"opt_outs": [MOBILE]}))


def test_an_sms_to_another_number_of_a_debtor_who_opted_out_of_one_is_not_refused_for_it():
    assert "CN-OPTOUT-01" not in failed(request(channel="sms", flags={"opt_outs": ["+8613900000000"]}))
