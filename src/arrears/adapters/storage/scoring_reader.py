"""Read the portfolio-v1 tables the scoring features need, set-based, as polars frames.

One query per table (no ORM object per row); money from cents to exact ``Decimal(38, 2)``,
instants as UTC ``Datetime``. Nothing personal is read: no name, number or address, only the
declared monthly income (stored in clear as ``monthly_income_cents``) and contact point
statuses. Contacts are the ingested ones plus those logged in the workbench. Payments and
contacts are read up to two days after ``as_of`` (UTC) only: the features take each row's
local date and drop what is after ``as_of``, so nothing later can reach a feature. Aging
history is read for the 366 days up to ``as_of``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import polars as pl
from sqlalchemy import Connection, Select, func, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.gate_tables import LOGGED_IN_WORKBENCH, contact_attempts
from arrears.adapters.storage.scoring_tables import account_scores, scoring_runs

if TYPE_CHECKING:
    from polars._typing import PolarsDataType

MONEY = pl.Decimal(38, 2)
UTC_TIME = pl.Datetime("us", "UTC")
HISTORY_DAYS = 366


def _frame(connection: Connection, query: Select, schema: dict[str, PolarsDataType]) -> pl.DataFrame:
    if connection.dialect.name == "postgresql":
        return _copied_frame(connection, query, schema)
    rows = connection.execute(query).all()
    return pl.DataFrame(rows, schema=schema, orient="row")


def _copied_frame(connection: Connection, query: Select, schema: dict[str, PolarsDataType]) -> pl.DataFrame:
    """PostgreSQL: ``COPY (query) TO STDOUT`` as CSV, parsed by polars (no Python per row).
    The query's parameters are bound by psycopg's client-side quoting; instants come out in
    UTC (``SET LOCAL TIME ZONE``, for this transaction only)."""
    from psycopg import ClientCursor

    compiled = query.compile(dialect=connection.dialect)
    raw = connection.connection.driver_connection
    with ClientCursor(raw) as client:  # type: ignore[arg-type]
        sql = client.mogrify(str(compiled), compiled.params)
    connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
    chunks: list[bytes] = []
    with raw.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:  # type: ignore[union-attr]
        chunks.extend(bytes(block) for block in copy)
    as_text = {n: (pl.Utf8 if d in (pl.Boolean, UTC_TIME) else d) for n, d in schema.items()}
    if not chunks:
        return pl.DataFrame(schema=schema)
    frame = pl.read_csv(b"".join(chunks), has_header=False, new_columns=list(schema), schema=as_text)
    return frame.with_columns(
        *[(pl.col(n) == "t").alias(n) for n, d in schema.items() if d == pl.Boolean],
        *[pl.col(n).str.to_datetime("%Y-%m-%d %H:%M:%S%.f%#z", time_unit="us").dt.convert_time_zone("UTC")
          for n, d in schema.items() if d == UTC_TIME],
    )


def _cents_to_money(*names: str) -> list[pl.Expr]:
    return [(pl.col(f"{n}_cents").cast(MONEY) / 100).cast(MONEY).alias(n) for n in names]


def _read_until(as_of: date) -> datetime:
    """An instant safely after the end of ``as_of`` in every time zone."""
    return datetime.combine(as_of + timedelta(days=2), time(0), UTC)


def read_accounts(connection: Connection) -> pl.DataFrame:
    a = t.accounts.c
    query = select(a.account_id, a.customer_id, a.balance_cents, a.past_due_cents, a.min_payment_cents,
                   a.credit_limit_cents, a.oldest_unpaid_due_date, a.due_date, a.flags
                   ).where(a.in_portfolio.is_(True))
    frame = _frame(connection, query, {
        "account_id": pl.Utf8, "customer_id": pl.Utf8, "balance_cents": pl.Int64, "past_due_cents": pl.Int64,
        "min_payment_cents": pl.Int64, "credit_limit_cents": pl.Int64, "oldest_unpaid_due_date": pl.Date,
        "due_date": pl.Date, "flags": pl.Utf8})
    return frame.rename({"past_due_cents": "past_due_amount_cents"}).with_columns(
        _cents_to_money("balance", "past_due_amount", "min_payment", "credit_limit"))


def read_customers(connection: Connection) -> pl.DataFrame:
    c = t.customers.c
    query = select(c.customer_id, c.monthly_income_cents).where(c.in_portfolio.is_(True))
    frame = _frame(connection, query, {"customer_id": pl.Utf8, "monthly_income_cents": pl.Int64})
    return frame.with_columns(_cents_to_money("monthly_income")).drop("monthly_income_cents")


def read_contact_points(connection: Connection) -> pl.DataFrame:
    p = t.contact_points.c
    query = select(p.contact_point_id, p.customer_id, p.status).where(p.in_portfolio.is_(True))
    return _frame(connection, query, {"contact_point_id": pl.Utf8, "customer_id": pl.Utf8, "status": pl.Utf8})


def read_payments(connection: Connection, as_of: date) -> pl.DataFrame:
    p = t.payments.c
    query = select(p.payment_id, p.account_id, p.paid_at, p.amount_cents, p.reversed
                   ).where(p.paid_at < _read_until(as_of))
    frame = _frame(connection, query, {"payment_id": pl.Utf8, "account_id": pl.Utf8, "paid_at": UTC_TIME,
                                       "amount_cents": pl.Int64, "reversed": pl.Boolean})
    return frame.with_columns(_cents_to_money("amount")).drop("amount_cents")


CONTACT_SCHEMA: dict[str, PolarsDataType] = {
    "contact_id": pl.Utf8, "account_id": pl.Utf8, "contact_point_id": pl.Utf8, "channel": pl.Utf8,
    "direction": pl.Utf8, "at": UTC_TIME, "outcome": pl.Utf8, "promise_amount_cents": pl.Int64,
    "promise_date": pl.Date, "complaint": pl.Boolean}


def read_contacts(connection: Connection, as_of: date) -> pl.DataFrame:
    """The ingested contacts and those logged in the workbench (their outcome recorded)."""
    frames = []
    for table, extra in ((t.contacts, None), (contact_attempts, LOGGED_IN_WORKBENCH)):
        k = table.c
        query = select(k.contact_id, k.account_id, k.contact_point_id, k.channel, k.direction, k.at, k.outcome,
                       k.promise_amount_cents, k.promise_date, k.complaint).where(k.at < _read_until(as_of))
        frames.append(_frame(connection, query if extra is None else query.where(extra), CONTACT_SCHEMA))
    frame = pl.concat(frames)
    return frame.with_columns(_cents_to_money("promise_amount")).drop("promise_amount_cents")


def read_aging(connection: Connection, as_of: date) -> pl.DataFrame:
    g = t.account_aging.c
    query = select(g.account_id, g.as_of, g.dpd).where(
        g.as_of <= as_of, g.as_of > as_of - timedelta(days=HISTORY_DAYS))
    return _frame(connection, query, {"account_id": pl.Utf8, "as_of": pl.Date, "dpd": pl.Int64})


def read_stored_balances(connection: Connection, earliest: date, latest: date) -> pl.DataFrame:
    """The aging rows of the latest nightly run between ``earliest`` and ``latest``, with their
    balances (what the ability refit rebuilds the components from); empty without such a run."""
    r, g = t.aging_runs.c, t.account_aging.c
    run = connection.execute(select(func.max(r.as_of)).where(r.as_of.between(earliest, latest))).scalar()
    schema: dict[str, PolarsDataType] = {
        "account_id": pl.Utf8, "as_of": pl.Date, "dpd": pl.Int64, "balance_cents": pl.Int64,
        "past_due_cents": pl.Int64, "min_payment_cents": pl.Int64}
    query = select(g.account_id, g.as_of, g.dpd, g.balance_cents, g.past_due_cents, g.min_payment_cents
                   ).where(g.as_of == run)
    frame = pl.DataFrame(schema=schema) if run is None else _frame(connection, query, schema)
    return frame.rename({"past_due_cents": "past_due_amount_cents"}).with_columns(
        _cents_to_money("balance", "past_due_amount", "min_payment")).drop(
        "balance_cents", "past_due_amount_cents", "min_payment_cents")


def read_scoring_frames(connection: Connection, as_of: date) -> dict[str, pl.DataFrame]:
    """The frames ``scoring.features.compute_features`` takes, keyed by its argument names."""
    return {
        "accounts": read_accounts(connection),
        "customers": read_customers(connection),
        "contact_points": read_contact_points(connection),
        "payments": read_payments(connection, as_of),
        "contacts": read_contacts(connection, as_of),
        "aging": read_aging(connection, as_of),
    }


def read_stored_segments(connection: Connection, earliest: date, latest: date) -> tuple[date | None, pl.DataFrame]:
    """The segments of the latest scoring run between ``earliest`` and ``latest`` (its date, and
    account_id, segment); (None, empty) without such a run."""
    r, s = scoring_runs.c, account_scores.c
    run = connection.execute(select(func.max(r.as_of)).where(r.as_of.between(earliest, latest))).scalar()
    schema: dict[str, PolarsDataType] = {"account_id": pl.Utf8, "segment": pl.Utf8}
    if run is None:
        return None, pl.DataFrame(schema=schema)
    return run, _frame(connection, select(s.account_id, s.segment).where(s.as_of == run), schema)


def read_response_rates(connection: Connection, on: date) -> tuple[date, str] | None:
    """The response models' rates (JSON) of the latest scoring run on or before ``on`` that
    stored some, with its date; None without one."""
    r = scoring_runs.c
    row = connection.execute(select(r.as_of, r.response_rates).where(r.as_of <= on, r.response_rates.is_not(None))
                             .order_by(r.as_of.desc()).limit(1)).first()
    return None if row is None else (row.as_of, row.response_rates)
