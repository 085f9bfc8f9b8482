import pytest
from compliance_builders import failed, judge, request

NY, LA = "America/New_York", "America/Los_Angeles"


def us(at: str, zones=(NY,), **kw) -> dict:
    return request(at=at, packs=("US",), zones=zones, address="+12125550100", **kw)


@pytest.mark.parametrize(
    ("at", "zone", "denied"),
    [
        # spring forward on 2026-03-08: 08:00 local is 13:00Z the day before, 12:00Z after
        ("2026-03-07T12:00:01Z", NY, True),  # 07:00:01 EST
        ("2026-03-08T12:00:00Z", NY, True),  # 08:00:00 EDT, the boundary instant
        ("2026-03-08T12:00:01Z", NY, False),  # 08:00:01 EDT
        ("2026-03-07T15:00:01Z", LA, True),  # 07:00:01 PST
        ("2026-03-08T15:00:01Z", LA, False),  # 08:00:01 PDT
        # fall back on 2026-11-01: 12:30Z is 08:30 EDT on the 31st but 07:30 EST on the 1st
        ("2026-10-31T12:30:00Z", NY, False),
        ("2026-11-01T12:30:00Z", NY, True),
        ("2026-11-01T15:30:00Z", LA, True),  # 07:30 PST
        ("2026-11-01T16:00:01Z", LA, False),  # 08:00:01 PST
        # the evening end: 21:00:00 is inconvenient, 20:59:59 is not
        ("2026-11-02T01:59:59Z", NY, False),  # 20:59:59 EST on the 1st
        ("2026-11-02T02:00:00Z", NY, True),  # 21:00:00 EST
    ],
)
def test_the_convenient_window_follows_each_zones_daylight_saving_rules(at, zone, denied):
    assert ("US-TIME-01" in failed(us(at, zones=(zone,)))) is denied


def test_a_phone_in_new_york_and_an_address_in_los_angeles_deny_08_30_eastern():
    answer = judge(us("2026-11-30T08:30:00-05:00", zones=(NY, LA)))
    assert answer.decision == "deny"
    assert answer.rules == ["US-TIME-01", "US-TIME-02"]
    assert "05:30 America/Los_Angeles" in answer.reasons[0]
    assert "America/New_York" not in answer.reasons[0]  # only the zone that fails
    assert answer.reasons[1].startswith("It is")  # English by default without CN


def test_the_two_zone_window_opens_at_11_00_eastern():
    assert failed(us("2026-11-30T11:00:01-05:00", zones=(NY, LA))) == []
    assert failed(us("2026-11-30T10:59:59-05:00", zones=(NY, LA))) == ["US-TIME-01", "US-TIME-02"]


def test_with_no_location_at_all_no_contact_is_made():
    assert failed(us("2026-11-30T12:00:00-05:00", zones=())) == ["US-TIME-02"]


def test_a_letter_is_not_judged_by_the_clock():
    assert failed(us("2026-11-30T23:00:00-05:00", channel="letter", kind="postal")) == []


def test_an_e_mail_is_judged_at_sending():
    raw = us("2026-11-30T22:00:00-05:00", channel="email", kind="personal_email", message="...")
    assert "US-TIME-01" in failed(raw)


def test_a_time_the_consumer_called_inconvenient_is_respected():
    window = {"from": "15:00", "to": "17:00", "weekdays": [1, 2, 3, 4, 5]}
    flags = {"inconvenient_windows": [window]}
    assert failed(us("2026-11-30T16:00:00-05:00", flags=flags)) == ["US-TIME-03"]  # Monday
    assert failed(us("2026-11-29T16:00:00-05:00", flags=flags)) == []  # Sunday


def test_a_consent_window_allows_an_otherwise_inconvenient_time():
    window = {"from": "2026-11-30T21:00:00-05:00", "to": "2026-11-30T22:00:00-05:00"}
    assert failed(us("2026-11-30T21:30:00-05:00", flags={"consent_windows": [window]})) == []
