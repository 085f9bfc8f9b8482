"""Shared FastAPI dependencies: the configured engine and the clock (tests override both)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from arrears.entrypoints.api.workbench.state import workbench_of


def get_engine(request: Request) -> Engine:
    """The app's one engine: the workbench's, built from the process's container (tests override this)."""
    return workbench_of(request.app).engine


def get_now() -> datetime:
    return datetime.now(UTC)


EngineDep = Annotated[Engine, Depends(get_engine)]
Now = Annotated[datetime, Depends(get_now)]
