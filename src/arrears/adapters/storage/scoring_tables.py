"""Tables of the nightly scoring (issue 4): each delinquent account's ability, willingness,
propensity, segment and reasons by date, and one row per scoring run saying which model was
used. Re-scoring a date replaces that date's rows."""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, Index, Integer, String, Text

from arrears.adapters.storage.tables import account_on_date, cents, instant, table


def _model() -> list[Column]:
    """Which model scored: its kind (scorecard | own), id and version."""
    return [
        Column("model_kind", String(20), nullable=False),
        Column("model_id", String(100), nullable=False),
        Column("model_version", String(64), nullable=False),
    ]


def _reason(k: int) -> list[Column]:
    return [
        Column(f"reason_{k}_code", String(40), nullable=False),
        Column(f"reason_{k}_zh", String(200), nullable=False),
        Column(f"reason_{k}_en", String(200), nullable=False),
    ]


account_scores = table(
    "account_scores",
    *account_on_date(),
    Column("ability", Float, nullable=False),
    Column("willingness", Float, nullable=False),
    Column("propensity", Float, nullable=False),
    Column("segment", String(20), nullable=False),
    *_reason(1),
    *_reason(2),
    *_reason(3),
    cents("balance_cents"),
    *_model(),
)
Index("ix_account_scores_account", account_scores.c.account_id, account_scores.c.as_of)

scoring_runs = table(
    "scoring_runs",
    Column("as_of", Date, primary_key=True),
    instant("ran_at", nullable=False),
    *_model(),
    Column("model_note", Text, nullable=False),
    Column("ability_threshold", Float, nullable=False),
    Column("willingness_threshold", Float, nullable=False),
    Column("accounts", Integer, nullable=False),
    Column("willingness_weights", Text),  # JSON: the nightly refit (scoring.weight_fit), used or not
    Column("ability_weights", Text),  # JSON: the same for the ability weights
    Column("response_rates", Text),  # JSON: the response models' refit (planning.response_model), with calibration
)
