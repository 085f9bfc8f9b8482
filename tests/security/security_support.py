"""Helpers of the security tests: a page login, an account's plaintext personal data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from workbench_support import CIPHER, PASSWORD

from arrears.adapters.storage import tables as t


def login(client: TestClient, username: str = "collector") -> str:
    """Log in through the form; the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text).group(1)  # type: ignore[union-attr]


@dataclass(frozen=True)
class Plain:
    account_id: str
    national_id: str
    birth_date: date
    address: str
    phones: tuple[str, ...]


def plaintext_of(engine: Engine, *, with_address: bool = True) -> Plain:
    """An in-house account whose customer has a resident ID, a birth date (and an address)."""
    a, c, p = t.accounts.c, t.customers.c, t.contact_points.c
    query = (select(a.account_id, c.customer_id, c.national_id_enc, c.birth_date, c.address_enc)
             .join(t.customers, c.customer_id == a.customer_id)
             .where(c.national_id_enc.is_not(None), c.birth_date.is_not(None),
                    a.agency_id.is_(None) | (a.agency_id == ""))
             .order_by(a.account_id))
    if with_address:
        query = query.where(c.address_enc.is_not(None))
    with engine.connect() as connection:
        row = connection.execute(query.limit(1)).one()
        phones = tuple(CIPHER.decrypt(v) for v in connection.execute(
            select(p.value_enc).where(p.customer_id == row.customer_id, p.kind.in_(("mobile", "home", "work")))
        ).scalars())
    return Plain(row.account_id, CIPHER.decrypt(row.national_id_enc), row.birth_date,
                 CIPHER.decrypt(row.address_enc) if row.address_enc else "", phones)
