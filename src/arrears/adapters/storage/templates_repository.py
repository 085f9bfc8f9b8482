"""Template versions on SQLite and PostgreSQL (the ``TemplatesUnitOfWork`` port)."""

from __future__ import annotations

from datetime import UTC
from typing import Any, Self

from sqlalchemy import Connection, Engine, and_, func, select

from arrears.adapters.storage.template_tables import message_templates
from arrears.domain.message_templates import MessageTemplate, TemplateKey, TemplateVersion

m = message_templates.c
_CONTENT = ("template_id", "channel", "jurisdiction", "title_zh", "title_en", "body_zh", "body_en", "subject_zh",
            "subject_en", "third_party")


def _version(row: Any) -> TemplateVersion:
    saved_at = row.saved_at if row.saved_at.tzinfo else row.saved_at.replace(tzinfo=UTC)
    template = MessageTemplate(**{name: getattr(row, name) for name in _CONTENT})
    return TemplateVersion(template, row.version, saved_at, row.saved_by, row.source)


def _of(key: TemplateKey) -> Any:
    return and_(m.template_id == key.template_id, m.channel == key.channel, m.jurisdiction == key.jurisdiction)


class SqlTemplateStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def latest(self, key: TemplateKey) -> TemplateVersion | None:
        row = self.connection.execute(select(message_templates).where(_of(key))
                                      .order_by(m.version.desc()).limit(1)).first()
        return None if row is None else _version(row)

    def version(self, key: TemplateKey, version: int) -> TemplateVersion | None:
        row = self.connection.execute(select(message_templates).where(_of(key), m.version == version)).first()
        return None if row is None else _version(row)

    def all_latest(self) -> tuple[TemplateVersion, ...]:
        newest = (select(m.template_id, m.channel, m.jurisdiction, func.max(m.version).label("version"))
                  .group_by(m.template_id, m.channel, m.jurisdiction).subquery())
        rows = self.connection.execute(select(message_templates).join(newest, and_(
            m.template_id == newest.c.template_id, m.channel == newest.c.channel,
            m.jurisdiction == newest.c.jurisdiction, m.version == newest.c.version)))
        return tuple(_version(row) for row in rows)

    def add(self, version: TemplateVersion) -> None:
        template = version.template
        self.connection.execute(message_templates.insert().values(
            **{name: getattr(template, name) for name in _CONTENT}, version=version.version,
            digest=template.digest, saved_at=version.saved_at.astimezone(UTC), saved_by=version.saved_by,
            source=version.source))


class SqlTemplatesUnitOfWork:
    """One transaction on ``engine``: ``commit`` commits it, leaving without commit rolls it back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None

    @property
    def templates(self) -> SqlTemplateStore:
        if self._connection is None:
            raise RuntimeError("use the unit of work in a with block")
        return SqlTemplateStore(self._connection)

    def __enter__(self) -> Self:
        self._connection = self.engine.connect()
        self._connection.begin()
        return self

    def __exit__(self, *args: object) -> None:
        assert self._connection is not None
        self._connection.rollback()
        self._connection.close()
        self._connection = None

    def commit(self) -> None:
        assert self._connection is not None
        self._connection.commit()
