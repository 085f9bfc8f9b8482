from compliance_builders import failed, judge, request, screened

from arrears.compliance.screening.types import Category

NY = "America/New_York"
PHONE = "+12125550100"


def us(**kw) -> dict:
    defaults = {
        "at": "2026-11-30T12:00:00-05:00",
        "packs": ("US",),
        "zones": (NY,),
        "address": PHONE,
    }
    return request(**{**defaults, **kw})


def test_no_work_contact_blocks_the_work_number_the_work_email_and_the_employer():
    flags = {"no_work_contact": True}
    assert failed(us(kind="work", flags=flags)) == ["US-PLACE-01"]
    assert "US-PLACE-01" in failed(
        us(channel="email", kind="work_email", flags=flags, message="x"),
        screened(has_opt_out=True),
    )
    assert "US-PLACE-01" in failed(us(party="employer", flags=flags))
    assert failed(us(kind="mobile", flags=flags)) == []


def test_a_represented_consumer_is_not_contacted_but_the_attorney_is():
    flags = {"attorney_represented": True}
    assert failed(us(flags=flags)) == ["US-ATTY-01"]
    assert failed(us(party="attorney", address="+12125550199", flags=flags)) == []


def test_after_a_cease_notice_contact_is_denied_and_a_permitted_notice_is_reviewed():
    flags = {"cease_communication": True}
    assert failed(us(flags=flags)) == ["US-CEASE-01"]
    answer = judge(us(channel="letter", kind="postal", flags=flags, purpose="cease_reply"))
    assert (answer.decision, answer.rules) == ("review", ["US-CEASE-01"])


def test_an_opted_out_medium_or_address_is_not_used():
    assert failed(us(flags={"opt_outs": ["call"]})) == ["US-MEDIUM-01"]
    assert failed(us(channel="voicemail", flags={"opt_outs": ["call"]})) == ["US-MEDIUM-01"]
    assert failed(us(flags={"opt_outs": [PHONE]})) == ["US-MEDIUM-01"]
    assert failed(us(flags={"opt_outs": ["email"]})) == []


def test_an_email_or_text_without_an_opt_out_is_denied():
    raw = us(channel="sms", message="Please call us back")
    assert failed(raw, screened(has_opt_out=False)) == ["US-ESMS-01"]
    assert failed(raw, screened(has_opt_out=True)) == []


def test_a_text_with_no_message_given_goes_to_review_for_the_opt_out():
    answer = judge(us(channel="sms"))
    assert (answer.decision, answer.rules) == ("review", ["US-ESMS-01"])


def test_a_third_party_may_be_asked_only_for_location_without_mentioning_the_debt():
    neighbour = {"party": "third_party", "address": "+12125550177"}
    assert failed(us(**neighbour, purpose="location")) == []
    assert failed(us(**neighbour, purpose="collection")) == ["US-3P-01"]
    answer = judge(us(**neighbour))
    assert (answer.decision, answer.rules) == ("review", ["US-3P-01"])
    said = us(**neighbour, channel="voicemail", message="about your neighbour's debt")
    assert "US-3P-01" in failed(said, screened(mentions_debt=True))


def test_the_spouse_counts_as_the_consumer():
    assert failed(us(party="spouse", address="+12125550111")) == []


def test_an_automated_call_to_a_mobile_needs_consent():
    assert failed(us(automated=True)) == ["US-TCPA-01"]
    assert failed(us(automated=True, flags={"tcpa_consent": True})) == []
    consent = {"call_consent_until": "2026-12-03T00:00:00-05:00"}
    assert failed(us(automated=True, flags=consent)) == []
    assert failed(us(automated=True, kind="home")) == []
    assert failed(us(automated=False)) == []


def test_an_automated_call_to_a_number_of_unknown_kind_is_treated_as_a_mobile():
    assert failed(us(automated=True, kind=None)) == ["US-TCPA-01"]


def test_abuse_arrest_and_false_affiliation_are_denied():
    raw = us(channel="voicemail", message="...")
    assert failed(raw, screened(Category.INSULT)) == ["US-TXT-01"]
    assert failed(raw, screened(Category.CRIMINAL)) == ["US-TXT-02"]
    assert failed(raw, screened(Category.AUTHORITY)) == ["US-TXT-04"]


def test_legal_action_wording_is_reviewed_only_when_authorized_and_not_time_barred():
    raw = us(channel="voicemail", message="...", flags={"time_barred": False})
    assert failed(raw, screened(Category.LITIGATION)) == ["US-TXT-03"]
    assert judge(raw, screened(Category.LITIGATION)).decision == "deny"
    authorized = us(
        channel="voicemail",
        message="...",
        flags={"time_barred": False, "litigation_authorized": True},
    )
    answer = judge(authorized, screened(Category.REMEDY))
    assert (answer.decision, answer.rules) == ("review", ["US-TXT-03"])


def test_suit_wording_on_a_time_barred_debt_is_denied_and_unknown_status_reviewed():
    barred = us(
        channel="voicemail",
        message="...",
        flags={"time_barred": True, "litigation_authorized": True},
    )
    assert judge(barred, screened(Category.LITIGATION)).rules == ["US-TXT-03", "US-SOL-01"]
    assert judge(barred, screened(Category.LITIGATION)).decision == "deny"
    unknown = us(channel="voicemail", message="...", flags={"litigation_authorized": True})
    assert judge(unknown, screened(Category.LITIGATION)).rules == ["US-TXT-03", "US-SOL-01"]
    assert judge(unknown, screened(Category.LITIGATION)).decision == "review"


def test_no_email_goes_to_an_employer_provided_address():
    work = failed(us(channel="email", kind="work_email", address="j.doe@acme.example", message="x"),
                  screened(has_opt_out=True))
    assert work == ["US-EMAIL-01"]
    assert failed(us(channel="email", kind="personal_email", address="jd@mail.example", message="x"),
                  screened(has_opt_out=True)) == []


def test_an_open_dispute_stops_collection_until_verification_but_not_a_service_message():
    """12 CFR 1006.38(d)(2): after a dispute, collection stops until verification is sent; the
    catalogue's decision applies it to every dispute the caller states open (``dispute_open``)."""
    assert failed(us(flags={"dispute_open": True})) == ["US-VAL-03"]
    demand = us(channel="email", kind="personal_email", address="jane@example.com", message="Pay $512 now",
                flags={"dispute_open": True})
    assert "US-VAL-03" in failed(demand, screened(has_opt_out=True, mentions_debt=True))
    notice = us(channel="email", kind="personal_email", address="jane@example.com", purpose="service",
                message="Your statement is ready", flags={"dispute_open": True})
    assert "US-VAL-03" not in failed(notice, screened(has_opt_out=True))
    assert failed(us(flags={"dispute_open": False})) == []


def test_a_third_party_who_asked_not_to_be_contacted_is_not_contacted_at_that_address():
    """12 CFR 1006.14(h): a person (not only the consumer) who asked not to be contacted at a
    number or address is not contacted there."""
    third = {"party": "emergency_contact", "address": "+12125550199", "purpose": "location"}
    assert "US-MEDIUM-01" in failed(us(**third, flags={"third_party_do_not_contact": ["+12125550199"]}))
    assert "US-MEDIUM-01" in failed(us(**third, flags={"third_party_do_not_contact": ["(212) 555-0199"]}))
    assert "US-MEDIUM-01" not in failed(us(**third, flags={"third_party_do_not_contact": ["+12125550188"]}))


def test_an_opted_out_number_or_address_is_recognised_however_it_is_written():
    assert failed(us(channel="sms", address="(212) 555-0100", message="x", flags={"opt_outs": [PHONE]}),
                  screened(has_opt_out=True)) == ["US-MEDIUM-01"]
    mail = {"channel": "email", "kind": "personal_email", "message": "x"}
    assert failed(us(**mail, address="Jane.Doe@Gmail.com", flags={"opt_outs": ["jane.doe@gmail.com"]}),
                  screened(has_opt_out=True)) == ["US-MEDIUM-01"]
    assert failed(us(**mail, address="john.doe@gmail.com", flags={"opt_outs": ["jane.doe@gmail.com"]}),
                  screened(has_opt_out=True)) == []
    assert failed(us(address="+12125550111", flags={"opt_outs": [PHONE]})) == []


def _replied(message: str, channel: str = "sms", address: str = PHONE) -> list[dict]:
    return [{"at": "2026-11-29T18:00:00-05:00", "channel": channel, "direction": "inbound",
             "to": {"party": "debtor", "kind": "mobile", "address": address}, "debt_ids": ["A1001"],
             "outcome": "delivered", "message": message}]


def test_a_stop_reply_in_the_history_stops_texts_to_that_number_but_not_calls():
    """12 CFR 1006.14(h) and the FCC's 2024 revocation order: a reply of STOP (or quit, end,
    cancel, unsubscribe...) to a text is a request not to be texted there."""
    text = {"channel": "sms", "message": "x"}
    for reply in ("STOP", "stop.", "Please stop texting me", "Unsubscribe"):
        assert failed(us(**text, history=_replied(reply)), screened(has_opt_out=True)) == ["US-MEDIUM-01"], reply
    assert failed(us(**text, address="(212) 555-0100", history=_replied("STOP")), screened(has_opt_out=True)) == [
        "US-MEDIUM-01"]
    assert failed(us(**text, history=_replied("Stopping by the branch tomorrow")), screened(has_opt_out=True)) == []
    assert failed(us(**text, history=_replied("STOP", address="+12125550111")), screened(has_opt_out=True)) == []
    assert "US-MEDIUM-01" not in failed(us(history=_replied("STOP")))  # a call to the number


def test_the_verification_of_a_disputed_debt_may_be_sent_while_the_dispute_is_open():
    """12 CFR 1006.38(d)(2): collection waits for the verification, so sending it is allowed."""
    from arrears.compliance.screening import screen

    letter = {"channel": "letter", "kind": "postal", "address": "1 Main St", "flags": {"dispute_open": True}}
    for text, held in (("Enclosed is the verification of the debt you disputed, with your last statement.", False),
                       ("Please verify your details and pay the debt now.", True)):
        assert ("US-VAL-03" in failed(us(**letter, message=text), screen(text))) is held, text


def _inbound(at: str, channel: str = "call") -> dict:
    return {"at": at, "channel": channel, "direction": "inbound", "debt_ids": ["A1001"], "outcome": "voicemail",
            "to": {"party": "debtor", "kind": "mobile", "address": PHONE}}


def test_a_represented_consumer_who_called_in_may_be_answered_once():
    """Comment 6(b)(2)-1: a consumer-initiated contact may be answered; representation goes on."""
    flags = {"attorney_represented": True}
    called = [_inbound("2026-11-30T11:30:00-05:00")]
    assert failed(us(flags=flags, history=called)) == []
    answered = [*called, {"at": "2026-11-30T11:45:00-05:00", "channel": "call", "debt_ids": ["A1001"],
                          "outcome": "no_answer", "to": {"party": "debtor", "kind": "mobile", "address": PHONE}}]
    assert failed(us(flags=flags, history=answered)) == ["US-ATTY-01"]
    assert failed(us(flags=flags, history=[_inbound("2026-11-20T11:30:00-05:00")])) == ["US-ATTY-01"]  # 10 days on


def test_a_consumer_who_initiates_contact_at_an_inconvenient_time_may_be_answered_once_the_same_way():
    """Comment 6(b)(1)-2: the collector may respond once through the same medium."""
    flags = {"inconvenient_windows": [{"from": "11:00", "to": "14:00"}]}
    assert failed(us(flags=flags)) == ["US-TIME-03"]
    assert failed(us(flags=flags, history=[_inbound("2026-11-30T11:30:00-05:00")])) == []
    texted = [_inbound("2026-11-30T11:30:00-05:00", channel="sms")]
    assert failed(us(flags=flags, history=texted)) == ["US-TIME-03"]  # a call is not the text's medium


def test_an_envelope_shows_nothing_that_indicates_debt_collection():
    """12 CFR 1006.22(f)(2): the envelope shows the address and a business name that does not
    indicate debt collection, nothing else of the kind."""
    letter = {"channel": "letter", "kind": "postal", "address": "1 Main St"}
    for words in ("FINAL NOTICE", "Payment Reminder", "Pay Now", "Important: Balance Enclosed", "Time Sensitive"):
        assert "US-MAIL-01" in failed(us(**letter, envelope=words)), words
    assert "US-MAIL-01" not in failed(us(**letter, envelope="ABC Services, 1 Main St, Springfield"))


def test_an_employer_email_the_consumer_consented_to_is_usable_however_its_case_is_written():
    mail = {"channel": "email", "kind": "work_email", "address": "Jane.Doe@Employer.com", "message": "x"}
    assert "US-EMAIL-01" not in failed(us(**mail, flags={"electronic_consents": ["jane.doe@employer.com"]}),
                                       screened(has_opt_out=True))
    assert "US-EMAIL-01" in failed(us(**mail), screened(has_opt_out=True))


def test_a_stop_reply_from_a_represented_consumer_is_not_a_contact_to_answer():
    flags = {"attorney_represented": True}
    stop = [{**_inbound("2026-11-30T11:30:00-05:00", channel="sms"), "outcome": "delivered", "message": "STOP"}]
    assert failed(us(flags=flags, history=stop)) == ["US-ATTY-01"]
    asked = [{**stop[0], "message": "Can you call me about my account?"}]
    assert failed(us(flags=flags, history=asked)) == []
