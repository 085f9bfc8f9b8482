"""The schema's migrations: one linear chain, upgrades from earlier databases, and no drift
between the SQLAlchemy tables and what the migrations build."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

from arrears.adapters.storage.database import alembic_config, current_revisions, head_revisions, migrate
from arrears.adapters.storage.tables import metadata


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
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, _every_table_declared())
    assert differences == []
