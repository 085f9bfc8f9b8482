"""The page's pure rules: tokens, durations, hours, the code's rate limits and lock, preferences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from arrears.domain.portal import (
    CodePolicy,
    LinkState,
    PortalInputError,
    Preferences,
    code_of,
    link_id_from_token,
    link_id_of,
    link_usable,
    lock_after,
    may_send_code,
    parse_duration,
    parse_hours,
    preferences_of,
    sign_link,
)

KEY = b"k" * 32
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def test_a_token_is_short_carries_only_the_link_id_and_opens_only_with_its_key() -> None:
    link_id = link_id_of(bytes(range(12)))
    token = sign_link(link_id, KEY)
    assert len(token) == 39 and token.startswith(link_id + ".")
    assert link_id_from_token(token, KEY) == link_id
    assert link_id_from_token(token, b"x" * 32) is None
    assert link_id_from_token(token[:-1] + ("A" if token[-1] != "A" else "B"), KEY) is None
    assert link_id_from_token("../../etc/passwd", KEY) is None


@pytest.mark.parametrize(("text", "expected"), [("72h", timedelta(hours=72)), ("30m", timedelta(minutes=30)),
                                                ("10s", timedelta(seconds=10)), ("3d", timedelta(days=3))])
def test_durations_are_written_with_their_unit(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "0h", "72", "3 weeks", "-1h", "1.5h"])
def test_a_duration_without_a_unit_or_of_nothing_is_refused(text: str) -> None:
    with pytest.raises(PortalInputError):
        parse_duration(text)


def test_a_link_opens_until_it_expires_unless_revoked() -> None:
    live = LinkState(NOW + timedelta(hours=1), None)
    assert link_usable(live, NOW) and not link_usable(live, NOW + timedelta(hours=1))
    assert not link_usable(LinkState(NOW + timedelta(hours=1), NOW), NOW)
    assert not link_usable(None, NOW)


def test_codes_keep_their_leading_zeros() -> None:
    assert code_of(42) == "000042" and code_of(999_999) == "999999"


def test_code_requests_are_limited_per_link_and_per_number() -> None:
    policy = CodePolicy()
    assert may_send_code([], [], NOW, policy) is None
    assert may_send_code([NOW - timedelta(seconds=10)], [], NOW, policy) is not None
    three = [NOW - timedelta(minutes=m) for m in (5, 10, 15)]
    assert may_send_code(three, three, NOW, policy).rule_id == "PORTAL-CODE-01"  # type: ignore[union-attr]
    five = [NOW - timedelta(minutes=m) for m in (5, 10, 15, 20, 25)]
    assert may_send_code([], five, NOW, policy).rule_id == "PORTAL-CODE-02"  # type: ignore[union-attr]
    assert may_send_code(three, five, NOW + timedelta(hours=1), policy) is None


def test_the_fifth_wrong_code_locks_the_link_for_thirty_minutes() -> None:
    assert [lock_after(n, NOW) for n in range(1, 5)] == [None] * 4
    assert lock_after(5, NOW) == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(("text", "expected"), [("19-21", "19-21"), ("19:00-21:00", "19-21"), (" 8 - 9 ", "8-9"),
                                                ("", None)])
def test_hours_are_whole_hours_start_before_end(text: str, expected: str | None) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize("text", ["21-19", "19", "25-26", "evening"])
def test_hours_that_are_not_a_window_are_refused(text: str) -> None:
    with pytest.raises(PortalInputError):
        parse_hours(text)


def test_an_opt_out_adds_to_the_earlier_ones_and_cannot_be_the_preferred_channel() -> None:
    first = preferences_of("email", "19-21", "sms")
    assert first == Preferences("email", "19-21", ("sms",))
    assert preferences_of(None, None, "call", first).opted_out == ("call", "sms")
    with pytest.raises(PortalInputError):
        preferences_of("sms", None, None, first)
    with pytest.raises(PortalInputError):
        preferences_of("fax", None, None)
