"""Reviewing arrangements (issue 5): an account's active plans and accepted settlements judged
against the payments live on a date, and moved to completed, broken or failed (stored and
audited). Posting a payment reviews its account; the nightly run reviews every account with
an open arrangement on its business date, each in its own unit of work, so one account's
problem never undoes another's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from arrears.domain.arrangements import plans as plan_rules
from arrears.domain.arrangements import settlements as settlement_rules
from arrears.domain.arrangements.effects import Arrangements
from arrears.domain.arrangements.payments import Payment
from arrears.domain.arrangements.plans import PlanStatus
from arrears.domain.arrangements.settlements import SettlementStatus
from arrears.services.arrangements.common import DEFAULT_POLICIES, ArrangementPolicies, store_change, today
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio

NIGHTLY_ACTOR = "system:nightly"


def arrangements_of(uow: ArrangementsUnitOfWork, account_id: str, policies: ArrangementPolicies) -> Arrangements:
    return Arrangements(
        uow.promises.for_account(account_id),
        uow.plans.for_account(account_id),
        uow.settlements.for_account(account_id),
        policies.promise,
        policies.plan,
        policies.settlement,
    )


def review_held(uow: ArrangementsUnitOfWork, held: Arrangements, live: Sequence[Payment], on: date,
                policies: ArrangementPolicies, *, actor: str, now: datetime) -> int:
    """Store (and audit) the plans and settlements that the payments ``live`` on ``on``
    completed or broke, in the open unit of work; returns how many changed."""
    reviewed: list[tuple[Any, Any, str, str]]
    reviewed = [(p, plan_rules.review(p, live, on, policies.plan), "plan", p.plan_id) for p in held.plans]
    reviewed += [(s, settlement_rules.review(s, live, on, policies.settlement), "settlement", s.settlement_id)
                 for s in held.settlements]
    changed = [(before, after, kind, key) for before, after, kind, key in reviewed if after.status is not before.status]
    for before, after, kind, key in changed:
        store_change(uow, kind, key, before, after, actor=actor, now=now, on=str(on))
    return len(changed)


@dataclass(frozen=True, slots=True)
class ReviewAccount:
    """Review one account on ``on`` (today when None), judging the ledger's payments live on
    that date and the ``received`` ones (e.g. ingested, not yet posted) dated on or before it,
    each payment id once. An account without a ledger is judged on ``received`` alone."""

    account_id: str
    on: date | None = None
    received: tuple[Payment, ...] = ()


def review_account(uow: ArrangementsUnitOfWork, command: ReviewAccount, *, actor: str, now: datetime,
                   policies: ArrangementPolicies = DEFAULT_POLICIES) -> int:
    """Move the account's plans and settlements to completed, broken or failed when the
    payments say so; returns how many changed. ``plan show`` only reports the derived status."""
    on = command.on or today(now, policies)
    with uow:
        ledger = uow.ledgers.get(command.account_id)
        live = {p.payment_id: p for p in command.received if p.paid_on <= on}
        if ledger is not None:
            live.update({p.payment_id: p for p in ledger.live_payments(on)})
        held = arrangements_of(uow, command.account_id, policies)
        changed = review_held(uow, held, tuple(live.values()), on, policies, actor=actor, now=now)
        if changed:
            uow.commit()
    return changed


@dataclass
class ArrangementReview:
    on: date
    accounts: int = 0
    changed: int = 0
    failures: list[str] = field(default_factory=list)  # "account: reason"


def review_arrangements_on(unit_of_work: Callable[[], ArrangementsUnitOfWork], portfolio: IngestedPortfolio, on: date,
                           *, now: datetime, actor: str = NIGHTLY_ACTOR,
                           policies: ArrangementPolicies = DEFAULT_POLICIES) -> ArrangementReview:
    """The nightly review on the business date ``on``: every account holding an active plan or
    an accepted settlement, with its ledger's and the portfolio's payments."""
    with unit_of_work() as uow:
        accounts = set(uow.plans.accounts_with(PlanStatus.ACTIVE))
        accounts |= set(uow.settlements.accounts_with(SettlementStatus.ACCEPTED))
    review = ArrangementReview(on)
    for account_id in sorted(accounts):
        review.accounts += 1
        try:
            command = ReviewAccount(account_id, on, portfolio.received_payments(account_id))
            review.changed += review_account(unit_of_work(), command, actor=actor, now=now, policies=policies)
        except Exception as exc:  # reported per account; the others go on
            review.failures.append(f"{account_id}: {exc}")
    return review
