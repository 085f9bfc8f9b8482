"""Service tokens: systems (a dialer, an SMS gateway) calling the API with scopes, not people.

A token is ``svc_`` and 32 random bytes (URL-safe base64), shown once when issued; only its SHA-256 is
stored, and a presented token is found by that hash (a unique index), so the lookup never compares the
secret itself character by character. In-house administrators issue and revoke tokens through the API
(``domain.access.service_token_refusal``), operators through ``arrears token``; every issue, revocation
and refusal is audited.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from arrears.adapters.storage.workbench_tables import service_tokens
from arrears.domain.access import ServiceScope, Standing, service_token_refusal
from arrears.services.workbench import audit
from arrears.services.workbench.auth import token_hash
from arrears.services.workbench.context import Workbench, as_utc
from arrears.services.workbench.errors import InvalidInput, NotEligible, NotFound
from arrears.services.workbench.principal import Principal

PREFIX = "svc_"
LAST_USE_EVERY = timedelta(minutes=1)  # last_used_at is rewritten at most once a minute per token


@dataclass(frozen=True, slots=True)
class ServiceCaller:
    token_id: str
    name: str
    scopes: frozenset[ServiceScope]

    @property
    def label(self) -> str:
        return f"service:{self.name}"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who issues or revokes: a signed-in administrator, or an operator on the server's command line."""

    principal: Principal | None = None
    operator: str | None = None

    @property
    def label(self) -> str:
        return f"user:{self.principal.username}" if self.principal else f"cli:{self.operator or 'operator'}"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token_id: str
    name: str
    scopes: tuple[ServiceScope, ...]
    token: str
    created_at: datetime
    expires_at: datetime | None


def _scopes(values: Iterable[str]) -> tuple[ServiceScope, ...]:
    try:
        found = tuple(sorted({ServiceScope(v) for v in values}))
    except ValueError:
        known = ", ".join(s.value for s in ServiceScope)
        raise InvalidInput(f"未知的权限范围（可用：{known}）", f"unknown scope (known: {known})", "scopes") from None
    if not found:
        raise InvalidInput("至少要有一个权限范围", "a token has at least one scope", "scopes")
    return found


def _authorise(connection: Connection, wb: Workbench, actor: Actor, action: str) -> NotEligible | None:
    if actor.principal is None:
        return None  # an operator on the server
    refusal = service_token_refusal(Standing(actor.principal.role, actor.principal.agency_id or None))
    if refusal is None:
        return None
    audit.record(connection, wb.now(), "service_token_denied", actor.principal, "denied", action=action,
                 rules=[refusal.rule_id])
    return NotEligible(refusal.zh, refusal.en, None, (refusal.rule_id,))


def _checked_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 100 or not name.isprintable():
        raise InvalidInput("名称须为 1 至 100 个可打印字符", "a name has 1 to 100 printable characters", "name")
    return name


def issue(wb: Workbench, actor: Actor, name: str, scopes: Iterable[str],
          expires_at: datetime | None = None) -> IssuedToken:
    """A new token (returned once, never stored) with its scopes and optional expiry."""
    name, wanted, now = _checked_name(name), _scopes(scopes), wb.now()
    if expires_at is not None and as_utc(expires_at) <= now:
        raise InvalidInput("到期时间须在将来", "the expiry is in the future", "expires_at")
    refusal: NotEligible | None = None
    with wb.engine.begin() as connection:
        refusal = _authorise(connection, wb, actor, "issue")
        if refusal is None:
            live = connection.execute(select(service_tokens.c.token_id).where(
                service_tokens.c.name == name, service_tokens.c.revoked_at.is_(None))).first()
            if live:
                raise InvalidInput(f"已有名为 {name} 的有效令牌", f"a live token is already named {name}", "name")
            issued = IssuedToken(uuid.uuid4().hex, name, wanted, PREFIX + secrets.token_urlsafe(32), now,
                                 as_utc(expires_at))
            connection.execute(service_tokens.insert().values(
                token_id=issued.token_id, name=name, scopes=" ".join(s.value for s in wanted),
                token_hash=token_hash(issued.token), created_by=actor.label, created_at=now,
                expires_at=issued.expires_at))
            audit.record(connection, now, "service_token_issued", actor.principal, username=actor.label[:64],
                         token_id=issued.token_id, name=name, scopes=[s.value for s in wanted],
                         expires_at=issued.expires_at)
    if refusal is not None:
        raise refusal
    return issued


def list_tokens(wb: Workbench, actor: Actor) -> list[dict[str, Any]]:
    """Every token, newest first, without any secret."""
    with wb.engine.begin() as connection:
        refusal = _authorise(connection, wb, actor, "list")
        rows = [] if refusal else connection.execute(
            select(service_tokens).order_by(service_tokens.c.created_at.desc())).mappings().all()
    if refusal is not None:
        raise refusal
    return [{**{k: v for k, v in r.items() if k != "token_hash"}, "scopes": r["scopes"].split(),
             "live": _live(r["revoked_at"], r["expires_at"], wb.now())} for r in rows]


def _live(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> bool:
    return revoked_at is None and (expires_at is None or as_utc(expires_at) > now)


def revoke(wb: Workbench, actor: Actor, token_id: str) -> None:
    """Revoke a token (at once: the next request with it gets 401). Revoking twice changes nothing."""
    refusal: NotEligible | None = None
    with wb.engine.begin() as connection:
        refusal = _authorise(connection, wb, actor, "revoke")
        if refusal is None:
            row = connection.execute(select(service_tokens.c.name, service_tokens.c.revoked_at).where(
                service_tokens.c.token_id == token_id)).first()
            if row is None:
                raise NotFound(f"没有令牌 {token_id}", f"no token {token_id}", "token_id")
            if row.revoked_at is None:
                connection.execute(update(service_tokens).where(service_tokens.c.token_id == token_id)
                                   .values(revoked_at=wb.now()))
                audit.record(connection, wb.now(), "service_token_revoked", actor.principal,
                             username=actor.label[:64], token_id=token_id, name=row.name)
    if refusal is not None:
        raise refusal


_s = service_tokens.c
_PRESENTED = select(_s.token_id, _s.name, _s.scopes, _s.token_hash, _s.expires_at, _s.revoked_at,
                    _s.last_used_at).where(_s.token_hash == bindparam("digest"))  # built once: every call reads it


def service_caller(wb: Workbench, token: str) -> ServiceCaller | None:
    """The live token presented (not revoked, not expired), its last use recorded; None otherwise."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    digest, now = token_hash(token), wb.now()
    s = service_tokens.c
    with wb.engine.connect() as connection:
        row = connection.execute(_PRESENTED, {"digest": digest}).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest) or not _live(row.revoked_at, row.expires_at,
                                                                                    now):
        return None
    if row.last_used_at is None or as_utc(row.last_used_at) <= now - LAST_USE_EVERY:
        with wb.engine.begin() as connection:
            connection.execute(update(service_tokens).where(s.token_id == row.token_id).values(last_used_at=now))
    return ServiceCaller(row.token_id, row.name, frozenset(ServiceScope(v) for v in row.scopes.split()
                                                           if v in ServiceScope._value2member_map_))
