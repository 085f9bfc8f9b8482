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
