"""The facts of the operation's figures, read from the stored ledgers for a date range.

Sources, each read once and de-duplicated where two hold the same event:
- contacts: the portfolio's history (``contacts``) and the contact ledger (``contact_attempts``
  with an outcome; an attempt whose contact id the portfolio already holds is not counted twice);
- payments: the portfolio's (``payments``, reversals left out) and the ledger's
  (``ledger_payments``, reversed ones left out; one payment id counts once);
- promises: the arrangements' (``promises_to_pay``), the workbench's and the portfolio's
  promises taken in a contact (one each);
- blocked attempts: the gate's denials (``compliance_decisions``);
- roll counts: the nightly run's ``roll_rates``.
Days are in the operation's zone; a contact's hour is the customer's local hour. Collectors are
named by username where a user has that agent id, else by the agent id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, and_, func, or_, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_tables import ledger_payments, promises_to_pay
from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts
from arrears.adapters.storage.planning_tables import plan_attempts
from arrears.adapters.storage.scoring_tables import account_scores
from arrears.adapters.storage.workbench_tables import users, work_items
from arrears.domain.arrangements.promises import PromiseToPay
from arrears.domain.money import Money
from arrears.domain.reporting import (
    AccountDims,
    BlockedFact,
    ContactFact,
    PaymentFact,
    QueueCount,
    ReportRange,
    RollCount,
    StoredFacts,
)
from arrears.domain.vocabulary import Channel

CENT = Decimal("0.01")
LOOK_BACK_FOR_PROMISES = timedelta(days=45)  # a promise resolved in the range was made up to this long before


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _money(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) * CENT).quantize(CENT)


class SqlReportingSource:
    """``facts(range)``: what ``domain.reporting`` turns into the figures."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def facts(self, wanted: ReportRange) -> StoredFacts:
        with self.engine.connect() as connection:
            reader = _Reader(connection, wanted)
            return StoredFacts(
                contacts=tuple(reader.contacts()), payments=tuple(reader.payments()),
                promises=tuple(reader.promises()), blocked=tuple(reader.blocked()),
                rolls=tuple(reader.rolls()), dims=reader.dims(), queue=tuple(reader.queue()),
            )


class _Reader:
    def __init__(self, connection: Connection, wanted: ReportRange) -> None:
        self.c = connection
        self.r = wanted
        self.names = {agent: user for agent, user in connection.execute(
            select(users.c.agent_id, users.c.username).where(users.c.agent_id.is_not(None)))}
        self.usernames = dict(connection.execute(select(users.c.user_id, users.c.username)).all())

    def _placed(self, account_column: Any) -> Any:
        """Rows of the agency's accounts only, when the range is an agency's view."""
        if self.r.agency is None:
            return True
        return account_column.in_(select(t.accounts.c.account_id).where(t.accounts.c.agency_id == self.r.agency))

    def collector(self, agent_id: str | None, user_id: str | None = None) -> str | None:
        if user_id and user_id in self.usernames:
            return str(self.usernames[user_id])
        return self.names.get(agent_id, agent_id) if agent_id else None

    def contacts(self) -> Iterator[ContactFact]:
        c, k, cu = t.contacts.c, contact_attempts.c, t.customers.c
        ingested = (select(c.contact_id, c.account_id, c.at, c.channel, c.outcome, c.complaint, c.agent_id,
                           c.agency_id, cu.timezone)
                    .join_from(t.contacts, t.customers, c.customer_id == cu.customer_id)
                    .where(c.at >= self.r.since, c.at < self.r.until, self._placed(c.account_id)))
        for row in self.c.execute(ingested):
            yield self._contact(row, row.agent_id)
        ledger = (select(k.account_id, k.at, k.channel, k.outcome, k.complaint, k.agent_id, k.logged_by,
                         k.agency_id, cu.timezone)
                  .join_from(contact_attempts, t.customers, k.customer_id == cu.customer_id)
                  .where(k.outcome.is_not(None), k.at >= self.r.since, k.at < self.r.until,
                         self._placed(k.account_id),
                         or_(k.contact_id.is_(None), k.contact_id.not_in(select(c.contact_id)))))
        for row in self.c.execute(ledger):
            yield self._contact(row, row.agent_id, row.logged_by)

    def _contact(self, row: Any, agent_id: str | None, user_id: str | None = None) -> ContactFact:
        return ContactFact(
            account_id=row.account_id, day=self.r.day(row.at), hour=row.at.astimezone(_zone(row.timezone)).hour,
            channel=row.channel, outcome=row.outcome, complaint=bool(row.complaint),
            collector=self.collector(agent_id, user_id), agency=row.agency_id,
        )

    def payments(self) -> list[PaymentFact]:
        """Payments from the promise look-back to the range's end (the promises need the earlier ones)."""
        since = self.r.since - LOOK_BACK_FOR_PROMISES
        p, lp = t.payments.c, ledger_payments.c
        rows = [PaymentFact(r.account_id, self.r.day(r.paid_at), _money(r.amount_cents))
                for r in self.c.execute(select(p.account_id, p.paid_at, p.amount_cents).where(
                    p.reversed.is_(False), p.paid_at >= since, p.paid_at < self.r.until, self._placed(p.account_id)))]
        posted = select(lp.account_id, lp.paid_at, lp.amount_cents).where(
            lp.reversed_on.is_(None), lp.paid_at >= since, lp.paid_at < self.r.until, self._placed(lp.account_id),
            lp.payment_id.not_in(select(p.payment_id)))
        rows += [PaymentFact(r.account_id, self.r.day(r.paid_at), _money(r.amount_cents))
                 for r in self.c.execute(posted)]
        return rows

    def promises(self) -> Iterator[PromiseToPay]:
        """Promises made from the look-back to the range's end (one resolved in the range may be older)."""
        since = self.r.since - LOOK_BACK_FOR_PROMISES
        pp = promises_to_pay.c
        seen: set[str] = set()
        for r in self.c.execute(select(promises_to_pay).where(pp.made_at >= since, pp.made_at < self.r.until,
                                                              self._placed(pp.account_id))):
            seen.add(r.promise_id)
            yield self._promise(r.promise_id, r, Money(_money(r.amount_cents), r.currency), r.promised_date,
                                r.taken_by, made_at=r.made_at)
        for source, prefix in ((t.contacts, "portfolio:"), (contact_attempts, "workbench:")):
            s = source.c
            query = select(s.contact_id, s.account_id, s.promise_amount_cents, s.promise_date, s.channel, s.at,
                           s.agent_id, *( [s.logged_by] if source is contact_attempts else [])).where(
                s.promise_amount_cents.is_not(None), s.promise_date.is_not(None), s.at >= since, s.at < self.r.until,
                self._placed(s.account_id))
            for r in self.c.execute(query):
                key = f"{prefix}{r.contact_id}"
                if r.contact_id is None or key in seen or f"workbench:{r.contact_id}" in seen:
                    continue
                seen.add(key)
                who = self.collector(r.agent_id, getattr(r, "logged_by", None)) or ""
                yield self._promise(key, r, Money(_money(r.promise_amount_cents)), r.promise_date, who, made_at=r.at)

    def _promise(self, promise_id: str, row: Any, amount: Money, promised: date, taken_by: str, *,
                 made_at: datetime) -> PromiseToPay:
        made_on = self.r.day(made_at)
        try:
            kind = Channel(row.channel)
        except ValueError:
            kind = Channel.CALL
        return PromiseToPay(promise_id, row.account_id, amount, max(promised, made_on), kind, taken_by, made_at,
                            made_on)

    def blocked(self) -> Iterator[BlockedFact]:
        d = compliance_decisions.c
        query = select(d.account_id, d.decided_for, d.rules, d.agent_id).where(
            d.decision == "deny", d.decided_for >= self.r.since, d.decided_for < self.r.until,
            self._placed(d.account_id))
        for r in self.c.execute(query):
            yield BlockedFact(r.account_id or "-", self.r.day(r.decided_for), tuple(json.loads(r.rules or "[]")),
                              self.collector(r.agent_id))

    def rolls(self) -> Iterator[RollCount]:
        rr = t.roll_rates.c
        if self.r.agency is not None:
            return  # roll rates are portfolio-wide: not an agency's figure
        for r in self.c.execute(select(rr.as_of, rr.from_bucket, rr.to_bucket, rr.accounts).where(
                rr.as_of >= self.r.start, rr.as_of <= self.r.end)):
            yield RollCount(r.as_of, r.from_bucket, r.to_bucket, r.accounts)

    def queue(self) -> Iterator[QueueCount]:
        """The work queue of the range's last day, by the accounts' bucket on the latest run."""
        w, g = work_items.c, t.account_aging.c
        run = select(func.max(g.as_of)).where(g.as_of <= self.r.end).scalar_subquery()
        query = (select(func.coalesce(g.bucket, "-"), w.status, func.count())
                 .join_from(work_items, t.account_aging, (g.account_id == w.account_id) & (g.as_of == run),
                            isouter=True)
                 .where(w.queue_date == self.r.end, self._placed(w.account_id)).group_by(g.bucket, w.status))
        for bucket, status, n in self.c.execute(query):
            yield QueueCount(bucket, status, int(n))

    def dims(self) -> dict[str, AccountDims]:
        a, s = t.accounts.c, account_scores.c
        dims = {r.account_id: AccountDims(agency=r.agency_id) for r in self.c.execute(
            select(a.account_id, a.agency_id).where(self._placed(a.account_id)))}
        latest_scores = select(func.max(s.as_of)).where(s.as_of <= self.r.end).scalar_subquery()
        for account_id, segment in self.c.execute(select(s.account_id, s.segment).where(s.as_of == latest_scores)):
            if account_id in dims:
                dims[account_id] = AccountDims(dims[account_id].agency, segment, None)
        for account_id, strategy in _latest_strategies(self.c, self.r.end):
            if account_id in dims:
                d = dims[account_id]
                dims[account_id] = AccountDims(d.agency, d.segment, strategy)
        return dims


def _latest_strategies(connection: Connection, end: date) -> Iterable[tuple[str, str]]:
    """Each account's strategy on its latest stored plan up to ``end``."""
    pa = plan_attempts.c
    latest = (select(pa.account_id, func.max(pa.plan_date).label("plan_date"))
              .where(pa.plan_date <= end).group_by(pa.account_id).subquery())
    query = (select(pa.account_id, func.min(pa.strategy))
             .join(latest, and_(latest.c.account_id == pa.account_id, latest.c.plan_date == pa.plan_date))
             .group_by(pa.account_id))
    return [(r[0], r[1]) for r in connection.execute(query)]
