"""The nightly review of arrangements (issue 5): every active installment plan and accepted
settlement is judged on the run's business date, and moved to completed, broken or failed
(stored and audited by ``arrangements.review_account_on``).

The accounts to review are found with one query; each is then reviewed in its own unit of
work, so one account's problem never undoes another's. The payments judged are the ledger's
posted payments plus the ingested ones (not reversed) dated on or before the date, each
payment id once, as ``promise_history`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, select, union

from arrears.adapters.storage.arrangements_tables import installment_plans, settlements
from arrears.domain.arrangements.plans import PlanStatus
from arrears.domain.arrangements.settlements import SettlementStatus
from arrears.services.arrangement_accounts import IngestedPortfolio
from arrears.services.arrangement_ports import ArrangementsUnitOfWork
from arrears.services.arrangements import DEFAULT_POLICIES, ArrangementPolicies, review_account_on

NIGHTLY_ACTOR = "system:nightly"


@dataclass
class ArrangementReview:
    on: date
    accounts: int = 0
    changed: int = 0
    failures: list[str] = field(default_factory=list)  # "account: reason"


def accounts_with_open_arrangements(engine: Engine) -> list[str]:
    plans = select(installment_plans.c.account_id).where(installment_plans.c.status == PlanStatus.ACTIVE.value)
    offers = select(settlements.c.account_id).where(settlements.c.status == SettlementStatus.ACCEPTED.value)
    with engine.connect() as connection:
        return sorted(connection.execute(union(plans, offers)).scalars())


def review_arrangements_on(
    engine: Engine,
    unit_of_work: Callable[[], ArrangementsUnitOfWork],
    portfolio: IngestedPortfolio,
    on: date,
    *,
    now: datetime,
    actor: str = NIGHTLY_ACTOR,
    policies: ArrangementPolicies = DEFAULT_POLICIES,
) -> ArrangementReview:
    review = ArrangementReview(on)
    for account_id in accounts_with_open_arrangements(engine):
        review.accounts += 1
        try:
            review.changed += review_account_on(
                unit_of_work(), account_id, on=on, received=portfolio.received_payments(account_id),
                actor=actor, now=now, policies=policies,
            )
        except Exception as exc:  # reported per account; the others go on
            review.failures.append(f"{account_id}: {exc}")
    return review
