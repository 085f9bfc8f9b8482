"""The US catalogue rules built from issue 19, each tested from its text and citation (allow and
deny): Regulation F 12 CFR 1006 and its Official Interpretations, and the state overlays.

Wording rules run the real screener (what they read is the text); the others use the builders'
screening stand-in.
"""

from datetime import date
from typing import Any

from compliance_builders import attempt, failed, judge, request, screened, warned

from arrears.compliance.gate import check
from arrears.compliance.request import Answer, parse_request
from arrears.compliance.rules.us_content import earliest_end_date

NY = "America/New_York"
PHONE = "+12125550100"
HOME = "+12125550111"
NEIGHBOUR = {"party": "third_party", "kind": "mobile", "address": "+12125550177"}
AGENCY = {"id": "AG1", "authorized_until": "2027-12-31", "last_evaluation": "2026-06-01"}


def us(day: int = 9, hour: int = 14, month: int = 3, packs=("US",), **kw: Any) -> dict:
    kw.setdefault("address", PHONE)
    return request(at=f"2026-{month:02d}-{day:02d}T{hour:02d}:00:00-04:00", packs=packs, zones=(NY,), **kw)


def call(day: int, outcome: str = "no_answer", hour: int = 10, month: int = 3, minute: int = 0, **kw: Any) -> dict:
    kw.setdefault("address", PHONE)
    return attempt(f"2026-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00-05:00", outcome, **kw)


def real(raw: dict) -> Answer:
    """Judged with the real message screener."""
    return check(parse_request(raw))


def warned_real(raw: dict) -> list[str]:
    return [w.split(":")[0] for w in real(raw).warnings]


# ------------------------------------------------------------------ 7 in 7 and the 7-day wait
def test_calls_to_a_number_later_found_to_be_someone_elses_are_not_calls_to_the_consumer():
    # comment 14(b)(2)(i)-3: calls to a number that turns out to be someone else's do not count
    other = "+12125550999"
    week = [call(d, address=other) for d in (3, 4, 5, 6, 7, 8, 9)]
    assert failed(us(history=week)) == ["US-FREQ-01"]
    found = [*week, call(9, "wrong_number", hour=11, address=other)]
    assert failed(us(history=found)) == []


def test_a_limited_content_voicemail_is_a_call_but_not_a_conversation():
    # comment 14(b)(3)(ii)-1: a call reaching voicemail is connected and counts; 14(b)(2)(i)(B)
    # needs a telephone conversation, which a voicemail left is not
    left = [call(d, "voicemail") for d in (3, 4, 5, 6, 7, 8, 9)]
    assert failed(us(history=left)) == ["US-FREQ-01"]
    assert failed(us(history=[call(8, "voicemail")])) == []
    ringless = [call(d, "delivered", channel="voicemail") for d in (3, 4, 5, 6, 7, 8, 9)]
    assert failed(us(history=ringless)) == ["US-FREQ-01"]  # comment 14(b)-1: ringless voicemail is a call


def test_non_telephone_media_count_toward_neither_the_seven_calls_nor_the_wait():
    texts = [call(d, "delivered", channel="sms") for d in (3, 4, 5, 6, 7, 8, 9)]
    visit = call(8, "conversation", channel="visit", kind=None, address=None)
    assert failed(us(history=[*texts, visit])) == []


def test_the_seven_day_wait_is_per_debt_across_several_debts():
    # comment 14(b)(4)-2.iii: a conversation about one debt is not one about the other
    talk = [call(8, "conversation", debt_ids=("A",))]
    assert failed(us(history=talk, debt_ids=("B",))) == []
    assert failed(us(history=talk, debt_ids=("A",))) == ["US-FREQ-02"]
    both = us(history=talk, debt_ids=("A", "B"))
    assert judge(both).decision == "allow" and warned(both) == ["US-FREQ-03"]


def test_a_voicemail_about_several_debts_counts_toward_each():
    # comment 14(b)(4)-1.i
    left = [call(d, "voicemail", debt_ids=("A", "B")) for d in (3, 4, 5, 6, 7, 8, 9)]
    assert failed(us(history=left, debt_ids=("B",))) == ["US-FREQ-01"]
    assert failed(us(history=left, debt_ids=("C",))) == []


def test_a_call_allowed_only_by_the_consumers_consent_is_flagged():
    # 1006.14(b)(3)(i), comment 14(b)(3)(i)-3.i
    talk = [call(8, "conversation")]
    asked = us(history=talk, flags={"call_consent_until": "2026-03-10T18:00:00-04:00"})
    assert judge(asked).decision == "allow" and "US-FREQ-04" in warned(asked)
    assert failed(us(history=talk)) == ["US-FREQ-02"]
    assert "US-FREQ-04" not in warned(us())


def test_consent_covers_seven_consecutive_days_from_its_receipt_at_most():
    # comment 14(b)(3)(i)-2: "for a period of up to seven consecutive days"
    calls = [call(8, hour=h) for h in (9, 10, 11, 12, 13, 14, 15)]
    flags = {"call_consent_until": "2026-03-31T18:00:00-04:00", "call_consent_given_at": "2026-03-01T09:00:00-05:00"}
    assert failed(us(day=8, hour=17, history=calls, flags=flags)) == ["US-FREQ-01"]  # day 8 after receipt
    received = {**flags, "call_consent_given_at": "2026-03-02T09:00:00-05:00"}
    assert failed(us(day=8, hour=17, history=calls, flags=received)) == []  # day 7


def test_calls_in_rapid_succession_or_concentrated_in_a_day_are_flagged():
    # comment 14(b)(2)(i)-2.i: two calls within five minutes; seven in one day
    # (9 March is in daylight time: 12:57 -05:00 is 13:57 -04:00, three minutes before)
    assert "US-FREQ-05" in warned(us(history=[call(9, hour=12, minute=57)]))
    assert "US-FREQ-05" not in warned(us(history=[call(9, hour=12, minute=50)]))
    three = [call(9, hour=h) for h in (9, 10, 11)]
    assert "US-FREQ-05" in warned(us(history=three))
    assert judge(us(history=three)).decision == "allow"


def test_many_texts_in_a_day_are_flagged_as_policy():
    # 1006.14(a), comment 14(a)-1; the numbers are policy (A6)
    texts = [call(9, "delivered", hour=h, channel="sms") for h in (9, 10, 11)]
    raw = us(channel="sms", history=texts, message="x")
    assert "US-FREQ-06" in warned(raw, screened(has_opt_out=True))
    assert "US-FREQ-06" not in warned(us(channel="sms", history=texts[:2], message="x"), screened(has_opt_out=True))


# ------------------------------------------------------------------ places
def test_a_place_the_consumer_said_is_inconvenient_blocks_its_landline_and_mail_not_the_mobile():
    # 1006.6(b)(1)(ii), comment 6(b)(1)(ii)-1
    flags = {"inconvenient_places": ["home"]}
    assert failed(us(kind="home", address=HOME, flags=flags)) == ["US-PLACE-02"]
    assert failed(us(channel="letter", kind="postal", address="1 Main St", flags=flags)) == ["US-PLACE-02"]
    assert failed(us(kind="mobile", flags=flags)) == []
    assert failed(us(kind="home", address=HOME)) == []


# ------------------------------------------------------------------ location information
LOCATE = ("Hi, this is John Smith. I am trying to confirm contact information for Jane Doe. "
          "Please call me at 212-555-0100. Reply STOP to opt out.")


def test_a_location_message_gives_a_name_and_its_purpose_and_nothing_about_a_debt():
    # 1006.10(b)(1)-(2)
    assert real(us(channel="sms", purpose="location", message=LOCATE, **NEIGHBOUR)).decision == "allow"
    named = LOCATE.replace("John Smith.", "John Smith from Acme Recovery Services.")
    assert "US-3P-02" in real(us(channel="sms", purpose="location", message=named, **NEIGHBOUR)).rules
    owed = LOCATE.replace("for Jane Doe.", "for Jane Doe about her past due debt.")
    assert "US-3P-02" in real(us(channel="sms", purpose="location", message=owed, **NEIGHBOUR)).rules


def test_a_location_letter_is_not_a_postcard():
    # 1006.10(b)(3)
    letter = {"channel": "letter", "party": "third_party", "kind": "postal", "address": "2 Main St"}
    assert "US-3P-02" in failed(us(purpose="location", postcard=True, **letter))


def test_a_third_party_is_communicated_with_once_for_location():
    # 1006.10(c): once, unless asked or the earlier answer was wrong; an unanswered call is no communication
    spoke = [call(1, "conversation", **NEIGHBOUR)]
    assert failed(us(day=12, purpose="location", history=spoke, **NEIGHBOUR)) == ["US-3P-03"]
    rang = [call(1, "no_answer", **NEIGHBOUR)]
    assert failed(us(day=12, purpose="location", history=rang, **NEIGHBOUR)) == []
    again = us(day=12, purpose="location", history=spoke, location_follow_up="earlier_answer_wrong", **NEIGHBOUR)
    assert failed(again) == [] and "US-3P-03" in warned(again)
    asked = [*spoke, call(5, "conversation", direction="inbound", **NEIGHBOUR)]
    assert failed(us(day=12, purpose="location", history=asked, **NEIGHBOUR)) == []


# ------------------------------------------------------------------ voicemail
def test_no_voicemail_is_left_for_a_third_party():
    # comment 2(j)-2
    assert "US-VM-01" in failed(us(channel="voicemail", purpose="location", **NEIGHBOUR))


def test_only_a_limited_content_message_goes_on_a_line_others_may_hear():
    # 1006.2(j), comment 2(j)-1
    lcm = "Hi, this is Sam from Acme. Please call us back at 212-555-0100."
    assert real(us(channel="voicemail", kind="home", address=HOME, message=lcm)).decision == "allow"
    debt = "This is Acme about your past due balance of $420. Please call 212-555-0100."
    assert real(us(channel="voicemail", kind="home", address=HOME, message=debt)).rules == ["US-VM-01"]
    assert "US-VM-01" not in real(us(channel="voicemail", kind="mobile", message=debt)).rules


# ------------------------------------------------------------------ e-mail and texts
def test_an_opt_out_may_not_cost_a_fee_or_ask_for_more_than_the_preference():
    # 1006.6(e)
    ok = "Your statement is ready. Reply STOP to opt out of texts to this number."
    assert real(us(channel="sms", message=ok)).rules == []
    fee = "Your statement is ready. Reply STOP to opt out; a $1.00 fee applies."
    assert real(us(channel="sms", message=fee)).rules == ["US-ESMS-01"]
    info = "Your statement is ready. To opt out, reply STOP with your date of birth and account number."
    assert real(us(channel="sms", message=info)).rules == ["US-ESMS-01"]


def test_an_employer_provided_address_is_used_only_when_the_consumer_used_it_or_consented():
    # 1006.22(f)(3), comment 22(f)(3)-1, 1006.6(d)(4)(i)
    work = {"channel": "email", "kind": "work_email", "address": "j.doe@acme.example", "message": "x"}
    assert failed(us(**work), screened(has_opt_out=True)) == ["US-EMAIL-01"]
    wrote = [call(5, "delivered", channel="email", direction="inbound", kind="work_email",
                  address="j.doe@acme.example")]
    assert failed(us(history=wrote, **work), screened(has_opt_out=True)) == []
    consent = {"electronic_consents": ["j.doe@acme.example"]}
    assert failed(us(flags=consent, **work), screened(has_opt_out=True)) == []


def test_an_email_without_a_documented_procedure_goes_with_a_caution():
    # 1006.6(d)(3)-(4)
    mail = {"channel": "email", "kind": "personal_email", "address": "jd@mail.example", "message": "x"}
    assert "US-ESMS-03" in warned(us(**mail), screened(has_opt_out=True))
    wrote = [call(5, "delivered", channel="email", direction="inbound", kind="personal_email",
                  address="jd@mail.example")]
    assert "US-ESMS-03" not in warned(us(history=wrote, **mail), screened(has_opt_out=True))


def test_a_text_without_a_sixty_day_basis_goes_with_a_caution_and_an_automated_one_is_denied():
    # 1006.6(d)(5), comment 6(d)(5)-1; TCPA consent where the TCPA needs it
    text = {"channel": "sms", "message": "x"}
    assert "US-ESMS-04" in warned(us(**text), screened(has_opt_out=True))
    texted = [call(1, "delivered", channel="sms", direction="inbound")]
    assert "US-ESMS-04" not in warned(us(history=texted, **text), screened(has_opt_out=True))
    old = [call(1, "delivered", channel="sms", direction="inbound", month=1)]  # 67 days before
    assert "US-ESMS-04" in warned(us(history=old, **text), screened(has_opt_out=True))
    assert failed(us(automated=True, **text), screened(has_opt_out=True)) == ["US-TCPA-01"]


# ------------------------------------------------------------------ disclosures, mail, validation
def test_a_collection_agency_says_it_is_collecting_a_debt_and_later_that_it_is_a_debt_collector():
    # 1006.18(e)
    bare = "Your balance of $120 is past due. Reply STOP to opt out."
    assert real(us(channel="sms", agency=AGENCY, message=bare)).rules == ["US-DISC-01"]
    first = ("This is an attempt to collect a debt and any information obtained will be used for that purpose. "
             "Your balance of $120 is past due. Reply STOP to opt out.")
    assert real(us(channel="sms", agency=AGENCY, message=first)).rules == []
    earlier = [call(2, "delivered", channel="sms")]
    later = "This is from a debt collector. Your balance of $120 is past due. Reply STOP to opt out."
    assert real(us(channel="sms", agency=AGENCY, history=earlier, message=later)).rules == []
    assert real(us(channel="sms", agency=AGENCY, history=earlier, message=bare)).rules == ["US-DISC-01"]
    assert real(us(channel="sms", message=bare)).rules == []  # the issuer is not a debt collector


def test_no_postcard_and_a_neutral_envelope():
    # 1006.22(f)(1)-(2)
    letter = {"channel": "letter", "kind": "postal", "address": "1 Main St"}
    assert failed(us(postcard=True, **letter)) == ["US-MAIL-01"]
    assert failed(us(envelope="Acme Debt Collections", **letter)) == ["US-MAIL-01"]
    assert failed(us(envelope="Acme Services", **letter)) == []


def test_validation_information_comes_within_five_days_of_the_initial_communication():
    # 1006.34(a)(1); calendar days (A4)
    late = {"initial_communication_at": "2026-03-01T10:00:00-05:00"}
    assert "US-VAL-01" in warned(us(flags=late))
    sent = {**late, "validation_notice_sent_at": "2026-03-05T10:00:00-05:00"}
    assert "US-VAL-01" not in warned(us(flags=sent))


def test_the_validation_end_date_counts_five_business_days_then_thirty():
    # 1006.34(b)(5): Friday 20 Nov 2026, Thanksgiving on the 26th -> receipt 30 Nov -> 30 Dec
    assert earliest_end_date(date(2026, 11, 20)) == date(2026, 12, 30)
    notice = {"channel": "letter", "kind": "postal", "address": "1 Main St"}
    sent = {"at": "2026-11-20T12:00:00-05:00", "packs": ("US",), "zones": (NY,)}
    early = request(validation_end_date="2026-12-29", **sent, **notice)
    assert failed(early) == ["US-VAL-02"]
    exact = request(validation_end_date="2026-12-30", **sent, **notice)
    assert failed(exact) == []


def test_a_deadline_during_the_validation_period_is_reviewed():
    # 1006.38(b)
    text = "Please pay the balance within 10 days. Reply STOP to opt out."
    inside = real(us(channel="sms", message=text, flags={"validation_period_ends": "2026-03-20"}))
    assert (inside.decision, inside.rules) == ("review", ["US-VAL-04"])
    after = real(us(channel="sms", message=text, flags={"validation_period_ends": "2026-03-05"}))
    assert after.rules == []


# ------------------------------------------------------------------ cease
def test_after_a_cease_notice_only_the_three_permitted_notices_go():
    # 1006.6(c)(2)(i)-(iii)
    cease = {"cease_communication": True}
    letter = {"channel": "letter", "kind": "postal", "address": "1 Main St", "flags": cease}
    ended = real(us(message="We are terminating further collection efforts on your account.", **letter))
    assert ended.decision == "allow" and any(w.startswith("US-CEASE-01") for w in ended.warnings)
    demand = real(us(message="Please pay the balance now to close your account.", **letter))
    assert demand.rules == ["US-CEASE-01"]
    remedy = {**letter, "flags": {**cease, "litigation_authorized": True, "time_barred": False}}
    suit = real(us(message="We intend to file a lawsuit against you on this account.", **remedy))
    assert (suit.decision, suit.rules) == ("review", ["US-TXT-03"])  # the wording is reviewed, not the cease
    assert failed(us(flags=cease)) == ["US-CEASE-01"]


# ------------------------------------------------------------------ state overlays
WA = ("US", "US-WA")
MA = ("US", "US-MA")


def letter_sent(day: int) -> dict:
    return call(day, "delivered", channel="letter", kind="postal", address="1 Main St")


def test_washington_binds_collection_agencies_not_the_creditor():
    # RCW 19.16.250 (licensed collection agencies)
    three = [letter_sent(d) for d in (3, 5, 7)]
    assert failed(us(packs=WA, history=three, agency=AGENCY)) == ["US-WA-01"]
    assert failed(us(packs=WA, history=three)) == []


def test_washington_counts_communications_not_unanswered_calls_or_limited_content_voicemails():
    rang = [call(d, "no_answer") for d in (3, 5, 7)]
    assert failed(us(packs=WA, history=rang, agency=AGENCY)) == []
    lcm = [{**call(d, "voicemail"), "message": "This is Sam at Acme, please call 212-555-0100."} for d in (3, 5, 7)]
    assert failed(us(packs=WA, history=lcm, agency=AGENCY)) == []
    said = [{**call(d, "voicemail"), "message": "About your past due balance, call 212-555-0100."} for d in (3, 5, 7)]
    assert failed(us(packs=WA, history=said, agency=AGENCY)) == ["US-WA-01"]


def test_massachusetts_oral_no_work_calls_request_holds_ten_days_and_a_written_one_stays():
    # 209 CMR 18.16(1)(c)
    work = {"kind": "work", "address": "+16175550999"}
    oral = {"no_work_contact_requested_at": "2026-03-04T10:00:00-05:00"}
    assert failed(us(packs=MA, flags=oral, **work)) == ["US-MA-02"]
    assert failed(us(day=15, packs=MA, flags=oral, **work)) == []
    assert failed(us(day=15, packs=MA, flags={**oral, "no_work_contact_in_writing": True}, **work)) == ["US-MA-02"]


def test_a_massachusetts_creditor_does_not_imply_the_debt_to_the_spouse():
    # 940 CMR 7.05(2): a creditor's rule; Reg F counts the spouse as the consumer
    spouse = {"party": "spouse", "address": "+16175550122", "channel": "sms"}
    assert failed(us(packs=MA, message="x", **spouse), screened(mentions_debt=True, has_opt_out=True)) == ["US-MA-03"]
    says_debt = screened(mentions_debt=True, has_opt_out=True)
    by_agency = failed(us(packs=MA, message="x", agency=AGENCY, **spouse), says_debt)
    assert "US-MA-03" not in by_agency
    assert failed(us(packs=MA, message="x", **spouse), screened(has_opt_out=True)) == []


def test_massachusetts_allows_one_home_visit_per_debt_in_thirty_days():
    # 209 CMR 18.17(6): unanswered visits do not count
    visit = {"channel": "visit", "kind": "postal", "address": "1 Main St"}
    met = [call(1, "conversation", channel="visit", kind="postal", address="1 Main St", month=3)]
    assert failed(us(day=20, packs=MA, history=met, **visit)) == ["US-MA-04"]
    missed = [call(1, "no_answer", channel="visit", kind="postal", address="1 Main St", month=3)]
    assert failed(us(day=20, packs=MA, history=missed, **visit)) == []
    assert failed(us(day=31, packs=MA, history=met, **visit)) == []


def test_a_location_text_in_chinese_is_read_for_its_purpose_and_for_a_named_company():
    from arrears.compliance.gate import default_screener
    from arrears.compliance.rules.us_wording import names_an_employer, states_location_purpose

    plain = default_screener()("您好，我是王明，正在核实客户的联系方式。烦请转告客户回电。").normalized
    named = default_screener()("您好，我是甲银行信用卡中心的王明，烦请转告客户回电。").normalized
    assert states_location_purpose(plain) and not names_an_employer(plain)
    assert names_an_employer(named) and not states_location_purpose(named)
