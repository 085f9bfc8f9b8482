"""How each file of a portfolio becomes rows of one database table (``Loader``): the columns
that make a row's change-detection digest, and the frame named as the table (personal fields
encrypted, hashed and masked, never stored in clear). ``ingest_store`` writes them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Table

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.core_workers import CoreWorkers
from arrears.adapters.storage.personal_columns import (
    contact_values,
    customer_personal,
    keyed_digests,
    personal_field,
)
from arrears.domain.personal import mask_name
from arrears.domain.vocabulary import DEFAULT_ZONE

SEP = "\x1f"


def row_digests(frame: pl.DataFrame, columns: list[str], workers: CoreWorkers, personal: bool) -> pl.Series:
    """A keyed digest of each row's plaintext.

    Rows with personal data get keyed BLAKE2b, so the digest cannot confirm a guess of a name
    or number. Rows without personal data get polars' vectorised hash seeded from the key
    (stable within one polars version; after an upgrade such rows are rewritten once).
    """
    joined = pl.concat_str(
        [pl.col(c).cast(pl.Utf8).fill_null("\x00") for c in columns], separator=SEP
    )
    if not personal:
        seed = int.from_bytes(workers.cipher.lookup_key[:8], "little")
        hashed = frame.select(joined.hash(seed=seed).alias("h"))["h"]
        return hashed.cast(pl.Utf8).alias("row_digest")
    texts = frame.select(joined.alias("j"))["j"].to_list()
    return pl.Series("row_digest", keyed_digests(workers.cipher, texts)["row_digest"], dtype=pl.Utf8)


@dataclass(frozen=True)
class Loader:
    """How one portfolio table becomes rows of one database table."""

    source: str
    table: Table
    key: str
    digest_columns: tuple[str, ...]
    build: Callable[[pl.DataFrame, CoreWorkers, str], pl.DataFrame]  # a frame named as the table
    columns: tuple[str, ...]
    membership: bool = False  # track in_portfolio (rows can leave the portfolio)
    append_only: bool = False
    personal: bool = False  # holds personal data: keyed cryptographic digest


def _series(columns: dict[str, list[Any]]) -> list[pl.Series]:
    return [pl.Series(name, values, dtype=pl.Binary if name.endswith("_enc") else pl.Utf8)
            for name, values in columns.items()]


def _build_customers(frame: pl.DataFrame, workers: CoreWorkers, _d: str) -> pl.DataFrame:
    personal = workers.run(customer_personal, [frame["name"].to_list(), frame["national_id"].to_list(),
                                               frame["address"].to_list()])
    return frame.select(
        "customer_id", pl.col("birth_date_d").alias("birth_date"),
        pl.col("language").fill_null("zh"), pl.col("timezone").fill_null(DEFAULT_ZONE),
        pl.when(pl.col("jurisdiction_j") == "").then(pl.lit("CN")).otherwise(pl.col("jurisdiction_j"))
        .alias("jurisdiction"),
        "monthly_income_cents", "preferred_channel", "preferred_hours", "row_digest",
        pl.lit(True).alias("in_portfolio"),
    ).with_columns(_series(personal))


def contact_value_columns(cipher: FieldCipher, kinds: list[str], values: list[str]) -> list[pl.Series]:
    """``contact_values`` as the table's columns."""
    return _series(contact_values(cipher, kinds, values))


def _build_points(frame: pl.DataFrame, workers: CoreWorkers, _d: str) -> pl.DataFrame:
    return frame.select(
        "contact_point_id", "customer_id", "kind", "owner", "relation",
        pl.when(pl.col("consent").is_null()).then(None).otherwise(pl.col("consent_b")).alias("consent"),
        pl.col("status").fill_null("unknown"), pl.col("do_not_contact_b").alias("do_not_contact"), "source",
        pl.when(pl.col("employer_provided").is_null()).then(None).otherwise(pl.col("employer_provided_b"))
        .alias("employer_provided"),
        "row_digest", pl.lit(True).alias("in_portfolio"),
    ).with_columns(_series(workers.run(contact_values, [frame["kind"].to_list(), frame["value_n"].to_list()])))


def _build_accounts(frame: pl.DataFrame, _w: CoreWorkers, _d: str) -> pl.DataFrame:
    return frame.select(
        "account_id", "customer_id", pl.col("product").fill_null("credit_card"),
        pl.col("currency").fill_null("CNY"), pl.col("open_date_d").alias("open_date"),
        pl.col("credit_limit_cents"), "balance_cents", "principal_cents", "interest_cents", "fees_cents",
        "min_payment_cents", pl.col("due_date_d").alias("due_date"),
        pl.col("past_due_amount_cents").alias("past_due_cents"),
        pl.col("oldest_unpaid_due_date_d").alias("oldest_unpaid_due_date"), pl.col("status").fill_null("open"),
        "agency_id", pl.col("flags_j").alias("flags"), "row_digest", pl.lit(True).alias("in_portfolio"),
    )


def _build_payments(frame: pl.DataFrame, _w: CoreWorkers, _d: str) -> pl.DataFrame:
    return frame.select(
        "payment_id", "account_id", pl.col("paid_at_t").alias("paid_at"), "amount_cents", "channel",
        pl.col("reversed_b").alias("reversed"), "row_digest",
    )


def _build_contacts(frame: pl.DataFrame, _w: CoreWorkers, _d: str) -> pl.DataFrame:
    return frame.select(
        "contact_id", "account_id", "customer_id", "contact_point_id", "channel",
        pl.col("direction").fill_null("outbound"), pl.col("at_t").alias("at"), "party", "outcome",
        "promise_amount_cents", pl.col("promise_date_d").alias("promise_date"),
        pl.col("complaint_b").alias("complaint"), "agent_id", "agency_id", "row_digest",
    )


def _build_agencies(frame: pl.DataFrame, _w: CoreWorkers, _d: str) -> pl.DataFrame:
    return frame.select(
        "agency_id", "name", pl.col("authorized_until_d").alias("authorized_until"),
        pl.col("last_evaluation_d").alias("last_evaluation"), "row_digest",
    )


def _build_agents(frame: pl.DataFrame, workers: CoreWorkers, _d: str) -> pl.DataFrame:
    names = frame["name"].to_list()
    return frame.select(
        "agent_id", "agency_id", pl.col("training_valid_until_d").alias("training_valid_until"), "row_digest",
    ).with_columns(_series(personal_field(workers.cipher, "name", names,
                                     [None if n is None else mask_name(n) for n in names], hashed=False)))


LOADERS: tuple[Loader, ...] = (
    Loader("agencies", t.agencies, "agency_id",
           ("agency_id", "name", "authorized_until", "last_evaluation"), _build_agencies,
           ("agency_id", "name", "authorized_until", "last_evaluation", "row_digest")),
    Loader("agents", t.agents, "agent_id",
           ("agent_id", "agency_id", "name", "training_valid_until"), _build_agents,
           ("agent_id", "agency_id", "name_enc", "name_masked", "training_valid_until", "row_digest"),
           personal=True),
    Loader("customers", t.customers, "customer_id",
           ("customer_id", "name", "national_id", "birth_date", "language", "timezone",
            "jurisdiction_j", "address", "monthly_income_cents", "preferred_channel",
            "preferred_hours"), _build_customers,
           ("customer_id", "name_enc", "name_hash", "name_masked", "national_id_enc",
            "national_id_hash", "national_id_masked", "birth_date", "language", "timezone",
            "jurisdiction", "address_enc", "address_masked", "monthly_income_cents",
            "preferred_channel", "preferred_hours", "row_digest", "in_portfolio"),
           membership=True, personal=True),
    Loader("contact_points", t.contact_points, "contact_point_id",
           ("contact_point_id", "customer_id", "kind", "value_n", "owner", "relation", "consent",
            "status", "do_not_contact", "source", "employer_provided"), _build_points,
           ("contact_point_id", "customer_id", "kind", "value_enc", "value_hash", "value_masked",
            "owner", "relation", "consent", "status", "do_not_contact", "source", "employer_provided",
            "row_digest", "in_portfolio"),
           membership=True, personal=True),
    Loader("accounts", t.accounts, "account_id",
           ("account_id", "customer_id", "product", "currency", "open_date", "credit_limit_cents",
            "balance_cents", "principal_cents", "interest_cents", "fees_cents",
            "min_payment_cents", "due_date", "past_due_amount_cents", "oldest_unpaid_due_date",
            "status", "agency_id", "flags_j"), _build_accounts,
           ("account_id", "customer_id", "product", "currency", "open_date", "credit_limit_cents",
            "balance_cents", "principal_cents", "interest_cents", "fees_cents",
            "min_payment_cents", "due_date", "past_due_cents", "oldest_unpaid_due_date",
            "status", "agency_id", "flags", "row_digest", "in_portfolio"),
           membership=True),
    Loader("payments", t.payments, "payment_id",
           ("payment_id", "account_id", "paid_at_t", "amount_cents", "channel", "reversed_b"),
           _build_payments,
           ("payment_id", "account_id", "paid_at", "amount_cents", "channel", "reversed",
            "row_digest")),
    Loader("contacts", t.contacts, "contact_id",
           ("contact_id", "account_id", "customer_id", "contact_point_id", "channel", "direction",
            "at_t", "party", "outcome", "promise_amount_cents", "promise_date", "complaint_b",
            "agent_id", "agency_id"), _build_contacts,
           ("contact_id", "account_id", "customer_id", "contact_point_id", "channel", "direction",
            "at", "party", "outcome", "promise_amount_cents", "promise_date", "complaint",
            "agent_id", "agency_id", "row_digest"),
           append_only=True),
)

LOADER_OF = {loader.source: loader for loader in LOADERS}
