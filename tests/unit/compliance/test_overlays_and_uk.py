from compliance_builders import attempt, failed, judge, request, screened

from arrears.compliance.screening.types import Category

PHONE = "+16175550100"


def sent(day: int, outcome: str = "no_answer", month: int = 11, **kw) -> dict:
    kw.setdefault("address", PHONE)
    return attempt(f"2026-{month:02d}-{day:02d}T12:00:00-05:00", outcome, **kw)


def state(packs, day: int = 30, history=(), month: int = 11, zones=("America/New_York",), **kw):
    kw.setdefault("address", PHONE)
    return request(
        at=f"2026-{month:02d}-{day:02d}T13:00:00-05:00",
        packs=packs,
        zones=zones,
        history=list(history),
        **kw,
    )


MA = ("US", "US-MA")


def test_massachusetts_allows_two_calls_per_debt_in_seven_days():
    assert failed(state(MA, history=[sent(25)])) == []
    assert failed(state(MA, history=[sent(25), sent(27)])) == ["US-MA-01"]


def test_massachusetts_counts_texts_but_not_busy_signals():
    assert failed(state(MA, history=[sent(25, "delivered", channel="sms"), sent(27)])) == [
        "US-MA-01"
    ]
    assert failed(state(MA, history=[sent(25, "busy"), sent(27)])) == []


def test_massachusetts_work_numbers_have_two_per_thirty_days():
    work = {"kind": "work", "address": "+16175550999"}
    history = [sent(5, **work), sent(12, **work)]
    assert failed(state(MA, history=history, kind="work", address="+16175550999")) == ["US-MA-01"]
    assert failed(state(MA, history=history)) == []  # the mobile has its own 7-day count


def test_the_overlay_does_not_bring_its_base_pack():
    answer = judge(state(("US-MA",), history=[sent(25), sent(27)]))
    assert answer.pack_versions == {"US-MA": "US-MA-2026.12"}
    assert answer.rules == ["US-MA-01"]


NYC = ("US", "US-NYC")


def test_new_york_city_caps_attempts_across_channels_from_1_september_2026():
    history = [
        sent(25),
        sent(26, "delivered", channel="sms"),
        sent(27, "delivered", channel="email", kind="personal_email", address="a@example.com"),
    ]
    assert failed(state(NYC, history=history)) == ["US-NYC-01"]


def test_new_york_city_rule_is_not_applied_before_its_effective_date():
    history = [sent(25, month=8), sent(26, month=8), sent(27, month=8)]
    assert failed(state(NYC, day=31, month=8, history=history)) == []
    history = [sent(d, month=8) for d in (29, 30, 31)]
    at_start = request(
        at="2026-09-01T10:00:00-04:00",
        packs=NYC,
        zones=("America/New_York",),
        address=PHONE,
        history=history,
    )
    assert failed(at_start) == ["US-NYC-01"]


WA = ("US", "US-WA")


AGENCY = {"id": "AG1", "authorized_until": "2027-12-31", "last_evaluation": "2026-06-01"}


def test_washington_allows_three_communications_a_week():
    talks = [sent(d, "delivered", channel="letter", kind="postal", address="1 Main St") for d in (24, 26, 28)]
    assert failed(state(WA, history=talks[:2], agency=AGENCY)) == []
    assert failed(state(WA, history=talks, agency=AGENCY)) == ["US-WA-01"]


def test_washington_allows_one_contact_a_week_at_work():
    work = {"kind": "work", "address": "+12065550999"}
    left = sent(27, "voicemail", **work)  # a voicemail not known to be limited-content
    assert failed(state(WA, history=[left], agency=AGENCY, **work)) == ["US-WA-01"]


# ---------------------------------------------------------------- UK
def uk(at: str = "2026-11-30T12:00:00Z", **kw) -> dict:
    return request(at=at, packs=("UK",), zones=("Europe/London",), address="+447700900123", **kw)


def test_uk_contact_is_between_08_00_and_21_00_exclusive():
    assert failed(uk("2026-11-30T08:00:00Z")) == ["UK-TIME-01"]
    assert failed(uk("2026-11-30T08:00:01Z")) == []
    assert failed(uk("2026-07-01T20:00:00Z")) == ["UK-TIME-01"]  # 21:00 BST


def test_uk_recorded_preferences_on_when_and_how_are_respected():
    window = {"from": "09:00", "to": "12:00"}
    assert failed(uk(flags={"inconvenient_windows": [window]})) == []
    assert failed(uk("2026-11-30T10:00:00Z", flags={"inconvenient_windows": [window]})) == [
        "UK-TIME-01"
    ]
    assert failed(uk(flags={"opt_outs": ["call"]})) == ["UK-TIME-01"]


def test_uk_pressure_disclosure_and_misleading_wording_are_denied():
    raw = uk(channel="sms", message="...")
    assert failed(raw, screened(Category.PRESSURE)) == ["UK-PRESS-01"]
    assert failed(raw, screened(Category.DISCLOSURE)) == ["UK-3P-01"]
    assert failed(raw, screened(Category.AUTHORITY)) == ["UK-MISLEAD-01"]


def test_uk_court_wording_on_a_statute_barred_debt_is_misleading():
    barred = uk(
        channel="sms", message="...", flags={"time_barred": True, "litigation_authorized": True}
    )
    assert failed(barred, screened(Category.LITIGATION)) == ["UK-MISLEAD-01"]
    fine = uk(
        channel="sms", message="...", flags={"time_barred": False, "litigation_authorized": True}
    )
    assert failed(fine, screened(Category.LITIGATION)) == []


def test_uk_third_parties_never_hear_about_the_debt():
    raw = uk(party="third_party", channel="sms", message="...")
    assert failed(raw, screened(mentions_debt=True)) == ["UK-3P-01"]
    assert failed(raw, screened(mentions_debt=False)) == []


def test_uk_contacts_above_the_policy_cap_go_to_review():
    history = [
        attempt(f"2026-11-{d}T12:00:00Z", "no_answer", address="+447700900123")
        for d in (24, 25, 26, 27, 28, 29, 30)
    ]
    answer = judge(uk("2026-11-30T15:00:00Z", history=history))
    assert (answer.decision, answer.rules) == ("review", ["UK-FREQ-01"])


def test_uk_breathing_space_stops_payment_requests_but_not_service_messages():
    assert failed(uk(flags={"breathing_space": True})) == ["UK-BS-01"]
    raw = uk(
        channel="sms",
        message="Your address was updated",
        flags={"breathing_space": True},
        purpose="service",
    )
    assert failed(raw, screened()) == []
