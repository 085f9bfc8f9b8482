"""Workbench test support: a fake contact gate (quiet hours 08:00-21:00 Beijing time, 3 calls a
day per account), users of every role on a loaded portfolio, small helpers."""

from __future__ import annotations

import shutil
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, select, update

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.database import make_engine
from arrears.bootstrap import ingest_uow, nightly_ports
from arrears.domain.access import Role
from arrears.domain.aging import DEFAULT_LADDER
from arrears.services.contact_gate_port import ContactRequest, GateVerdict
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.nightly.job import RunNightly, run_nightly
from arrears.services.portfolio_files import read_portfolio
from arrears.services.scoring_run import scorecard_fallback
from arrears.services.workbench.auth import NewUser, create_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF_NOON = datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI)
PASSWORD = "correct-horse-battery"
CIPHER = FieldCipher(b"k" * 32, b"h" * 32)
QUIET = "test.quiet_hours"
CAP = "test.daily_call_cap"


@dataclass
class FakeGate:
    """Implements the ContactGate protocol: quiet hours for calls, a daily cap per account."""

    cap: int = 3
    ledger: dict[str, ContactRequest] = field(default_factory=dict)
    outcomes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    previews: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _verdict(self, request: ContactRequest, language: str) -> GateVerdict:
        local = request.at.astimezone(SHANGHAI)
        if request.channel in ("call", "voicemail", "sms", "visit") and not 8 <= local.hour < 21:
            reason = ("quiet hours: no calls or messages before 08:00 or after 21:00 debtor time" if language == "en"
                      else "免打扰时段：债务人当地时间 21:00 至次日 08:00 不得联系")
            return GateVerdict("deny", (QUIET,), (reason,), pack_versions=("test-pack-1",))
        calls = sum(1 for r in self.ledger.values() if r.account_id == request.account_id and r.channel == "call"
                    and r.at.astimezone(SHANGHAI).date() == local.date())
        if request.channel == "call" and calls >= self.cap:
            reason = f"daily cap of {self.cap} calls reached" if language == "en" else f"当日拨打已达上限 {self.cap} 次"
            return GateVerdict("deny", (CAP,), (reason,), pack_versions=("test-pack-1",))
        return GateVerdict("allow", pack_versions=("test-pack-1",))

    def preview(self, request: ContactRequest, language: str = "zh") -> GateVerdict:
        self.previews += 1
        return self._verdict(request, language)

    def reserve(self, request: ContactRequest, language: str = "zh", *,
                connection: Connection | None = None) -> GateVerdict:  # noqa: ARG002 (keyword of the protocol)
        with self._lock:
            verdict = self._verdict(request, language)
            if not verdict.allowed:
                return verdict
            attempt_id = f"att-{uuid.uuid4().hex[:12]}"
            self.ledger[attempt_id] = request
            return GateVerdict("allow", pack_versions=verdict.pack_versions, attempt_id=attempt_id)

    def record_outcome(self, attempt_id: str, outcome: str, party: str | None = None, _language: str = "zh", *,
                       connection: Connection | None = None) -> GateVerdict:  # noqa: ARG002 (keyword of the protocol)
        if attempt_id not in self.ledger:
            from arrears.services.contact_gate_port import AttemptUnknown

            raise AttemptUnknown(attempt_id)
        self.outcomes[attempt_id] = (outcome, party)
        return GateVerdict("allow", pack_versions=("test-pack-1",), attempt_id=attempt_id)


def _agents(engine: Engine) -> dict[str, list[tuple[str, str | None]]]:
    a = t.agents.c
    found: dict[str, list[tuple[str, str | None]]] = {"trained": [], "lapsed": []}
    with engine.connect() as connection:
        for agent_id, agency, until in connection.execute(select(a.agent_id, a.agency_id, a.training_valid_until)
                                                          .order_by(a.agent_id)):
            found["trained" if until >= AS_OF_NOON.date() else "lapsed"].append((agent_id, agency or None))
    return found


def _trained(agents: dict[str, list[tuple[str, str | None]]], agency: str | None, skip: int = 0) -> str:
    return [a for a, g in agents["trained"] if g == agency][skip]


def _users(engine: Engine) -> None:
    agents = _agents(engine)
    lapsed = next(a for a, g in agents["lapsed"] if g is None)
    people = [
        NewUser("collector", PASSWORD, Role.COLLECTOR, "王催收", agent_id=_trained(agents, None)),
        NewUser("collector2", PASSWORD, Role.COLLECTOR, "李催收", agent_id=_trained(agents, None, 1)),
        NewUser("lapsed", PASSWORD, Role.COLLECTOR, "过期", agent_id=lapsed),
        NewUser("agency1", PASSWORD, Role.COLLECTOR, "华信一号", agency_id="AG01", agent_id=_trained(agents, "AG01")),
        NewUser("agency2", PASSWORD, Role.COLLECTOR, "诚和一号", agency_id="AG02", agent_id=_trained(agents, "AG02")),
        NewUser("lead", PASSWORD, Role.TEAM_LEAD, "组长", agent_id=_trained(agents, None, 2)),
        NewUser("agency1_lead", PASSWORD, Role.TEAM_LEAD, "华信组长", agency_id="AG01",
                agent_id=_trained(agents, "AG01")),
        NewUser("strategist", PASSWORD, Role.STRATEGY_MANAGER),
        NewUser("compliance", PASSWORD, Role.COMPLIANCE_OFFICER),
        NewUser("auditor", PASSWORD, Role.AUDITOR),
        NewUser("admin", PASSWORD, Role.ADMIN),
    ]
    for person in people:
        create_user(engine, person, AS_OF_NOON)


def loaded_engine(workbench_template: Path, folder: Path) -> Engine:
    target = folder / "workbench.db"
    shutil.copyfile(workbench_template, target)
    return make_engine(f"sqlite:///{target}")


def load_into(engine: Engine, small_demo: Path) -> None:
    """Fill a fresh engine (e.g. PostgreSQL) the same way as the template."""
    ingest_portfolio(ingest_uow(engine, CIPHER), IngestPortfolio(read_portfolio(small_demo, AS_OF_NOON.date()),
                                                               AS_OF_NOON.date(), AS_OF_NOON))
    run_nightly(nightly_ports(engine), RunNightly(AS_OF_NOON.date(), AS_OF_NOON, DEFAULT_LADDER, scorecard_fallback()))
    _users(engine)


def bearer(client: TestClient, username: str) -> dict[str, str]:
    reply = client.post("/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def account_of_agency(engine: Engine, agency_id: str | None) -> str:
    a = t.accounts.c
    where = a.agency_id == agency_id if agency_id else (a.agency_id.is_(None) | (a.agency_id == ""))
    with engine.connect() as connection:
        return connection.execute(select(a.account_id).where(where).order_by(a.account_id).limit(1)).scalar_one()


def end_mandate(engine: Engine, agency_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(update(t.agencies).where(t.agencies.c.agency_id == agency_id)
                           .values(authorized_until=date(2026, 11, 1)))
