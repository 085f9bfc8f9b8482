"""Placements in SQL: the accounts to allocate, the agencies' terms and performance, placing and
recalling (with ``accounts.agency_id`` kept equal to the active placement's agency), all in one
transaction of the unit of work, audited in ``audit_events``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, literal, select, update

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.allocation_tables import placements
from arrears.adapters.storage.arrangements_tables import ledger_payments
from arrears.adapters.storage.audit_tables import audit_events
from arrears.adapters.storage.bulk import SQLITE_INSTANT, insert_rows
from arrears.adapters.storage.gate_tables import compliance_decisions, contact_attempts
from arrears.adapters.storage.scoring_tables import account_scores
from arrears.adapters.storage.unit_of_work import SqlUnitOfWork
from arrears.adapters.storage.workbench_tables import follow_ups, users, work_items
from arrears.domain.allocation import AccountToPlace, ActivePlacement, AgencyTerms, Decision, RecallReason
from arrears.domain.commission import PlacedPayment

CENT = Decimal("0.01")
BY_FILE = -1  # an account placed by the portfolio file's agency column, with no placement of record
PERFORMANCE_DAYS = 90
CHUNK = 5_000


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


class SqlPlacements:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def accounts_to_place(self, on: date) -> list[AccountToPlace]:
        """Delinquent accounts of the portfolio that nobody works yet (no ``accounts.agency_id``: neither
        an active placement nor the portfolio file's agency), with their bucket on the latest nightly
        run up to ``on``, largest balance first."""
        a, g, cu, s = t.accounts.c, t.account_aging.c, t.customers.c, account_scores.c
        run = self._c.execute(select(func.max(g.as_of)).where(g.as_of <= on)).scalar()
        if run is None:
            return []
        scored = self._c.execute(select(func.max(s.as_of)).where(s.as_of <= on)).scalar()
        query = (select(a.account_id, g.bucket, a.balance_cents, cu.jurisdiction,
                        s.segment if scored else literal(None).label("segment"))
                 .join_from(t.accounts, t.account_aging, (g.account_id == a.account_id) & (g.as_of == run))
                 .join(t.customers, cu.customer_id == a.customer_id)
                 .where(a.in_portfolio.is_(True), a.past_due_cents > 0, a.agency_id.is_(None))
                 .order_by(a.balance_cents.desc(), a.account_id))
        if scored:
            query = query.join(account_scores, (s.account_id == a.account_id) & (s.as_of == scored), isouter=True)
        return [AccountToPlace(account, bucket, Decimal(cents).scaleb(-2), region or "", segment)
                for account, bucket, cents, region, segment in self._c.execute(query)]

    def listing(self, on: date, *, agency: str | None, bucket: str | None, limit: int) -> list[dict[str, object]]:
        """Delinquent accounts for the placement page, largest balance first: ``agency`` an agency id,
        ``in_house``, or None for all."""
        a, g, p = t.accounts.c, t.account_aging.c, placements.c
        run = select(func.max(g.as_of)).where(g.as_of <= on).scalar_subquery()
        until = (select(p.until).where(p.account_id == a.account_id, p.status == "active").scalar_subquery())
        query = (select(a.account_id, g.bucket, g.dpd, a.balance_cents, a.agency_id, until.label("until"))
                 .join_from(t.accounts, t.account_aging, (g.account_id == a.account_id) & (g.as_of == run))
                 .where(a.in_portfolio.is_(True), a.past_due_cents > 0))
        if agency == "in_house":
            query = query.where(a.agency_id.is_(None))
        elif agency:
            query = query.where(a.agency_id == agency)
        if bucket:
            query = query.where(g.bucket == bucket)
        rows = self._c.execute(query.order_by(a.balance_cents.desc(), a.account_id).limit(limit)).mappings()
        return [dict(r) for r in rows]

    def agency_terms(self, configured: dict[str, tuple[int, int]], on: date) -> dict[str, AgencyTerms]:
        """``configured``: agency -> (capacity, placement days). The mandate from agencies.csv, the
        active placements, and performance over the last 90 days: payments on accounts while placed
        with the agency / the balances placed with it in that window."""
        ag, a = t.agencies.c, t.accounts.c
        mandates = dict(self._c.execute(select(ag.agency_id, ag.authorized_until)).all())
        active: dict[str, int] = dict(self._c.execute(select(a.agency_id, func.count()).where(
            a.agency_id.is_not(None), a.in_portfolio.is_(True)).group_by(a.agency_id)).all())
        performance = self._performance(on)
        return {agency: AgencyTerms(agency, capacity, days, mandates.get(agency), performance.get(agency, 0.0),
                                    int(active.get(agency, 0)))
                for agency, (capacity, days) in configured.items()}

    def _performance(self, on: date) -> dict[str, float]:
        p, pay, lp = placements.c, t.payments.c, ledger_payments.c
        since = on - timedelta(days=PERFORMANCE_DAYS)
        window = (p.placed_on <= on) & ((p.recalled_on.is_(None)) | (p.recalled_on >= since))
        placed = dict(self._c.execute(select(p.agency_id, func.sum(p.balance_cents)).where(window)
                                      .group_by(p.agency_id)).all())
        recovered: dict[str, int] = {}
        for table, paid, at_day in ((t.payments, pay.amount_cents, func.date(pay.paid_at)),
                                    (ledger_payments, lp.amount_cents, lp.paid_on)):
            query = (select(p.agency_id, func.sum(paid))
                     .join_from(placements, table, table.c.account_id == p.account_id)
                     .where(window, at_day >= p.placed_on, at_day >= since)
                     .group_by(p.agency_id))
            for agency, cents in self._c.execute(query):
                recovered[agency] = recovered.get(agency, 0) + int(cents or 0)
        return {agency: recovered.get(agency, 0) / int(total) for agency, total in placed.items() if total}

    def active(self, account_ids: Sequence[str] | None = None) -> list[ActivePlacement]:
        p = placements.c
        query = select(p.placement_id, p.account_id, p.agency_id, p.until).where(p.status == "active")
        if account_ids is None:
            return [ActivePlacement(*r) for r in self._c.execute(query)]
        found = []
        a = t.accounts.c
        for chunk in _chunks(list(account_ids)):
            placed = [ActivePlacement(*r) for r in self._c.execute(query.where(p.account_id.in_(chunk)))]
            known = {x.account_id for x in placed}
            by_file = self._c.execute(select(a.account_id, a.agency_id).where(
                a.account_id.in_(chunk), a.agency_id.is_not(None)))
            found += placed + [ActivePlacement(BY_FILE, account, agency, date.max) for account, agency in by_file
                               if account not in known]
        return found

    def balances(self, account_ids: Sequence[str], on: date | None = None) -> dict[str, tuple[int, str | None]]:
        """Each account's balance and its bucket on the latest nightly run up to ``on`` (if any)."""
        a, g = t.accounts.c, t.account_aging.c
        run = select(func.max(g.as_of)).where(g.as_of <= (on or date.max)).scalar_subquery()
        query = (select(a.account_id, a.balance_cents, g.bucket)
                 .join(t.account_aging, (g.account_id == a.account_id) & (g.as_of == run), isouter=True))
        found: dict[str, tuple[int, str | None]] = {}
        for chunk in _chunks(list(account_ids)):
            found.update((r.account_id, (r.balance_cents, r.bucket)) for r in self._c.execute(
                query.where(a.account_id.in_(chunk))))
        return found

    def place(self, decisions: Sequence[Decision], *, on: date, by: str, now: datetime) -> int:
        """New active placements, and ``accounts.agency_id`` set to match."""
        placed = [d for d in decisions if d.agency_id and d.until]
        balances = self.balances([d.account_id for d in placed if d.balance is None], on)
        p = placements.c
        before = self._c.execute(select(func.coalesce(func.max(p.placement_id), 0))).scalar()
        insert_rows(self._c, placements, ("account_id", "agency_id", "placed_on", "until", "status", "rule", "reason",
                                          "placed_by", "balance_cents", "bucket"),
                    [(d.account_id, d.agency_id, on, d.until, "active", d.rule, d.zh, by,
                      *((int(d.balance * 100), d.bucket) if d.balance is not None
                        else balances.get(d.account_id, (0, None)))) for d in placed])
        a = t.accounts.c  # one statement for every account just placed (not one list of ids per agency)
        agency_now = select(p.agency_id).where(p.account_id == a.account_id, p.status == "active").scalar_subquery()
        self._c.execute(update(t.accounts).where(a.account_id.in_(
            select(p.account_id).where(p.placement_id > before, p.status == "active"))).values(agency_id=agency_now))
        self._audit("placement.placed", [(d.account_id, "in_house", d.agency_id or "", {"rule": d.rule, "why": d.en,
                                                                                        "until": str(d.until)})
                                         for d in placed], by=by, now=now)
        return len(placed)

    def recall(self, wanted: Sequence[tuple[ActivePlacement, RecallReason]], *, on: date, by: str, note: str,
               now: datetime) -> int:
        """The placements end; the accounts come back in house at once: ``accounts.agency_id`` is
        cleared, the agency users' queue items for them are released and their follow-ups cancelled."""
        p = placements.c
        recalls = [(self._on_record(pl, on) if pl.placement_id == BY_FILE else pl, r) for pl, r in wanted]
        for reason in sorted({r for _, r in recalls}):
            ids = [placement.placement_id for placement, r in recalls if r == reason]
            for start in range(0, len(ids), CHUNK):
                self._c.execute(update(placements).where(p.placement_id.in_(ids[start:start + CHUNK]))
                                .values(status="recalled", recalled_on=on, recall_reason=reason.value,
                                        recall_note=note, recalled_by=by))
        accounts = [placement.account_id for placement, _ in recalls]
        for some in _chunks(accounts):
            self._c.execute(update(t.accounts).where(t.accounts.c.account_id.in_(some)).values(agency_id=None))
            self._release_agency_work(some, now)
        self._audit("placement.recalled", [(pl.account_id, pl.agency_id, "in_house", {"reason": r.value, "note": note})
                                           for pl, r in recalls], by=by, now=now)
        return len(recalls)

    def _on_record(self, placement: ActivePlacement, on: date) -> ActivePlacement:
        """An account the portfolio file placed gets its placement on record before it is recalled, so
        that the next file cannot place it again (``reapply_placements``)."""
        balance, bucket = self.balances([placement.account_id], on).get(placement.account_id, (0, None))
        result = self._c.execute(placements.insert().values(
            account_id=placement.account_id, agency_id=placement.agency_id, placed_on=on, until=on, status="active",
            rule="portfolio", reason="委案来自组合文件 / placed by the portfolio file", placed_by="portfolio",
            balance_cents=balance, bucket=bucket))
        key = result.inserted_primary_key
        assert key is not None
        return ActivePlacement(key[0], placement.account_id, placement.agency_id, on)

    def _release_agency_work(self, accounts: Sequence[str], now: datetime) -> None:
        agency_users = select(users.c.user_id).where(users.c.agency_id.is_not(None))
        w, f = work_items.c, follow_ups.c
        self._c.execute(update(work_items).where(w.account_id.in_(accounts), w.status == "assigned",
                                                 w.assigned_to.in_(agency_users))
                        .values(status="open", assigned_to=None, assigned_at=None, lease_until=None))
        self._c.execute(update(follow_ups).where(f.account_id.in_(accounts), f.status == "open",
                                                 f.owner_user_id.in_(agency_users))
                        .values(status="cancelled", done_at=now))

    def _audit(self, action: str, rows: list[tuple[str, str, str, dict[str, str]]], *, by: str,
               now: datetime) -> None:
        insert_rows(self._c, audit_events, ("at", "actor", "action", "subject", "before", "after", "detail"),
                    [(_instant(self._c, now), by[:100], action, f"account:{account}", before, after,
                      json.dumps({"account_id": account, **detail}, ensure_ascii=False))
                     for account, before, after, detail in rows])


def _instant(connection: Connection, now: datetime) -> object:
    """Bulk rows go to the driver as they are: SQLite keeps instants as UTC text (``UtcDateTime``)."""
    if connection.dialect.name == "postgresql":
        return now
    return now.astimezone(UTC).strftime(SQLITE_INSTANT.replace("%6f", "%f"))


class SqlAllocationUnitOfWork(SqlUnitOfWork):
    """Allocation's decisions, placements, recalls and their audit commit together or not at all."""

    def _bind(self, connection: Connection) -> None:
        self.placements = SqlPlacements(connection)


def reapply_placements(connection: Connection) -> None:
    """After a portfolio's accounts are loaded: for every account arrears has placed (any placement
    history), ``accounts.agency_id`` is the active placement's agency, or none. A file that still
    names an agency for a recalled account cannot give that agency access back."""
    a, p = t.accounts.c, placements.c
    active_agency = (select(p.agency_id).where(p.account_id == a.account_id, p.status == "active")
                     .scalar_subquery())
    connection.execute(update(t.accounts).where(a.account_id.in_(select(p.account_id)))
                       .values(agency_id=active_agency))


class SqlCommissionSource:
    """What a month's commission statements need: the payments received while each account was placed
    with an agency, and each agency's compliance findings (gate denials of its agents, complaints on
    its contacts)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def placed_payments(self, start: date, end: date, zone: str) -> dict[str, list[PlacedPayment]]:
        """agency -> its payments in ``start`` .. ``end`` (days in ``zone``)."""
        p, pay, lp = placements.c, t.payments.c, ledger_payments.c
        local = ZoneInfo(zone)
        since = datetime.combine(start, time(0), local)
        until = datetime.combine(end + timedelta(days=1), time(0), local)
        found: dict[str, list[PlacedPayment]] = {}
        ingested = (select(p.agency_id, p.placed_on, p.until, p.recalled_on, p.bucket, pay.account_id, pay.paid_at,
                           pay.amount_cents)
                    .join_from(placements, t.payments, pay.account_id == p.account_id)
                    .where(pay.reversed.is_(False), pay.paid_at >= since, pay.paid_at < until))
        posted = (select(p.agency_id, p.placed_on, p.until, p.recalled_on, p.bucket, lp.account_id, lp.paid_on,
                         lp.amount_cents)
                  .join_from(placements, ledger_payments, lp.account_id == p.account_id)
                  .where(lp.reversed_on.is_(None), lp.paid_on >= start, lp.paid_on <= end,
                         lp.payment_id.not_in(select(pay.payment_id))))
        with self.engine.connect() as c:
            rows = [(r, r.paid_at.astimezone(local).date()) for r in c.execute(ingested)]
            rows += [(r, r.paid_on) for r in c.execute(posted)]
        for r, day in rows:
            if r.placed_on <= day <= (r.recalled_on or r.until):
                found.setdefault(r.agency_id, []).append(
                    PlacedPayment(r.account_id, day, (Decimal(r.amount_cents) * CENT).quantize(CENT), r.bucket))
        return found

    def findings(self, start: date, end: date, zone: str) -> dict[str, int]:
        local = ZoneInfo(zone)
        since = datetime.combine(start, time(0), local)
        until = datetime.combine(end + timedelta(days=1), time(0), local)
        d, ag, k, c_ = compliance_decisions.c, t.agents.c, contact_attempts.c, t.contacts.c
        counts: dict[str, int] = {}
        queries = [
            select(ag.agency_id, func.count()).join_from(compliance_decisions, t.agents, ag.agent_id == d.agent_id)
            .where(d.decision == "deny", ag.agency_id.is_not(None), d.decided_for >= since, d.decided_for < until)
            .group_by(ag.agency_id),
            select(k.agency_id, func.count()).where(k.complaint.is_(True), k.agency_id.is_not(None), k.at >= since,
                                                    k.at < until).group_by(k.agency_id),
            select(c_.agency_id, func.count()).where(c_.complaint.is_(True), c_.agency_id.is_not(None),
                                                     c_.at >= since, c_.at < until).group_by(c_.agency_id),
        ]
        with self.engine.connect() as c:
            for query in queries:
                for agency, n in c.execute(query):
                    counts[agency] = counts.get(agency, 0) + int(n)
        return counts
