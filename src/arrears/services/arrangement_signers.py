"""Who approves an arrangement booked from an operator's command (the CLI), where nobody signs
in: the approver must be an active workbench user, whose authority is that of their workbench
role (``approvals.authority_of``, as on the API) and whose agency, if any, holds the account;
a command naming no approver acts with the least authority. No command can claim a role."""

from __future__ import annotations

from sqlalchemy import Engine, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.workbench_tables import users
from arrears.domain.arrangements.approvals import LEAST_AUTHORITY
from arrears.domain.arrangements.decisions import Decision
from arrears.services.approval_kinds import Signer
from arrears.services.arrangements import ArrangementRefused, NotFound
from arrears.services.workbench.auth import principal_from_row


def named_approver(engine: Engine, actor: str, approved_by: str, account_id: str) -> Signer:
    """The signer of a booking by ``actor`` approved by the workbench user ``approved_by``
    (blank: the actor alone, with the least authority)."""
    if not approved_by:
        return Signer(actor, LEAST_AUTHORITY)
    with engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.username == approved_by, users.c.active.is_(True))).first()
        if row is None:
            raise NotFound(f"no active workbench user {approved_by} 没有该启用的工作台用户")
        user = principal_from_row(row)
        a = t.accounts.c
        placed = user.scope.restrict(select(a.account_id).where(a.account_id == account_id), a.account_id)
        if user.is_agency_user and connection.execute(placed).first() is None:
            raise ArrangementRefused(Decision(
                "ARR-APPROVAL-06", False, f"审批人 {approved_by} 所属机构不负责账户 {account_id}",
                f"the approver {approved_by} belongs to an agency that does not hold account {account_id}"))
    return Signer(user.username, user.arrangements_authority)
