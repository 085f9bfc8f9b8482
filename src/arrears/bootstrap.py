"""The one place where concrete adapters are chosen from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage.database import make_engine, migrate
from arrears.domain.aging import AgingLadder
from arrears.services.key_check import database_cipher
from arrears.settings import Settings, get_settings


@dataclass
class Container:
    settings: Settings
    engine: Engine
    cipher: FieldCipher
    ladder: AgingLadder


def bootstrap(settings: Settings | None = None, *, migrate_schema: bool = True) -> Container:
    """The engine, the cipher and the ladder the settings choose. Raises ``KeyMismatch`` (an
    ``EncryptionKeyError``) when the keys are not the database's, before any data is read or written."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    if migrate_schema:
        migrate(engine)
    return Container(
        settings=settings,
        engine=engine,
        cipher=database_cipher(engine, settings, datetime.now(UTC)),
        ladder=AgingLadder.from_spec(settings.aging_ladder),
    )
