"""Accounts as a collector sees them: a filtered list, the 360° view, and audited reveals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.contacts_repository import DIALECTS, among
from arrears.adapters.storage.gate_tables import IN_WORKBENCH, LOGGED_STATE, contact_attempts
from arrears.adapters.storage.text_filters import contains
from arrears.adapters.storage.workbench_tables import follow_ups, users, work_items
from arrears.domain.access import Permission
from arrears.domain.personal import ContactValue, PersonalFields, mask_personal
from arrears.domain.vocabulary import Outcome
from arrears.services.workbench import audit
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import InvalidInput, NotFound, WorkbenchError
from arrears.services.workbench.principal import AccountScope, Principal
from arrears.services.workbench.understanding import arrangements_view, latest_scores

REVEALABLE = ("name", "national_id", "address", "birth_date", "contact_point")


def latest_aging_day(connection: Connection) -> Any:
    return connection.execute(select(func.max(t.aging_runs.c.as_of))).scalar()


@dataclass(frozen=True)
class AccountFilter:
    bucket: str | None = None
    min_dpd: int | None = None
    max_dpd: int | None = None
    agency_id: str | None = None
    status: str | None = None
    flag: str | None = None
    limit: int = 50
    offset: int = 0


def list_accounts(wb: Workbench, principal: Principal, wanted: AccountFilter) -> list[dict[str, Any]]:
    principal.require(Permission.VIEW_ACCOUNTS)
    a, g, c = t.accounts.c, t.account_aging.c, t.customers.c
    with wb.engine.connect() as connection:
        day = latest_aging_day(connection)
        query = (
            select(a.account_id, a.customer_id, a.product, a.currency, a.balance_cents, a.past_due_cents,
                   a.status, a.agency_id, a.flags, c.name_masked, g.dpd, g.bucket)
            .join(t.customers, c.customer_id == a.customer_id)
            .outerjoin(t.account_aging, (g.account_id == a.account_id) & (g.as_of == day))
            .where(principal.scope.accounts(), a.in_portfolio.is_(True))
        )
        if wanted.bucket:
            query = query.where(g.bucket == wanted.bucket)
        if wanted.min_dpd is not None:
            query = query.where(g.dpd >= wanted.min_dpd)
        if wanted.max_dpd is not None:
            query = query.where(g.dpd <= wanted.max_dpd)
        if wanted.agency_id:
            query = query.where(a.agency_id == wanted.agency_id)
        if wanted.status:
            query = query.where(a.status == wanted.status)
        if wanted.flag:
            query = query.where(contains(a.flags, wanted.flag))
        query = query.order_by(g.dpd.desc().nulls_last(), a.account_id).limit(wanted.limit).offset(wanted.offset)
        return [dict(r) for r in connection.execute(query).mappings().all()]


_a, _c = t.accounts.c, t.customers.c
# with the customer's time zone: the business day of what is logged on it; built once (every
# reservation reads it), the principal's scope bound (``AccountScope.bound``)
_ACCOUNT = (select(t.accounts, _c.timezone.label("customer_timezone"))
            .select_from(t.accounts.outerjoin(t.customers, _c.customer_id == _a.customer_id))
            .where(_a.account_id == bindparam("account_id")))
_SCOPED_ACCOUNT = _ACCOUNT.where(AccountScope.BOUND_ACCOUNTS)
_ACCOUNTS = {d: (select(t.accounts, _c.timezone.label("customer_timezone"))
                 .select_from(t.accounts.outerjoin(t.customers, _c.customer_id == _a.customer_id))
                 .where(among(_a.account_id, d))) for d in DIALECTS}
_SCOPED_ACCOUNTS = {d: statement.where(AccountScope.BOUND_ACCOUNTS) for d, statement in _ACCOUNTS.items()}


def account_row(connection: Connection, principal: Principal, account_id: str) -> dict[str, Any]:
    """The account in the principal's scope, with its customer's zone (NotFound outside it)."""
    statement, values = principal.scope.bound(_ACCOUNT, _SCOPED_ACCOUNT)
    row = connection.execute(statement, {**values, "account_id": account_id}).mappings().first()
    if row is None:
        raise NotFound(f"找不到账户 {account_id}", f"no account {account_id}", "account_id")
    return dict(row)


def account_rows(connection: Connection, principal: Principal, account_ids: list[str]) -> dict[str, dict[str, Any]]:
    """``account_row`` for many accounts in one statement, by id; those outside the scope are absent."""
    if not account_ids:
        return {}
    dialect = connection.dialect.name
    statement, values = principal.scope.bound(_ACCOUNTS[dialect], _SCOPED_ACCOUNTS[dialect])
    rows = connection.execute(statement, {**values, "ids": sorted(set(account_ids))}).mappings()
    return {row["account_id"]: dict(row) for row in rows}


def visible_account(wb: Workbench, principal: Principal, account_id: str) -> dict[str, Any]:
    principal.require(Permission.VIEW_ACCOUNTS)
    with wb.engine.connect() as connection:
        return account_row(connection, principal, account_id)


PersonalView = tuple[dict[str, Any], list[dict[str, Any]]]


def _personal_view(connection: Connection, customer_id: str, as_of: date) -> PersonalView:
    """The customer and their contact points with every personal field masked as one set
    (``mask_personal``): the stored masks pass through the same rules, and the birth date
    becomes an age band."""
    c, p = t.customers.c, t.contact_points.c
    row = dict(connection.execute(select(
        c.customer_id, c.name_masked, c.national_id_masked, c.address_masked, c.birth_date, c.language,
        c.timezone, c.jurisdiction, c.monthly_income_cents, c.preferred_channel, c.preferred_hours,
    ).where(c.customer_id == customer_id)).mappings().one())
    points = [dict(r) for r in connection.execute(select(
        p.contact_point_id, p.kind, p.value_masked, p.owner, p.relation, p.consent, p.status, p.do_not_contact,
    ).where(p.customer_id == customer_id, p.in_portfolio.is_(True)).order_by(p.contact_point_id)).mappings()]
    masks = mask_personal(PersonalFields(
        row.pop("name_masked"), row.pop("national_id_masked"), row.pop("address_masked"), row.pop("birth_date"),
        tuple(ContactValue(point["kind"], point["value_masked"]) for point in points)), as_of)
    customer = {"customer_id": row.pop("customer_id"), "name_masked": masks.name,
                "national_id_masked": masks.national_id, "address_masked": masks.address,
                "age_band": str(masks.age_band) if masks.age_band else None, **row}
    return customer, [{**point, "value_masked": value} for point, value in zip(points, masks.contact_points,
                                                                               strict=True)]


def _history(connection: Connection, account_id: str) -> dict[str, list[dict[str, Any]]]:
    g, b, pay = t.account_aging.c, t.bucket_transitions.c, t.payments.c
    aging = connection.execute(select(g.as_of, g.dpd, g.bucket, g.balance_cents, g.past_due_cents)
                               .where(g.account_id == account_id).order_by(g.as_of.desc()).limit(60)).mappings()
    moves = connection.execute(select(b.on, b.from_bucket, b.to_bucket, b.direction)
                               .where(b.account_id == account_id).order_by(b.on.desc()).limit(60)).mappings()
    paid = connection.execute(select(pay.paid_at, pay.amount_cents, pay.channel, pay.reversed)
                              .where(pay.account_id == account_id).order_by(pay.paid_at.desc()).limit(30)).mappings()
    return {"aging": [dict(r) for r in aging], "transitions": [dict(r) for r in moves],
            "payments": [dict(r) for r in paid]}


def contacts_of(wb: Workbench, connection: Connection, account_id: str) -> list[dict[str, Any]]:
    """Ingested contacts and the ones logged here, newest first, notes decrypted."""
    k, w = t.contacts.c, contact_attempts.c
    ingested = connection.execute(select(
        k.contact_id, k.channel, k.direction, k.at, k.party, k.outcome, k.promise_amount_cents, k.promise_date,
        k.complaint, k.agent_id, k.contact_point_id,
    ).where(k.account_id == account_id).order_by(k.at.desc()).limit(100)).mappings()
    rows = [{**r, "source": "portfolio", "notes": None, "dispute": r["outcome"] == Outcome.DISPUTE,
             "state": "logged", "callback_at": None, "who": r["agent_id"]} for r in ingested]
    logged = connection.execute(select(
        w.contact_id, w.channel, w.direction, w.at, w.outcome_party.label("party"), w.outcome, w.promise_amount_cents,
        w.promise_date, w.complaint, w.agent_id, w.contact_point_id, w.notes_enc, w.dispute, LOGGED_STATE,
        w.callback_at, w.logged_by.label("user_id"), users.c.username.label("who"),
    ).join_from(contact_attempts, users, users.c.user_id == w.logged_by, isouter=True).where(
        w.account_id == account_id, IN_WORKBENCH).order_by(w.at.desc()).limit(100)).mappings()
    for r in logged:  # who: the username of whoever logged it (the portfolio's rows: the agent id)
        notes = wb.cipher.decrypt(r["notes_enc"]) if r["notes_enc"] else None
        rows.append({**{k_: v for k_, v in r.items() if k_ != "notes_enc"}, "source": "workbench", "notes": notes})
    return sorted(rows, key=lambda r: r["at"], reverse=True)


def _follow_ups(wb: Workbench, connection: Connection, account_id: str) -> list[dict[str, Any]]:
    f = follow_ups.c
    rows = connection.execute(select(follow_ups).where(f.account_id == account_id)
                              .order_by(f.due_at.desc()).limit(30)).mappings()
    return [{**{k: v for k, v in r.items() if k != "note_enc"},
             "note": wb.cipher.decrypt(r["note_enc"]) if r["note_enc"] else None} for r in rows]


def account_view(wb: Workbench, principal: Principal, account_id: str) -> dict[str, Any]:
    """The 360° view, personal data masked."""
    principal.require(Permission.VIEW_ACCOUNTS)
    with wb.engine.connect() as connection:
        account = account_row(connection, principal, account_id)
        day = latest_aging_day(connection)
        aging_now = connection.execute(select(t.account_aging.c.dpd, t.account_aging.c.bucket).where(
            t.account_aging.c.account_id == account_id, t.account_aging.c.as_of == day)).mappings().first()
        agency = None
        if account["agency_id"]:
            agency = connection.execute(select(t.agencies).where(
                t.agencies.c.agency_id == account["agency_id"])).mappings().first()
        item = connection.execute(select(work_items).where(
            work_items.c.account_id == account_id, work_items.c.queue_date == wb.today())).mappings().first()
        contacts = contacts_of(wb, connection, account_id)
        customer, points = _personal_view(connection, account["customer_id"], wb.today())
        return {
            "account": account,
            "aging_as_of": day,
            "dpd": aging_now["dpd"] if aging_now else None,
            "bucket": aging_now["bucket"] if aging_now else None,
            "customer": customer,
            "contact_points": points,
            "agency": dict(agency) if agency else None,
            "work_item": dict(item) if item else None,
            "contacts": contacts,
            "promises": [c for c in contacts if c["promise_amount_cents"]],
            "follow_ups": _follow_ups(wb, connection, account_id),
            "scores": latest_scores(connection, account_id),
            "arrangements": arrangements_view(wb, account_id, wb.today()),
            **_history(connection, account_id),
        }


def account_basics(wb: Workbench, principal: Principal, account_id: str) -> dict[str, Any]:
    """The account, its customer, contact points and agency (masked): what a message needs."""
    principal.require(Permission.VIEW_ACCOUNTS)
    with wb.engine.connect() as connection:
        account = account_row(connection, principal, account_id)
        agency = None
        if account["agency_id"]:
            agency = connection.execute(select(t.agencies).where(
                t.agencies.c.agency_id == account["agency_id"])).mappings().first()
        customer, points = _personal_view(connection, account["customer_id"], wb.today())
        return {"account": account, "customer": customer, "contact_points": points,
                "agency": dict(agency) if agency else None}


def reveal(
    wb: Workbench, principal: Principal, account_id: str, *, field: str, purpose: str,
    contact_point_id: str | None = None,
) -> str:
    """Plaintext of one field for a stated purpose; the reveal is audited before it is returned, and a
    refused reveal (role, purpose, field, account out of scope, nothing recorded) is audited with why."""
    with wb.engine.begin() as connection:
        try:
            value = _revealed(wb, connection, principal, account_id, field=field, purpose=(purpose or "").strip(),
                              contact_point_id=contact_point_id)
        except WorkbenchError as error:
            audit.record(connection, wb.now(), "reveal_denied", principal, "denied", account_id=account_id[:64],
                         field=field[:40], purpose=(purpose or "")[:200], contact_point_id=contact_point_id,
                         reason=error.en)
            refused = error
        else:
            audit.record(connection, wb.now(), "reveal", principal, account_id=account_id, field=field,
                         purpose=purpose.strip(), contact_point_id=contact_point_id)
            return value
    raise refused


def _revealed(wb: Workbench, connection: Connection, principal: Principal, account_id: str, *, field: str,
              purpose: str, contact_point_id: str | None) -> str:
    """The plaintext a reveal opens, or the reason it may not."""
    principal.require(Permission.REVEAL_PERSONAL)
    if len(purpose) < 2 or len(purpose) > 200:
        raise InvalidInput("请说明查看目的（2 至 200 个字符）", "state the purpose (2 to 200 characters)", "purpose")
    if field not in REVEALABLE:
        raise InvalidInput(f"不能查看字段 {field}", f"the field {field} cannot be revealed", "field")
    account = account_row(connection, principal, account_id)
    return _plaintext(wb, connection, account["customer_id"], field, contact_point_id)


def _plaintext(wb: Workbench, connection: Connection, customer_id: str, field: str,
               contact_point_id: str | None) -> str:
    c, p = t.customers.c, t.contact_points.c
    if field == "contact_point":
        blob = connection.execute(select(p.value_enc).where(
            p.contact_point_id == (contact_point_id or ""), p.customer_id == customer_id)).scalar()
        if blob is None:
            raise NotFound("该账户没有这个联系方式", "no such contact point on this account", "contact_point_id")
        return wb.cipher.decrypt(blob)
    column = c.birth_date if field == "birth_date" else c[f"{field}_enc"]
    stored = connection.execute(select(column).where(c.customer_id == customer_id)).scalar()
    if stored is None:
        raise NotFound("该字段没有记录", "nothing is recorded in this field", "field")
    return stored.isoformat() if field == "birth_date" else wb.cipher.decrypt(stored)
