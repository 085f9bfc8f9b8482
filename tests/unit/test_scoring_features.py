"""Account features as of a date, on small hand-made portfolio frames."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from arrears.domain.aging import days_past_due
from arrears.scoring.features import FEATURES, FeatureConfig, compute_features

AS_OF = date(2026, 3, 31)


def _accounts(**overrides) -> pl.DataFrame:
    row = {"account_id": "A1", "customer_id": "C1", "credit_limit": "10000.00",
           "balance": "8000.00", "min_payment": "500.00", "past_due_amount": "500.00",
           "oldest_unpaid_due_date": "2026-03-01", "flags": ""}
    row.update(overrides)
    return pl.DataFrame([row])


def _payments(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"payment_id": f"P{i}", "account_id": "A1", "paid_at": at, "amount": amount,
          "reversed": reversed_} for i, (at, amount, reversed_) in enumerate(rows)],
        schema={"payment_id": pl.Utf8, "account_id": pl.Utf8, "paid_at": pl.Utf8,
                "amount": pl.Utf8, "reversed": pl.Utf8})


def _promise(amount: str, promise_date: str, at: str = "2026-03-10T10:00:00+08:00"):
    return pl.DataFrame([{
        "contact_id": "K1", "account_id": "A1", "customer_id": "C1", "channel": "call",
        "at": at, "outcome": "conversation", "promise_amount": amount,
        "promise_date": promise_date}])


def _one(frame: pl.DataFrame) -> dict:
    assert frame.height == 1
    return frame.row(0, named=True)


def test_every_documented_feature_is_a_column() -> None:
    out = compute_features(_accounts(), as_of=AS_OF)
    assert out.columns == ["account_id", "customer_id", *FEATURES]


def test_dpd_agrees_with_the_domain_day_count() -> None:
    row = _one(compute_features(_accounts(), as_of=AS_OF))
    assert row["dpd"] == days_past_due(date(2026, 3, 1), AS_OF) == 30
    assert row["bucket"] == "M1"


def test_an_account_with_no_unpaid_due_date_is_current() -> None:
    row = _one(compute_features(_accounts(oldest_unpaid_due_date=""), as_of=AS_OF))
    assert (row["dpd"], row["bucket"]) == (0, "M0")


def test_money_stays_decimal_and_ratios_are_floats() -> None:
    row = _one(compute_features(
        _accounts(), as_of=AS_OF, payments=_payments(("2026-03-20T10:00:00+08:00", "250.10",
                                                     "false")),
        customers=pl.DataFrame([{"customer_id": "C1", "monthly_income": "12000.00"}])))
    assert row["paid_amount_30d"] == Decimal("250.10")
    assert row["balance"] == Decimal("8000.00")
    assert row["utilisation"] == pytest.approx(0.8)
    assert row["payment_to_min_ratio"] == pytest.approx(250.10 / 500)
    assert row["income_to_balance"] == pytest.approx(1.5)
    assert row["income_to_min_payment"] == pytest.approx(24.0)


def test_reversed_payments_are_ignored() -> None:
    row = _one(compute_features(_accounts(), as_of=AS_OF, payments=_payments(
        ("2026-03-20T10:00:00+08:00", "600.00", "true"),
        ("2026-03-21T10:00:00+08:00", "100.00", "false"))))
    assert row["payments_30d"] == 1
    assert row["paid_amount_30d"] == Decimal("100.00")
    assert row["days_since_last_payment"] == 10
    assert row["partial_payment_share"] == 1.0


def test_a_payment_after_the_date_never_changes_a_feature() -> None:
    before = compute_features(_accounts(), as_of=AS_OF, payments=_payments(
        ("2026-03-20T10:00:00+08:00", "100.00", "false")))
    after = compute_features(_accounts(), as_of=AS_OF, payments=_payments(
        ("2026-03-20T10:00:00+08:00", "100.00", "false"),
        ("2026-04-01T00:30:00+08:00", "900.00", "false")))
    assert before.equals(after)


def test_the_as_of_day_is_the_local_day_in_beijing() -> None:
    # 2026-03-31T17:00Z is 2026-04-01 01:00 in Beijing: after the as-of date.
    row = _one(compute_features(_accounts(), as_of=AS_OF, payments=_payments(
        ("2026-03-31T17:00:00+00:00", "100.00", "false"))))
    assert row["payments_30d"] == 0


def test_a_promise_paid_at_ninety_percent_two_days_late_is_kept() -> None:
    row = _one(compute_features(
        _accounts(), as_of=AS_OF, contacts=_promise("1000.00", "2026-03-15"),
        payments=_payments(("2026-03-17T20:00:00+08:00", "900.00", "false"))))
    assert (row["promises_made"], row["promises_kept"], row["promises_broken"]) == (1, 1, 0)
    assert row["promise_kept_ratio"] == 1.0


def test_a_promise_paid_three_days_late_is_broken() -> None:
    row = _one(compute_features(
        _accounts(), as_of=AS_OF, contacts=_promise("1000.00", "2026-03-15"),
        payments=_payments(("2026-03-18T09:00:00+08:00", "1000.00", "false"))))
    assert (row["promises_kept"], row["promises_broken"]) == (0, 1)
    assert row["promise_kept_ratio"] == 0.0


def test_a_promise_paid_one_fen_short_of_ninety_percent_is_broken() -> None:
    row = _one(compute_features(
        _accounts(), as_of=AS_OF, contacts=_promise("1000.00", "2026-03-15"),
        payments=_payments(("2026-03-15T09:00:00+08:00", "899.99", "false"))))
    assert row["promises_broken"] == 1


def test_the_promise_tolerance_is_a_parameter() -> None:
    strict = FeatureConfig(promise_grace_days=0, promise_kept_share=Decimal("1"))
    row = _one(compute_features(
        _accounts(), as_of=AS_OF, contacts=_promise("1000.00", "2026-03-15"),
        payments=_payments(("2026-03-16T09:00:00+08:00", "1000.00", "false")), config=strict))
    assert row["promises_broken"] == 1


def test_a_payment_before_the_promise_does_not_keep_it() -> None:
    row = _one(compute_features(
        _accounts(), as_of=AS_OF, contacts=_promise("100.00", "2026-03-15"),
        payments=_payments(("2026-03-09T09:00:00+08:00", "100.00", "false"))))
    assert row["promises_broken"] == 1


def test_a_reversed_payment_does_not_keep_a_promise() -> None:
    row = _one(compute_features(
        _accounts(), as_of=AS_OF, contacts=_promise("100.00", "2026-03-15"),
        payments=_payments(("2026-03-12T09:00:00+08:00", "100.00", "true"))))
    assert row["promises_broken"] == 1


def test_a_promise_whose_window_is_still_open_is_pending() -> None:
    row = _one(compute_features(
        _accounts(), as_of=date(2026, 3, 16), contacts=_promise("100.00", "2026-03-15")))
    assert (row["promises_pending"], row["promises_broken"]) == (1, 0)
    assert row["promise_kept_ratio"] is None


def test_a_promise_made_after_the_date_is_not_seen() -> None:
    row = _one(compute_features(_accounts(), as_of=date(2026, 3, 9),
                                contacts=_promise("100.00", "2026-03-15")))
    assert row["promises_made"] == 0


def test_contact_responsiveness_counts_right_party_answered_and_dead_numbers() -> None:
    contacts = pl.DataFrame([
        {"contact_id": f"K{i}", "account_id": "A1", "customer_id": "C1", "channel": ch,
         "at": f"2026-03-{10 + i:02d}T10:00:00+08:00", "outcome": outcome,
         "contact_point_id": point, "direction": direction, "complaint": complaint}
        for i, (ch, outcome, point, direction, complaint) in enumerate([
            ("call", "conversation", "P1", "outbound", "false"),
            ("call", "no_answer", "P1", "outbound", "false"),
            ("call", "answered_other", "P2", "outbound", "true"),
            ("call", "not_in_service", "P3", "outbound", "false"),
            ("sms", "delivered", "P1", "outbound", "false"),
            ("call", "conversation", "P1", "inbound", "false"),
        ])])
    points = pl.DataFrame([{"contact_point_id": "P4", "customer_id": "C1", "status": "invalid"}])
    row = _one(compute_features(_accounts(), as_of=AS_OF, contacts=contacts,
                                contact_points=points))
    assert row["contact_attempts"] == 5
    assert row["right_party_rate"] == pytest.approx(1 / 5)
    assert row["right_party_rate_call"] == pytest.approx(1 / 4)
    assert row["calls_answered_share"] == pytest.approx(2 / 4)
    assert row["invalid_numbers"] == 2
    assert row["inbound_contacts"] == 1
    assert row["complaints"] == 1
    assert row["days_since_last_conversation"] == 16


def test_aging_history_gives_worst_dpd_months_delinquent_and_rolls() -> None:
    aging = pl.DataFrame({
        "account_id": ["A1"] * 5,
        "as_of": ["2025-01-31", "2025-10-31", "2025-11-30", "2025-12-31", "2026-04-30"],
        "dpd": [95, 0, 20, 45, 200],
        "bucket": ["M4", "M0", "M1", "M2", "M7+"],
    })
    row = _one(compute_features(_accounts(), as_of=AS_OF, aging=aging))
    assert row["worst_dpd"] == 95
    assert row["months_delinquent_6m"] == 2
    assert row["months_delinquent_12m"] == 2
    assert row["bucket_rolls_12m"] == 2


def test_flags_give_hardship_and_installment_plan() -> None:
    row = _one(compute_features(_accounts(flags="hardship;installment_plan"), as_of=AS_OF))
    assert row["hardship"] and row["installment_plan"] and not row["dispute"]


def test_the_latest_snapshot_on_or_before_the_date_is_the_account_state() -> None:
    snapshots = pl.concat([
        _accounts(snapshot_date="2026-02-28", balance="5000.00"),
        _accounts(snapshot_date="2026-03-31", balance="8000.00"),
        _accounts(snapshot_date="2026-04-30", balance="9999.00"),
    ])
    row = _one(compute_features(snapshots, as_of=AS_OF))
    assert row["balance"] == Decimal("8000.00")
