"""The /v1 OpenAPI document: stable operation ids and the links between operations.

An operation's id is its route function's name (``create_user``, ``agree_plan``,
``reserve_attempt``), unique across the API and unchanged by a new path or tag; clients and the
stateful tests name operations by it. ``LINKS`` says which answer leads to which next call (OpenAPI
``links``): a created user can be changed or disabled, a pending approval approved, rejected or
withdrawn, a reserved attempt recorded as a contact, a posted payment reversed. Schemathesis
follows them in ``tests/security/test_api_stateful.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute


def operation_id(route: APIRoute) -> str:
    """The route function's name: stable, readable, and unique (``with_links`` refuses a repeat)."""
    return route.name


@dataclass(frozen=True)
class Link:
    """From an answer (``source`` operation, ``status``) to the next call (``target``), each target
    parameter taken from a runtime expression such as ``$response.body#/approval_id``."""

    source: str
    status: str
    target: str
    parameters: dict[str, str] = field(default_factory=dict)
    description: str = ""


ACCOUNT = {"account_id": "$request.path.account_id"}
APPROVAL = {"approval_id": "$response.body#/approval_id"}
LINKS: tuple[Link, ...] = (
    # people and systems
    Link("create_user", "201", "change_user", {"username": "$response.body#/username"},
         "change, disable or reset the user just created"),
    Link("issue_service_token", "201", "revoke_service_token", {"token_id": "$response.body#/token_id"},
         "revoke the token just issued"),
    # arrangements: booked, or waiting for a second user
    Link("agree_plan", "201", "get_plan", {"plan_id": "$response.body#/plan_id"}, "the plan just agreed"),
    Link("agree_plan", "201", "list_arrangements", ACCOUNT, "the account's arrangements"),
    Link("offer_settlement", "201", "accept_settlement", {"settlement_id": "$response.body#/settlement_id"},
         "the debtor accepts the offer"),
    Link("record_promise", "201", "promise_history", ACCOUNT, "whether the promise was kept"),
    Link("post_payment", "201", "reverse_payment", {"payment_id": "$request.body#/payment_id"},
         "reverse the payment just posted"),
    Link("post_payment", "200", "reverse_payment", {"payment_id": "$request.body#/payment_id"},
         "reverse the payment posted before"),
    *(Link(source, "202", target, APPROVAL, f"{target.split('_')[0]} the pending request")
      for source in ("agree_plan", "offer_settlement", "request_extension")
      for target in ("get_approval", "approve", "reject", "withdraw")),
    # the workbench: the queue, contacts, follow-ups
    Link("next_account", "200", "account_detail", {"account_id": "$response.body#/account_id"},
         "the account handed out"),
    Link("next_account", "200", "reserve_attempt", {"account_id": "$response.body#/account_id"},
         "reserve a contact attempt on it"),
    Link("next_account", "200", "release_account", {"account_id": "$response.body#/account_id"},
         "give it back to the queue"),
    Link("next_account", "200", "skip_account", {"account_id": "$response.body#/account_id"},
         "skip it with a reason (it rests)"),
    *(Link("next_account", "200", target, {"account_id": "$response.body#/account_id"}, what)
      for target, what in (("compliance_now", "may it be contacted now"), ("message_previews", "what a message says"),
                           ("add_follow_up", "a callback on it"), ("agree_plan", "a plan for it"),
                           ("offer_settlement", "a settlement for it"), ("record_promise", "a promise on it"))),
    Link("list_accounts", "200", "account_detail", {"account_id": "$response.body#/items/0/account_id"},
         "the first account listed"),
    Link("reserve_attempt", "201", "log_contact", ACCOUNT, "record the outcome of the attempt reserved"),
    Link("add_follow_up", "201", "complete_follow_up", {"follow_up_id": "$response.body#/follow_up_id"},
         "close the follow-up just added"),
)
# What a link also puts in the next call's body: a contact recorded for a reserved attempt names it, a
# user just created is disabled, a reversal says why.
LINK_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("create_user", "change_user"): {"active": False},
    ("next_account", "skip_account"): {"reason": "customer_busy"},
    ("post_payment", "reverse_payment"): {"reason": "posted in error 误入账"},
    ("reserve_attempt", "log_contact"): {"attempt_id": "$response.body#/attempt_id", "outcome": "no_answer",
                                         "channel": "$request.body#/channel",
                                         "contact_point_id": "$request.body#/contact_point_id"},
}


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every APIRoute of the app, those of included routers too (they keep their own routes)."""

    def flat(routes: list[Any]) -> list[Any]:
        return [leaf for r in routes
                for leaf in (flat(r.original_router.routes) if hasattr(r, "original_router") else [r])]

    return [r for r in flat(list(app.routes)) if isinstance(r, APIRoute)]


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each operation by its id; two operations with one id (a renamed function) are refused."""
    found: dict[str, dict[str, Any]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if operation["operationId"] in found:
                raise ValueError(f"operation id {operation['operationId']!r} is used twice ({method} {path})")
            found[operation["operationId"]] = operation
    return found


def with_links(document: dict[str, Any]) -> dict[str, Any]:
    """The document with ``LINKS`` added to the answers they start from."""
    operations = _operations(document)
    for link in LINKS:
        if link.source not in operations or link.target not in operations:
            raise ValueError(f"a link names an unknown operation: {link.source} -> {link.target}")
        answer = operations[link.source]["responses"].setdefault(link.status, {"description": "see links"})
        definition: dict[str, Any] = {"operationId": link.target, "parameters": dict(link.parameters),
                                      "description": link.description}
        if (body := LINK_BODIES.get((link.source, link.target))) is not None:
            definition["requestBody"] = body
        answer.setdefault("links", {})[link.target] = definition
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the document with its links (built once, on the first request for it)."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_links(get_openapi(
                title=app.title, version=app.version, openapi_version=app.openapi_version, routes=app.routes))
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
