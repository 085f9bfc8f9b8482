"""Outreach test support: the loaded world, the plan it writes, the gateway stand-in, the CLI."""


from __future__ import annotations

import base64
import csv
import json
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.domain.outreach import PlannedMessage
from arrears.settings import get_settings

HERE = Path(__file__).parent
STANDIN = HERE / "sms_gateway_standin.py"
AS_OF = datetime.fromisoformat("2026-11-29T12:00:00+00:00")
DAY = "2026-11-30"
CIPHER = FieldCipher(b"k" * 32, b"h" * 32)
CALLBACK_TOKEN = "callback-token-for-tests-0123456789"
PLAN_COLUMNS = ["account_id", "customer_id", "channel", "contact_point_id", "scheduled_at", "template", "offer",
                "reason"]


def key_text(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


@dataclass
class World:
    engine: Engine
    url: str
    tmp: Path
    mobiles: list[dict[str, str]]  # plain CN accounts with a valid debtor mobile: account, customer, point, number
    emails: list[dict[str, str]]

    def plan(self, rows: list[PlannedMessage], name: str = "plan.csv") -> Path:
        path = self.tmp / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(PLAN_COLUMNS)
            for m in rows:
                writer.writerow([m.account_id, m.customer_id, m.channel, m.contact_point_id,
                                 m.scheduled_at.isoformat(), m.template, m.offer, "test"])
        return path

    def sms(self, n: int, at: str = f"{DAY}T10:00:00+08:00", template: str = "reminder_due") -> list[PlannedMessage]:
        return [PlannedMessage(r["account"], r["customer"], "sms", r["point"], datetime.fromisoformat(at), template,
                               "none") for r in self.mobiles[:n]]

    def email(self, n: int, at: str = f"{DAY}T10:00:00+08:00") -> list[PlannedMessage]:
        return [PlannedMessage(r["account"], r["customer"], "email", r["point"], datetime.fromisoformat(at),
                               "offer_installment", "installment") for r in self.emails[:n]]


def plain_points(engine: Engine, kind: str) -> list[dict[str, str]]:
    a, c, p = t.accounts.c, t.customers.c, t.contact_points.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(a.account_id, a.customer_id, p.contact_point_id, p.value_enc)
            .join(t.customers, c.customer_id == a.customer_id)
            .join(t.contact_points, p.customer_id == a.customer_id)
            .where(c.timezone == "Asia/Shanghai", c.jurisdiction.like("CN%"), (a.flags.is_(None)) | (a.flags == ""),
                   a.agency_id.is_(None), p.kind == kind, p.owner == "debtor", p.status != "invalid",
                   p.do_not_contact.is_(False), a.status == "open")
            .order_by(a.account_id, p.contact_point_id)).all()
    seen: set[str] = set()
    picked = []
    for row in rows:
        if row.customer_id in seen:
            continue
        seen.add(row.customer_id)
        picked.append({"account": row.account_id, "customer": row.customer_id, "point": row.contact_point_id,
                       "number": CIPHER.decrypt(row.value_enc)})
    return picked


@dataclass
class Gateway:
    url: str
    record: Path
    process: subprocess.Popen[str]

    def received(self) -> list[dict[str, Any]]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text(encoding="utf-8").splitlines() if line]


def arrears(*args: str) -> Any:
    """`arrears ...` in this process (the settings are read anew)."""
    from arrears.entrypoints.cli.main import app

    get_settings.cache_clear()
    return CliRunner().invoke(app, list(args))


def dispatched(plan: Path, now: str, *more: str) -> dict[str, int]:
    result = arrears("dispatch", "--plan", str(plan), "--now", now, "--json", *more)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def outbox_of(engine: Engine) -> list[tuple[Any, ...]]:
    """Every outbox row's id, delivery and reason: what a failed count's message says went wrong."""
    from arrears.adapters.storage.outreach_tables import outbox_messages

    o = outbox_messages.c
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(o.message_id, o.delivery, o.reason)).all()]


BEARER = {"Authorization": f"Bearer {CALLBACK_TOKEN}"}
