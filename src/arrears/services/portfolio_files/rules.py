"""The rules of portfolio-v1, each one vectorised polars expression over a table's text.

A ``Rule`` is the column it concerns, an expression that is true on the rows breaking it,
and the problem in words (fixed, or worded from the cell). Every command reads a folder
through these rules: ingest and score evaluate them and word the rows that break one
(``checks``), the planner folds them into the streaming query that types its frames. Rules
that need a whole column or other tables (unique ids, references) are in ``checks``. The
typed columns ingest loads (``<money>_cents``, ``<date>_d``, ``<instant>_t``, ``<bool>_b``,
``<list>_j``, ``value_n``) come from ``typed_columns``. Personal values never appear in a
problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import available_timezones

import phonenumbers
import polars as pl

from arrears.domain.identity import CHECK_CHARS, WEIGHTS, cn_resident_id_problem
from arrears.services.portfolio_files.schema import EARLIEST, ColumnSpec, Kind, TableSpec

MONEY_RE = r"^[+-]?\d+(\.\d{1,2})?$"
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
INSTANT_RE = (r"^\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?"
              r"(Z|[+-](0\d|1[0-4]):?[0-5]\d)$")
HOURS_RE = r"^([01]?\d|2[0-3])-([01]?\d|2[0-4])$"
HOUR_OR_DAY_RE = r"^(\*|[01]?\d|2[0-3])$"
COUNT_RE = r"^\d{1,9}$"
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
CN_MOBILE_RE = r"^(?:\+86|0086|86)?(1[3-9]\d{9})$"
# Fixed lines in national form whose local number starts 2-7 (always valid in the numbering
# plan); anything else goes through phonenumbers.
CN_FIXED_RE = r"^0((?:10|2\d)[2-7]\d{7}|[3-9]\d{2}[2-7]\d{6,7})$"
SEPARATORS_RE = r"[\s\-().]"
CN_PHONE_RE = r"^(?:(?:\+86|0086|86)?1[3-9]\d{9}|0(?:(?:10|2\d)[2-7]\d{7}|[3-9]\d{2}[2-7]\d{6,7}))$"
PHONE_KINDS = ("mobile", "home", "work")
TRUE_WORDS = ("true", "1", "yes")
BOOL_WORDS = ("true", "false", "1", "0", "yes", "no")


def _spellings(word: str) -> list[str]:
    """Every upper/lower case spelling of a word (a set look-up is cheaper than lowercasing 5 M cells)."""
    spellings = [""]
    for char in word:
        spellings = [s + c for s in spellings for c in {char.lower(), char.upper()}]
    return spellings


BOOL_SPELLINGS = sorted({s for word in BOOL_WORDS for s in _spellings(word)})

Problem = str | Callable[[str], str | None]  # a fixed problem, or worded from the cell (None: not one)


@dataclass(frozen=True)
class Rule:
    column: str
    broken: pl.Expr  # true on the rows that break the rule, never null
    problem: Problem


@dataclass(frozen=True)
class Context:
    """What the rules are checked against: the snapshot date, and the phone numbers of the
    folder that are not in the fast shapes, worked out once (``slow_phones``)."""

    as_of: date
    phones: dict[str, str | None] = field(default_factory=dict)  # a value as written -> E.164, or None


def _rule(column: str, broken: pl.Expr, problem: Problem) -> Rule:
    return Rule(column, broken.fill_null(False), problem)


def _present(name: str) -> pl.Expr:
    return pl.col(name).is_not_null()


# ----------------------------------------------------------------------------- money

def money_ok(name: str) -> pl.Expr:
    return pl.col(name).str.contains(MONEY_RE) & (pl.col(name).str.len_chars() <= 18)


def cents_of(name: str) -> pl.Expr:
    """Exact decimal text -> whole cents (Int64); null for text that is not money. The text is
    at most 18 characters with at most 2 decimals, so the decimal parse is exact."""
    return pl.when(money_ok(name)).then((pl.col(name).cast(pl.Decimal(38, 2), strict=False) * 100).cast(pl.Int64))


def _money_rules(spec: ColumnSpec) -> list[Rule]:
    name = spec.name
    rules = [_rule(name, _present(name) & ~money_ok(name),
                   "not money: expected a decimal number with at most 2 decimals, like 1234.50")]
    if spec.kind is Kind.MONEY_POSITIVE:
        rules.append(_rule(name, cents_of(name) <= 0, "must be greater than 0"))
    if spec.kind is Kind.MONEY_NONNEGATIVE:
        rules.append(_rule(name, cents_of(name) < 0, "must not be negative"))
    return rules


# ----------------------------------------------------------------------------- dates

def date_of(name: str) -> pl.Expr:
    return pl.col(name).str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def local_date_of(name: str) -> pl.Expr:
    """An instant's date as written (in its own offset)."""
    return pl.col(name).str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def _bounds(name: str, day: pl.Expr, spec: ColumnSpec, context: Context) -> list[Rule]:
    latest = context.as_of + timedelta(days=spec.latest)
    if spec.latest:
        late = f"more than {spec.latest} days after the snapshot date {context.as_of}: not plausible"
    else:
        late = f"after the snapshot date {context.as_of}: it cannot be in the future"
    return [_rule(name, day < EARLIEST, f"before {EARLIEST}: not a plausible date"),
            _rule(name, day > latest, late)]


def _date_rules(spec: ColumnSpec, context: Context) -> list[Rule]:
    name = spec.name
    day = date_of(name)
    bad = _present(name) & (~pl.col(name).str.contains(DATE_RE) | day.is_null())
    return [_rule(name, bad, "not a date: expected YYYY-MM-DD"), *_bounds(name, day, spec, context)]


def instant_of(name: str) -> pl.Expr:
    """ISO 8601 text with an offset (``T`` or a space, ``Z``, ``+08:00`` or ``+0800``) as a
    UTC datetime."""
    text = (pl.col(name).str.replace(r"Z$", "+00:00").str.replace(" ", "T", literal=True)
            .str.replace(r"([+-]\d{2})(\d{2})$", "${1}:${2}"))
    return text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_zone="UTC")


def _instant_rules(spec: ColumnSpec, context: Context) -> list[Rule]:
    name = spec.name
    day = local_date_of(name)
    bad = _present(name) & (~pl.col(name).str.contains(INSTANT_RE) | day.is_null())
    return [_rule(name, bad, "not an instant: expected ISO 8601 with an offset, like 2026-11-28T19:05:00+08:00"),
            *_bounds(name, day, spec, context)]


# ----------------------------------------------------------------------------- choices

def _allowed(spec: ColumnSpec) -> str:
    return ", ".join(spec.choices)


def _enum_rules(spec: ColumnSpec) -> list[Rule]:
    allowed = _allowed(spec)
    return [_rule(spec.name, _present(spec.name) & ~pl.col(spec.name).is_in(spec.choices),
                  lambda value: f"{value!r} is not one of: {allowed}")]


def items_of(name: str) -> pl.Expr:
    return (pl.col(name).str.split(";").list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != "")))


def _enum_list_rules(spec: ColumnSpec) -> list[Rule]:
    """Every ';'-separated item (spaces around it ignored, empty items skipped) is a choice:
    one regular expression, cheaper than splitting 1 M cells into lists."""
    choices, allowed = spec.choices, _allowed(spec)
    item = "(?:" + "|".join(re.escape(choice) for choice in choices) + ")"
    pattern = rf"^\s*{item}?\s*(?:;\s*{item}?\s*)*$"

    def problem(value: str) -> str:
        wrong = [v.strip() for v in value.split(";") if v.strip() and v.strip() not in choices]
        return f"unknown value(s) {', '.join(map(repr, wrong))}; allowed: {allowed}"

    return [_rule(spec.name, _present(spec.name) & ~pl.col(spec.name).str.contains(pattern), problem)]


def _bool_rules(spec: ColumnSpec) -> list[Rule]:
    return [_rule(spec.name, _present(spec.name) & ~pl.col(spec.name).is_in(BOOL_SPELLINGS),
                  "not a boolean: use true or false")]


@lru_cache(maxsize=1)
def zones() -> list[str]:
    return sorted(available_timezones())


def _zone_rules(spec: ColumnSpec) -> list[Rule]:
    return [_rule(spec.name, _present(spec.name) & ~pl.col(spec.name).is_in(zones()),
                  lambda value: f"{value!r} is not an IANA time zone (e.g. Asia/Shanghai)")]


def _regex_rule(spec: ColumnSpec, pattern: str, problem: str) -> list[Rule]:
    return [_rule(spec.name, _present(spec.name) & ~pl.col(spec.name).str.contains(pattern), problem)]


def _hours_rules(spec: ColumnSpec) -> list[Rule]:
    name = spec.name
    start = pl.col(name).str.extract(r"^(\d+)-", 1).cast(pl.Int32, strict=False)
    end = pl.col(name).str.extract(r"-(\d+)$", 1).cast(pl.Int32, strict=False)
    return [*_regex_rule(spec, HOURS_RE, "not an hour range: expected e.g. 19-21"),
            _rule(name, pl.col(name).str.contains(HOURS_RE) & (end <= start),
                  "the hour range must end after it starts")]


# ----------------------------------------------------------------------------- identity

def _cn_id_passes(name: str) -> pl.Expr:
    """Vectorised GB 11643 check (weights and check characters from the domain); a row that
    fails is explained by ``cn_resident_id_problem``."""
    col = pl.col(name)
    total = pl.sum_horizontal(
        col.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(WEIGHTS)
    )
    expected = total.mod(11).replace_strict(list(range(11)), list(CHECK_CHARS), return_dtype=pl.Utf8)
    birth = col.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False)
    return (col.str.slice(17, 1).str.to_uppercase() == expected) & birth.is_not_null()


def _national_id_rules(spec: ColumnSpec) -> list[Rule]:
    name = spec.name
    cn_like = pl.col(name).str.contains(r"^[0-9]{17}.$")
    other_length = pl.col(name).str.len_chars()
    return [
        _rule(name, _present(name) & cn_like & ~_cn_id_passes(name).fill_null(False), cn_resident_id_problem),
        _rule(name, _present(name) & ~cn_like & ((other_length < 5) | (other_length > 40)),
              "an identity number must have 5 to 40 characters"),
    ]


# ----------------------------------------------------------------------------- contact values

def normalise_phone(value: str, region: str = "CN") -> str | None:
    """E.164 for a phone given in E.164 or the national form of ``region`` (ISO 3166: CN, US,
    GB), or None if impossible."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_text(value: str, region: str = "CN") -> str | None:
    """E.164 of a phone value as written (spaces, dashes, dots and brackets ignored), or None;
    a national form is read as one of ``region`` (a portfolio file's: China's)."""
    cleaned = re.sub(SEPARATORS_RE, "", value)
    if region != "CN":
        return normalise_phone(cleaned, region)
    usual = re.fullmatch(CN_MOBILE_RE, cleaned) or re.fullmatch(CN_FIXED_RE, cleaned)
    return f"+86{usual.group(1)}" if usual else normalise_phone(cleaned)


def _is_phone() -> pl.Expr:
    return pl.col("kind").is_in(PHONE_KINDS)


def _plain_phone() -> pl.Expr:
    """A phone written in a usual Chinese shape without separators, as nearly all are: one
    regular expression, no cleaning of 2 M values; the others are looked up in the context."""
    return pl.col("value").str.contains(CN_PHONE_RE)


def slow_phone_texts(points: pl.LazyFrame) -> pl.LazyFrame:
    """The distinct phone values not plainly in a usual shape (``Context.phones`` maps each)."""
    return points.filter(_is_phone() & _present("value") & ~_plain_phone()).select(pl.col("value").unique())


def phone_of(context: Context) -> pl.Expr:
    """A phone value as E.164, null where it is not a phone number."""
    value = pl.col("value")
    plain = pl.lit("+86") + pl.coalesce(value.str.extract(CN_MOBILE_RE, 1), value.str.extract(CN_FIXED_RE, 1))
    other = (value.replace_strict(list(context.phones), list(context.phones.values()), default=None,
                                  return_dtype=pl.Utf8)
             if context.phones else pl.lit(None, pl.Utf8))
    return pl.coalesce(plain, other)


def _contact_value_rules(context: Context) -> list[Rule]:
    email = pl.col("kind") == "email"
    phones = [text for text, phone in context.phones.items() if phone is not None]
    return [
        _rule("value", _is_phone() & _present("value") & ~_plain_phone() & ~pl.col("value").is_in(phones),
              "not a phone number (E.164 like +8613800138000 or Chinese national form)"),
        _rule("value", email & _present("value") & ~pl.col("value").str.contains(EMAIL_RE), "not an e-mail address"),
    ]


# ----------------------------------------------------------------------------- tables

def _column_rules(spec: ColumnSpec, context: Context) -> list[Rule]:
    kind = spec.kind
    if kind in (Kind.MONEY, Kind.MONEY_POSITIVE, Kind.MONEY_NONNEGATIVE):
        return _money_rules(spec)
    if kind is Kind.DATE:
        return _date_rules(spec, context)
    if kind is Kind.INSTANT:
        return _instant_rules(spec, context)
    if kind is Kind.NATIONAL_ID:
        return _national_id_rules(spec)
    if kind is Kind.CONTACT_VALUE:
        return _contact_value_rules(context)
    return SIMPLE.get(kind, lambda _spec: [])(spec)


SIMPLE: dict[Kind, Callable[[ColumnSpec], list[Rule]]] = {
    Kind.BOOL: _bool_rules,
    Kind.ENUM: _enum_rules,
    Kind.ENUM_LIST: _enum_list_rules,
    Kind.ZONE: _zone_rules,
    Kind.HOURS: _hours_rules,
    Kind.CURRENCY: lambda spec: _regex_rule(spec, r"^[A-Z]{3}$", "not an ISO 4217 currency code (e.g. CNY)"),
    Kind.HOUR_OR_DAY: lambda spec: _regex_rule(spec, HOUR_OR_DAY_RE, "expected an hour 0-23, or * for the whole day"),
    Kind.COUNT: lambda spec: _regex_rule(spec, COUNT_RE, "expected a whole number (0 or more)"),
}


def _row_rules(spec: TableSpec) -> list[Rule]:
    """Rules between the columns of one row."""
    if "past_due_amount" in spec.names and "balance" in spec.names:
        balance = cents_of("balance")  # a negative balance is reported on its own
        return [_rule("past_due_amount", (balance >= 0) & (cents_of("past_due_amount") > balance),
                      "greater than the balance: the amount past due is part of the balance")]
    return []


def rules_for(spec: TableSpec, context: Context) -> list[Rule]:
    """Every rule of one row of the table: required values, each column's kind, and the rules
    between columns."""
    required = [_rule(c.name, pl.col(c.name).is_null(), "required value is empty") for c in spec.columns if c.required]
    return [*required, *(r for c in spec.columns for r in _column_rules(c, context)), *_row_rules(spec)]


def typed_columns(spec: TableSpec, context: Context) -> list[pl.Expr]:
    """The typed copies ingest loads and score reads, beside the text columns."""
    typed: list[pl.Expr] = []
    for column in spec.columns:
        name, kind = column.name, column.kind
        if kind in (Kind.MONEY, Kind.MONEY_POSITIVE, Kind.MONEY_NONNEGATIVE):
            typed.append(cents_of(name).alias(f"{name}_cents"))
        elif kind is Kind.DATE:
            typed.append(date_of(name).alias(f"{name}_d"))
        elif kind is Kind.INSTANT:
            typed.append(instant_of(name).alias(f"{name}_t"))
        elif kind is Kind.BOOL:
            typed.append(pl.col(name).str.to_lowercase().is_in(TRUE_WORDS).fill_null(False).alias(f"{name}_b"))
        elif kind is Kind.ENUM_LIST:
            typed.append(items_of(name).list.unique().list.sort().list.join(";").fill_null("").alias(f"{name}_j"))
        elif kind is Kind.CONTACT_VALUE:
            typed.append(pl.when(_is_phone()).then(phone_of(context))
                         .when(pl.col("kind") == "email").then(pl.col("value").str.to_lowercase())
                         .otherwise(pl.col("value")).alias("value_n"))
    return typed
