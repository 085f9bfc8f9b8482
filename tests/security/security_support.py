"""Helpers of the security tests: many collectors at once, each with a user and token of their
own, the /v1 API on a workbench, statuses counted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from threading import Barrier
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from workbench_support import AS_OF_NOON, PASSWORD

from arrears.domain.access import Role
from arrears.services.workbench.auth import NewUser, authenticate, create_user, issue_token
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal

T = TypeVar("T")
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
