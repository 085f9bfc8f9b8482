"""An arrangements desk for HTTP tests: the /v1 app on a real engine, two ingested accounts (A1
in house, A2 placed with agency AG01), workbench users of several roles, and real API tokens
(no principal override: who acts comes from the bearer token, as in production)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from arrears.adapters.clock import FixedClock
from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.domain.access import Role
from arrears.entrypoints.api import deps
from arrears.entrypoints.api.app import create_app
from arrears.entrypoints.api.workbench import configure_workbench
from arrears.entrypoints.api.workbench.state import UnconfiguredGate
from arrears.services.workbench.auth import NewUser, create_user, issue_token
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal
from ingested_rows import ingest_account

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "correct-horse-battery"

# username: (workbench role, agency)
PEOPLE: dict[str, tuple[Role, str | None]] = {
    "collector": (Role.COLLECTOR, None),
    "collector2": (Role.COLLECTOR, None),
    "lead": (Role.TEAM_LEAD, None),
    "strategist": (Role.STRATEGY_MANAGER, None),
    "admin": (Role.ADMIN, None),
    "auditor": (Role.AUDITOR, None),
    "agency1": (Role.COLLECTOR, "AG01"),
    "agency1_lead": (Role.TEAM_LEAD, "AG01"),
    "agency2_lead": (Role.TEAM_LEAD, "AG02"),
}


@dataclass
class Desk:
    client: TestClient
    engine: Engine
    headers: dict[str, dict[str, str]]

    def post(self, who: str, path: str, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post(path, json=body if body is not None else {}, headers=self.headers[who], **kwargs)

    def get(self, who: str, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.headers[who], **kwargs)


def open_desk(engine: Engine, cipher: FieldCipher) -> Desk:
    ingest_account(engine, "A1")  # in house: owes 12000.00, 1200.00 past due
    ingest_account(engine, "A2")  # placed with agency AG01
    with engine.begin() as connection:
        connection.execute(update(t.accounts).where(t.accounts.c.account_id == "A2").values(agency_id="AG01"))
    wb = Workbench(engine=engine, cipher=cipher, gate=UnconfiguredGate(), clock=FixedClock(NOW))
    headers = {}
    for username, (role, agency) in PEOPLE.items():
        user_id = create_user(engine, NewUser(username, PASSWORD, role, agency_id=agency), NOW)
        token, _ = issue_token(wb, Principal(user_id, username, username, role, agency, None))
        headers[username] = {"Authorization": f"Bearer {token}"}
    app = create_app()
    configure_workbench(app, wb)
    app.dependency_overrides[deps.get_engine] = lambda: engine
    app.dependency_overrides[deps.get_now] = lambda: NOW
    return Desk(TestClient(app), engine, headers)
