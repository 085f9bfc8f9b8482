"""The transaction of a unit of work, whatever its repositories: ``SqlUnitOfWork`` holds one of
its own, ``JoinedUnitOfWork`` works inside a caller's. A subclass binds its repositories to
the connection (``_bind``)."""

from __future__ import annotations

from typing import Self

from sqlalchemy import Connection, Engine


class _Bound:
    def _bind(self, connection: Connection) -> None:
        raise NotImplementedError


class SqlUnitOfWork(_Bound):
    """One transaction per ``with`` block. ``commit`` commits (and starts a fresh
    transaction for anything after it); leaving the block rolls back what was not committed
    and returns the connection."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

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


class JoinedUnitOfWork(_Bound):
    """Use cases inside a transaction another use case already holds: the repositories work on
    the caller's connection, ``commit`` leaves the commit to the caller, and leaving the block
    neither commits nor rolls back. An error raised in the block reaches the caller, whose
    transaction then rolls back everything, its own rows and these alike."""

    def __init__(self, connection: Connection) -> None:
        if not connection.in_transaction():
            raise RuntimeError("a joined unit of work needs the caller's open transaction")
        self._bind(connection)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def commit(self) -> None:
        """The caller's transaction commits (or rolls back) everything at once."""

    def rollback(self) -> None:
        raise RuntimeError("a joined unit of work cannot roll back alone: raise, and the caller's transaction "
                           "rolls back")
