"""The three audit logs sealed into hash chains on SQLite and PostgreSQL: verify holds after
sealing, names a row changed or deleted by hand, leaves rows younger than the settling time for the
next run; `arrears audit verify` exits 1 naming the row."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, insert, text, update
from typer.testing import CliRunner

from arrears.adapters.storage.audit_chain import SqlAuditChains
from arrears.adapters.storage.audit_tables import audit_events
from arrears.adapters.storage.database import make_engine, migrate
from arrears.adapters.storage.gate_tables import compliance_decisions
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.services.audit.chain import seal_all, verify_all

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)


def write(engine: Engine, n: int = 4, start: datetime = T0) -> None:
    with engine.begin() as c:
        for i in range(n):
            at = start + timedelta(minutes=i)
            c.execute(insert(audit_events).values(at=at, actor="u1", action="promise.recorded",
                                                  subject=f"promise:P{i}", before="", after="open",
                                                  detail=json.dumps({"i": i})))
            c.execute(insert(access_audit).values(at=at, kind="login", outcome="ok", username="u1", detail="{}"))
            c.execute(insert(compliance_decisions).values(
                decided_for=at, mode="reserve", request_digest="d" * 64, account_id="A1", customer_id="C1",
                channel="call", pack_versions="{}", decision="allow", rules="[]", reasons="[]", warnings="[]"))


def by_hand(engine: Engine, statement) -> None:  # type: ignore[no-untyped-def]
    """What someone with the database's own rights could do: switch the append-only triggers off."""
    table = statement.table.name
    with engine.begin() as c:
        if engine.dialect.name == "postgresql":
            c.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))
            c.execute(statement)
            c.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER ALL"))
        else:
            triggers = c.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                                 {"t": table}).all()
            for name, _sql in triggers:
                c.execute(text(f"DROP TRIGGER {name}"))
            c.execute(statement)
            for _name, sql in triggers:
                c.execute(text(sql))


def test_sealed_logs_verify_and_a_row_changed_by_hand_is_named(engine: Engine) -> None:
    write(engine)
    chains = SqlAuditChains(engine)
    assert seal_all(chains, NOW) == {"audit_events": 4, "access_audit": 4, "compliance_decisions": 4}
    assert verify_all(chains) == []
    with pytest.raises(Exception, match="append-only"), engine.begin() as c:  # the triggers refuse it
        c.execute(update(compliance_decisions).where(compliance_decisions.c.decision_id == 3).values(decision="deny"))
    by_hand(engine, update(compliance_decisions).where(compliance_decisions.c.decision_id == 3).values(decision="deny"))
    (found,) = verify_all(chains)
    assert (found.log, found.row_id) == ("compliance_decisions", 3)


def test_a_deleted_row_is_named_at_the_row_after_it(engine: Engine) -> None:
    write(engine)
    chains = SqlAuditChains(engine)
    seal_all(chains, NOW)
    by_hand(engine, delete(access_audit).where(access_audit.c.audit_id == 2))
    (found,) = verify_all(chains)
    assert (found.log, found.row_id) == ("access_audit", 3)


def test_young_rows_wait_for_the_next_seal_and_new_rows_extend_the_chain(engine: Engine) -> None:
    write(engine, n=2)
    write(engine, n=1, start=NOW - timedelta(minutes=1))
    chains = SqlAuditChains(engine)
    assert seal_all(chains, NOW)["audit_events"] == 2
    assert seal_all(chains, NOW + timedelta(minutes=10))["audit_events"] == 1
    write(engine, n=2, start=NOW)
    assert seal_all(chains, NOW + timedelta(hours=1))["audit_events"] == 2
    assert verify_all(chains) == []


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    from arrears.settings import get_settings

    url = f"sqlite:///{tmp_path / 'arrears.db'}"
    engine = make_engine(url)
    migrate(engine)
    monkeypatch.setenv("ARREARS_DATABASE_URL", url)
    monkeypatch.setenv("ARREARS_KEY_FILE", str(tmp_path / "arrears.key"))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()
    engine.dispose()


def test_arrears_audit_verify_exits_1_naming_the_row(database: Engine) -> None:
    from arrears.entrypoints.cli.main import app

    write(database)
    runner = CliRunner()
    sealed = runner.invoke(app, ["audit", "seal", "--settle-minutes", "0"])
    assert sealed.exit_code == 0, sealed.output
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    by_hand(database, update(audit_events).where(audit_events.c.event_id == 2).values(after="kept"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "audit_events row 2" in broken.output and "changed" in broken.output
