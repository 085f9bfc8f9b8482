"""People and access: users, argon2 passwords, login throttling, sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, Row, select, update

from arrears.adapters.storage.workbench_tables import api_tokens, users, web_sessions
from arrears.domain.access import LoginPolicy, Role
from arrears.services.workbench import audit
from arrears.services.workbench.context import Workbench, as_utc
from arrears.services.workbench.errors import InvalidInput, LoginRefused
from arrears.services.workbench.principal import Principal

HASHER = PasswordHasher()
MIN_PASSWORD = 10
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
_WRONG = ("用户名或密码错误", "wrong username or password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD} 个字符", f"a password has at least {MIN_PASSWORD} characters",
                           "password")
    return HASHER.hash(password)


def _password_matches(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_from_row(row: Row) -> Principal:
    m = row._mapping
    return Principal(m["user_id"], m["username"], m["display_name"], Role(m["role"]), m["agency_id"] or None,
                     m["agent_id"] or None, m["language"])


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: Role
    display_name: str | None = None
    agency_id: str | None = None
    agent_id: str | None = None
    language: str = "zh"


def create_user(engine: Engine, user: NewUser, now: datetime) -> str:
    if not user.username or len(user.username) > 64 or not user.username.replace("_", "").replace("-", "").isalnum():
        raise InvalidInput("用户名只能包含字母、数字、_ 和 -", "a username holds letters, digits, _ and - only",
                           "username")
    user_id = uuid.uuid4().hex
    with engine.begin() as connection:
        if connection.execute(select(users.c.user_id).where(users.c.username == user.username)).first():
            raise InvalidInput(f"用户名 {user.username} 已存在", f"the username {user.username} is taken", "username")
        connection.execute(users.insert().values(
            user_id=user_id, username=user.username, display_name=user.display_name or user.username,
            password_hash=hash_password(user.password), role=user.role.value, agency_id=user.agency_id,
            agent_id=user.agent_id, language=user.language, active=True, failed_logins=0, created_at=now,
        ))
    return user_id


def set_password(engine: Engine, username: str, password: str) -> None:
    with engine.begin() as connection:
        connection.execute(update(users).where(users.c.username == username).values(
            password_hash=hash_password(password), failed_logins=0, locked_until=None))


def authenticate(wb: Workbench, username: str, password: str) -> Principal:
    """Check a password, with throttling: ``LoginPolicy`` failures in a row lock the user.

    Failures are committed (counter, lock, audit) before the refusal is raised.
    """
    with wb.engine.begin() as connection:
        outcome = _check_login(wb, connection, username, password)
    if isinstance(outcome, LoginRefused):
        raise outcome
    return outcome


def _check_login(wb: Workbench, connection: Connection, username: str, password: str) -> Principal | LoginRefused:
    now, policy = wb.now(), wb.login_policy
    row = connection.execute(select(users).where(users.c.username == username).with_for_update()).first()
    if row is None or not row.active:
        _password_matches(_DUMMY_HASH, password)  # same time either way
        audit.record(connection, now, "login_failed", None, "denied", username=username[:64],
                     reason="unknown or inactive user")
        return LoginRefused(*_WRONG)
    principal = principal_from_row(row)
    if LoginPolicy.is_locked(as_utc(row.locked_until), now):
        audit.record(connection, now, "login_locked", principal, "denied", locked_until=row.locked_until)
        return _locked(as_utc(row.locked_until), wb)
    if not _password_matches(row.password_hash, password):
        failures, locked_until = policy.after_failure(row.failed_logins, now)
        connection.execute(update(users).where(users.c.user_id == row.user_id).values(
            failed_logins=failures, locked_until=locked_until))
        if locked_until is not None:
            audit.record(connection, now, "lockout", principal, "denied", locked_until=locked_until,
                         after_failures=policy.max_failures)
            return _locked(locked_until, wb)
        audit.record(connection, now, "login_failed", principal, "denied", failures=failures)
        return LoginRefused(*_WRONG)
    connection.execute(update(users).where(users.c.user_id == row.user_id).values(
        failed_logins=0, locked_until=None, last_login_at=now))
    audit.record(connection, now, "login", principal)
    return principal


def _locked(until: datetime | None, wb: Workbench) -> LoginRefused:
    assert until is not None
    from zoneinfo import ZoneInfo

    local = until.astimezone(ZoneInfo(wb.timezone)).strftime("%H:%M")
    return LoginRefused(f"登录失败次数过多，账户已锁定至 {local}", f"too many failed logins; locked until {local}")


def open_session(wb: Workbench, principal: Principal) -> tuple[str, str]:
    """A server-side session: returns (cookie token, CSRF token). Only the token's hash is kept."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = wb.now()
    with wb.engine.begin() as connection:
        connection.execute(web_sessions.insert().values(
            session_hash=token_hash(token), user_id=principal.user_id, csrf_token=csrf,
            created_at=now, expires_at=now + wb.session_ttl))
    return token, csrf


def session_principal(wb: Workbench, token: str) -> tuple[Principal, str] | None:
    s = web_sessions.c
    query = (select(users, s.csrf_token).join(web_sessions, s.user_id == users.c.user_id)
             .where(s.session_hash == token_hash(token), s.revoked_at.is_(None), s.expires_at > wb.now(),
                    users.c.active.is_(True)))
    with wb.engine.connect() as connection:
        row = connection.execute(query).first()
    return (principal_from_row(row), row.csrf_token) if row else None


def close_session(wb: Workbench, token: str) -> None:
    with wb.engine.begin() as connection:
        connection.execute(update(web_sessions).where(web_sessions.c.session_hash == token_hash(token))
                           .values(revoked_at=wb.now()))


def issue_token(wb: Workbench, principal: Principal, name: str = "api") -> tuple[str, datetime]:
    token, now = "arr_" + secrets.token_urlsafe(32), wb.now()
    expires = now + wb.token_ttl
    with wb.engine.begin() as connection:
        connection.execute(api_tokens.insert().values(
            token_id=uuid.uuid4().hex, user_id=principal.user_id, token_hash=token_hash(token), name=name[:100],
            created_at=now, expires_at=expires))
        audit.record(connection, now, "token_issued", principal, name=name[:100])
    return token, expires


def token_principal(wb: Workbench, token: str) -> Principal | None:
    k = api_tokens.c
    query = (select(users).join(api_tokens, k.user_id == users.c.user_id)
             .where(k.token_hash == token_hash(token), k.revoked_at.is_(None), k.expires_at > wb.now(),
                    users.c.active.is_(True)))
    with wb.engine.connect() as connection:
        row = connection.execute(query).first()
    return principal_from_row(row) if row else None


def revoke_token(wb: Workbench, token: str) -> bool:
    with wb.engine.begin() as connection:
        live = (api_tokens.c.token_hash == token_hash(token)) & api_tokens.c.revoked_at.is_(None)
        result = connection.execute(update(api_tokens).where(live).values(revoked_at=wb.now()))
    return bool(result.rowcount)


def set_language(wb: Workbench, principal: Principal, language: str) -> None:
    if language not in {"zh", "en"}:
        raise InvalidInput("语言只能是 zh 或 en", "the language is zh or en", "language")
    with wb.engine.begin() as connection:
        connection.execute(update(users).where(users.c.user_id == principal.user_id).values(language=language))
