"""What the account page adds to the 360° view: the latest scores (ability, willingness,
propensity, segment, reason codes) and the arrangements (promises with their status, plans,
settlements) from the arrangement use cases. Plain values only (amounts as decimal text), so
the page and the JSON API show the same thing."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.arrangements_tables import promises_to_pay
from arrears.adapters.storage.gate_tables import LOGGED_IN_WORKBENCH, contact_attempts
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.adapters.storage.scoring_tables import account_scores
from arrears.adapters.storage.values import from_cents
from arrears.domain.arrangements.payments import IngestedAccount, Payment
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.money import Money
from arrears.domain.vocabulary import Channel, Segment
from arrears.scoring.segments import TREATMENTS
from arrears.services.arrangements.accounts import account_arrangements
from arrears.services.arrangements.promises import promise_history
from arrears.services.workbench.context import Workbench, as_utc


def latest_scores(connection: Connection, account_id: str) -> dict[str, Any] | None:
    """The account's most recent stored scores with their reasons and treatment, or None."""
    s = account_scores.c
    row = connection.execute(select(account_scores).where(s.account_id == account_id)
                             .order_by(s.as_of.desc()).limit(1)).mappings().first()
    if row is None:
        return None
    treatment = TREATMENTS.get(Segment(row["segment"]), ("", ""))
    return {
        "as_of": row["as_of"], "ability": row["ability"], "willingness": row["willingness"],
        "propensity": row["propensity"], "segment": row["segment"],
        "treatment_zh": treatment[0], "treatment_en": treatment[1],
        "reasons": [{"code": row[f"reason_{k}_code"], "zh": row[f"reason_{k}_zh"], "en": row[f"reason_{k}_en"]}
                    for k in (1, 2, 3)],
        "model": {"kind": row["model_kind"], "id": row["model_id"], "version": row["model_version"]},
    }


def _money(value: Money | None) -> str | None:
    return None if value is None else f"{value.amount:.2f}"


def _cents(value: Money) -> int:
    return int(value.amount * 100)


def _plan(plan: Any) -> dict[str, Any]:
    schedule = plan.schedule
    return {
        "plan_id": plan.plan_id, "status": str(plan.status), "basis": str(plan.basis), "months": schedule.months,
        "first_due": schedule.first_due, "principal": _money(schedule.principal),
        "total_due": _money(schedule.total_due), "installment": _money(schedule.installments[0].total),
        "activated_on": plan.activated_on, "closed_on": plan.closed_on, "approved_by": plan.approved_by,
    }


def _settlement(offer: Any) -> dict[str, Any]:
    return {
        "settlement_id": offer.settlement_id, "status": str(offer.status), "balance": _money(offer.balance),
        "amount": _money(offer.amount), "discount": str(offer.discount),
        "payments": [{"due_date": p.due_date, "amount": _money(p.amount)} for p in offer.payments],
        "accepted_on": offer.accepted_on, "closed_on": offer.closed_on,
    }


class _WithLoggedPromises:
    """The ingested portfolio plus the promises collectors logged here before they were
    recorded in the arrangements: a logged contact's promise without its recorded
    ``workbench:<contact id>`` promise (logged before the two were written together) is
    still a promise taken in a contact, judged the same way; one that was recorded comes
    from ``promises_to_pay`` and is not counted twice."""

    def __init__(self, wb: Workbench) -> None:
        self._wb, self._reader = wb, SqlPortfolioReader(wb.engine)

    def account(self, account_id: str) -> IngestedAccount | None:
        return self._reader.account(account_id)

    def received_payments(self, account_id: str) -> tuple[Payment, ...]:
        return self._reader.received_payments(account_id)

    def contact_promises(self, account_id: str) -> tuple[PromiseToPay, ...]:
        k = contact_attempts.c
        query = (select(k.contact_id, k.channel, k.at, k.promise_amount_cents, k.promise_date, k.logged_by,
                        t.accounts.c.currency, t.customers.c.timezone)
                 .join(t.accounts, t.accounts.c.account_id == k.account_id)
                 .join(t.customers, t.customers.c.customer_id == t.accounts.c.customer_id)
                 .where(k.account_id == account_id, LOGGED_IN_WORKBENCH, k.promise_amount_cents.is_not(None),
                        k.promise_date.is_not(None)))
        p = promises_to_pay.c
        with self._wb.engine.connect() as connection:
            rows = connection.execute(query).all()
            recorded = set(connection.execute(select(p.promise_id).where(p.account_id == account_id)).scalars())
        logged = tuple(
            PromiseToPay(f"workbench:{r.contact_id}", account_id, from_cents(r.promise_amount_cents, r.currency),
                         r.promise_date, Channel(r.channel), r.logged_by, as_utc(r.at),
                         as_utc(r.at).astimezone(ZoneInfo(r.timezone)).date())
            for r in rows if f"workbench:{r.contact_id}" not in recorded)
        return self._reader.contact_promises(account_id) + logged


def arrangements_view(wb: Workbench, account_id: str, as_of: date) -> dict[str, Any]:
    """Promises (ingested, logged here and recorded, each judged on ``as_of``), plans,
    settlements, extensions, hardship programmes and referrals of one account."""
    uow = SqlArrangementsUnitOfWork(wb.engine)
    held = account_arrangements(uow, account_id)
    history = promise_history(uow, _WithLoggedPromises(wb), account_id, as_of)
    summary = history.summary
    return {
        "as_of": as_of,
        "promises": [{"promise_id": o.promise.promise_id, "amount": _money(o.promise.amount),
                      "amount_cents": _cents(o.promise.amount),
                      "promised_date": o.promise.promised_date, "made_on": o.promise.made_on,
                      "channel": str(o.promise.channel), "status": str(o.status), "source": o.source}
                     for o in reversed(history.promises)],
        "promise_summary": {"made": summary.made, "open": summary.open, "kept": summary.kept,
                            "partly_kept": summary.partly_kept, "broken": summary.broken,
                            "kept_ratio": summary.kept_ratio},
        "plans": [_plan(p) for p in held.plans],
        "settlements": [_settlement(s) for s in held.settlements],
        "extensions": [{"subject": e.subject, "original_due": e.original_due, "new_due": e.new_due}
                       for e in held.extensions],
        "hardship": [{"kind": str(h.kind), "start": h.start, "end": h.end, "review_on": h.review_on}
                     for h in held.hardship],
        "referrals": [{"organisation_id": r.organisation_id, "outcome": str(r.outcome)} for r in held.referrals],
        "owed_cents": None if held.balances is None else _cents(held.balances.owed),
        "posted": [{"payment_id": e.payment.payment_id, "paid_at": e.payment.paid_at,
                    "amount_cents": _cents(e.payment.amount),
                    "channel": e.payment.channel, "reversed": e.reversed_on is not None}
                   for e in reversed(held.posted)],
    }
