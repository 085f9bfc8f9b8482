"""EXPLAIN (ANALYZE, BUFFERS) of the hot paths on PostgreSQL's month partitions.

    PYTHONPATH=src .venv/bin/python benchmarks/explain_partitions.py --folder PORTFOLIO_DIR
    PYTHONPATH=src nice -n 10 .venv/bin/python benchmarks/explain_partitions.py \\
        --synthetic-accounts 10000000 --months 36 [--retention]

With ``--folder``: ingests the portfolio folder (``arrears demo`` or
``benchmarks/bench_ingest_run.py`` makes one) into a fresh database and copies the ingested
contacts into the attempt ledger and the decision audit (so that those have months of rows too).
With ``--synthetic-accounts``: migrates a fresh database to head and fills it by set-based SQL
(``benchmarks/synthetic_book.py``: customers, accounts, contact points, the contact history, the
attempt ledger and the decision audit over ``--months`` month partitions).

Then, for several random debtors, attempts and accounts, in a new connection per path, each
query twice (cold-ish: its pages not touched since the load; warm: at once again), it prints the
plan and a table of: partitions read, the access, execution and planning milliseconds, buffers.
The paths are the statements the product runs per debtor, attempt or account (the gate's
history, recording an outcome, the audit trail, the account page, promises, the examiner's file,
the queue's release). ``--retention`` then times the retention review of the oldest month and the
drop of that month in each table. The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text

sys.path.insert(0, str(Path(__file__).parent))
from synthetic_book import Book, fill, sizes

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.contacts_repository import _GET, _GET_RECENT, _HISTORY
from arrears.adapters.storage.database import migrate
from arrears.adapters.storage.month_partitions import PARTITIONED, ensure_months, month_partitions
from arrears.adapters.storage.retention_store import SqlRetention
from arrears.bootstrap import ingest_uow
from arrears.domain.retention import AFTER_LAST_ACTIVITY
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


def _product(statement: Any, engine: Engine) -> str:
    return str(statement.compile(dialect=engine.dialect))


@dataclass(frozen=True)
class HotPath:
    title: str
    sql: str
    sample: str  # debtor | attempt | account | worked
    write: bool = False  # an UPDATE: rolled back


def hot_paths(engine: Engine) -> list[HotPath]:
    d = "compliance_decisions"
    return [
        HotPath("the gate: a debtor's contacts and attempts of the last 35 days (one statement)",
                _product(_HISTORY, engine), "debtor"),
        HotPath("recording an outcome: the attempt by its id, in the last 35 days first",
                _product(_GET_RECENT, engine), "attempt"),
        HotPath("recording an outcome: the attempt by its id in all months (older than 35 days)",
                _product(_GET, engine), "attempt"),
        HotPath("recording an outcome: the attempt completed (UPDATE by its id, in the last 35 days first)",
                "UPDATE contact_attempts SET outcome = 'no_answer', outcome_party = NULL, completed_at = now() "
                "WHERE attempt_id = %(attempt_id)s AND outcome IS NULL AND at >= %(since)s", "attempt", write=True),
        HotPath("the audit trail: an account's decisions, newest first (50)",
                f"SELECT * FROM {d} WHERE account_id = %(account_id)s ORDER BY decided_for DESC, decision_id DESC "
                "LIMIT 50", "account"),
        HotPath("the examiner's file: an account's decisions",
                "SELECT decision_id, decided_for, mode, channel, agent_id, caller, decision, rules, reasons, "
                f"warnings, pack_versions, row_hash FROM {d} WHERE account_id = %(account_id)s "
                "ORDER BY decided_for, decision_id", "account"),
        HotPath("the account page: its contacts, newest first (100)",
                "SELECT contact_id, channel, direction, at, party, outcome, promise_amount_cents, promise_date, "
                "complaint, agent_id, contact_point_id FROM contacts WHERE account_id = %(account_id)s "
                "ORDER BY at DESC LIMIT 100", "account"),
        HotPath("the account page: the contacts logged in the workbench (100)",
                "SELECT w.contact_id, w.channel, w.at, w.outcome, w.notes_enc, u.username FROM contact_attempts w "
                "LEFT JOIN users u ON u.user_id = w.logged_by WHERE w.account_id = %(account_id)s "
                "AND w.logged_by IS NOT NULL ORDER BY w.at DESC LIMIT 100", "account"),
        HotPath("promises: an account's promises in its contacts",
                "SELECT * FROM contacts WHERE account_id = %(account_id)s AND promise_amount_cents IS NOT NULL "
                "AND promise_date IS NOT NULL ORDER BY at, contact_id", "account"),
        HotPath("the examiner's file: an account's attempts",
                "SELECT attempt_id, at, channel, direction, party, purpose, outcome, agent_id, agency_id, complaint, "
                "contact_point_id FROM contact_attempts WHERE account_id = %(account_id)s", "account"),
        HotPath("the queue: an account worked by its collector since assigned",
                "SELECT EXISTS (SELECT 1 FROM contact_attempts WHERE account_id = %(account_id)s "
                "AND logged_by = %(logged_by)s AND at >= %(assigned_at)s)", "worked"),
    ]


def _some(c: Connection, sql: str, params: dict[str, Any], n: int) -> list[Any]:
    """Rows of ``sql`` from a sample of the table's pages (``{sample}``), all its pages when too few."""
    found = list(c.execute(text(sql.format(sample="TABLESAMPLE SYSTEM (0.2)")), params))
    if len(found) < n:
        found = list(c.execute(text(sql.format(sample="")), params))
    return found


def _samples(c: Connection, n: int, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """``n`` debtors, attempts, accounts and worked accounts for each path that reads them (none read twice)."""
    since, until = now - timedelta(days=35), now
    window = {"since": since, "until": until, "without": ""}
    recent = {"since": since}
    debtors = _some(c, "SELECT DISTINCT customer_id FROM contacts {sample} WHERE at >= :since LIMIT 2000", recent, n)
    attempts = _some(c, "SELECT attempt_id FROM contact_attempts {sample} WHERE at >= :since LIMIT 2000", recent, n)
    accounts = _some(c, "SELECT account_id FROM accounts {sample} LIMIT 5000", {}, n)
    worked = _some(c, "SELECT account_id, logged_by FROM contact_attempts {sample} "
                      "WHERE logged_by IS NOT NULL AND at >= :since LIMIT 2000", recent, n)
    pick = random.Random(20261207)
    assigned = now.replace(hour=0, minute=30, second=0, microsecond=0)

    def some(rows: list[Any]) -> list[Any]:
        return pick.sample(rows, min(n * 8, len(rows)))

    return {
        "debtor": [{"customer_id": r[0], **window} for r in some(debtors)],
        "attempt": [{"attempt_id": r[0], "since": since} for r in some(attempts)],
        "account": [{"account_id": r[0]} for r in some(accounts)],
        "worked": [{"account_id": a, "logged_by": u, "assigned_at": assigned - timedelta(days=pick.randint(0, 20))}
                   for a, u in some(worked)],
    }


@dataclass(frozen=True)
class Run:
    planning: float
    execution: float
    hit: int
    read: int
    partitions: dict[str, int]  # parent table -> partitions scanned (their scans ran at least once)
    access: frozenset[str]


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


_PARTITION = re.compile(rf"^({'|'.join(PARTITIONED)})_(\d{{4}}_\d{{2}}|default)")


def _access(node: dict[str, Any]) -> str | None:
    """``contacts: Index Scan using <month>_customer_id_idx`` of a scan of a partition or its index."""
    found = _PARTITION.match(node.get("Relation Name") or node.get("Index Name") or "")
    if not found:
        return None
    index = node.get("Index Name")
    access = f"{node['Node Type']} using {index.replace(found.group(0), '<month>')}" if index else node["Node Type"]
    return f"{found.group(1)}: {access}"


def _explain(c: Connection, path: HotPath, params: dict[str, Any]) -> Run:
    plan = c.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + path.sql, params).one()[0][0]
    if path.write:
        c.rollback()
    partitions: dict[str, int] = {}
    access = set()
    for node in _nodes(plan["Plan"]):
        if node.get("Actual Loops", 0) == 0 or (found := _access(node)) is None:
            continue
        access.add(found)
        if node.get("Relation Name"):  # a bitmap scan: its index scan names the same partition
            table = found.split(":")[0]
            partitions[table] = partitions.get(table, 0) + 1
    top = plan["Plan"]
    return Run(plan["Planning Time"], plan["Execution Time"], top.get("Shared Hit Blocks", 0),
               top.get("Shared Read Blocks", 0), partitions, frozenset(access))


def _text_plan(c: Connection, path: HotPath, params: dict[str, Any]) -> list[str]:
    rows = c.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + path.sql, params).scalars().all()
    if path.write:
        c.rollback()
    return list(rows)


def _ms(values: list[float]) -> str:
    return f"{min(values):.2f}" if max(values) < 1.05 * min(values) else f"{min(values):.2f}-{max(values):.2f}"


def explain(engine: Engine, samples: dict[str, list[dict[str, Any]]], n: int, counts: dict[str, int]) -> list[str]:
    """Each hot path for ``n`` samples of its own, cold-ish then warm; the text plan of the first; a table row each."""
    rows, used = [], dict.fromkeys(samples, 0)
    for path in hot_paths(engine):
        start = used[path.sample] if used[path.sample] + n <= len(samples[path.sample]) else 0
        wanted = samples[path.sample][start:start + n]
        used[path.sample] = start + n
        if not wanted:
            print(f"\n-- {path.title}: no sample (nothing of the kind in the data)")
            continue
        cold, warm = [], []
        with engine.connect() as c:  # a new connection: the first plan loads the partitions' catalog entries
            for params in wanted:
                cold.append(_explain(c, path, params))
                warm.append(_explain(c, path, params))
            print(f"\n-- {path.title}\n" + "\n".join(_text_plan(c, path, wanted[0])))
            c.rollback()
        parts = ", ".join(f"{t} {n} of {counts[t]}" for t, n in sorted(cold[0].partitions.items()))
        access = "; ".join(sorted(set().union(*(r.access for r in warm))))
        rows.append(
            f"| {path.title} | {parts} | {access} | {_ms([r.execution for r in cold])} "
            f"({statistics.median([r.read for r in cold]):.0f} read) | {_ms([r.execution for r in warm])} "
            f"| {cold[0].planning:.1f} | {_ms([r.planning for r in [*cold[1:], *warm]])} |")
    return ["| hot path | partitions read | access | execution cold-ish ms (blocks read, median) | "
            "execution warm ms | planning ms, first in a connection | planning ms |", "|---|---|---|---|---|---|---|",
            *rows]


_LAST_ACTIVITY = (  # retention_store.SqlRetention._last_activity, the accounts of one jurisdiction in one month
    "WITH a AS (SELECT DISTINCT r.account_id FROM {part} r JOIN customers c ON c.customer_id = r.customer_id "
    "WHERE c.jurisdiction = 'US' AND r.account_id IS NOT NULL) SELECT max(x) FROM ("
    "SELECT max(at) AS x FROM contacts WHERE account_id IN (SELECT account_id FROM a) UNION ALL "
    "SELECT max(at) FROM contact_attempts WHERE account_id IN (SELECT account_id FROM a)) m")


def retention(engine: Engine, now: datetime) -> None:
    """The review's facts of the oldest month of each table (the US accounts' last activity's plan),
    then that month dropped in each table."""
    with engine.connect() as c:
        oldest = month_partitions(c, "contacts")[0]
        for table in PARTITIONED:
            started = time.perf_counter()
            store = SqlRetention(c)
            rows = store.rows_by_jurisdiction(table, oldest)
            last = {j: store.last_activity(table, oldest, j) for j in sorted(AFTER_LAST_ACTIVITY) if rows.get(j)}
            chain = store.chain_prefix(table, oldest) if table == "compliance_decisions" else True
            print(f"\n-- retention review of {table} {oldest:%Y-%m}: {rows}, last activity {last}, "
                  f"chain prefix {chain}: {time.perf_counter() - started:.1f} s")
        plan = c.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + _LAST_ACTIVITY.format(
            part=f"contacts_{oldest:%Y_%m}")).scalars().all()
        print("\n-- the US accounts' last activity of that month of contacts\n" + "\n".join(plan))
        c.rollback()
        for table in PARTITIONED:
            rows = c.exec_driver_sql(f"SELECT count(*) FROM {table}_{oldest:%Y_%m}").scalar()
            started = time.perf_counter()
            SqlRetention(c).drop(table, oldest, now)
            c.commit()
            print(f"-- retention drop of {table} {oldest:%Y-%m} ({rows:,} rows): "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms (detach, drop, commit)")


def report(engine: Engine, samples: int, now: datetime) -> None:
    with engine.connect() as c:
        counts = {t: len(month_partitions(c, t)) + 1 for t in PARTITIONED}
        for table, parts, rows, heap, index in sizes(c):
            print(f"-- {table}: {rows:,} rows, {parts or 'no'} partitions, table {heap / 1e9:.2f} GB, "
                  f"indexes {index / 1e9:.2f} GB")
        picked = _samples(c, samples, now)
    for line in explain(engine, picked, samples, counts):
        print(line)


def _load(engine: Engine, args: argparse.Namespace) -> None:
    migrate(engine)
    if args.folder:
        ingest_portfolio(ingest_uow(engine, FieldCipher(os.urandom(32), os.urandom(32))),
                         IngestPortfolio(read_portfolio(args.folder, AS_OF), AS_OF, datetime.now(UTC)))
        with engine.begin() as c:
            _copy_into_ledgers(c)
        return
    book = Book(args.synthetic_accounts, args.months, args.contacts_per_account, args.attempts_per_account,
                args.facts_bytes, args.chunk)
    started = time.perf_counter()
    loaded = fill(engine, book, keep_indexes=args.keep_indexes, min_free_gb=args.min_free_gb)
    print(f"-- loaded in {time.perf_counter() - started:.0f} s: " + ", ".join(
        f"{what} {s:.0f} s" for what, s in loaded.seconds.items()))
    print("-- rows: " + ", ".join(f"{t} {n:,}" for t, n in loaded.rows.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--folder", type=Path)
    source.add_argument("--synthetic-accounts", type=int)
    source.add_argument("--existing", action="store_true", help="the database --database names is filled already")
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--contacts-per-account", type=int, default=5)
    parser.add_argument("--attempts-per-account", type=int, default=2)
    parser.add_argument("--facts-bytes", type=int, default=512)
    parser.add_argument("--chunk", type=int, default=200_000)
    parser.add_argument("--keep-indexes", action="store_true", help="load with the indexes in place")
    parser.add_argument("--min-free-gb", type=float, default=20.0)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--database", default=f"arrears_explain_{uuid.uuid4().hex[:8]}")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--retention", action="store_true", help="time the review and drop of the oldest month")
    args = parser.parse_args()
    admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    if not args.existing:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{args.database}"'))
    try:
        url = f"{PG.rsplit('/', 1)[0]}/{args.database}".replace("postgresql://", "postgresql+psycopg://")
        engine = create_engine(url, connect_args={"prepare_threshold": None})  # each EXPLAIN planned anew
        if not args.existing:
            _load(engine, args)
        now = datetime.now(UTC)
        report(engine, args.samples, now)
        if args.retention:
            retention(engine, now)
        engine.dispose()
    finally:
        if not args.keep:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
