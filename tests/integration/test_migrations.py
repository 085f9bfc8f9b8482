"""The schema's migrations: one linear chain, upgrades from earlier databases, and no drift
between the SQLAlchemy tables and what the migrations build."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

from arrears.adapters.storage.database import alembic_config, current_revisions, head_revisions, migrate
from arrears.adapters.storage.month_partitions import include_name
from arrears.adapters.storage.tables import metadata

# SQLite cannot reflect an expression index (ix_contact_points_phone_last4): SQLAlchemy and Alembic
# say so and leave it out of the comparison; PostgreSQL compares it.
pytestmark = [pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
              pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")]


def _every_table_declared() -> MetaData:
    """The shared metadata once every module that declares tables is imported."""
    import importlib
    import pkgutil

    from arrears.adapters import storage

    for module in pkgutil.iter_modules(storage.__path__):
        if module.name.endswith("tables"):
            importlib.import_module(f"arrears.adapters.storage.{module.name}")
    return metadata

BRANCH_HEADS_OF_THE_FIRST_SESSIONS = {"0002_arrangements", "0003_workbench", "0004_contact_gate", "0005_scores",
                                      "0010_planning"}


def test_the_migrations_have_exactly_one_head(sqlite_engine: Engine) -> None:
    assert len(head_revisions(sqlite_engine)) == 1


def test_every_revision_after_the_join_has_one_parent(sqlite_engine: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config(sqlite_engine))
    joined = False
    for revision in reversed(list(script.walk_revisions())):
        if revision.revision == "0011_one_head":
            joined = True
            continue
        if joined:
            assert isinstance(revision.down_revision, str), revision.revision


def _empty(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # tables, triggers and their functions
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        everything = MetaData()
        everything.reflect(engine)
        everything.drop_all(engine)
    from arrears.adapters.storage import database

    database._migrated.discard(engine.url.render_as_string(hide_password=False))


def test_a_database_at_the_old_branch_heads_upgrades_to_the_one_head(engine: Engine) -> None:
    _empty(engine)
    config = alembic_config(engine)
    for head in sorted(BRANCH_HEADS_OF_THE_FIRST_SESSIONS):
        command.upgrade(config, head)
    assert current_revisions(engine) == BRANCH_HEADS_OF_THE_FIRST_SESSIONS
    migrate(engine)
    assert current_revisions(engine) == head_revisions(engine)


def test_the_migrations_build_exactly_the_tables_the_code_declares(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        differences = compare_metadata(context, _every_table_declared())
    assert differences == []


def test_the_one_ledger_migration_moves_every_logged_contact_onto_its_attempt(engine: Engine) -> None:
    from datetime import UTC, date, datetime

    from sqlalchemy import inspect, select, text

    from arrears.adapters.storage.gate_tables import LOGGED_STATE, contact_attempts

    _empty(engine)
    command.upgrade(alembic_config(engine), "0015_key_fingerprints_and_masks")
    at = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    attempt = ("INSERT INTO contact_attempts (attempt_id, account_id, customer_id, contact_point_id, address_hash, "
               "channel, party, at, automated, purpose, outcome, outcome_party) VALUES (:id, 'A1', 'C1', 'P1', 'h', "
               "'call', 'debtor', :at, :no, 'collection', :outcome, NULL)")
    logged = ("INSERT INTO logged_contacts (contact_id, account_id, customer_id, contact_point_id, channel, direction, "
              "at, party, state, outcome, notes_enc, promise_amount_cents, promise_date, dispute, complaint, user_id, "
              "attempt_id, pack_versions) VALUES (:id, 'A1', 'C1', 'P1', 'call', 'outbound', :at, :party, :state, "
              ":outcome, :notes, :cents, :on, :no, :yes, 'U1', :attempt, 'CN=1')")
    with engine.begin() as connection:
        connection.execute(text(attempt), {"id": "T1", "at": at, "no": False, "outcome": "conversation"})
        connection.execute(text(attempt), {"id": "T2", "at": at, "no": False, "outcome": None})
        connection.execute(text(attempt), {"id": "T3", "at": at, "no": False, "outcome": "no_answer"})  # no log
        connection.execute(text(logged), {"id": "K1", "at": at, "party": "spouse", "state": "logged", "yes": True,
                                          "outcome": "conversation", "notes": b"sealed", "cents": 50_000,
                                          "on": date(2026, 12, 5), "no": False, "attempt": "T1"})
        connection.execute(text(logged), {"id": "K2", "at": at, "party": None, "state": "reserved", "yes": False,
                                          "outcome": None, "notes": None, "cents": None, "on": None, "no": False,
                                          "attempt": "T2"})
        connection.execute(text(logged), {"id": "K3", "at": at, "party": "debtor", "state": "logged", "yes": False,
                                          "outcome": "no_answer", "notes": None, "cents": None, "on": None,
                                          "no": False, "attempt": None})  # its attempt never reached the ledger
    migrate(engine)
    m = contact_attempts.c
    with engine.connect() as connection:
        rows = {r.attempt_id: r for r in connection.execute(select(
            m.attempt_id, m.contact_id, m.logged_by, m.outcome, m.outcome_party, m.notes_enc, m.promise_amount_cents,
            m.promise_date, m.complaint, m.dispute, m.pack_versions, LOGGED_STATE))}
        tables = set(inspect(connection).get_table_names())
    assert set(rows) == {"T1", "T2", "T3", "K3"}
    assert tuple(rows["T1"][1:]) == ("K1", "U1", "conversation", "spouse", b"sealed", 50_000, date(2026, 12, 5),
                                     True, False, "CN=1", "logged")
    assert (rows["T2"].contact_id, rows["T2"].logged_by, rows["T2"].state) == ("K2", "U1", "reserved")
    assert (rows["T3"].contact_id, rows["T3"].logged_by) == (None, None)
    assert (rows["K3"].contact_id, rows["K3"].logged_by, rows["K3"].outcome) == ("K3", "U1", "no_answer")
    assert "logged_contacts" not in tables
