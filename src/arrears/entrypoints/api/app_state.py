"""What a running app keeps in ``app.state`` (its Workbench, the customer page's Portal): the one a
test or ``serve`` set, else one built from the process's settings the first time it is needed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from fastapi import FastAPI

T = TypeVar("T")
_lock = threading.RLock()


def kept(app: FastAPI, name: str, build: Callable[[], T]) -> T:
    """``app.state.<name>``; when none is set, ``build`` makes it, once however many requests ask
    at the same time."""
    found = getattr(app.state, name, None)
    if found is not None:
        return found
    with _lock:
        if getattr(app.state, name, None) is None:
            setattr(app.state, name, build())
    return getattr(app.state, name)
