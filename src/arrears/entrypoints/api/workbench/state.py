"""Where the running app keeps its Workbench; built lazily from settings unless a test set one."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import Connection

from arrears.entrypoints.api.app_state import kept
from arrears.services.contact_gate_port import AttemptUnknown, ContactGate, ContactRequest, GateVerdict
from arrears.services.workbench.context import Workbench


class UnconfiguredGate:
    """Until the database-backed gate is wired in, every contact is refused, with the reason."""

    _verdict = GateVerdict(
        "deny", ("workbench.gate_not_configured",),
        ("合规闸门未配置，任何联系都不能进行 / the compliance gate is not configured; no contact may be made",),
    )

    # The ContactGate protocol's signatures; a gate that is not configured reads none of them.
    def preview(self, _request: ContactRequest, _language: str = "zh") -> GateVerdict:
        return self._verdict

    def reserve(self, _request: ContactRequest, _language: str = "zh", *,
                connection: Connection | None = None) -> GateVerdict:  # noqa: ARG002 (keyword of the protocol)
        return self._verdict

    def record_outcome(self, _attempt_id: str, _outcome: str, _party: str | None = None, _language: str = "zh", *,
                       connection: Connection | None = None) -> GateVerdict:  # noqa: ARG002 (keyword of the protocol)
        raise AttemptUnknown("no attempt can exist without a configured gate")


def default_gate(container: Any) -> ContactGate:
    """The database-backed compliance gate on the container's engine."""
    from arrears.services.contact_gate import SqlContactGate

    return SqlContactGate(container.engine, cipher=container.cipher)


def configure_workbench(app: FastAPI, workbench: Workbench) -> None:
    app.state.workbench = workbench


def _process_workbench() -> Workbench:
    """The Workbench on the process's container (its settings, engine, cipher and gate)."""
    from arrears.bootstrap import container as process_container

    container = process_container()
    return Workbench(
        engine=container.engine, cipher=container.cipher, gate=default_gate(container),
        timezone=container.settings.timezone, session_secret=container.settings.session_secret(),
        secure_cookies=container.settings.is_production,
    )


def workbench_of(app: FastAPI) -> Workbench:
    return kept(app, "workbench", _process_workbench)


def get_workbench(request: Request) -> Workbench:
    return workbench_of(request.app)
