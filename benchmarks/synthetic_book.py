"""A synthetic book in a PostgreSQL database migrated to head, filled by set-based SQL.

``benchmarks/explain_partitions.py --synthetic-accounts N`` uses it: ingesting 93 million rows
through ``arrears ingest`` takes hours on a 2-core machine, ``INSERT ... SELECT ... FROM
generate_series`` a fraction of that. The tables, month partitions and indexes are the
product's (the Alembic migrations, ``ensure_months``); only the rows are made here, one chunk of
accounts per statement, each value drawn from a hash of the account (and row) number so that
the attempt ledger and the decision audit agree on which attempt a reservation made.

Shapes: one customer and one account per number (as ``arrears demo``); 1.85 contact points a
customer (a mobile, then a home, work or e-mail point for 55%, a relative's mobile for 30%); a
collection episode per account starting on a random day of the months kept (or up to 59 days
before), its contacts (1 to twice ``contacts_per_account`` less one), attempts (0 to twice
``attempts_per_account``) and decisions (one reservation an attempt, a page preview for half the
accounts) within 60 days of its start; a row that would fall outside the months kept is not made
(so the averages are 5% under the arguments, and every day of the months holds as many rows).
10% of the customers are in the US (their retention runs from the last activity).

Loading drops the six tables' indexes, primary keys and foreign keys first and makes them again
from their own definitions afterwards (checked equal to the product's), unless told to keep them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from sqlalchemy import Connection, Engine, text

from arrears.adapters.storage.month_partitions import PARTITIONED, ensure_months, month_partitions
from arrears.domain.retention import next_month

TABLES = ("customers", "accounts", "contact_points", "contacts", "contact_attempts", "compliance_decisions")
US_SHARE = 0.10


@dataclass(frozen=True)
class Book:
    accounts: int
    months: int = 36
    contacts_per_account: int = 5
    attempts_per_account: int = 2
    facts_bytes: int = 512  # the encrypted request a decision keeps (facts_enc)
    chunk: int = 200_000
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    @property
    def first_month(self) -> date:
        month = self.today.replace(day=1)
        for _ in range(self.months - 1):
            month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
        return month

    def month_list(self) -> list[date]:
        months, month = [], self.first_month
        while month <= self.today:
            months.append(month)
            month = next_month(month)
        return months


def _functions(book: Book) -> list[str]:
    start = datetime.combine(book.first_month, datetime.min.time(), UTC)
    days = (book.today - book.first_month).days  # rows fall on the days before today
    day = f"(floor(pg_temp.u(i, 5) * {days + 59})::bigint - 59 + floor(pg_temp.u(i * 16 + j, salt) * 60)::bigint)"
    return [
        # a uniform draw in [0, 1) from a key and a salt
        "CREATE FUNCTION pg_temp.u(k bigint, salt bigint) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        "$$ SELECT (hashint8extended(k, salt) & 4503599627370495)::float8 / 4503599627370496.0 $$",
        # the instant of row j of account i: its episode's start (a day of the months kept, or up to 59
        # days before them), 0-59 days on, 00:00-13:00 UTC (08:00-21:00 in Beijing); null outside the
        # months kept (today included), so that every day of them holds as many rows
        "CREATE FUNCTION pg_temp.at(i bigint, j bigint, salt bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS "
        f"$$ SELECT CASE WHEN {day} >= 0 AND {day} < {days} THEN to_timestamp({start.timestamp():.0f} "
        f"+ ({day}) * 86400 + floor(pg_temp.u(i * 16 + j, salt + 1) * 46800)) END $$",
        "CREATE FUNCTION pg_temp.us(i bigint) RETURNS boolean LANGUAGE sql IMMUTABLE AS "
        f"$$ SELECT pg_temp.u(i, 1) < {US_SHARE} $$",
        "CREATE FUNCTION pg_temp.id(prefix text, i bigint, width int) RETURNS text LANGUAGE sql IMMUTABLE AS "
        "$$ SELECT prefix || lpad(i::text, width, '0') $$",
    ]


CUSTOMERS = """
INSERT INTO customers (customer_id, name_enc, name_hash, name_masked, national_id_enc, national_id_hash,
  national_id_masked, birth_date, language, timezone, jurisdiction, address_enc, address_masked,
  monthly_income_cents, preferred_channel, preferred_hours, row_digest, in_portfolio)
SELECT pg_temp.id('C', i, 9), substr(sha256(int8send(i)) || sha256(int8send(-i)), 1, 37), md5('name:' || i),
  (ARRAY['王*', '李*', '张**', '刘*', '陈**', '杨*', '赵**', '黄*'])[1 + i % 8],
  substr(sha256(int8send(i * 3 + 1)) || sha256(int8send(i * 3 + 2)), 1, 46), md5('id:' || i),
  '1101**********' || lpad((i % 9973)::text, 4, '0'), date '1962-01-01' + (i * 7919 % 14600)::int,
  CASE WHEN us THEN 'en' ELSE 'zh' END, CASE WHEN us THEN 'America/New_York' ELSE 'Asia/Shanghai' END,
  CASE WHEN us THEN 'US' ELSE 'CN' END,
  CASE WHEN i % 5 > 0 THEN sha256(int8send(i * 5)) || sha256(int8send(i * 5 + 1)) END,
  CASE WHEN i % 5 > 0 THEN (ARRAY['北京市朝阳区***', '上海市浦东新区***', '广州市天河区***'])[1 + i % 3] END,
  CASE WHEN pg_temp.u(i, 2) < 0.65 THEN 300000 + floor(pg_temp.u(i, 3) * 2000000)::bigint END,
  (ARRAY[NULL, 'call', 'sms', 'email', NULL])[1 + i % 5], CASE WHEN i % 4 = 0 THEN '19-21' END,
  md5('customer:' || i), true
FROM (SELECT i, pg_temp.us(i) AS us FROM generate_series(CAST(:lo AS bigint), :hi) i) s
"""

ACCOUNTS = """
INSERT INTO accounts (account_id, customer_id, product, currency, open_date, credit_limit_cents, balance_cents,
  principal_cents, interest_cents, fees_cents, min_payment_cents, due_date, past_due_cents, oldest_unpaid_due_date,
  status, agency_id, flags, row_digest, in_portfolio)
SELECT pg_temp.id('A', i, 9), pg_temp.id('C', i, 9), 'credit_card', CASE WHEN us THEN 'USD' ELSE 'CNY' END,
  CAST(:today AS date) - (400 + i % 2600)::int, lim, balance, balance * 90 / 100, balance * 8 / 100,
  balance - balance * 90 / 100 - balance * 8 / 100, greatest(balance / 10, 10000),
  CAST(:today AS date) + (1 + i % 27)::int, least(greatest(balance / 10, 10000) * ((dpd + 29) / 30), balance),
  CAST(:today AS date) - dpd, 'open', CASE WHEN dpd > 90 AND pg_temp.u(i, 12) < 0.6 THEN 'AG0' || (1 + i % 3) END,
  CASE WHEN flag < 0.01 THEN 'dispute' WHEN flag < 0.02 THEN 'complaint' WHEN flag < 0.05 THEN 'hardship'
       WHEN flag < 0.07 THEN 'installment_plan' WHEN flag < 0.073 THEN 'cease' ELSE '' END,
  md5('account:' || i), true
FROM (SELECT i, pg_temp.us(i) AS us, pg_temp.u(i, 11) AS flag, 1 + floor(pg_temp.u(i, 10) * 360)::int AS dpd,
        lim, (lim * (0.5 + 0.6 * pg_temp.u(i, 9)))::bigint AS balance
      FROM (SELECT i, (ARRAY[500000, 1000000, 2000000, 3000000, 5000000])[1 + i % 5]::bigint AS lim
            FROM generate_series(CAST(:lo AS bigint), :hi) i) l) s
"""

CONTACT_POINTS = """
INSERT INTO contact_points (contact_point_id, customer_id, kind, value_enc, value_hash, value_masked, owner, relation,
  consent, status, do_not_contact, source, employer_provided, row_digest, in_portfolio)
SELECT pg_temp.id('P', i, 9) || k, pg_temp.id('C', i, 9), kind,
  substr(sha256(int8send(i * 4 + k)) || sha256(int8send(-(i * 4 + k))), 1, 42), md5('point:' || i || ':' || k),
  CASE kind WHEN 'email' THEN 'u***@qq.com' WHEN 'mobile' THEN '+86138****' || last4 ELSE '010****' || last4 END,
  CASE WHEN k = 3 THEN (ARRAY['spouse', 'emergency_contact', 'guarantor'])[1 + i % 3] ELSE 'debtor' END,
  CASE WHEN k = 3 THEN (ARRAY['配偶', '朋友', '担保人'])[1 + i % 3] END, CASE WHEN k = 3 THEN i % 2 = 0 END,
  CASE WHEN k = 1 AND pg_temp.u(i, 13) < 0.06 THEN 'invalid' WHEN kind = 'email' OR pg_temp.u(i * 4 + k, 14) < 0.7
       THEN 'valid' ELSE 'unknown' END,
  k = 3 AND pg_temp.u(i, 15) < 0.08, 'application', NULL::boolean, md5('pointrow:' || i || ':' || k), true
FROM (SELECT i, k, lpad(((i * 7 + k * 13) % 10000)::text, 4, '0') AS last4,
        CASE WHEN k = 2 THEN (ARRAY['home', 'work', 'email'])[1 + floor(pg_temp.u(i, 8) * 3)::int] ELSE 'mobile' END
          AS kind
      FROM generate_series(CAST(:lo AS bigint), :hi) i CROSS JOIN generate_series(1, 3) k
      WHERE k = 1 OR (k = 2 AND pg_temp.u(i, 6) < 0.55) OR (k = 3 AND pg_temp.u(i, 7) < 0.3)) s
"""

_CALL_OUTCOME = ("CASE WHEN r < 0.30 THEN 'conversation' WHEN r < 0.35 THEN 'answered_other' WHEN r < 0.78 "
                 "THEN 'no_answer' WHEN r < 0.90 THEN 'busy' ELSE 'voicemail' END")

# j is the outer series: an account's rows of one month land far apart in its partition, as rows
# appended day after day do
CONTACTS = f"""
INSERT INTO contacts (contact_id, account_id, customer_id, contact_point_id, channel, direction, at, party, outcome,
  promise_amount_cents, promise_date, complaint, agent_id, agency_id, row_digest)
SELECT pg_temp.id('K', i * 16 + j, 11), pg_temp.id('A', i, 9), pg_temp.id('C', i, 9),
  CASE WHEN channel <> 'email' THEN pg_temp.id('P', i, 9) || '1' END, channel, direction, at,
  CASE outcome WHEN 'conversation' THEN 'debtor' WHEN 'answered_other' THEN 'unknown' END, outcome,
  CASE WHEN outcome = 'conversation' AND p < 0.35 THEN 10000 + floor(p * 400000)::bigint END,
  CASE WHEN outcome = 'conversation' AND p < 0.35 THEN (at AT TIME ZONE 'UTC')::date + 1 + (j % 7)::int END,
  outcome = 'conversation' AND p > 0.996, CASE WHEN channel = 'call' THEN pg_temp.id('G', 1 + i % 40, 3) END,
  NULL, md5('contact:' || i || ':' || j)
FROM (SELECT i, j, at, channel, p, CASE WHEN inbound THEN 'inbound' ELSE 'outbound' END AS direction,
        CASE WHEN inbound THEN 'conversation' WHEN channel = 'call' THEN {_CALL_OUTCOME}
             WHEN channel = 'sms' AND r > 0.95 THEN 'failed' ELSE 'delivered' END AS outcome
      FROM (SELECT i, j, pg_temp.at(i, j, 20) AS at, pg_temp.u(i * 16 + j, 22) AS r, pg_temp.u(i * 16 + j, 23) AS p,
              CASE WHEN pg_temp.u(i * 16 + j, 24) < 0.78 THEN 'call' WHEN pg_temp.u(i * 16 + j, 24) < 0.97 THEN 'sms'
                   ELSE 'email' END AS channel, pg_temp.u(i * 16 + j, 25) < 0.04 AS inbound
            FROM generate_series(1, :most) j CROSS JOIN generate_series(CAST(:lo AS bigint), :hi) i
            WHERE j <= 1 + floor(pg_temp.u(i, 4) * :most)) d
      WHERE at IS NOT NULL) e
"""

# attempt j of account i exists when j <= n(i); the audit's reservations are made from the same draws
_ATTEMPTS_OF = "floor(pg_temp.u(i, 30) * (:most + 1))"
_ATTEMPT = f"""
SELECT * FROM (SELECT i, j, pg_temp.at(i, j, 40) AS at, md5('attempt:' || i || ':' || j) AS attempt_id,
  CASE WHEN pg_temp.u(i * 16 + j, 42) < 0.7 THEN 'call' ELSE 'sms' END AS channel,
  pg_temp.u(i * 16 + j, 43) AS r, pg_temp.u(i * 16 + j, 44) AS w, pg_temp.u(i * 16 + j, 45) AS p
FROM generate_series(1, :most) j CROSS JOIN generate_series(CAST(:lo AS bigint), :hi) i WHERE j <= {_ATTEMPTS_OF}) a
WHERE at IS NOT NULL
"""

CONTACT_ATTEMPTS = f"""
INSERT INTO contact_attempts (attempt_id, account_id, customer_id, contact_point_id, address_hash, channel, party, at,
  agent_id, agency_id, automated, purpose, outcome, outcome_party, completed_at, contact_id, logged_by, direction,
  notes_enc, promise_amount_cents, promise_date, dispute, complaint, callback_at, pack_versions)
SELECT attempt_id, pg_temp.id('A', i, 9), pg_temp.id('C', i, 9), pg_temp.id('P', i, 9) || '1',
  md5('point:' || i || ':' || 1), channel, 'debtor', at,
  CASE WHEN channel = 'call' THEN pg_temp.id('G', 1 + i % 40, 3) END, NULL, channel = 'sms', 'collection', outcome,
  CASE WHEN outcome = 'conversation' THEN 'debtor' END,
  CASE WHEN outcome IS NOT NULL THEN at + interval '90 seconds' END, CASE WHEN logged THEN attempt_id END,
  CASE WHEN logged THEN md5('user:' || floor(w * 1000)::int % 300) END, 'outbound',
  CASE WHEN logged THEN substr(sha256(int8send(i * 16 + j)) || sha256(int8send(-(i * 16 + j))), 1, 60) END,
  CASE WHEN logged AND outcome = 'conversation' AND p < 0.35 THEN 10000 + floor(p * 400000)::bigint END,
  CASE WHEN logged AND outcome = 'conversation' AND p < 0.35 THEN (at AT TIME ZONE 'UTC')::date + 3 END,
  false, false, NULL, CASE WHEN logged THEN 'CN=cn-2026.11' END
FROM (SELECT *, channel = 'call' AND w < 0.3 AS logged,
        CASE WHEN r > 0.995 THEN NULL WHEN channel = 'call' THEN {_CALL_OUTCOME}
             WHEN r > 0.95 THEN 'failed' ELSE 'delivered' END AS outcome
      FROM ({_ATTEMPT}) a) s
"""

# one reservation an attempt (decision_id i*16+j) and, for half the accounts, a page preview (j = 15)
COMPLIANCE_DECISIONS = f"""
INSERT INTO compliance_decisions (decision_id, decided_for, mode, request_digest, request_id, account_id, customer_id,
  channel, agent_id, pack_versions, decision, rules, reasons, warnings, attempt_id, caller, facts_enc, prev_hash,
  row_hash)
SELECT i * 16 + j, at, mode, encode(sha256(int8send(i * 16 + j)), 'hex'), 'req-' || md5('request:' || i || ':' || j),
  pg_temp.id('A', i, 9), pg_temp.id('C', i, 9), channel, CASE WHEN channel = 'call' THEN pg_temp.id('G', 1 + i % 40, 3)
  END, CASE WHEN pg_temp.us(i) THEN '{{"US": "us-2026.11"}}' ELSE '{{"CN": "cn-2026.11"}}' END,
  CASE WHEN deny THEN 'deny' ELSE 'allow' END, CASE WHEN deny THEN '["CN-FREQ-01"]' ELSE '[]' END,
  CASE WHEN deny THEN '["联系次数已达上限 contact limit reached"]' ELSE '[]' END, '[]', attempt_id,
  CASE WHEN mode = 'preview' THEN 'user:' || md5('user:' || i % 300) END,
  substr(decode(repeat(encode(sha256(int8send(-(i * 16 + j))), 'hex'), :facts_blocks), 'hex'), 1, :facts_bytes),
  encode(sha256(int8send(i * 16 + j - 1)), 'hex'), encode(sha256(int8send(i * 16 + j + 1)), 'hex')
FROM (SELECT i, j, at, 'reserve' AS mode, channel, attempt_id, false AS deny FROM ({_ATTEMPT}) a
      UNION ALL
      SELECT i, 15, pg_temp.at(i, 15, 40), 'preview', 'call', NULL, pg_temp.u(i, 31) < 0.1
      FROM generate_series(CAST(:lo AS bigint), :hi) i
      WHERE pg_temp.u(i, 32) < 0.5 AND pg_temp.at(i, 15, 40) IS NOT NULL) s
"""


@dataclass(frozen=True)
class Definitions:
    """The six tables' keys, foreign keys and indexes (their partitions' indexes included), as
    the database prints them: what loading drops and makes again."""

    keys: list[tuple[str, str, str]]  # (table, name, definition), primary keys first
    foreign: list[tuple[str, str, str]]
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX) of the tables themselves
    every_index: list[tuple[str, str, str]]  # (table, name, definition), partitions included

    @classmethod
    def read(cls, c: Connection) -> Definitions:
        constraints = c.execute(text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(:t) AND contype IN ('p', 'f') AND conparentid = 0 ORDER BY 1, 2"),
            {"t": list(TABLES)}).all()
        owned = {name for _, name, _, _ in constraints}
        leaves = "^(" + "|".join(PARTITIONED) + r")_(\d{4}_\d{2}|default)$"
        every = [tuple(r) for r in c.execute(text(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND (tablename = ANY(:t) OR tablename ~ :leaves) ORDER BY 1, 2"), {"t": list(TABLES), "leaves": leaves})]
        return cls([(t, n, d) for t, n, d, kind in constraints if kind == "p"],
                   [(t, n, d) for t, n, d, kind in constraints if kind == "f"],
                   [(n, d) for t, n, d in every if t in TABLES and n not in owned], every)  # type: ignore[misc]

    def drop(self, c: Connection) -> None:
        for table, name, _ in [*self.foreign, *self.keys]:
            c.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _ in self.indexes:
            c.exec_driver_sql(f"DROP INDEX {name}")

    def statements(self) -> list[tuple[str, str]]:
        """(what, SQL) in the order they are made again: keys, indexes, foreign keys."""
        keys = [(f"{t} {n}", f"ALTER TABLE {t} ADD CONSTRAINT {n} {d}") for t, n, d in self.keys]
        # a partitioned table prints its indexes ON ONLY the parent; made ON it they cover every partition
        indexes = [(n, d.replace(" ON ONLY ", " ON ")) for n, d in self.indexes]
        foreign = [(f"{t} {n}", f"ALTER TABLE {t} ADD CONSTRAINT {n} {d}") for t, n, d in self.foreign]
        return keys + indexes + foreign


def free_gb(c: Connection) -> float | None:
    """Free space where the database keeps its files (when this process may look there)."""
    try:
        folder = c.exec_driver_sql("SHOW data_directory").scalar()
        return shutil.disk_usage(str(folder)).free / 1e9
    except Exception:  # not allowed to read the setting, or the database is on another machine
        return None


def _low_priority(c: Connection) -> None:
    """The backend that does the work yields the CPU and the disk to others (when allowed)."""
    pid = int(c.exec_driver_sql("SELECT pg_backend_pid()").scalar() or 0)
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 10)
        subprocess.run(["ionice", "-c2", "-n7", "-p", str(pid)], check=False, capture_output=True)
    except OSError:
        pass
    c.exec_driver_sql("SET synchronous_commit = off")
    c.exec_driver_sql("SET maintenance_work_mem = '1GB'")
    c.exec_driver_sql("SET max_parallel_maintenance_workers = 0")  # every worker would run at full priority
    c.exec_driver_sql("SET work_mem = '64MB'")


def _leaves(c: Connection) -> list[str]:
    return list(c.execute(text(
        "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND (c.relname = ANY(:t) OR c.oid IN "
        "(SELECT inhrelid FROM pg_inherits WHERE inhparent::regclass::text = ANY(:t)))"),
        {"t": list(TABLES)}).scalars())


@contextmanager
def _progress() -> Iterator[Progress]:
    with Progress(TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn()) as progress:
        yield progress


@dataclass
class Loaded:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


@contextmanager
def _timed(loaded: Loaded, what: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    loaded.seconds[what] = loaded.seconds.get(what, 0.0) + time.perf_counter() - started


def fill(engine: Engine, book: Book, *, keep_indexes: bool = False, min_free_gb: float = 20.0) -> Loaded:
    """Fill a database migrated to head with ``book``; the product's indexes are in place after."""
    loaded = Loaded()
    statements = {"customers": CUSTOMERS, "accounts": ACCOUNTS, "contact_points": CONTACT_POINTS,
                  "contacts": CONTACTS, "contact_attempts": CONTACT_ATTEMPTS,
                  "compliance_decisions": COMPLIANCE_DECISIONS}
    most = {"contacts": 2 * book.contacts_per_account - 1, "contact_attempts": 2 * book.attempts_per_account,
            "compliance_decisions": 2 * book.attempts_per_account}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        _low_priority(c)
        for table in PARTITIONED:
            with _timed(loaded, "partitions"):
                ensure_months(c, table, book.month_list())
        product = Definitions.read(c)
        leaves = _leaves(c)
        for leaf in leaves:
            c.exec_driver_sql(f"ALTER TABLE {leaf} SET (autovacuum_enabled = off)")
        if not keep_indexes:
            product.drop(c)
        for statement in _functions(book):
            c.exec_driver_sql(statement)
        with _progress() as progress:
            for table in TABLES:
                task = progress.add_task(table, total=book.accounts)
                for lo in range(1, book.accounts + 1, book.chunk):
                    hi = min(lo + book.chunk - 1, book.accounts)
                    free = free_gb(c)
                    if free is not None and free < min_free_gb:
                        raise SystemExit(f"stopped: {free:.1f} GB free on the database's disk")
                    params = {"lo": lo, "hi": hi, "today": book.today, "most": most.get(table, 0),
                              "facts_bytes": book.facts_bytes, "facts_blocks": book.facts_bytes // 32 + 1}
                    with _timed(loaded, f"insert {table}"):
                        c.execute(text(statements[table]), params)
                    progress.advance(task, hi - lo + 1)
            if not keep_indexes:
                task = progress.add_task("keys and indexes", total=len(product.statements()))
                for what, sql in product.statements():
                    progress.update(task, description=f"index {what}"[:34])
                    with _timed(loaded, f"index {what}"):
                        c.exec_driver_sql(sql)
                    progress.advance(task)
        c.exec_driver_sql("SELECT setval('compliance_decisions_decision_id_seq', "
                          "(SELECT max(decision_id) FROM compliance_decisions))")
        remade = Definitions.read(c)
        if sorted(remade.every_index) != sorted(product.every_index) or remade.keys != product.keys \
                or remade.foreign != product.foreign:
            raise SystemExit("the indexes made again are not the product's")
        for table in TABLES:  # statistics, hint bits and the visibility map: the steady state autovacuum keeps
            with _timed(loaded, "analyze, vacuum"):
                c.exec_driver_sql(f"ANALYZE {table}")
                c.exec_driver_sql(f"VACUUM {table}")  # last: it counts the rows of every page exactly
        for leaf in leaves:
            c.exec_driver_sql(f"ALTER TABLE {leaf} RESET (autovacuum_enabled)")
        for table in TABLES:
            loaded.rows[table] = int(c.execute(text(
                "SELECT sum(reltuples::bigint) FROM pg_class WHERE relkind = 'r' AND (relname = :t OR oid IN "
                "(SELECT inhrelid FROM pg_inherits WHERE inhparent = CAST(:t AS regclass)))"),
                {"t": table}).scalar() or 0)
    return loaded


def sizes(c: Connection) -> list[tuple[str, int, int, int, int]]:
    """(table, partitions, rows, table bytes, index bytes) of the six tables (rows as counted by the
    last VACUUM or ANALYZE)."""
    found = []
    for table in TABLES:
        parts = [f"{table}_{m.year:04d}_{m.month:02d}" for m in month_partitions(c, table)]
        parts = [*parts, f"{table}_default"] if parts else [table]
        rows, heap, index = c.execute(text(
            "SELECT sum(greatest(c.reltuples, 0)::bigint), sum(pg_table_size(c.oid)), sum(pg_indexes_size(c.oid)) "
            "FROM pg_class c WHERE c.relname = ANY(:r) AND c.relnamespace = current_schema()::regnamespace"),
            {"r": parts}).one()
        found.append((table, len(parts) if table in PARTITIONED else 0, int(rows), int(heap), int(index)))
    return found
