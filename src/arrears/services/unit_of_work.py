"""The unit of work every capability's port extends: one business transaction per ``with``
block; ``commit`` commits it, and leaving the block rolls back what was not committed."""

from __future__ import annotations

from typing import Protocol, Self


class UnitOfWork(Protocol):
    def __enter__(self) -> Self: ...
    def __exit__(self, *args: object) -> None: ...
    def commit(self) -> None: ...
