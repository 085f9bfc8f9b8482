"""Portal test support: a code sender that keeps what it sent, the page's app on a loaded
database, and helpers that walk the page as a customer would (through HTTP)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from workbench_support import CIPHER

from arrears.adapters.storage import tables as t

TOKEN = re.compile(r"/p/([A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22})")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE = re.compile(r"(\d{6})")


@dataclass
class SentCodes:
    """The CodeSender port, keeping each message (channel, to, text)."""

    sent: list[dict[str, str]] = field(default_factory=list)
    accept: bool = True

    def send(self, channel: str, to: str, text: str, message_id: str, subject: str) -> bool:
        self.sent.append({"channel": channel, "to": to, "text": text, "message_id": message_id, "subject": subject})
        return self.accept

    def last_code(self) -> str:
        found = CODE.search(self.sent[-1]["text"])
        assert found, self.sent[-1]
        return found[1]


def token_of(url: str) -> str:
    found = TOKEN.search(url)
    assert found, url
    return found[1]


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html[:500]
    return found[1]


def account_with_mobile(engine: Engine, skip: int = 0) -> dict[str, Any]:
    """A plain in-house CN account, open, past due, no flags, whose debtor has a valid mobile."""
    a, c, p = t.accounts.c, t.customers.c, t.contact_points.c
    with engine.connect() as connection:
        row = connection.execute(
            select(a.account_id, a.customer_id, a.balance_cents, a.past_due_cents, c.name_masked,
                   p.contact_point_id)
            .join(t.customers, c.customer_id == a.customer_id)
            .join(t.contact_points, p.customer_id == a.customer_id)
            .where(c.jurisdiction == "CN", a.agency_id.is_(None), a.flags == "", a.status == "open",
                   a.past_due_cents > 100000, p.kind == "mobile", p.owner == "debtor", p.status == "valid",
                   p.do_not_contact.is_(False))
            .order_by(a.account_id).offset(skip).limit(1)).mappings().one()
    return dict(row)


def ask_for_code(client: TestClient, token: str) -> Any:
    start = client.get(f"/p/{token}")
    assert start.status_code == 200, start.text
    return client.post(f"/p/{token}/code", data={"csrf_token": csrf_of(start.text)}, follow_redirects=False)


def verified(client: TestClient, token: str, sender: SentCodes) -> str:
    """Ask for a code, type it in: the session's CSRF token."""
    asked = ask_for_code(client, token)
    assert asked.status_code == 303, asked.text
    page = client.get(f"/p/{token}?sent=1")
    done = client.post(f"/p/{token}/verify", data={"code": sender.last_code(), "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    shown = client.get(f"/p/{token}")
    assert 'id="debt"' in shown.text, shown.text[:800]
    return csrf_of(shown.text)


def make_portal(engine: Engine, clock: Any, sender: object):  # type: ignore[no-untyped-def]
    from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
    from arrears.adapters.storage.portal_repository import JoinedPortalUnitOfWork, SqlPortalUnitOfWork
    from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
    from arrears.bootstrap import portal_link_key, portal_reads
    from arrears.services.portal.context import Portal

    return Portal(unit_of_work=lambda: SqlPortalUnitOfWork(engine, CIPHER),
                  arrangements=lambda: SqlArrangementsUnitOfWork(engine), portfolio=SqlPortfolioReader(engine),
                  sender=sender, link_key=portal_link_key(CIPHER), public_url="https://bank.example",  # type: ignore[arg-type]
                  institution="样本银行信用卡中心", clock=clock, reads=portal_reads(engine, CIPHER),
                  joined=lambda connection: JoinedPortalUnitOfWork(connection, CIPHER))


def make_app(engine: Engine, clock: Any, sender: object):  # type: ignore[no-untyped-def]
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.deps import get_engine
    from arrears.entrypoints.api.workbench import configure_workbench
    from arrears.entrypoints.web.portal_pages import configure_portal
    from arrears.services.contact_gate import SqlContactGate
    from arrears.services.workbench.context import Workbench

    app = create_app()
    configure_workbench(app, Workbench(engine=engine, cipher=CIPHER, gate=SqlContactGate(engine), clock=clock))
    portal = make_portal(engine, clock, sender)
    configure_portal(app, portal)
    app.dependency_overrides[get_engine] = lambda: engine
    return app, portal
