"""Security regression tests: a loaded portfolio on real SQLite and PostgreSQL, the /v1 API,
and many collectors at once (real threads; see security_support)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workbench"))  # workbench_support

from workbench_support import load_into


@pytest.fixture
def portfolio(engine: Engine, small_demo: Path) -> Engine:
    """The demo portfolio loaded and aged, with a user of every role (workbench_support)."""
    load_into(engine, small_demo)
    return engine
