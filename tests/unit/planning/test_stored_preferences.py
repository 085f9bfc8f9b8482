"""What a customer chose on their own page is laid over the portfolio's file for the planner: a
preferred channel and hours replace the file's, an opt-out marks their own points of that
channel do-not-contact, and customers who chose nothing keep what the file says."""

from __future__ import annotations

from datetime import date

import polars as pl

from arrears.domain.portal import Preferences
from arrears.planning.frames import prepare, with_preferences


def _portfolio():  # type: ignore[no-untyped-def]
    customers = pl.DataFrame({"customer_id": ["C1", "C2"], "language": ["zh", "zh"],
                              "timezone": ["Asia/Shanghai"] * 2, "jurisdiction": ["CN", "CN"],
                              "preferred_channel": ["call", "sms"], "preferred_hours": ["9-11", "10-12"]})
    points = pl.DataFrame({"contact_point_id": ["P1", "P2", "P3", "P4"], "customer_id": ["C1", "C1", "C1", "C2"],
                           "kind": ["mobile", "email", "mobile", "mobile"],
                           "value": ["+8613800000001", "a@example.com", "+8613800000002", "+8613800000003"],
                           "owner": ["debtor", "debtor", "spouse", "debtor"], "consent": ["true"] * 4,
                           "status": ["valid"] * 4, "do_not_contact": ["false"] * 4})
    return prepare({"customers": customers, "contact_points": points}, date(2026, 11, 29))


def test_a_stored_channel_and_hours_replace_the_files_for_that_customer_only() -> None:
    laid = with_preferences(_portfolio(), {"C1": Preferences("email", "19-21")})
    rows = {r["customer_id"]: r for r in laid.customers.with_columns(pl.col("customer_id").cast(pl.Utf8)).to_dicts()}
    assert (rows["C1"]["preferred_channel"], rows["C1"]["pref_from"], rows["C1"]["pref_to"]) == ("email", 19, 21)
    assert (rows["C2"]["preferred_channel"], rows["C2"]["pref_from"], rows["C2"]["pref_to"]) == ("sms", 10, 12)


def test_hours_alone_keep_the_files_channel() -> None:
    laid = with_preferences(_portfolio(), {"C2": Preferences(None, "19-21")})
    row = laid.customers.filter(pl.col("customer_id").cast(pl.Utf8) == "C2").to_dicts()[0]
    assert (row["preferred_channel"], row["pref_from"], row["pref_to"]) == ("sms", 19, 21)


def test_an_sms_opt_out_marks_the_customers_own_mobiles_and_nothing_else() -> None:
    laid = with_preferences(_portfolio(), {"C1": Preferences(None, None, ("sms",))})
    flags = dict(zip(laid.contact_points["contact_point_id"].cast(pl.Utf8), laid.contact_points["do_not_contact"],
                     strict=True))
    assert flags == {"P1": True, "P2": False, "P3": False, "P4": False}


def test_no_stored_preferences_leave_the_portfolio_as_it_was() -> None:
    portfolio = _portfolio()
    assert with_preferences(portfolio, {}) is portfolio
