"""The one place where concrete adapters are chosen from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from arrears.adapters.crypto import FieldCipher, cipher_from_settings
from arrears.adapters.storage.database import make_engine, migrate
from arrears.domain.aging import AgingLadder
from arrears.settings import Settings, get_settings


@dataclass
class Container:
    settings: Settings
    engine: Engine
    cipher: FieldCipher
    ladder: AgingLadder


def bootstrap(settings: Settings | None = None, *, migrate_schema: bool = True) -> Container:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    if migrate_schema:
        migrate(engine)
    return Container(
        settings=settings,
        engine=engine,
        cipher=cipher_from_settings(settings),
        ladder=AgingLadder.from_spec(settings.aging_ladder),
    )
