"""A portfolio ingested on SQLite and PostgreSQL, with the users who own and work cases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from arrears.adapters.crypto import FieldCipher
from arrears.bootstrap import ingest_uow
from arrears.domain.access import Role
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.portfolio_files import read_portfolio
from arrears.services.workbench.auth import NewUser, create_user

AS_OF = date(2026, 11, 29)
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def loaded(engine: Engine, cipher: FieldCipher, small_demo: Path) -> tuple[Engine, dict[str, str]]:
    ingest_portfolio(ingest_uow(engine, cipher), IngestPortfolio(read_portfolio(small_demo, AS_OF), AS_OF,
                                                               datetime(2026, 11, 29, tzinfo=UTC)))
    accounts = pl.read_csv(small_demo / "accounts.csv", infer_schema=False)
    points = pl.read_csv(small_demo / "contact_points.csv", infer_schema=False)
    customers = pl.read_csv(small_demo / "customers.csv", infer_schema=False)
    in_cn = pl.col("jurisdiction").is_null() | (pl.col("jurisdiction") == "CN")
    cn = customers.filter((pl.col("timezone") == "Asia/Shanghai") & in_cn)
    plain = accounts.filter(pl.col("flags").is_null() & pl.col("agency_id").is_null()
                            & pl.col("customer_id").is_in(list(cn["customer_id"])))
    mobiles = points.filter((pl.col("kind") == "mobile") & (pl.col("owner") == "debtor")
                            & (pl.col("status") == "valid"))
    row = plain.join(mobiles, on="customer_id").row(0, named=True)
    ids = {"account": row["account_id"], "point": row["contact_point_id"], "customer": row["customer_id"],
           "other": plain.filter(pl.col("account_id") != row["account_id"])["account_id"][0]}
    for name, role in (("lead", Role.TEAM_LEAD), ("compliance", Role.COMPLIANCE_OFFICER),
                       ("collector", Role.COLLECTOR), ("auditor", Role.AUDITOR)):
        ids[name] = create_user(engine, NewUser(name, "correct-horse-battery", role), NOW)
    return engine, ids
