"""Finding an account when a customer calls in: by account id, by phone (any usual spelling:
``+86 138…``, ``86138…``, ``138…``), by national id or by full name, each through the keyed lookup
hashes that ingest stored (the plaintext is never searched, nothing is decrypted), or by the last
4 digits of a phone (the stored mask shows them). Results are only within the user's scope (an
agency's users see only that agency's accounts), at most ``MAX_RESULTS``, and every search is
audited with how it matched and how many it found, never with what was typed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, literal, select, union_all

from arrears.adapters.storage import tables as t
from arrears.domain.access import Permission
from arrears.services.portfolio_files.rules import phone_text
from arrears.services.workbench import audit
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import InvalidInput
from arrears.services.workbench.principal import Principal

MAX_RESULTS = 20
PHONE_KINDS = ("mobile", "home", "work")
_SEPARATORS = re.compile(r"[\s\-().]")


@dataclass(frozen=True, slots=True)
class Match:
    """One way the text may name accounts: ``how`` (account_id, phone, phone_last4,
    national_id, name) and the condition on the accounts joined to their customers."""

    how: str
    condition: ColumnElement[bool]


def _phone_values(text: str) -> set[str]:
    """The E.164 forms the text may be (as ingest stored phones before hashing them)."""
    cleaned = _SEPARATORS.sub("", text)
    candidates = {phone_text(cleaned)}
    if cleaned.startswith("86") and not cleaned.startswith("+"):
        candidates.add(phone_text("+" + cleaned))
    if cleaned.startswith("0086"):
        candidates.add(phone_text("+" + cleaned[2:]))
    return {c for c in candidates if c}


def _customers_with_points(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    p = t.contact_points.c
    return t.customers.c.customer_id.in_(select(p.customer_id).where(condition, p.in_portfolio.is_(True)))


def matches(wb: Workbench, text: str) -> list[Match]:
    """Every way ``text`` may name accounts (hashes computed with the lookup key)."""
    a, c, p = t.accounts.c, t.customers.c, t.contact_points.c
    found = [Match("account_id", a.account_id.in_({text, text.upper()}))]
    phones = _phone_values(text)
    if phones:
        hashes = [wb.cipher.lookup_hash(v) for v in phones]
        found.append(Match("phone", _customers_with_points(p.value_hash.in_(hashes))))
    digits = _SEPARATORS.sub("", text)
    if re.fullmatch(r"\d{4}", digits):
        found.append(Match("phone_last4", _customers_with_points(
            (t.last4(p.value_masked) == digits) & p.kind.in_(PHONE_KINDS))))
    if re.fullmatch(r"[0-9A-Za-z]{5,40}", digits) and not re.fullmatch(r"\d{4}", digits):
        found.append(Match("national_id", c.national_id_hash == wb.cipher.lookup_hash(digits.upper())))
    found.append(Match("name", c.name_hash == wb.cipher.lookup_hash(text)))
    return found


def _query(principal: Principal, match: Match, rank: int) -> Select[Any]:
    """The first ``MAX_RESULTS`` accounts ``match`` finds within the scope, in account order, with
    how they were found and the rank of that way (the first way that finds an account names it)."""
    a, c = t.accounts.c, t.customers.c
    return (select(a.account_id, a.customer_id, a.product, a.status, a.past_due_cents, a.balance_cents, a.currency,
                   a.agency_id, c.name_masked, literal(match.how).label("matched"), literal(rank).label("rank"))
            .join(t.customers, c.customer_id == a.customer_id)
            .where(match.condition, a.in_portfolio.is_(True), principal.scope.accounts())
            .order_by(a.account_id).limit(MAX_RESULTS))


def _rows(connection: Connection, principal: Principal, found_by: list[Match]) -> list[dict[str, Any]]:
    """What every way of matching finds, in one statement (one round trip, not one a way)."""
    every = union_all(*(select(_query(principal, match, rank).subquery()) for rank, match in enumerate(found_by)))
    rows = [dict(row) for row in connection.execute(every).mappings()]
    return sorted(rows, key=lambda r: r.pop("rank"))


def search(wb: Workbench, principal: Principal, text: str) -> dict[str, Any]:
    """The accounts ``text`` names within ``principal``'s scope (at most ``MAX_RESULTS``), audited."""
    principal.require(Permission.VIEW_ACCOUNTS)
    typed = (text or "").strip()
    if not 2 <= len(typed) <= 64:
        raise InvalidInput("请输入 2 到 64 个字符：账号、手机号、证件号、姓名或手机尾号 4 位",
                           "type 2 to 64 characters: an account id, a phone, an ID number, a name or a "
                           "phone's last 4 digits", "q")
    found: dict[str, dict[str, Any]] = {}
    with wb.engine.begin() as connection:
        for row in _rows(connection, principal, matches(wb, typed)):
            found.setdefault(row["account_id"], row)
        items = sorted(found.values(), key=lambda r: (r["matched"] == "phone_last4", r["account_id"]))
        items = items[:MAX_RESULTS]
        audit.record(connection, wb.now(), "search", principal, results=len(items),
                     matched=sorted({r["matched"] for r in items}))
    return {"items": items, "truncated": len(found) > MAX_RESULTS}
