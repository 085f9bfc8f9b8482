"""EXPLAIN (ANALYZE) of the hot paths on PostgreSQL's month partitions.

    PYTHONPATH=src .venv/bin/python benchmarks/explain_partitions.py --folder PORTFOLIO_DIR

Ingests the portfolio folder (``arrears demo`` or ``benchmarks/bench_ingest_run.py`` makes one)
into a fresh database, copies the ingested contacts into the attempt ledger and the decision
audit (so that those have months of rows too), and prints the plans of: the gate's read of a
debtor's last 35 days (history and ledger), an attempt found by its id, and an account's
decisions newest first. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, create_engine, text

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.database import make_engine, migrate
from arrears.adapters.storage.month_partitions import ensure_months
from arrears.bootstrap import ingest_uow
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.portfolio_files import read_portfolio

PG = os.environ.get("ARREARS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
AS_OF = date(2026, 11, 29)


def _copy_into_ledgers(c: Connection) -> None:
    months = c.exec_driver_sql("SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC')::date FROM contacts")
    wanted = [row[0] for row in months]
    for table in ("contact_attempts", "compliance_decisions"):
        ensure_months(c, table, wanted)
    c.exec_driver_sql(
        "INSERT INTO contact_attempts (attempt_id, account_id, customer_id, contact_point_id, channel, party, at, "
        "automated, purpose, outcome, direction) SELECT contact_id, account_id, customer_id, contact_point_id, "
        "channel, coalesce(party, 'debtor'), at, false, 'collection', outcome, direction FROM contacts")
    c.exec_driver_sql(
        "INSERT INTO compliance_decisions (decided_for, mode, request_digest, account_id, customer_id, pack_versions, "
        "decision, rules, reasons, warnings) SELECT at, 'reserve', md5(contact_id), account_id, customer_id, "
        "'{\"CN\": \"x\"}', 'allow', '[]', '[]', '[]' FROM contacts")
    c.exec_driver_sql("ANALYZE")


def _explain(c: Connection) -> None:
    last = c.exec_driver_sql("SELECT contact_id, customer_id, account_id FROM contacts ORDER BY at DESC LIMIT 1").one()
    rows = c.exec_driver_sql("SELECT count(*) FROM contacts").scalar()
    months = c.exec_driver_sql("SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent "
                               "WHERE p.relname = 'contacts'").scalar()
    print(f"-- contacts: {rows:,} rows in {months} partitions (attempts and decisions: as many)")
    until = datetime(2026, 11, 29, 12, tzinfo=UTC)
    window = f"at >= '{(until - timedelta(days=35)).isoformat()}' AND at <= '{until.isoformat()}'"
    for title, sql in [
        ("the gate: a debtor's ingested contacts of the last 35 days",
         f"SELECT at, channel, outcome FROM contacts WHERE customer_id = '{last.customer_id}' AND {window}"),
        ("the gate: a debtor's attempts of the last 35 days",
         f"SELECT at, channel, outcome FROM contact_attempts WHERE customer_id = '{last.customer_id}' AND {window}"),
        ("recording an outcome: an attempt by its id (no month known)",
         f"SELECT * FROM contact_attempts WHERE attempt_id = '{last.contact_id}'"),
        ("the audit trail: an account's decisions, newest first",
         f"SELECT decision_id FROM compliance_decisions WHERE account_id = '{last.account_id}' "
         "ORDER BY decided_for DESC LIMIT 50"),
    ]:
        plan = c.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + sql).scalars().all()
        print(f"\n-- {title}\n" + "\n".join(plan))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args()
    name = f"arrears_explain_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        engine = make_engine(f"{PG.rsplit('/', 1)[0]}/{name}")
        migrate(engine)
        ingest_portfolio(ingest_uow(engine, FieldCipher(os.urandom(32), os.urandom(32))),
                         IngestPortfolio(read_portfolio(args.folder, AS_OF), AS_OF, datetime.now(UTC)))
        with engine.begin() as c:
            _copy_into_ledgers(c)
            _explain(c)
        engine.dispose()
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
