"""The rules of portfolio-v1, one table at a time, as the reader words them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from arrears.planning.frames import FIXED_SHAPE, fixed_instant, instant
from arrears.services.portfolio_files import CAPACITY, PortfolioRefused, read_table
from arrears.services.portfolio_files.rules import INSTANT_RE, instant_of
from arrears.services.portfolio_files.schema import ACCOUNTS, CONTACT_POINTS, CONTACTS, CUSTOMERS, TableSpec

AS_OF = date(2026, 11, 29)


def problems(tmp_path: Path, spec: TableSpec, rows: list[dict[str, str]]) -> list[str]:
    """Every problem of the table (``file:line: column: problem``), none when it is valid."""
    path = tmp_path / spec.file
    pl.DataFrame(rows, schema={c: pl.Utf8 for c in rows[0]}).write_csv(path)
    try:
        read_table(spec, path, AS_OF)
    except PortfolioRefused as refused:
        return [str(e) for e in refused.errors]
    return []


def account(**values: str) -> dict[str, str]:
    return {"account_id": "A1", "customer_id": "C1", "balance": "100.00", "past_due_amount": "10.00", **values}


@pytest.mark.parametrize(("values", "expected"), [
    ({"balance": "-0.01"}, ["accounts.csv:2: balance: must not be negative"]),
    ({"balance": "-0.00", "past_due_amount": "0"}, []),
    ({"principal": "-5", "interest": "-1.5", "fees": "-2.25"}, [
        "accounts.csv:2: fees: must not be negative", "accounts.csv:2: interest: must not be negative",
        "accounts.csv:2: principal: must not be negative"]),
    ({"past_due_amount": "100.01"}, ["accounts.csv:2: past_due_amount: greater than the balance: "
                                     "the amount past due is part of the balance"]),
    ({"past_due_amount": "100"}, []),
    ({"balance": "-5.00", "past_due_amount": "1.00"}, ["accounts.csv:2: balance: must not be negative"]),
    ({"past_due_amount": "34x"}, ["accounts.csv:2: past_due_amount: not money: expected a decimal number with "
                                  "at most 2 decimals, like 1234.50"]),
    ({"credit_limit": "+1000.5"}, []),
])
def test_money_is_exact_text_and_never_negative_and_past_due_is_part_of_the_balance(tmp_path, values, expected):
    assert problems(tmp_path, ACCOUNTS, [account(**values)]) == expected


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("open_date", "2026-02-30", "not a date: expected YYYY-MM-DD"),
    ("open_date", "2026-1-5", "not a date: expected YYYY-MM-DD"),
    ("open_date", "1899-12-31", "before 1900-01-01: not a plausible date"),
    ("open_date", "2026-11-30", "after the snapshot date 2026-11-29: it cannot be in the future"),
    ("oldest_unpaid_due_date", "2026-11-30", "after the snapshot date 2026-11-29: it cannot be in the future"),
    ("due_date", "2027-03-02", "more than 92 days after the snapshot date 2026-11-29: not plausible"),
])
def test_dates_are_real_and_in_a_plausible_range(tmp_path, column, value, expected):
    assert problems(tmp_path, ACCOUNTS, [account(**{column: value})]) == [f"accounts.csv:2: {column}: {expected}"]


@pytest.mark.parametrize(("column", "value"), [
    ("open_date", "1900-01-01"), ("open_date", "2026-11-29"), ("due_date", "2027-03-01"),
    ("oldest_unpaid_due_date", "2026-11-29"),
])
def test_dates_at_the_edges_of_their_range_are_accepted(tmp_path, column, value):
    assert problems(tmp_path, ACCOUNTS, [account(**{column: value})]) == []


def contact(**values: str) -> dict[str, str]:
    return {"contact_id": "K1", "account_id": "A1", "customer_id": "C1", "channel": "call",
            "at": "2026-11-28T19:05:00+08:00", "outcome": "no_answer", **values}


@pytest.mark.parametrize("at", ["2026-11-28T19:05:00+08:00", "2026-11-28 19:05:00+08:00", "2026-11-28T11:05:00Z",
                                "2026-11-28T19:05:00.125+0800", "2026-11-29T23:59:59-05:00"])
def test_instants_with_an_offset_are_accepted_in_each_iso_form(tmp_path, at):
    assert problems(tmp_path, CONTACTS, [contact(at=at)]) == []


@pytest.mark.parametrize(("at", "expected"), [
    ("2026-11-28T19:05:00", "not an instant: expected ISO 8601 with an offset, like 2026-11-28T19:05:00+08:00"),
    ("2026-11-28T24:00:00+08:00", "not an instant: expected ISO 8601 with an offset, like 2026-11-28T19:05:00+08:00"),
    ("2026-02-30T10:00:00+08:00", "not an instant: expected ISO 8601 with an offset, like 2026-11-28T19:05:00+08:00"),
    ("2026-11-30T00:30:00+08:00", "after the snapshot date 2026-11-29: it cannot be in the future"),
    ("1899-12-31T10:00:00+08:00", "before 1900-01-01: not a plausible date"),
])
def test_instants_without_an_offset_impossible_or_out_of_range_are_refused(tmp_path, at, expected):
    assert problems(tmp_path, CONTACTS, [contact(at=at)]) == [f"contacts.csv:2: at: {expected}"]


def test_a_promise_may_be_up_to_a_year_ahead(tmp_path):
    ok = contact(promise_amount="50.00", promise_date="2027-11-30")
    late = contact(contact_id="K2", promise_amount="50.00", promise_date="2027-12-01")
    assert problems(tmp_path, CONTACTS, [ok, late]) == [
        "contacts.csv:3: promise_date: more than 366 days after the snapshot date 2026-11-29: not plausible"]


@pytest.mark.parametrize(("at", "utc"), [
    ("2026-11-28T19:05:00+08:00", datetime(2026, 11, 28, 11, 5, tzinfo=UTC)),
    ("2026-11-28 19:05:00+08:00", datetime(2026, 11, 28, 11, 5, tzinfo=UTC)),
    ("2026-11-28T11:05:00Z", datetime(2026, 11, 28, 11, 5, tzinfo=UTC)),
    ("2026-11-28T19:05:00.5+08:00", datetime(2026, 11, 28, 11, 5, 0, 500000, tzinfo=UTC)),
    ("2026-11-28T19:05:00+0800", datetime(2026, 11, 28, 11, 5, tzinfo=UTC)),
    ("2026-11-28T06:05:00-05:00", datetime(2026, 11, 28, 11, 5, tzinfo=UTC)),
])
def test_the_planner_reads_every_valid_instant_as_the_reader_does(at, utc):
    frame = pl.DataFrame({"at": [at]})
    assert frame.select(pl.col("at").str.contains(INSTANT_RE)).item()
    assert frame.select(instant_of("at")).item() == utc
    assert frame.select(instant("at")).item() == utc
    if frame.select(pl.col("at").str.contains(FIXED_SHAPE)).item():
        assert frame.select(fixed_instant("at")).item() == utc


def customer(**values: str) -> dict[str, str]:
    return {"customer_id": "C1", "name": "张三", **values}


@pytest.mark.parametrize(("values", "expected"), [
    ({"jurisdiction": " CN ; US-NYC;"}, []),
    ({"jurisdiction": "CN;XX"}, ["customers.csv:2: jurisdiction: unknown value(s) 'XX'; allowed: CN, US, US-MA, "
                                 "US-NYC, US-WA, UK"]),
    ({"national_id": "110101199003071235"},
     ["customers.csv:2: national_id: checksum fails (last character should be 3)"]),
    ({"national_id": "110101199003071233"}, []),
    ({"timezone": "Mars/Olympus"}, ["customers.csv:2: timezone: 'Mars/Olympus' is not an IANA time zone "
                                    "(e.g. Asia/Shanghai)"]),
    ({"birth_date": "1800-01-01"}, ["customers.csv:2: birth_date: before 1900-01-01: not a plausible date"]),
    ({"preferred_hours": "21-19"}, ["customers.csv:2: preferred_hours: the hour range must end after it starts"]),
])
def test_customer_values_are_checked_and_worded(tmp_path, values, expected):
    assert problems(tmp_path, CUSTOMERS, [customer(**values)]) == expected


def point(**values: str) -> dict[str, str]:
    return {"contact_point_id": "P1", "customer_id": "C1", "kind": "mobile", "value": "+8613800138000",
            "owner": "debtor", **values}


@pytest.mark.parametrize(("values", "expected"), [
    ({"value": "138-0013-8000"}, []),
    ({"value": "(010) 6552 9988", "kind": "home"}, []),
    ({"value": "+1 212 555 0100", "kind": "work"}, []),  # outside the fast shapes: phonenumbers decides
    ({"value": "12345"}, ["contact_points.csv:2: value: not a phone number (E.164 like +8613800138000 or Chinese "
                          "national form)"]),
    ({"value": "nobody", "kind": "email"}, ["contact_points.csv:2: value: not an e-mail address"]),
    ({"consent": "TRUE", "do_not_contact": "No"}, []),
    ({"consent": "maybe"}, ["contact_points.csv:2: consent: not a boolean: use true or false"]),
])
def test_contact_point_values_are_checked_and_worded(tmp_path, values, expected):
    assert problems(tmp_path, CONTACT_POINTS, [point(**values)]) == expected


def test_capacity_rows_name_a_channel_an_hour_or_the_day_and_a_whole_number(tmp_path):
    rows = [{"channel": "call", "hour": "9", "max_attempts": "10"},
            {"channel": "sms", "hour": "*", "max_attempts": "5"},
            {"channel": "fax", "hour": "24", "max_attempts": "1.5"}]
    assert problems(tmp_path, CAPACITY, rows) == [
        "capacity.csv:4: channel: 'fax' is not one of: call, sms, email, letter",
        "capacity.csv:4: hour: expected an hour 0-23, or * for the whole day",
        "capacity.csv:4: max_attempts: expected a whole number (0 or more)",
    ]
