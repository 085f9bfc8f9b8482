"""Validation of portfolio tables: every error as ``file:line: column: what is wrong``.

Checks are vectorised over whole columns; personal values never appear in messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
import polars as pl

from arrears.domain.identity import CHECK_CHARS, WEIGHTS, cn_resident_id_problem
from arrears.services.ingest.reading import RawTable
from arrears.services.ingest.schema import ColumnSpec, Kind

MONEY_RE = r"^[+-]?\d+(\.\d{1,2})?$"
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
INSTANT_RE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$"
HOURS_RE = r"^([01]?\d|2[0-3])-([01]?\d|2[0-4])$"
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
CN_MOBILE_RE = r"^(?:\+86|0086|86)?(1[3-9]\d{9})$"
# Fixed lines in national form whose local number starts 2-7 (always valid in the numbering
# plan); anything else goes through phonenumbers.
CN_FIXED_RE = r"^0((?:10|2\d)[2-7]\d{7}|[3-9]\d{2}[2-7]\d{6,7})$"
TRUE_WORDS = ("true", "1", "yes")
BOOL_WORDS = ("true", "false", "1", "0", "yes", "no")
MAX_ERRORS_PER_FILE = 1000


@dataclass(frozen=True, order=True)
class RowError:
    file: str
    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.problem}"


@dataclass
class Checked:
    """A validated table: typed columns, plus errors and notes found on the way."""

    table: RawTable
    frame: pl.DataFrame
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _bad_rows(frame: pl.DataFrame, mask: pl.Expr) -> list[int]:
    return frame.with_row_index("__row").filter(mask)["__row"].to_list()


def _report(checked: Checked, column: str, rows: Iterable[int], problem: str) -> None:
    for row in rows:
        checked.errors.append(RowError(checked.table.file, checked.table.line(row), column, problem))


def _report_values(
    checked: Checked, column: str, rows: list[int], problems: list[str]
) -> None:
    for row, problem in zip(rows, problems, strict=True):
        checked.errors.append(RowError(checked.table.file, checked.table.line(row), column, problem))


def _present(name: str) -> pl.Expr:
    return pl.col(name).is_not_null()


def _check_regex(checked: Checked, spec: ColumnSpec, pattern: str, problem: str) -> None:
    frame = checked.frame
    mask = _present(spec.name) & ~pl.col(spec.name).str.contains(pattern)
    _report(checked, spec.name, _bad_rows(frame, mask), problem)


def _to_cents(name: str) -> pl.Expr:
    """Exact decimal text -> whole cents (Int64), via integer arithmetic on the text."""
    text = pl.col(name).str.replace(r"^\+", "")
    negative = text.str.starts_with("-")
    digits = text.str.replace("-", "", literal=True)
    whole = digits.str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False)
    frac = digits.str.extract(r"\.(\d{1,2})$", 1).fill_null("").str.pad_end(2, "0")
    cents = whole * 100 + frac.cast(pl.Int64, strict=False).fill_null(0)
    return pl.when(negative).then(-cents).otherwise(cents)


def _check_money(checked: Checked, spec: ColumnSpec) -> None:
    """One pass: well-formed text, size, sign; whole cents in ``<name>_cents``."""
    name = spec.name
    cents = f"{name}_cents"
    frame = checked.frame.with_columns(
        (pl.col(name).str.contains(MONEY_RE) & (pl.col(name).str.len_chars() <= 18)).alias("__ok")
    ).with_columns(pl.when(pl.col("__ok")).then(_to_cents(name)).otherwise(None).alias(cents))
    bad = _present(name) & ~pl.col("__ok")
    if spec.kind is Kind.MONEY_POSITIVE:
        bad = bad | (pl.col(cents) <= 0)
    if spec.kind is Kind.MONEY_NONNEGATIVE:
        bad = bad | (pl.col(cents) < 0)
    flagged = frame.with_row_index("__row").filter(bad).select("__row", "__ok", cents)
    for row, ok, value in flagged.iter_rows():
        if not ok:
            problem = "not money: expected a decimal number with at most 2 decimals, like 1234.50"
        elif value <= 0 and spec.kind is Kind.MONEY_POSITIVE:
            problem = "must be greater than 0"
        else:
            problem = "must not be negative"
        checked.errors.append(RowError(checked.table.file, checked.table.line(row), name, problem))
    checked.frame = frame.drop("__ok")


def _check_date(checked: Checked, spec: ColumnSpec) -> None:
    name = spec.name
    parsed = pl.col(name).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    frame = checked.frame.with_columns(parsed.alias(f"{name}__date"))
    bad = _present(name) & (
        ~pl.col(name).str.contains(DATE_RE) | pl.col(f"{name}__date").is_null()
    )
    _report(checked, name, _bad_rows(frame, bad), "not a date: expected YYYY-MM-DD")
    checked.frame = frame.with_columns(pl.col(f"{name}__date").alias(f"{name}_d")).drop(
        f"{name}__date"
    )


def _check_instant(checked: Checked, spec: ColumnSpec) -> None:
    name = spec.name
    text = (
        pl.col(name)
        .str.replace(r"Z$", "+00:00")
        .str.replace(" ", "T", literal=True)
        .str.replace(r"([+-]\d{2})(\d{2})$", "${1}:${2}")
    )
    parsed = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_zone="UTC")
    frame = checked.frame.with_columns(parsed.alias(f"{name}_t"))
    bad = _present(name) & (~pl.col(name).str.contains(INSTANT_RE) | pl.col(f"{name}_t").is_null())
    _report(
        checked, name, _bad_rows(frame, bad),
        "not an instant: expected ISO 8601 with an offset, like 2026-11-28T19:05:00+08:00",
    )
    checked.frame = frame


def _check_bool(checked: Checked, spec: ColumnSpec) -> None:
    name = spec.name
    lowered = pl.col(name).str.to_lowercase()
    bad = _present(name) & ~lowered.is_in(BOOL_WORDS)
    _report(checked, name, _bad_rows(checked.frame, bad), "not a boolean: use true or false")
    checked.frame = checked.frame.with_columns(lowered.is_in(TRUE_WORDS).fill_null(False).alias(f"{name}_b"))


def _check_enum(checked: Checked, spec: ColumnSpec) -> None:
    name = spec.name
    bad = _present(name) & ~pl.col(name).is_in(spec.choices)
    allowed = ", ".join(spec.choices)
    for row in _bad_rows(checked.frame, bad):
        value = checked.frame[name][row]
        checked.errors.append(
            RowError(checked.table.file, checked.table.line(row), name,
                     f"{value!r} is not one of: {allowed}")
        )


def _check_enum_list(checked: Checked, spec: ColumnSpec) -> None:
    name = spec.name
    items = pl.col(name).str.split(";").list.eval(pl.element().str.strip_chars()).list.eval(
        pl.element().filter(pl.element() != "")
    )
    frame = checked.frame.with_columns(items.alias(f"{name}_l"))
    bad_mask = pl.col(f"{name}_l").list.eval(~pl.element().is_in(spec.choices)).list.any()
    allowed = ", ".join(spec.choices)
    for row in _bad_rows(frame, _present(name) & bad_mask):
        wrong = [v for v in frame[f"{name}_l"][row] if v not in spec.choices]
        checked.errors.append(
            RowError(checked.table.file, checked.table.line(row), name,
                     f"unknown value(s) {', '.join(map(repr, wrong))}; allowed: {allowed}")
        )
    checked.frame = frame.with_columns(
        pl.col(f"{name}_l").list.unique().list.sort().list.join(";").fill_null("").alias(f"{name}_j")
    )


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_zone(zone: str) -> bool:
    if zone in _zones():
        return True
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in zone or zone == "UTC"


def _check_zone(checked: Checked, spec: ColumnSpec) -> None:
    name = spec.name
    values = checked.frame[name].drop_nulls().unique().to_list()
    unknown = [v for v in values if not _known_zone(v)]
    if unknown:
        rows = _bad_rows(checked.frame, pl.col(name).is_in(unknown))
        for row in rows:
            checked.errors.append(
                RowError(checked.table.file, checked.table.line(row), name,
                         f"{checked.frame[name][row]!r} is not an IANA time zone (e.g. Asia/Shanghai)")
            )


def _check_currency(checked: Checked, spec: ColumnSpec) -> None:
    _check_regex(checked, spec, r"^[A-Z]{3}$", "not an ISO 4217 currency code (e.g. CNY)")


def _check_hours(checked: Checked, spec: ColumnSpec) -> None:
    name = spec.name
    _check_regex(checked, spec, HOURS_RE, "not an hour range: expected e.g. 19-21")
    start = pl.col(name).str.extract(r"^(\d+)-", 1).cast(pl.Int32, strict=False)
    end = pl.col(name).str.extract(r"-(\d+)$", 1).cast(pl.Int32, strict=False)
    bad = _present(name) & pl.col(name).str.contains(HOURS_RE) & (end <= start)
    _report(checked, name, _bad_rows(checked.frame, bad), "the hour range must end after it starts")


def _cn_id_passes(name: str) -> pl.Expr:
    """Vectorised GB 11643 check (weights and check characters from the domain); rows that
    fail are then explained one by one by ``cn_resident_id_problem``."""
    col = pl.col(name)
    total = pl.sum_horizontal(
        col.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(WEIGHTS)
    )
    expected = total.mod(11).replace_strict(list(range(11)), list(CHECK_CHARS), return_dtype=pl.Utf8)
    birth = col.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False)
    return (col.str.slice(17, 1).str.to_uppercase() == expected) & birth.is_not_null()


def _check_national_id(checked: Checked, spec: ColumnSpec) -> None:
    name = spec.name
    frame = checked.frame
    cn_like = pl.col(name).str.contains(r"^\d{17}.$")
    suspects = _bad_rows(frame, _present(name) & cn_like & ~_cn_id_passes(name).fill_null(False))
    rows, problems = [], []
    for row in suspects:
        problem = cn_resident_id_problem(frame[name][row])
        if problem:
            rows.append(row)
            problems.append(problem)
    _report_values(checked, name, rows, problems)
    other = _present(name) & ~cn_like & (
        (pl.col(name).str.len_chars() < 5) | (pl.col(name).str.len_chars() > 40)
    )
    _report(checked, name, _bad_rows(frame, other), "an identity number must have 5 to 40 characters")


def normalise_phone(value: str) -> str | None:
    """E.164 for a phone given in E.164 or Chinese national form, or None if impossible."""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_contact_value(checked: Checked, spec: ColumnSpec) -> None:
    """Phones are normalised to E.164; e-mails checked; postal addresses kept."""
    frame = checked.frame
    cleaned = pl.col("value").str.replace_all(r"[\s\-().]", "")
    is_phone = pl.col("kind").is_in(["mobile", "home", "work"])
    fast = pl.coalesce(cleaned.str.extract(CN_MOBILE_RE, 1), cleaned.str.extract(CN_FIXED_RE, 1))
    frame = frame.with_columns(
        pl.when(is_phone & fast.is_not_null()).then(pl.lit("+86") + fast).otherwise(None).alias("__fast"),
        cleaned.alias("__clean"),
    )
    slow_values = frame.filter(is_phone & pl.col("__fast").is_null() & _present("value"))[
        "__clean"
    ].unique().to_list()
    slow_map = {v: normalise_phone(v) for v in slow_values}
    slow = pl.col("__clean").replace_strict(
        list(slow_map), [slow_map[k] for k in slow_map], default=None, return_dtype=pl.Utf8
    ) if slow_map else pl.lit(None, pl.Utf8)
    frame = frame.with_columns(
        pl.when(is_phone).then(pl.coalesce(pl.col("__fast"), slow))
        .when(pl.col("kind") == "email").then(pl.col("value").str.to_lowercase())
        .otherwise(pl.col("value")).alias("value_n")
    )
    bad_phone = is_phone & _present("value") & pl.col("value_n").is_null()
    _report(checked, "value", _bad_rows(frame, bad_phone),
            "not a phone number (E.164 like +8613800138000 or Chinese national form)")
    bad_email = (pl.col("kind") == "email") & _present("value") & ~pl.col("value").str.contains(EMAIL_RE)
    _report(checked, "value", _bad_rows(frame, bad_email), "not an e-mail address")
    checked.frame = frame.drop("__fast", "__clean")


CHECKS = {
    Kind.MONEY: _check_money,
    Kind.MONEY_POSITIVE: _check_money,
    Kind.MONEY_NONNEGATIVE: _check_money,
    Kind.DATE: _check_date,
    Kind.INSTANT: _check_instant,
    Kind.BOOL: _check_bool,
    Kind.ENUM: _check_enum,
    Kind.ENUM_LIST: _check_enum_list,
    Kind.ZONE: _check_zone,
    Kind.CURRENCY: _check_currency,
    Kind.HOURS: _check_hours,
    Kind.NATIONAL_ID: _check_national_id,
    Kind.CONTACT_VALUE: _check_contact_value,
}


def check_table(table: RawTable) -> Checked:
    """Check one table on its own: columns present, values well-formed, keys unique."""
    checked = Checked(table, table.frame)
    spec = table.spec
    present = set(table.frame.columns)
    for column in spec.columns:
        if column.name not in present:
            if column.required:
                checked.errors.append(RowError(table.file, 1, column.name, "required column is missing"))
            checked.frame = checked.frame.with_columns(pl.lit(None, pl.Utf8).alias(column.name))
    extra = sorted(present - set(spec.names))
    if extra:
        checked.notes.append(f"{table.file}: extra columns kept aside: {', '.join(extra)}")
        checked.frame = checked.frame.drop(extra)
    if any(e.line == 1 for e in checked.errors):
        return checked
    for column in spec.columns:
        if column.required:
            missing = _bad_rows(checked.frame, pl.col(column.name).is_null())
            _report(checked, column.name, missing, "required value is empty")
        if column.unique:
            dupes = _bad_rows(checked.frame, _present(column.name) & pl.col(column.name).is_duplicated())
            _report(checked, column.name, dupes, "duplicate id: ids must be unique within the file")
        check = CHECKS.get(column.kind)
        if check:
            check(checked, column)
    return checked


def check_references(checked: Checked, column: str, known: pl.Series, target: str) -> None:
    frame = checked.frame
    bad = _present(column) & ~pl.col(column).is_in(known.implode())
    _report(checked, column, _bad_rows(frame, bad), f"unknown {column}: not in {target}")


def check_contact_owner(contacts: Checked, points: pl.DataFrame) -> None:
    """A contact's contact point must belong to the contact's customer."""
    frame = contacts.frame.with_row_index("__row").join(
        points.select("contact_point_id", pl.col("customer_id").alias("__owner")),
        on="contact_point_id", how="left",
    )
    bad = frame.filter(
        pl.col("contact_point_id").is_not_null() & pl.col("__owner").is_not_null()
        & (pl.col("__owner") != pl.col("customer_id"))
    )["__row"].to_list()
    _report(contacts, "contact_point_id", bad, "this contact point belongs to another customer")


def check_account_customer(contacts: Checked, accounts: pl.DataFrame) -> None:
    frame = contacts.frame.with_row_index("__row").join(
        accounts.select("account_id", pl.col("customer_id").alias("__holder")),
        on="account_id", how="left",
    )
    bad = frame.filter(
        pl.col("__holder").is_not_null() & (pl.col("__holder") != pl.col("customer_id"))
    )["__row"].to_list()
    _report(contacts, "customer_id", bad, "this account belongs to another customer")


def limit(errors: list[RowError]) -> list[RowError]:
    """All errors, sorted by file and line (capped per file so a broken file cannot flood)."""
    per_file: dict[str, int] = {}
    kept = []
    for error in sorted(errors):
        per_file[error.file] = per_file.get(error.file, 0) + 1
        if per_file[error.file] <= MAX_ERRORS_PER_FILE:
            kept.append(error)
    return kept

