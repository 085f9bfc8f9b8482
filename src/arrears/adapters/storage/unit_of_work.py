"""The one SQL unit of work every capability's adapter builds on: one connection and one
transaction per ``with`` block. ``commit`` commits (and starts a fresh transaction for anything
after it); leaving the block rolls back what was not committed and returns the connection.
A subclass binds its repositories to the connection in ``_bind``."""

from __future__ import annotations

from typing import Self

from sqlalchemy import Connection, Engine


class SqlUnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def _bind(self, connection: Connection) -> None:
        """Bind the repositories to ``connection`` (the subclass's)."""

    def __enter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already open")
        self._connection = self._engine.connect()
        self._connection.begin()
        self._bind(self._connection)
        return self

    def __exit__(self, *args: object) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.rollback()
        finally:
            connection.close()

    def _open(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("use the unit of work in a `with` block")
        return self._connection

    def commit(self) -> None:
        self._open().commit()
        self._open().begin()

    def rollback(self) -> None:
        self._open().rollback()
        self._open().begin()
