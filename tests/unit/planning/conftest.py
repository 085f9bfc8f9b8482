"""A small generated portfolio shared by the planning tests (written once per session)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from arrears.planning.frames import Portfolio
from arrears.services.demo_generator import DemoSize, generate
from arrears.services.plan_files import read_capacity, read_portfolio_for_planning

AS_OF = date(2026, 11, 29)


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plan_demo")
    generate(folder, AS_OF, DemoSize(customers=1200, seed=7))
    (folder / "capacity.csv").write_text(
        "channel,hour,max_attempts\n" + "".join(f"call,{h},25\n" for h in range(8, 21))
        + "sms,*,150\nemail,*,60\nletter,*,10\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def portfolio(demo_folder: Path) -> Portfolio:
    return read_portfolio_for_planning(demo_folder, AS_OF)


@pytest.fixture(scope="session")
def capacity(demo_folder: Path):
    return read_capacity(None, demo_folder)
