"""The portfolio-v1 tables as column specifications (see shared/spec/portfolio-v1.md).

Dates have a plausible range: never before ``EARLIEST``, and at most ``ColumnSpec.latest``
days after the snapshot date (0: not after it). Each bound is chosen from what the contract
says the date is:

- birth dates, account openings, the oldest unpaid due date, a payment's or a contact's
  instant (its date as written, in its own offset), an agency's last evaluation: things that
  have happened, so not after the snapshot date;
- ``due_date``: the due date of the *current* statement, at most ``NEXT_DUE`` days ahead
  (statements are monthly; a quarter leaves room for a cycle or two);
- ``promise_date``: a promise to pay is for the near future, at most ``PROMISE_AHEAD`` days;
- ``authorized_until`` and ``training_valid_until``: a mandate or a training certificate,
  at most ``MANDATE_AHEAD`` days (ten years) ahead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from arrears.domain.vocabulary import (
    PLANNED_CHANNELS,
    PORTFOLIO_KINDS,
    RECORDED_PARTIES,
    AccountFlag,
    AccountStatus,
    Channel,
    ContactPointStatus,
    ContactSource,
    Direction,
    Jurisdiction,
    Language,
    Outcome,
    Owner,
)

EARLIEST = date(1900, 1, 1)
NEXT_DUE = 92
PROMISE_AHEAD = 366
MANDATE_AHEAD = 3653


class Kind(StrEnum):
    ID = "id"
    TEXT = "text"
    MONEY = "money"
    MONEY_POSITIVE = "money_positive"
    MONEY_NONNEGATIVE = "money_nonnegative"
    DATE = "date"
    INSTANT = "instant"
    BOOL = "bool"
    ENUM = "enum"
    ENUM_LIST = "enum_list"  # ';'-separated members of an enum
    ZONE = "zone"
    HOURS = "hours"
    CURRENCY = "currency"
    NATIONAL_ID = "national_id"
    CONTACT_VALUE = "contact_value"  # depends on the row's kind
    HOUR_OR_DAY = "hour_or_day"  # capacity: an hour 0-23, or * for the whole day
    COUNT = "count"  # a whole number >= 0


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    unique: bool = False
    latest: int = 0  # dates and instants: at most this many days after the snapshot date
    key: bool = False  # the table's key: other tables refer to its rows by it
    refers_to: str = ""  # the table whose key this column holds


@dataclass(frozen=True)
class TableSpec:
    name: str
    required: bool
    columns: tuple[ColumnSpec, ...]
    unique_together: tuple[str, ...] = ()  # a key of several columns (accounts with snapshots)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def key(self) -> str:
        """The column made with ``Key``, by which other tables refer to a row ('' for none)."""
        return next((c.name for c in self.columns if c.key), "")

    @property
    def references(self) -> dict[str, str]:
        """Column -> the table whose key it holds."""
        return {c.name: c.refers_to for c in self.columns if c.refers_to}

    @property
    def keys(self) -> tuple[str, ...]:
        """The columns whose values are unique within the file, together."""
        return self.unique_together or ((self.key,) if self.key else ())


def _choices(members: Iterable[StrEnum]) -> tuple[str, ...]:
    """The values of an enum, or of some of its members."""
    return tuple(member.value for member in members)


def C(name: str, kind: Kind, required: bool = False, choices: tuple[str, ...] = (), latest: int = 0) -> ColumnSpec:
    return ColumnSpec(name, kind, required, choices, latest=latest)


def Ref(name: str, table: str, required: bool = False) -> ColumnSpec:
    """A column holding the key of a row of ``table`` (each value must be one of its keys)."""
    return ColumnSpec(name, Kind.ID, required, refers_to=table)


def Key(name: str) -> ColumnSpec:
    return ColumnSpec(name, Kind.ID, True, (), True, key=True)


CUSTOMERS = TableSpec(
    "customers",
    True,
    (
        Key("customer_id"),
        C("name", Kind.TEXT, True),
        C("national_id", Kind.NATIONAL_ID),
        C("birth_date", Kind.DATE),
        C("language", Kind.ENUM, choices=_choices(Language)),
        C("timezone", Kind.ZONE),
        C("jurisdiction", Kind.ENUM_LIST, choices=_choices(Jurisdiction)),
        C("address", Kind.TEXT),
        C("monthly_income", Kind.MONEY_NONNEGATIVE),
        C("preferred_channel", Kind.ENUM, choices=_choices(PLANNED_CHANNELS)),
        C("preferred_hours", Kind.HOURS),
    ),
)

CONTACT_POINTS = TableSpec(
    "contact_points",
    True,
    (
        Key("contact_point_id"),
        Ref("customer_id", "customers", True),
        C("kind", Kind.ENUM, True, _choices(PORTFOLIO_KINDS)),
        C("value", Kind.CONTACT_VALUE, True),
        C("owner", Kind.ENUM, True, _choices(Owner)),
        C("relation", Kind.TEXT),
        C("consent", Kind.BOOL),
        C("status", Kind.ENUM, choices=_choices(ContactPointStatus)),
        C("do_not_contact", Kind.BOOL),
        C("source", Kind.ENUM, choices=_choices(ContactSource)),
        C("employer_provided", Kind.BOOL),  # an e-mail address the owner's employer provides (US: never e-mailed)
    ),
)

ACCOUNTS = TableSpec(
    "accounts",
    True,
    (
        Key("account_id"),
        Ref("customer_id", "customers", True),
        C("product", Kind.ENUM, choices=("credit_card",)),
        C("currency", Kind.CURRENCY),
        C("open_date", Kind.DATE),
        C("credit_limit", Kind.MONEY_NONNEGATIVE),
        C("balance", Kind.MONEY_NONNEGATIVE, True),
        C("principal", Kind.MONEY_NONNEGATIVE),
        C("interest", Kind.MONEY_NONNEGATIVE),
        C("fees", Kind.MONEY_NONNEGATIVE),
        C("min_payment", Kind.MONEY_NONNEGATIVE),
        C("due_date", Kind.DATE, latest=NEXT_DUE),
        C("past_due_amount", Kind.MONEY_NONNEGATIVE, True),
        C("oldest_unpaid_due_date", Kind.DATE),
        C("status", Kind.ENUM, choices=_choices(AccountStatus)),
        Ref("agency_id", "agencies"),
        C("flags", Kind.ENUM_LIST, choices=_choices(AccountFlag)),
    ),
)

PAYMENTS = TableSpec(
    "payments",
    False,
    (
        Key("payment_id"),
        Ref("account_id", "accounts", True),
        C("paid_at", Kind.INSTANT, True),
        C("amount", Kind.MONEY_POSITIVE, True),
        C("channel", Kind.TEXT),
        C("reversed", Kind.BOOL),
    ),
)

CONTACTS = TableSpec(
    "contacts",
    False,
    (
        Key("contact_id"),
        Ref("account_id", "accounts", True),
        Ref("customer_id", "customers", True),
        Ref("contact_point_id", "contact_points"),
        C("channel", Kind.ENUM, True, _choices(Channel)),
        C("direction", Kind.ENUM, choices=_choices(Direction)),
        C("at", Kind.INSTANT, True),
        C("party", Kind.ENUM, choices=_choices(RECORDED_PARTIES)),
        C("outcome", Kind.ENUM, True, _choices(Outcome)),
        C("promise_amount", Kind.MONEY_POSITIVE),
        C("promise_date", Kind.DATE, latest=PROMISE_AHEAD),
        C("complaint", Kind.BOOL),
        C("agent_id", Kind.ID),
        C("agency_id", Kind.ID),
    ),
)

AGENCIES = TableSpec(
    "agencies",
    False,
    (
        Key("agency_id"),
        C("name", Kind.TEXT, True),
        C("authorized_until", Kind.DATE, latest=MANDATE_AHEAD),
        C("last_evaluation", Kind.DATE),
    ),
)

AGENTS = TableSpec(
    "agents",
    False,
    (
        Key("agent_id"),
        Ref("agency_id", "agencies"),
        C("name", Kind.TEXT),
        C("training_valid_until", Kind.DATE, latest=MANDATE_AHEAD),
    ),
)

CAPACITY = TableSpec(
    "capacity",
    False,
    (
        C("channel", Kind.ENUM, True, ("call", "sms", "email", "letter")),
        C("hour", Kind.HOUR_OR_DAY, True),
        C("max_attempts", Kind.COUNT, True),
    ),
)

# Loading order: referenced tables first.
TABLES: tuple[TableSpec, ...] = (
    AGENCIES,
    AGENTS,
    CUSTOMERS,
    CONTACT_POINTS,
    ACCOUNTS,
    PAYMENTS,
    CONTACTS,
)

# The scoring commands also read a portfolio *with history* (docs/scoring.md): accounts with a
# ``snapshot_date`` (one row per account and snapshot) and an optional aging history.
SNAPSHOT_ACCOUNTS = replace(
    ACCOUNTS,
    columns=(*(replace(c, unique=False) for c in ACCOUNTS.columns), C("snapshot_date", Kind.DATE)),
    unique_together=("account_id", "snapshot_date"),
)
AGING = TableSpec(
    "aging",
    False,
    (
        Ref("account_id", "accounts", True),
        C("as_of", Kind.DATE, True),
        C("dpd", Kind.COUNT, True),
        C("bucket", Kind.TEXT),
    ),
    unique_together=("account_id", "as_of"),
)
HISTORY_TABLES: tuple[TableSpec, ...] = (*(SNAPSHOT_ACCOUNTS if spec is ACCOUNTS else spec for spec in TABLES), AGING)
