"""Dispatch at scale: N SMS from a plan through the outbox, the stored compliance gate and the
HTTP SMS gateway stand-in (its own process), on SQLite and PostgreSQL.

    PYTHONPATH=src python benchmarks/bench_dispatch.py --messages 100000 --db sqlite --db postgres

Generates and ingests a demo portfolio with one customer a message (into a fresh database),
plans one SMS to each customer's first debtor mobile at 10:00 Beijing time, and dispatches it
at 11:00 the same day (one dispatcher, in this process). Prints messages per second and where
the time of a message goes: the gate (judging and reserving, recording a failure), the ledger
and outbox (claiming the row, recording the outcome, the recipient, the commits), the channel
(the HTTP round trip to the stand-in), rendering.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.database import make_engine, migrate
from arrears.bootstrap import Container, ingest_uow, outreach
from arrears.domain.aging import AgingLadder
from arrears.domain.outreach import PlannedMessage
from arrears.services.demo_generator import DemoSize, generate
from arrears.services.ingest.load import IngestPortfolio, ingest_portfolio
from arrears.services.outreach.dispatch import Dispatch, dispatch
from arrears.services.portfolio_files import read_portfolio
from arrears.settings import Settings

AS_OF = date(2026, 11, 29)
PLANNED = datetime.fromisoformat("2026-11-30T10:00:00+08:00")
DISPATCH_AT = datetime.fromisoformat("2026-11-30T11:00:00+08:00")
STANDIN = Path(__file__).resolve().parents[1] / "tests" / "outreach" / "sms_gateway_standin.py"
CIPHER = FieldCipher(b"b" * 32, b"l" * 32)


@dataclass
class Timer:
    seconds: dict[str, float] = field(default_factory=dict)

    def wrap(self, name: str, target: Any, method: str) -> None:
        inner = getattr(target, method)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

        setattr(target, method, timed)


def _database(kind: str, postgres: str, folder: Path) -> tuple[str, Any]:
    if kind == "sqlite":
        path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"  # a fresh database each run
        return f"sqlite:///{path}", path
    name = f"arrears_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return f"{postgres.rsplit('/', 1)[0]}/{name}", (admin, name)


def _plan(engine: Any, n: int) -> list[PlannedMessage]:
    a, p = t.accounts.c, t.contact_points.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(a.account_id, a.customer_id, p.contact_point_id)
            .join(t.contact_points, p.customer_id == a.customer_id)
            .where(p.kind == "mobile", p.owner == "debtor").order_by(a.customer_id, a.account_id, p.contact_point_id)
        ).all()
    seen: set[str] = set()
    plan = []
    for row in rows:
        if row.customer_id not in seen:
            seen.add(row.customer_id)
            plan.append(PlannedMessage(row.account_id, row.customer_id, "sms", row.contact_point_id, PLANNED,
                                       "reminder_due", "none"))
    return plan[:n]


def run(kind: str, n: int, postgres: str, folder: Path, concurrency: int) -> None:
    url, cleanup = _database(kind, postgres, folder)
    record = folder / f"gateway-{kind}.jsonl"
    gateway = subprocess.Popen([sys.executable, str(STANDIN), "--record", str(record), "--quiet-record"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert gateway.stdout is not None
        port = int(gateway.stdout.readline())
        engine = make_engine(url)
        migrate(engine)
        portfolio = folder / "portfolio"
        if not (portfolio / "accounts.csv").exists():
            generate(portfolio, AS_OF, DemoSize(customers=int(n * 1.05) + 50))
        started = time.perf_counter()
        read = read_portfolio(portfolio, AS_OF)
        ingest_portfolio(ingest_uow(engine, CIPHER), IngestPortfolio(read, AS_OF, datetime.now(UTC)))
        loaded = time.perf_counter() - started
        plan = _plan(engine, n)
        settings = Settings(database_url=url, sms_gateway_url=f"http://127.0.0.1:{port}/sms")
        container = Container(settings=settings, engine=engine, cipher=CIPHER,
                              ladder=AgingLadder.from_spec(settings.aging_ladder))
        ports = outreach(container)
        ports.concurrency = concurrency
        timer = Timer()
        timer.wrap("gate", ports.gate, "reserve")
        timer.wrap("gate", ports.gate, "record_outcome")
        timer.wrap("channel", ports.senders["sms"], "send")
        timer.wrap("render", ports.renderer, "render")
        started = time.perf_counter()
        counts = dispatch(Dispatch(tuple(plan), DISPATCH_AT), ports)
        total = time.perf_counter() - started
        busy = total * concurrency  # thread-seconds: with threads, the parts add up to more than the wall time
        rest = busy - sum(timer.seconds.values())
        per = {name: 1e3 * seconds / len(plan) for name, seconds in {**timer.seconds, "ledger+outbox": rest}.items()}
        print(f"{kind}, concurrency {concurrency}: {len(plan):,} messages ({counts.as_contract()}) in {total:.1f}s = "
              f"{len(plan) / total:,.0f} messages/s (portfolio loaded in {loaded:.1f}s)")
        print("  per message, ms: " + ", ".join(f"{name} {ms:.2f}" for name, ms in sorted(per.items())))
        engine.dispose()
    finally:
        gateway.kill()
        gateway.wait()
        if isinstance(cleanup, Path):
            for leftover in cleanup.parent.glob(cleanup.name + "*"):
                leftover.unlink()
        elif cleanup:
            admin, name = cleanup
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--concurrency", type=int, default=1, help="messages tried at once (threads)")
    parser.add_argument("--folder", type=Path, default=None, help="keeps the generated portfolio between runs")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="arrears_dispatch_"))
    folder.mkdir(parents=True, exist_ok=True)
    for kind in args.db or ["sqlite", "postgres"]:
        run(kind, args.messages, args.postgres, folder, args.concurrency)


if __name__ == "__main__":
    main()
