"""Template versions in memory (the ``TemplatesUnitOfWork`` port), for fast tests."""

from __future__ import annotations

from typing import Self

from arrears.domain.message_templates import TemplateKey, TemplateVersion


class MemoryTemplateStore:
    def __init__(self) -> None:
        self.versions: dict[TemplateKey, list[TemplateVersion]] = {}

    def latest(self, key: TemplateKey) -> TemplateVersion | None:
        found = self.versions.get(key)
        return found[-1] if found else None

    def version(self, key: TemplateKey, version: int) -> TemplateVersion | None:
        return next((v for v in self.versions.get(key, []) if v.version == version), None)

    def all_latest(self) -> tuple[TemplateVersion, ...]:
        return tuple(found[-1] for found in self.versions.values() if found)

    def add(self, version: TemplateVersion) -> None:
        held = self.versions.setdefault(version.template.key, [])
        if any(v.version == version.version for v in held):
            raise ValueError(f"{version.label} exists")
        held.append(version)


class MemoryTemplatesUnitOfWork:
    """Commits by keeping what was added; leaving without commit forgets it."""

    def __init__(self) -> None:
        self.committed = MemoryTemplateStore()
        self._pending: MemoryTemplateStore | None = None

    @property
    def templates(self) -> MemoryTemplateStore:
        assert self._pending is not None, "use the unit of work in a with block"
        return self._pending

    def __enter__(self) -> Self:
        self._pending = MemoryTemplateStore()
        self._pending.versions = {k: list(v) for k, v in self.committed.versions.items()}
        return self

    def __exit__(self, *args: object) -> None:
        self._pending = None

    def commit(self) -> None:
        assert self._pending is not None
        self.committed.versions = {k: list(v) for k, v in self._pending.versions.items()}
