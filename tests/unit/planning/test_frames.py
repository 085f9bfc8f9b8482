"""Typing a portfolio's text for planning: lazily scanned or given whole, the same typed frames."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from arrears.planning.frames import prepare

AS_OF = date(2026, 11, 29)


def _text(rows: dict[str, list[str | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={name: pl.Utf8 for name in rows})


def _raw(contact_times: list[str | None], paid_times: list[str | None]) -> dict[str, pl.DataFrame]:
    return {
        "customers": _text({"customer_id": ["C1", "C2"], "timezone": [None, "Asia/Urumqi"],
                            "preferred_hours": ["9-12", None]}),
        "contact_points": _text({"contact_point_id": ["P1"], "customer_id": ["C1"], "kind": ["mobile"],
                                 "do_not_contact": ["TRUE"]}),
        "accounts": _text({"account_id": ["A1", "A2"], "customer_id": ["C1", "C2"],
                           "past_due_amount": ["1234.5", None], "oldest_unpaid_due_date": ["2026-10-30", None],
                           "flags": [" dispute ; hardship;", None]}),
        "contacts": _text({"contact_id": [f"K{i}" for i in range(len(contact_times))],
                           "account_id": ["A1"] * len(contact_times), "at": contact_times}),
        "payments": _text({"payment_id": [f"Y{i}" for i in range(len(paid_times))],
                           "account_id": ["A1"] * len(paid_times), "paid_at": paid_times,
                           "amount": ["-3.25"] * len(paid_times)}),
    }


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("lazy", [False, True], ids=["frames", "lazy scans"])
def test_instants_in_the_usual_shape_are_read_as_utc_and_empty_cells_stay_empty(lazy):
    raw = _raw(["2026-11-20T09:15:00+08:00", None, "2026-11-20T01:00:00-05:30"], ["2026-11-21T10:00:00+00:00"])
    portfolio = prepare({k: v.lazy() for k, v in raw.items()} if lazy else raw, AS_OF)
    assert portfolio.contacts["at"].to_list() == [_utc(2026, 11, 20, 1, 15), None, _utc(2026, 11, 20, 6, 30)]
    assert portfolio.payments["paid_at"].to_list() == [_utc(2026, 11, 21, 10)]
    assert "at__shaped" not in portfolio.contacts.columns and "paid_at__fixed" not in portfolio.payments.columns


def test_one_instant_outside_the_usual_shape_sends_the_whole_column_to_the_general_parser():
    raw = _raw(["2026-11-20T09:15:00+08:00", "2026-11-20T01:00:00Z"], ["2026-11-21T10:00:00.5+08:00"])
    portfolio = prepare(raw, AS_OF)
    assert portfolio.contacts["at"].to_list() == [_utc(2026, 11, 20, 1, 15), _utc(2026, 11, 20, 1)]
    assert portfolio.payments["paid_at"].to_list() == [_utc(2026, 11, 21, 2, 0, 0, 500000)]  # the fraction is kept


def test_money_dates_flags_and_defaults_are_typed():
    portfolio = prepare(_raw([], []), AS_OF)
    accounts = portfolio.accounts.sort("account_id")
    assert accounts["past_due_cents"].to_list() == [123450, 0]
    assert accounts["dpd"].to_list() == [30, 0]
    assert accounts["flags"].to_list() == [["dispute", "hardship"], []]
    assert portfolio.customers["zone"].to_list() == ["Asia/Shanghai", "Asia/Urumqi"]
    assert portfolio.customers.select("pref_from", "pref_to").rows() == [(9, 12), (None, None)]
    assert portfolio.contact_points["do_not_contact"].to_list() == [True]
    assert portfolio.contacts.height == 0 and portfolio.contacts.schema["at"] == pl.Datetime("us", "UTC")
