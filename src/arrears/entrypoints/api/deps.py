"""Shared FastAPI dependencies: the configured engine and the clock (tests override both)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from arrears.bootstrap import bootstrap


def get_engine(request: Request) -> Engine:
    """The configured engine, built by ``bootstrap()`` once per app (tests override this)."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        engine = bootstrap().engine
        request.app.state.engine = engine
    return engine


def get_now() -> datetime:
    return datetime.now(UTC)


EngineDep = Annotated[Engine, Depends(get_engine)]
Now = Annotated[datetime, Depends(get_now)]
