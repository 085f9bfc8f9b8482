"""The customer's page on SQL: links, codes, sessions and preferences (``portal_tables``), the
account as the customer sees it, their own contact points, and the audit trail, all on one
transaction per unit of work. A channel opt-out marks the customer's own contact points
do-not-contact through the same store as an SMS opt-out reply (``SqlReplyStore.opt_out``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, Engine, func, insert, select, update

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import SqlAuditLog
from arrears.adapters.storage.outreach_replies import SqlReplyStore
from arrears.adapters.storage.portal_tables import portal_codes, portal_links, portal_preferences, portal_sessions
from arrears.adapters.storage.unit_of_work import JoinedUnitOfWork, SqlUnitOfWork
from arrears.domain.personal import PersonalFields, mask_personal
from arrears.domain.portal import AccountSummary, Link, OwnAddress, Preferences, SentCode, Session

L, C, S, P = portal_links.c, portal_codes.c, portal_sessions.c, portal_preferences.c


class SqlLinks:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def add(self, link: Link) -> None:
        self.c.execute(insert(portal_links).values(
            link_id=link.link_id, account_id=link.account_id, customer_id=link.customer_id, created_by=link.created_by,
            message_id=link.message_id, created_at=link.created_at, expires_at=link.expires_at, wrong_codes=0))

    def _one(self, row: object) -> Link | None:
        if row is None:
            return None
        r = row._mapping  # type: ignore[attr-defined]
        return Link(r["link_id"], r["account_id"], r["customer_id"], r["created_at"], r["expires_at"], r["revoked_at"],
                    r["wrong_codes"], r["locked_until"], r["created_by"], r["message_id"])

    def get(self, link_id: str, *, lock: bool = False) -> Link | None:
        """The link; ``lock``: its row is held until the transaction ends, so requests for the same
        link are judged one after the other (PostgreSQL ``FOR UPDATE``; on SQLite a write before the
        read takes the database's one write lock, and the read then sees every earlier commit)."""
        query = select(portal_links).where(L.link_id == link_id)
        if lock and self.c.dialect.name == "sqlite":
            self.c.execute(update(portal_links).where(L.link_id == link_id).values(wrong_codes=L.wrong_codes))
        elif lock:
            query = query.with_for_update()
        return self._one(self.c.execute(query).first())

    def for_message(self, message_id: str) -> Link | None:
        return self._one(self.c.execute(select(portal_links).where(L.message_id == message_id)).first())

    def revoke(self, link_id: str, now: datetime) -> bool:
        done = self.c.execute(update(portal_links).where(L.link_id == link_id, L.revoked_at.is_(None))
                              .values(revoked_at=now))
        return bool(done.rowcount)

    def wrong_code(self, link_id: str) -> int:
        """One more wrong code, added in the database (two at once both count), and the count now."""
        self.c.execute(update(portal_links).where(L.link_id == link_id).values(wrong_codes=L.wrong_codes + 1))
        return int(self.c.execute(select(L.wrong_codes).where(L.link_id == link_id)).scalar_one())

    def lock(self, link_id: str, until: datetime) -> None:
        self.c.execute(update(portal_links).where(L.link_id == link_id).values(locked_until=until, wrong_codes=0))

    def right_code(self, link_id: str) -> None:
        self.c.execute(update(portal_links).where(L.link_id == link_id).values(wrong_codes=0))


class SqlCodes:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def add(self, code: SentCode) -> None:
        self.c.execute(insert(portal_codes).values(
            code_id=code.code_id, link_id=code.link_id, code_hash=code.code_hash, channel=code.channel,
            to_hash=code.to_hash, sent_at=code.sent_at, expires_at=code.expires_at))

    def sent_on_link(self, link_id: str, since: datetime) -> list[datetime]:
        return list(self.c.execute(select(C.sent_at).where(C.link_id == link_id, C.sent_at > since)).scalars())

    def sent_to(self, to_hash: str, since: datetime) -> list[datetime]:
        return list(self.c.execute(select(C.sent_at).where(C.to_hash == to_hash, C.sent_at > since)).scalars())

    def open_codes(self, link_id: str, now: datetime) -> list[SentCode]:
        rows = self.c.execute(select(portal_codes).where(C.link_id == link_id, C.used_at.is_(None), C.expires_at > now)
                              .order_by(C.sent_at.desc())).mappings()
        return [SentCode(r["code_id"], r["link_id"], r["code_hash"], r["channel"], r["to_hash"], r["sent_at"],
                         r["expires_at"]) for r in rows]

    def use(self, code_id: str, now: datetime) -> None:
        self.c.execute(update(portal_codes).where(C.code_id == code_id).values(used_at=now))


class SqlSessions:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def add(self, session: Session) -> None:
        self.c.execute(insert(portal_sessions).values(
            session_hash=session.session_hash, link_id=session.link_id, account_id=session.account_id,
            customer_id=session.customer_id, csrf=session.csrf, channel=session.channel,
            created_at=session.created_at, last_seen_at=session.last_seen_at))

    def get(self, session_hash: str) -> Session | None:
        r = self.c.execute(select(portal_sessions).where(S.session_hash == session_hash)).mappings().first()
        if r is None:
            return None
        return Session(r["session_hash"], r["link_id"], r["account_id"], r["customer_id"], r["csrf"], r["channel"],
                       r["created_at"], r["last_seen_at"], r["closed_at"])

    def touch(self, session_hash: str, now: datetime) -> None:
        self.c.execute(update(portal_sessions).where(S.session_hash == session_hash).values(last_seen_at=now))

    def close(self, session_hash: str, now: datetime) -> None:
        self.c.execute(update(portal_sessions).where(S.session_hash == session_hash).values(closed_at=now))


class SqlPreferences:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def get(self, customer_id: str) -> Preferences | None:
        r = self.c.execute(select(portal_preferences).where(P.customer_id == customer_id)).mappings().first()
        if r is None:
            return None
        return Preferences(r["preferred_channel"], r["preferred_hours"], tuple((r["opted_out"] or "").split()))

    def save(self, customer_id: str, preferences: Preferences, link_id: str, now: datetime) -> None:
        values = {"preferred_channel": preferences.channel, "preferred_hours": preferences.hours,
                  "opted_out": " ".join(preferences.opted_out), "link_id": link_id, "updated_at": now}
        changed = self.c.execute(update(portal_preferences).where(P.customer_id == customer_id).values(**values))
        if not changed.rowcount:
            self.c.execute(insert(portal_preferences).values(customer_id=customer_id, **values))


def stored_preferences(connection: Connection) -> dict[str, Preferences]:
    """Every customer's stored preferences (the planner's overrides), by customer id."""
    rows = connection.execute(select(portal_preferences)).mappings()
    return {r["customer_id"]: Preferences(r["preferred_channel"], r["preferred_hours"],
                                          tuple((r["opted_out"] or "").split())) for r in rows}


class SqlPortalCustomers:
    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self.c, self.cipher = connection, cipher

    def lookup_hash(self, value: str) -> str:
        return self.cipher.lookup_hash(value)

    def holder(self, account_id: str) -> str | None:
        return self.c.execute(select(t.accounts.c.customer_id).where(t.accounts.c.account_id == account_id)).scalar()

    def own_addresses(self, customer_id: str) -> list[OwnAddress]:
        """The customer's own valid mobiles and e-mail addresses (not employer-provided), mobiles first."""
        p = t.contact_points.c
        rows = self.c.execute(select(p.contact_point_id, p.kind, p.value_enc, p.value_hash).where(
            p.customer_id == customer_id, p.owner == "debtor", p.kind.in_(("mobile", "email")), p.status != "invalid",
            p.in_portfolio.is_(True), p.employer_provided.is_not(True)).order_by(p.kind.desc(), p.contact_point_id))
        return [OwnAddress(r.contact_point_id, r.kind, self.cipher.decrypt(r.value_enc), r.value_hash) for r in rows]

    def opt_out(self, customer_id: str, kinds: tuple[str, ...]) -> int:
        p = t.contact_points.c
        ids = list(self.c.execute(select(p.contact_point_id).where(
            p.customer_id == customer_id, p.owner == "debtor", p.kind.in_(kinds))).scalars())
        if ids:
            SqlReplyStore(self.c, self.cipher).opt_out(ids)
        return len(ids)

    def summary(self, account_id: str, today: date) -> AccountSummary | None:
        a, c, g = t.accounts.c, t.customers.c, t.account_aging.c
        row = self.c.execute(
            select(a.account_id, a.customer_id, a.currency, a.balance_cents, a.past_due_cents, a.due_date,
                   a.oldest_unpaid_due_date, c.name_masked, c.language, c.jurisdiction,
                   t.agencies.c.name.label("agency"))
            .join(t.customers, c.customer_id == a.customer_id)
            .outerjoin(t.agencies, t.agencies.c.agency_id == a.agency_id)
            .where(a.account_id == account_id)).first()
        if row is None:
            return None
        latest = select(func.max(g.as_of)).where(g.account_id == account_id).scalar_subquery()
        dpd = self.c.execute(select(g.dpd).where(g.account_id == account_id, g.as_of == latest)).scalar()
        if dpd is None and row.oldest_unpaid_due_date is not None:
            dpd = max((today - row.oldest_unpaid_due_date).days, 0)
        pay = t.payments.c
        paid = self.c.execute(select(pay.paid_at, pay.amount_cents, pay.channel).where(
            pay.account_id == account_id, pay.reversed.is_(False)).order_by(pay.paid_at.desc()).limit(12)).all()
        name = mask_personal(PersonalFields(row.name_masked, None, None, None, ()), today).name
        return AccountSummary(row.account_id, row.customer_id, name or "—", row.currency or "CNY", row.balance_cents,
                              row.past_due_cents, dpd, row.due_date, "en" if row.language == "en" else "zh",
                              row.jurisdiction or "CN", row.agency or None,
                              tuple((r.paid_at, r.amount_cents, r.channel or "") for r in paid))


class _PortalRepositories:
    cipher: FieldCipher

    def _bind(self, connection: Connection) -> None:
        self.links = SqlLinks(connection)
        self.codes = SqlCodes(connection)
        self.sessions = SqlSessions(connection)
        self.preferences = SqlPreferences(connection)
        self.customers = SqlPortalCustomers(connection, self.cipher)
        self.audit = SqlAuditLog(connection)


class SqlPortalUnitOfWork(_PortalRepositories, SqlUnitOfWork):
    def __init__(self, engine: Engine, cipher: FieldCipher) -> None:
        self.cipher = cipher
        SqlUnitOfWork.__init__(self, engine)


class JoinedPortalUnitOfWork(_PortalRepositories, JoinedUnitOfWork):
    """The page's repositories inside a caller's transaction (the dispatcher's, for a message's link)."""

    def __init__(self, connection: Connection, cipher: FieldCipher) -> None:
        self.cipher = cipher
        JoinedUnitOfWork.__init__(self, connection)
