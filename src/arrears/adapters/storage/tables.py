"""SQLAlchemy tables. Money is stored as whole cents (BigInteger), exact on every database.

Personal data columns end in ``_enc`` (AES-GCM ciphertext) or ``_hash`` (keyed lookup hash)
or ``_masked`` (already masked for display); no plaintext personal data is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.schema import SchemaItem

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = String(64)


class UtcDateTime(TypeDecorator[datetime]):
    """An instant, stored in UTC and read back zone-aware on every database: SQLite keeps no
    offset (SQLAlchemy writes the wall time and hands back a naive datetime), so an aware value
    is written as its UTC time and a naive one read back is marked UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002 (the TypeDecorator signature)
        return value.astimezone(UTC) if value is not None and value.tzinfo is not None else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class last4(FunctionElement[str]):
    """The last 4 characters of a text, in each database's words (``right(x, 4)`` on PostgreSQL,
    ``substr(x, -4)`` on SQLite): an index on it finds a phone by its last 4 digits without
    reading every contact point (``ix_contact_points_phone_last4``)."""

    type = String(4)
    name = "last4"
    inherit_cache = True


@compiles(last4, "postgresql")
def _last4_postgresql(element: last4, compiler: SQLCompiler, **kw: object) -> str:
    return f"right({compiler.process(element.clauses, **kw)}, 4)"


@compiles(last4)
def _last4_sqlite(element: last4, compiler: SQLCompiler, **kw: object) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, -4)"


# Column sets every capability's tables share (each call makes new columns: a column belongs to
# one table).


def table(name: str, *items: SchemaItem) -> Table:
    """A table of the one schema (``metadata``), with its columns, constraints and indexes."""
    return Table(name, metadata, *items)


def serial(name: str) -> Column:
    """A surrogate key the database numbers (1, 2, 3, ...)."""
    return Column(name, Integer, primary_key=True, autoincrement=True)


def instant(name: str, *, nullable: bool = True) -> Column:
    """An instant: UTC, read back zone-aware on every database."""
    return Column(name, UtcDateTime(), nullable=nullable)


def cents(name: str, *, nullable: bool = False) -> Column:
    """An amount in whole cents; its currency stands in a column of its own."""
    return Column(name, BigInteger, nullable=nullable)


def account_record(id_name: str) -> tuple[Column, Column]:
    """The first columns of a record kept for an account: its own id, the primary key, and the
    account it belongs to (indexed: records are read account by account)."""
    return Column(id_name, Id, primary_key=True), Column("account_id", Id, nullable=False, index=True)


def customer_record(id_name: str) -> tuple[Column, Column]:
    """The first columns of a portfolio record kept for a customer: its own id, the primary key,
    and the customer it belongs to."""
    return (
        Column(id_name, Id, primary_key=True),
        Column("customer_id", Id, ForeignKey("customers.customer_id"), nullable=False, index=True),
    )


def account_on_date() -> tuple[Column, Column]:
    """The key of a row kept for each account on each date: the date, then the account."""
    return Column("as_of", Date, primary_key=True), Column("account_id", Id, primary_key=True)


def done_by(act: str, *, nullable: bool = False) -> tuple[Column, Column]:
    """Who did ``act`` (``<act>_by``, a username) and when (``<act>_at``, an instant)."""
    return Column(f"{act}_by", String(100), nullable=nullable), instant(f"{act}_at", nullable=nullable)


def portfolio_row(*, may_leave: bool) -> tuple[Column, ...]:
    """Ingest's bookkeeping of a row read from the portfolio: the digest that tells a changed row,
    and, for the rows a later portfolio may leave out, whether the row is still in it."""
    digest = Column("row_digest", String(32), nullable=False)
    if not may_leave:
        return (digest,)
    return digest, Column("in_portfolio", Boolean, nullable=False, default=True)


snapshots = table(
    "snapshots",
    serial("snapshot_id"),
    Column("digest", String(64), nullable=False),
    Column("as_of", Date, nullable=False),
    instant("ingested_at", nullable=False),
    Column("source", Text, nullable=False),
    Column("summary", Text, nullable=False),  # JSON: counts inserted/updated per table
)

agencies = table(
    "agencies",
    Column("agency_id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("authorized_until", Date),
    Column("last_evaluation", Date),
    *portfolio_row(may_leave=False),
)

agents = table(
    "agents",
    Column("agent_id", Id, primary_key=True),
    Column("agency_id", Id),
    Column("name_enc", LargeBinary),
    Column("name_masked", String(200)),
    Column("training_valid_until", Date),
    *portfolio_row(may_leave=False),
)

customers = table(
    "customers",
    Column("customer_id", Id, primary_key=True),
    Column("name_enc", LargeBinary, nullable=False),
    Column("name_hash", String(32), nullable=False, index=True),
    Column("name_masked", String(200), nullable=False),
    Column("national_id_enc", LargeBinary),
    Column("national_id_hash", String(32), index=True),
    Column("national_id_masked", String(40)),
    Column("birth_date", Date),
    Column("language", String(5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("jurisdiction", String(64), nullable=False),
    Column("address_enc", LargeBinary),
    Column("address_masked", String(200)),
    cents("monthly_income_cents", nullable=True),
    Column("preferred_channel", String(10)),
    Column("preferred_hours", String(20)),
    *portfolio_row(may_leave=True),
)

contact_points = table(
    "contact_points",
    *customer_record("contact_point_id"),
    Column("kind", String(10), nullable=False),
    Column("value_enc", LargeBinary, nullable=False),
    Column("value_hash", String(32), nullable=False, index=True),
    Column("value_masked", String(200), nullable=False),
    Column("owner", String(20), nullable=False),
    Column("relation", String(50)),
    Column("consent", Boolean),
    Column("status", String(10), nullable=False),
    Column("do_not_contact", Boolean, nullable=False),
    Column("source", String(20)),
    Column("employer_provided", Boolean),  # an e-mail address provided by the owner's employer
    *portfolio_row(may_leave=True),
)

accounts = table(
    "accounts",
    *customer_record("account_id"),
    Column("product", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("open_date", Date),
    cents("credit_limit_cents", nullable=True),
    cents("balance_cents"),
    cents("principal_cents", nullable=True),
    cents("interest_cents", nullable=True),
    cents("fees_cents", nullable=True),
    cents("min_payment_cents", nullable=True),
    Column("due_date", Date),
    cents("past_due_cents"),
    Column("oldest_unpaid_due_date", Date),
    Column("status", String(20), nullable=False),
    Column("agency_id", Id),
    Column("flags", String(200), nullable=False),  # sorted, ';'-joined
    *portfolio_row(may_leave=True),
)

# a phone found by its last 4 digits, as the mask shows them (the search box): an index lookup, not a scan
Index("ix_contact_points_phone_last4", last4(contact_points.c.value_masked))
Index("ix_accounts_agency", accounts.c.agency_id)  # the placed accounts: an agency's work, not the in-house queue's

payments = table(
    "payments",
    *account_record("payment_id"),
    instant("paid_at", nullable=False),
    cents("amount_cents"),
    Column("channel", String(50)),
    Column("reversed", Boolean, nullable=False),
    *portfolio_row(may_leave=False),
)

contacts = table(
    "contacts",
    Column("contact_id", Id, primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    Column("customer_id", Id, nullable=False, index=True),
    Column("contact_point_id", Id),
    Column("channel", String(10), nullable=False),
    Column("direction", String(10), nullable=False),
    instant("at", nullable=False),
    Column("party", String(20)),
    Column("outcome", String(20), nullable=False),
    cents("promise_amount_cents", nullable=True),
    Column("promise_date", Date),
    Column("complaint", Boolean, nullable=False),
    Column("agent_id", Id),
    Column("agency_id", Id),
    *portfolio_row(may_leave=False),
)

pause_periods = table(
    "pause_periods",
    serial("pause_id"),
    Column("account_id", Id, nullable=False, index=True),
    Column("start", Date, nullable=False),
    Column("end", Date),  # inclusive; NULL while open
    Column("reason", String(20), nullable=False),
)

aging_runs = table(
    "aging_runs",
    Column("as_of", Date, primary_key=True),
    instant("ran_at", nullable=False),
    Column("ladder", String(300), nullable=False),
    Column("previous_as_of", Date),
    Column("accounts", Integer, nullable=False),
    cents("balance_cents"),
)

account_aging = table(
    "account_aging",
    *account_on_date(),
    Column("dpd", Integer, nullable=False),
    Column("bucket", String(10), nullable=False),
    cents("balance_cents"),
    cents("past_due_cents"),
    cents("min_payment_cents", nullable=True),  # null on runs before migration 0035
)
Index("ix_account_aging_account", account_aging.c.account_id, account_aging.c.as_of)

bucket_transitions = table(
    "bucket_transitions",
    Column("account_id", Id, primary_key=True),
    Column("on", Date, primary_key=True),
    Column("from_bucket", String(10), nullable=False),
    Column("to_bucket", String(10), nullable=False),
    Column("direction", String(15), nullable=False),
)
Index("ix_bucket_transitions_on", bucket_transitions.c.on)

roll_rates = table(
    "roll_rates",
    Column("as_of", Date, primary_key=True),
    Column("from_bucket", String(10), primary_key=True),
    Column("to_bucket", String(10), primary_key=True),
    Column("accounts", Integer, nullable=False),
    cents("balance_cents"),
)
