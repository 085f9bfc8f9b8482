"""What the customer sees on their page once verified: the account (masked name, balance, past
due, days past due, next due date), open promises and plans, payments received, and the plans
they may choose (quoted by the same schedule engine as ``arrears arrangement quote``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from arrears.domain.arrangements.approvals import LEAST_AUTHORITY, ApprovalRequest, check_authority
from arrears.domain.arrangements.decisions import deny
from arrears.domain.arrangements.payments import AccountLedger, PaymentError
from arrears.domain.arrangements.plans import InstallmentPlan, PlanStatus
from arrears.domain.arrangements.promises import PromiseStatus
from arrears.domain.arrangements.schedule import Schedule, ScheduleError
from arrears.domain.money import Money
from arrears.domain.portal import Preferences, plan_offers
from arrears.services.arrangements import plans, promises
from arrears.services.arrangements.common import ArrangementRefused, NotFound
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio
from arrears.services.portal.context import LinkGone, Portal
from arrears.services.portal.ports import AccountSummary, PageReads, Session


@dataclass(frozen=True, slots=True)
class CustomerView:
    summary: AccountSummary
    balance_cents: int
    past_due_cents: int
    plans: tuple[InstallmentPlan, ...]  # active
    promises: tuple[promises.PromiseOutcome, ...]  # open
    offers: tuple[int, ...]  # months the customer may choose
    preferences: Preferences | None
    today: date


def cents_of(money: Money) -> int:
    return int((money.amount * 100).to_integral_value())


class _Unread:
    """The ledger was not read yet (``None`` means read and not opened)."""


UNREAD = _Unread()


def principal_of(portal: Portal, account_id: str, stored: AccountLedger | _Unread | None = UNREAD,
                 portfolio: IngestedPortfolio | None = None) -> Money:
    """The plan's principal as ``agree_plan`` takes it: the ledger's past-due amount (the ingested
    account's, until the ledger is opened). One connection at a time: a page never holds one
    while it waits for another (a pool shared by many customers at once would run dry)."""
    if isinstance(stored, _Unread):
        uow = portal.arrangements()
        with uow:
            stored = uow.ledgers.get(account_id)
    if stored is None:
        account = (portfolio or portal.portfolio).account(account_id)
        if account is None:
            raise NotFound(f"no account {account_id}")
        try:
            stored = AccountLedger(account_id, account.opening())
        except PaymentError as error:
            raise ArrangementRefused(deny("ARR-LEDGER-01", "账户余额数据无法建立还款台账",
                                          f"the ingested balances cannot open a ledger: {error}")) from None
    return plans.plan_principal(stored, plans.PlanBasis.PAST_DUE)


def first_due(portal: Portal) -> date:
    return portal.today() + timedelta(days=portal.policy.first_due_days)


def quote(portal: Portal, principal: Money, months: int) -> Schedule:
    return plans.quote_plan(principal, months, first_due(portal), portal.policy.plan_fee,
                            policies=portal.policies).schedule


def offers(portal: Portal, account_id: str, active: bool, ledger: AccountLedger | _Unread | None = UNREAD,
           portfolio: IngestedPortfolio | None = None) -> tuple[int, ...]:
    """The policy's terms that the rules allow for this account now: none while a plan is active,
    none without a past-due amount; each within the least authority's limits and schedulable."""
    if active:
        return ()
    try:
        principal = principal_of(portal, account_id, ledger, portfolio)
    except (ArrangementRefused, NotFound):
        return ()
    allowed = []
    for months in portal.policy.offers.months:
        if not check_authority(LEAST_AUTHORITY, ApprovalRequest(months=months), portal.policies.limits).allowed:
            continue
        try:
            quote(portal, principal, months)
        except (ScheduleError, ValueError):
            continue
        allowed.append(months)
    return plan_offers(portal.policy.offers, allowed)


def customer_view(portal: Portal, session: Session) -> CustomerView:
    """The verified page's view: on one connection when the portal offers it (``reads``)."""
    if portal.reads is None:
        return _view(portal, session, PageReads(portal.unit_of_work(), portal.arrangements(), portal.portfolio),
                     portal.arrangements)
    with portal.reads() as reads:
        return _view(portal, session, reads, lambda: reads.arrangements)


def _view(portal: Portal, session: Session, reads: PageReads,
          arrangements: Callable[[], ArrangementsUnitOfWork]) -> CustomerView:
    today = portal.today()
    with reads.portal as uow:
        summary = uow.customers.summary(session.account_id, today)
        preferences = uow.preferences.get(session.customer_id)
    if summary is None:
        raise LinkGone()
    held = arrangements()
    with held:  # what the page shows of the arrangements: the plans and the ledger
        ledger = held.ledgers.get(session.account_id)
        active = tuple(p for p in held.plans.for_account(session.account_id) if p.status is PlanStatus.ACTIVE)
    history = promises.promise_history(arrangements(), reads.portfolio, session.account_id, today,
                                       policies=portal.policies)
    balance, past_due = summary.balance_cents, summary.past_due_cents
    if ledger is not None:
        balances = ledger.balances()
        balance, past_due = cents_of(balances.owed), cents_of(balances.past_due)
    return CustomerView(summary, balance, past_due, active,
                        tuple(o for o in history.promises if o.status is PromiseStatus.OPEN),
                        offers(portal, session.account_id, bool(active), ledger, reads.portfolio), preferences, today)
