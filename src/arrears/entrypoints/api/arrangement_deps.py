"""Who may use the /v1 arrangements and approvals API, on which accounts, and as whom.

Every endpoint needs an API token. Who acts, and the arrangements authority they carry, is the
signed-in user (``SignerDep``: the username and ``approvals.authority_of`` their workbench
role), never a field of the body. An agency user reaches only what concerns accounts placed
with their agency: an endpoint addressed by an account, plan, payment, settlement or approval
id is checked against the account it belongs to (unknown and out-of-scope ids answer the same
404); the only endpoints addressed by none are the quote and the approvals list (filtered by
scope)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import Engine, Table, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_tables import (
    approval_requests,
    installment_plans,
    ledger_payments,
    settlements,
)
from arrears.domain.access import Permission
from arrears.entrypoints.api.deps import EngineDep
from arrears.entrypoints.api.workbench.deps import PrincipalDep
from arrears.services import arrangement_approvals as approvals
from arrears.services import arrangements as svc
from arrears.services.approval_kinds import Signer
from arrears.services.workbench.principal import Principal

# The path parameters that address something on an account, and where its account is found.
ADDRESSED: dict[str, Table] = {
    "account_id": t.accounts,
    "plan_id": installment_plans,
    "payment_id": ledger_payments,
    "settlement_id": settlements,
    "approval_id": approval_requests,
}
UNADDRESSED = frozenset({"/v1/arrangements/quote", "/v1/approvals"})


def refusal(code: int, zh: str, en: str) -> HTTPException:
    return HTTPException(code, detail={"message_zh": zh, "message_en": en})


def _in_scope(request: Request, principal: Principal, engine: Engine) -> bool:
    for name, table in ADDRESSED.items():
        value = request.path_params.get(name)
        if value is not None:
            key = table.c[name]
            query = principal.scope.restrict(select(table.c.account_id).where(key == value), table.c.account_id)
            with engine.connect() as connection:
                return connection.execute(query).first() is not None
    return request.url.path in UNADDRESSED


def _require(principal: Principal, permission: Permission) -> None:
    if not principal.may(permission):
        raise refusal(403, f"角色 {principal.role.value} 无权执行此操作",
                      f"the role {principal.role.value} may not do this")


def _within_scope(request: Request, principal: Principal, engine: Engine) -> None:
    if principal.is_agency_user and not _in_scope(request, principal, engine):
        raise refusal(404, "没有这个账户，或不在您的机构名下", "no such account for your agency")


def authorised(request: Request, principal: PrincipalDep, engine: EngineDep) -> Principal:
    """Arrangements: reading needs VIEW_ACCOUNTS, changing needs LOG_CONTACT; agency scope."""
    _require(principal, Permission.VIEW_ACCOUNTS if request.method == "GET" else Permission.LOG_CONTACT)
    _within_scope(request, principal, engine)
    return principal


def approver(request: Request, principal: PrincipalDep, engine: EngineDep) -> Principal:
    """Approvals: VIEW_ACCOUNTS and an arrangements authority (a strategy manager decides
    without logging contacts); agency scope."""
    _require(principal, Permission.VIEW_ACCOUNTS)
    if principal.arrangements_authority is None:
        raise refusal(403, f"角色 {principal.role.value} 没有还款安排审批权限",
                      f"the role {principal.role.value} has no arrangements authority")
    _within_scope(request, principal, engine)
    return principal


def signer(principal: PrincipalDep) -> Signer:
    return Signer(principal.username, principal.arrangements_authority)


SignerDep = Annotated[Signer, Depends(signer)]


def visible_accounts(engine: Engine, principal: Principal) -> Callable[[Collection[str]], Collection[str]]:
    """Of the given account ids, those in the principal's scope (all of them in house)."""

    def visible(account_ids: Collection[str]) -> Collection[str]:
        if not principal.is_agency_user:
            return account_ids
        a = t.accounts.c
        query = principal.scope.restrict(select(a.account_id).where(a.account_id.in_(list(account_ids))), a.account_id)
        with engine.connect() as connection:
            return set(connection.execute(query).scalars())

    return visible


@contextmanager
def answers() -> Iterator[None]:
    """Refusals by a rule 422 (with the decision), unknown ids 404, approval steps the user may
    not take 403, an approval already decided 409, input the domain rejects 400."""
    try:
        yield
    except svc.ArrangementRefused as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=exc.decision.as_dict()) from exc
    except svc.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except approvals.ApprovalConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=exc.decision.as_dict()) from exc
    except approvals.ApprovalForbidden as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=exc.decision.as_dict()) from exc
    except ValueError as exc:  # the domain's input errors (schedule, fees, payments, states)
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from exc
