"""The account-level side of the arrangements: everything arranged on an account, and who may
act on which account.

Agency tenancy is the workbench's ``AccountScope``: an agency user reaches only what concerns
accounts placed with their agency. Something addressed by its id (a plan, a payment, a
settlement, an approval request) is in scope when its account is. An operator's command (the
CLI), where nobody signs in, books with the authority of a named workbench approver."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import Engine, Table, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_tables import (
    approval_requests,
    installment_plans,
    ledger_payments,
    settlements,
)
from arrears.adapters.storage.workbench_tables import users
from arrears.domain.arrangements.approvals import LEAST_AUTHORITY
from arrears.domain.arrangements.counselling import Referral
from arrears.domain.arrangements.extensions import Extension
from arrears.domain.arrangements.hardship import HardshipProgramme
from arrears.domain.arrangements.payments import Balances, PostedPayment
from arrears.domain.arrangements.plans import InstallmentPlan
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.arrangements.settlements import Settlement
from arrears.services.arrangements.common import NotFound, Signer, refusal
from arrears.services.arrangements.ports import ArrangementsUnitOfWork
from arrears.services.workbench.auth import principal_from_row
from arrears.services.workbench.principal import Principal


@dataclass(frozen=True, slots=True)
class AccountArrangements:
    account_id: str
    balances: Balances | None  # None until the ledger is opened
    promises: tuple[PromiseToPay, ...]
    plans: tuple[InstallmentPlan, ...]
    settlements: tuple[Settlement, ...]
    extensions: tuple[Extension, ...]
    hardship: tuple[HardshipProgramme, ...]
    referrals: tuple[Referral, ...]
    posted: tuple[PostedPayment, ...] = ()  # the ledger's payments, oldest first


def account_arrangements(uow: ArrangementsUnitOfWork, account_id: str) -> AccountArrangements:
    with uow:
        ledger = uow.ledgers.get(account_id)
        return AccountArrangements(
            account_id,
            ledger.balances() if ledger else None,
            uow.promises.for_account(account_id),
            uow.plans.for_account(account_id),
            uow.settlements.for_account(account_id),
            uow.extensions.for_account(account_id),
            uow.hardship.for_account(account_id),
            uow.referrals.for_account(account_id),
            ledger.entries if ledger else (),
        )


# The ids that address something on an account, and the table where its account is found.
ADDRESSED: dict[str, Table] = {
    "account_id": t.accounts,
    "plan_id": installment_plans,
    "payment_id": ledger_payments,
    "settlement_id": settlements,
    "approval_id": approval_requests,
}


def in_scope(engine: Engine, principal: Principal, name: str, value: str) -> bool:
    """Whether the thing addressed by ``name`` = ``value`` (see ``ADDRESSED``) exists on an
    account in the principal's scope."""
    table = ADDRESSED[name]
    query = principal.scope.restrict(select(table.c.account_id).where(table.c[name] == value), table.c.account_id)
    with engine.connect() as connection:
        return connection.execute(query).first() is not None


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


def named_approver(engine: Engine, actor: str, approved_by: str, account_id: str) -> Signer:
    """Who signs a booking by ``actor`` (an operator's command) approved by the active workbench
    user ``approved_by``: that user, with the authority of their workbench role
    (``approvals.authority_of``, as on the API), if their agency, if any, holds the account;
    blank: the actor alone, with the least authority. No command can claim a role."""
    if not approved_by:
        return Signer(actor, LEAST_AUTHORITY)
    with engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.username == approved_by, users.c.active.is_(True))).first()
    if row is None:
        raise NotFound(f"no active workbench user {approved_by} 没有该启用的工作台用户")
    user = principal_from_row(row)
    if user.is_agency_user and not in_scope(engine, user, "account_id", account_id):
        raise refusal("ARR-APPROVAL-06", f"审批人 {approved_by} 所属机构不负责账户 {account_id}",
                      f"the approver {approved_by} belongs to an agency that does not hold account {account_id}")
    return Signer(user.username, user.arrangements_authority)
