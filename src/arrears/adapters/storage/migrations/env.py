"""Alembic environment: runs on the engine handed over by arrears (see database.migrate)."""

from __future__ import annotations

from alembic import context

from arrears.adapters.storage.month_partitions import include_name
from arrears.adapters.storage.tables import metadata

config = context.config
engine = config.attributes.get("engine")

if engine is None:  # plain `alembic` use: take the URL from settings
    from arrears.adapters.storage.database import make_engine
    from arrears.settings import get_settings

    engine = make_engine(get_settings().database_url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    context.run_migrations()
