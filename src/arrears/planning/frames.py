"""The portfolio as typed polars frames for planning (pure: raw text frames in, no IO of its
own; given lazy scans of files, collecting them reads the files).

Raw frames hold text as read from portfolio-v1 files. ``prepare`` types what planning needs:
money as integer cents (Int64, never floats), instants as UTC datetimes, flags as lists,
days past due as of the plan date. Columns a file lacks are added as nulls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import polars as pl

from arrears.domain.portal import OPT_OUT_KINDS, Preferences
from arrears.domain.vocabulary import DEFAULT_ZONE

NEEDED = {
    "customers": ["customer_id", "language", "timezone", "jurisdiction", "preferred_channel", "preferred_hours",
                  "monthly_income"],
    "contact_points": ["contact_point_id", "customer_id", "kind", "value", "owner", "consent", "status",
                       "do_not_contact", "employer_provided"],
    "accounts": ["account_id", "customer_id", "balance", "past_due_amount", "oldest_unpaid_due_date", "due_date",
                 "status", "agency_id", "flags"],
    "contacts": ["contact_id", "account_id", "customer_id", "contact_point_id", "channel", "direction", "at", "party",
                 "outcome", "promise_amount", "promise_date", "complaint", "agency_id"],
    "payments": ["payment_id", "account_id", "paid_at", "amount", "reversed"],
    "agencies": ["agency_id", "authorized_until", "last_evaluation"],
    "capacity": ["channel", "hour", "max_attempts"],
}
TRUE = ("true", "1", "yes")


@dataclass(frozen=True)
class Portfolio:
    as_of: date
    customers: pl.DataFrame
    contact_points: pl.DataFrame
    accounts: pl.DataFrame
    contacts: pl.DataFrame
    payments: pl.DataFrame
    agencies: pl.DataFrame


def with_columns_of(frame: pl.DataFrame | pl.LazyFrame | None, table: str,
                    carry: tuple[str, ...] = ()) -> pl.LazyFrame:
    """The raw frame with every needed column (missing ones as null text), as a lazy query;
    the ``carry`` columns the frame has pass through untouched."""
    wanted = NEEDED[table]
    if frame is None:
        return pl.LazyFrame({c: pl.Series([], dtype=pl.Utf8) for c in wanted})
    names = frame.collect_schema().names()
    missing = [pl.lit(None, dtype=pl.Utf8).alias(c) for c in wanted if c not in names]
    return frame.lazy().with_columns(missing).select(*wanted, *(c for c in carry if c in names))


def cents(column: str) -> pl.Expr:
    """Decimal text ('1234.5', '-3.25', '7') to integer cents, exactly."""
    text = pl.col(column).str.strip_chars()
    negative = text.str.starts_with("-")
    digits = text.str.strip_chars_start("-+")
    parts = digits.str.split_exact(".", 1)
    whole = parts.struct.field("field_0").cast(pl.Int64, strict=False)
    frac = parts.struct.field("field_1").fill_null("0").str.pad_end(2, "0").str.slice(0, 2).cast(pl.Int64, strict=False)
    value = whole * 100 + frac
    return pl.when(negative).then(-value).otherwise(value)


def boolean(column: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase().is_in(TRUE).fill_null(False)


def instant(column: str) -> pl.Expr:
    """ISO 8601 text with an offset (``Z``, ``+08:00`` or ``+0800``; ``T`` or a space before
    the time), seconds with or without a fraction, to a UTC datetime (the general parser);
    other text becomes null."""
    return pl.col(column).str.replace(r"Z$", "+00:00").str.replace(" ", "T", literal=True).str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_zone="UTC"
    )


def fixed_instant(column: str) -> pl.Expr:
    """The fast path for 'YYYY-MM-DDTHH:MM:SS+HH:MM' text: local clock minus its offset (null,
    or a wrong instant, for text of another shape: used only when every value has this one)."""
    text = pl.col(column)
    sign = pl.when(text.str.slice(19, 1) == "-").then(-1).otherwise(1)
    minutes = (text.str.slice(20, 2).cast(pl.Int64, strict=False) * 60
               + text.str.slice(23, 2).cast(pl.Int64, strict=False))
    naive = text.str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False)
    return (naive - pl.duration(minutes=sign * minutes)).dt.replace_time_zone("UTC")


FIXED_SHAPE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$"


def instant_parts(column: str) -> list[pl.Expr]:
    """Worked out in the table's streaming query: whether each value has the fixed shape, and
    its fast parse (``instant_of`` picks it when every value has the shape)."""
    return [pl.col(column).str.contains(FIXED_SHAPE).alias(f"{column}__shaped"),
            fixed_instant(column).alias(f"{column}__fixed")]


def instant_of(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``column`` as UTC datetimes: the fast parse when every value has the fixed shape, else
    the general parser (the fast one would misread e.g. fractional seconds)."""
    shaped, fixed = f"{column}__shaped", f"{column}__fixed"
    every = frame.select(pl.col(shaped).all()).item()  # nulls (empty cells) are left out
    parsed = pl.col(fixed) if every else instant(column)
    return frame.with_columns(parsed.alias(column)).drop(shaped, fixed)


def prepare(raw: Mapping[str, pl.DataFrame | pl.LazyFrame | None], as_of: date) -> Portfolio:
    """The typed portfolio (see ``typed_tables``)."""
    return Portfolio(as_of, **typed_tables(raw, as_of))


def typed_tables(raw: Mapping[str, pl.DataFrame | pl.LazyFrame | None], as_of: date,
                 carry: tuple[str, ...] = ()) -> dict[str, pl.DataFrame]:
    """The portfolio's tables, typed. Raw tables may be lazy (a scan of the file): each
    table's typing then runs as one streaming query, so the text of a 5M-row table is never
    held whole next to its typed copy. Instants are parsed in the same pass, the fast way, and
    the general parser is used instead only when some value is not in the fast parser's shape.
    The raw text is expected valid (``services.portfolio_files`` checks it, in the same
    queries: its flag is a ``carry`` column); text that is not gives nulls, never an error."""
    t = {name: with_columns_of(raw.get(name), name, carry) for name in NEEDED if name != "capacity"}
    customers = t["customers"].with_columns(
        pl.col("timezone").fill_null(DEFAULT_ZONE).alias("zone"),
        pl.col("jurisdiction").fill_null("CN").str.replace_all(" ", "").alias("jurisdiction"),
        pl.col("language").fill_null("zh"),
        pl.col("preferred_hours").str.extract(r"^(\d{1,2})", 1).cast(pl.Int32, strict=False).alias("pref_from"),
        pl.col("preferred_hours").str.extract(r"-(\d{1,2})$", 1).cast(pl.Int32, strict=False).alias("pref_to"),
        cents("monthly_income").alias("income_cents"),
    ).drop("timezone", "preferred_hours", "monthly_income")
    points = t["contact_points"].with_columns(
        # an e-mail address the employer provided is its own kind (compliance.facts.point_kind)
        pl.when((pl.col("kind") == "email") & boolean("employer_provided")).then(pl.lit("employer_email"))
        .otherwise(pl.col("kind")).alias("kind"),
        boolean("consent").alias("consent"),
        boolean("do_not_contact").alias("do_not_contact"),
        pl.col("status").fill_null("unknown"),
    )
    accounts = t["accounts"].with_columns(
        cents("balance").alias("balance_cents"),
        cents("past_due_amount").fill_null(0).alias("past_due_cents"),
        (pl.lit(as_of) - pl.col("oldest_unpaid_due_date").str.to_date(strict=False)).dt.total_days()
        .fill_null(0).cast(pl.Int32).alias("dpd"),
        pl.col("due_date").str.to_date(strict=False),
        pl.col("status").fill_null("open"),
        pl.col("flags").fill_null("").str.split(";").list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != "")).alias("flags"),
    ).drop("balance", "past_due_amount", "oldest_unpaid_due_date")
    contacts = t["contacts"].with_columns(
        *instant_parts("at"),
        pl.col("direction").fill_null("outbound"),
        cents("promise_amount").alias("promise_cents"),
        pl.col("promise_date").str.to_date(strict=False),
        boolean("complaint").alias("complaint"),
    ).drop("promise_amount")
    payments = t["payments"].with_columns(
        *instant_parts("paid_at"),
        cents("amount").alias("amount_cents"),
        boolean("reversed").alias("reversed"),
    ).drop("amount")
    typed = _collect_all({"customers": customers, "contact_points": points, "accounts": accounts,
                          "contacts": contacts, "payments": payments, "agencies": t["agencies"]})
    typed["contacts"] = instant_of(typed["contacts"], "at")
    typed["payments"] = instant_of(typed["payments"], "paid_at")
    return typed


class TableUnreadable(ValueError):
    """A table's file could not be read or typed (``table``: its name, e.g. contacts)."""

    def __init__(self, table: str, problem: str) -> None:
        self.table, self.problem = table, problem
        super().__init__(f"{table}: {problem}")


def _collect_all(tables: dict[str, pl.LazyFrame]) -> dict[str, pl.DataFrame]:
    """Every table's query at once, ids keyed (the tables are read side by side); a table
    that cannot be read is named (each is tried alone to find which)."""
    names = list(tables)
    queries = [keyed(tables[name]) for name in names]
    try:
        return dict(zip(names, pl.collect_all(queries, engine="streaming"), strict=True))
    except UNREADABLE:
        for name, query in zip(names, queries, strict=True):
            try:
                query.collect(engine="streaming")
            except UNREADABLE as error:
                raise TableUnreadable(name, str(error)) from error
        raise


UNREADABLE = (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError, UnicodeError)  # a file polars cannot read


ID_COLUMNS = ("customer_id", "account_id", "contact_point_id")


def keyed(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Ids as categoricals: joins and groupings over millions of rows then hash integers,
    not text (the values, their order and the output are the same text)."""
    names = frame.collect_schema().names()
    return frame.with_columns(pl.col(c).cast(pl.Categorical) for c in ID_COLUMNS if c in names)


@dataclass(frozen=True)
class Capacity:
    """Attempts allowed per channel: per operation-zone hour, and per whole day."""

    hourly: dict[tuple[str, int], int]
    daily: dict[str, int]
    zone: str = DEFAULT_ZONE

    def channels(self) -> set[str]:
        return {c for c, _ in self.hourly} | set(self.daily)

    def per_hour(self, channel: str, hour: int) -> int | None:
        """None = no hourly limit for the channel (only its daily limit, if any)."""
        if not any(c == channel for c, _ in self.hourly):
            return None if channel in self.daily else 0
        return self.hourly.get((channel, hour), 0)


def capacity_from(frame: pl.DataFrame, zone: str = DEFAULT_ZONE) -> Capacity:
    """capacity.csv rows to limits (rows of one channel and hour add up). The rows are
    checked by the reader of portfolio files: a channel, an hour 0-23 or ``*`` (the whole
    day), a whole number."""
    hourly: dict[tuple[str, int], int] = {}
    daily: dict[str, int] = {}
    for row in with_columns_of(frame, "capacity").collect().iter_rows(named=True):
        channel, hour, limit = row["channel"], row["hour"], int(row["max_attempts"])
        if hour == "*":
            daily[channel] = daily.get(channel, 0) + limit
        else:
            hourly[(channel, int(hour))] = hourly.get((channel, int(hour)), 0) + limit
    return Capacity(hourly, daily, zone)


def with_preferences(portfolio: Portfolio, stored: Mapping[str, Preferences]) -> Portfolio:
    """The portfolio with what customers told us on their own page laid over the file's: a stored
    preferred channel or hours replace the customer's (a part left blank keeps the file's), and a
    channel opted out of marks the customer's own points of that channel do-not-contact."""
    if not stored:
        return portfolio
    ids = list(stored)
    hours = [(stored[i].hours or "").partition("-") for i in ids]
    over = pl.DataFrame({
        "_cid": ids, "_channel": [stored[i].channel for i in ids],
        "_from": [int(h[0]) if h[0] else None for h in hours], "_to": [int(h[2]) if h[2] else None for h in hours],
    }, schema={"_cid": pl.Utf8, "_channel": pl.Utf8, "_from": pl.Int32, "_to": pl.Int32})
    customers = portfolio.customers.with_columns(pl.col("customer_id").cast(pl.Utf8).alias("_cid")).join(
        over, on="_cid", how="left").with_columns(
        pl.coalesce("_channel", "preferred_channel").alias("preferred_channel"),
        pl.when(pl.col("_from").is_not_null()).then(pl.col("_from")).otherwise(pl.col("pref_from")).alias("pref_from"),
        pl.when(pl.col("_from").is_not_null()).then(pl.col("_to")).otherwise(pl.col("pref_to")).alias("pref_to"),
    ).drop("_cid", "_channel", "_from", "_to")
    opted = [(i, kind) for i in ids for channel in stored[i].opted_out for kind in OPT_OUT_KINDS.get(channel, ())]
    points = portfolio.contact_points
    if opted:
        pairs = pl.DataFrame({"_cid": [i for i, _ in opted], "_kind": [k for _, k in opted]},
                             schema={"_cid": pl.Utf8, "_kind": pl.Utf8}).with_columns(pl.lit(True).alias("_out"))
        points = points.with_columns(pl.col("customer_id").cast(pl.Utf8).alias("_cid"),
                                     pl.col("kind").cast(pl.Utf8).alias("_kind")).join(
            pairs, on=["_cid", "_kind"], how="left").with_columns(
            (pl.col("do_not_contact") | (pl.col("_out").fill_null(False) & (pl.col("owner") == "debtor")))
            .alias("do_not_contact")).drop("_cid", "_kind", "_out")
    return replace(portfolio, customers=customers, contact_points=points)


def with_contact_points(portfolio: Portfolio, stored: Sequence[Mapping[str, Any]]) -> Portfolio:
    """The contact points collectors changed in the workbench laid over the file's (portfolio-v1
    words, ``NEEDED["contact_points"]``): a number a customer gave a collector is added, a number
    marked wrong or a consent recorded replaces the file's row. Points of customers this portfolio
    does not hold are left out."""
    if not stored:
        return portfolio
    points = portfolio.contact_points
    columns = NEEDED["contact_points"]
    over = pl.DataFrame([{c: row.get(c) for c in columns} for row in stored],
                        schema={c: points.schema[c] for c in columns}, orient="row")
    over = over.filter(pl.col("customer_id").is_in(portfolio.customers["customer_id"].implode()))
    kept = points.join(over.select("contact_point_id"), on="contact_point_id", how="anti")
    return replace(portfolio, contact_points=pl.concat([kept, over], how="diagonal_relaxed"))
