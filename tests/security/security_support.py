"""Helpers of the security tests: many collectors at once, each with a user and token of their
own, the /v1 API on a workbench, statuses counted; a page login, an account's plaintext personal data."""

from __future__ import annotations

import asyncio
import re
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from threading import Barrier
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from workbench_support import AS_OF_NOON, CIPHER, PASSWORD

from arrears.adapters.storage import tables as t
from arrears.domain.access import Role
from arrears.services.workbench.auth import NewUser, authenticate, create_user, issue_token
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal

T = TypeVar("T")
MIB = 1024 * 1024
CHUNK = 64 * 1024
R = TypeVar("R")


def collectors(wb: Workbench, n: int, prefix: str = "c") -> list[dict[str, str]]:
    """`n` in-house collectors (trained, as the demo's "collector"), each with their own API token,
    as Bearer headers."""
    model = authenticate(wb, "collector", PASSWORD)
    headers = []
    for i in range(n):
        username = f"{prefix}{i:02d}"
        user_id = create_user(wb.engine, NewUser(username, PASSWORD, Role.COLLECTOR, agent_id=model.agent_id),
                              AS_OF_NOON)
        principal = Principal(user_id, username, username, Role.COLLECTOR, None, model.agent_id, "zh")
        token, _ = issue_token(wb, principal)
        headers.append({"Authorization": f"Bearer {token}"})
    return headers


@contextmanager
def api(wb: Workbench) -> Iterator[TestClient]:
    """The app on this workbench; a server error comes back as a 500, never raised here."""
    from arrears.entrypoints.api.app import create_app
    from arrears.entrypoints.api.workbench import configure_workbench

    app = create_app()
    configure_workbench(app, wb)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def at_once(work: Callable[[T], R], each: list[T]) -> list[R]:
    """`work` for every item on its own thread, all released at the same moment."""
    start = Barrier(len(each))

    def run(item: T) -> R:
        start.wait()
        return work(item)

    with ThreadPoolExecutor(len(each)) as pool:
        return list(pool.map(run, each))


def statuses(replies: list[Any]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for reply in replies:
        counts[reply.status_code] = counts.get(reply.status_code, 0) + 1
    return counts


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


# ---------------------------------------------------------------- bodies streamed to the ASGI app
def drive(app: Any, path: str, chunks: Iterator[bytes], headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """One request straight through the ASGI app, its body streamed chunk by chunk; what was
    answered, how much of the body the app pulled, and the peak memory Python allocated."""
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "state": {}}
    tracemalloc.start()
    try:
        asyncio.run(app(scope, receive, send))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return {"status": start["status"], "headers": dict(start["headers"]), "body": body, "pulled": pulled,
            "peak": peak}


def endless(total: int) -> Iterator[bytes]:
    chunk = b"[" * CHUNK  # one object, sent again and again: the client holds no more than a chunk
    for _ in range(total // CHUNK):
        yield chunk
