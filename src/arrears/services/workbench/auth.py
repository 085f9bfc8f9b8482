"""People and access: users, argon2 passwords, login throttling, sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, Row, select, update

from arrears.adapters.common_passwords import common_passwords
from arrears.adapters.storage.workbench_tables import api_tokens, users, web_sessions
from arrears.domain.access import LoginPolicy, Role
from arrears.domain.passwords import joined, password_refusals
from arrears.services.workbench import audit
from arrears.services.workbench.context import Workbench, as_utc
from arrears.services.workbench.errors import Forbidden, InvalidInput, LoginRefused
from arrears.services.workbench.principal import Principal


def password_hasher() -> PasswordHasher:
    """argon2id at the library's recommended cost (64 MiB, 3 passes, 4 lanes)."""
    return PasswordHasher()


HASHER = password_hasher()


@cache
def _dummy_hash() -> str:
    """A hash to check a password against for an unknown user (the same time as a known one);
    made on first use, not on import: argon2 takes half a second, which every command paid."""
    return HASHER.hash(secrets.token_urlsafe(16))
MAX_TYPED_PASSWORD = 1024  # longer input is cut before hashing (argon2 time grows with it)
# One answer for a wrong password, an unknown, inactive or locked user: usernames cannot be enumerated.
REFUSED = ("用户名或密码错误，或账户已被暂时锁定", "wrong username or password, or the account is locked for a while")


def hash_password(password: str, username: str) -> str:
    """The argon2 hash of a password that passes the policy (``domain.passwords``); else InvalidInput."""
    refusals = password_refusals(password, username, common_passwords())
    if refusals:
        raise InvalidInput(*joined(refusals), "password")
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
                     m["agent_id"] or None, m["language"], bool(m.get("password_change_required")))


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: Role
    display_name: str | None = None
    agency_id: str | None = None
    agent_id: str | None = None
    language: str = "zh"
    password_change_required: bool = False  # a password someone else chose


GENERATED_PASSWORD_BYTES = 12  # 16 characters of URL-safe base64 (96 bits)


def generated_password(username: str) -> str:
    """A random password that passes the policy, for a new user or a reset: shown once, and (but for
    the demo users) changed at first login."""
    while True:
        password = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
        if not password_refusals(password, username, common_passwords()):
            return password


def _valid_username(username: str) -> None:
    if not username or len(username) > 64 or not username.isascii() \
            or not username.replace("_", "").replace("-", "").isalnum():
        raise InvalidInput("用户名只能包含字母、数字、_ 和 -", "a username holds letters, digits, _ and - only",
                           "username")


def insert_user(connection: Connection, user: NewUser, now: datetime) -> str:
    """Add a user on the caller's transaction (the username and password checked); returns the id.

    Who may add whom is the caller's business: ``users.add_user`` for the API, the operator on the CLI."""
    _valid_username(user.username)
    if connection.execute(select(users.c.user_id).where(users.c.username == user.username)).first():
        raise InvalidInput(f"用户名 {user.username} 已存在", f"the username {user.username} is taken", "username")
    user_id = uuid.uuid4().hex
    connection.execute(users.insert().values(
        user_id=user_id, username=user.username, display_name=user.display_name or user.username,
        password_hash=hash_password(user.password, user.username), role=user.role.value, agency_id=user.agency_id,
        agent_id=user.agent_id, language=user.language, active=True, failed_logins=0, created_at=now,
        password_change_required=user.password_change_required,
    ))
    return user_id


def create_user(engine: Engine, user: NewUser, now: datetime) -> str:
    """An operator's (or a test's) user, added without an acting administrator."""
    with engine.begin() as connection:
        return insert_user(connection, user, now)


def set_password(engine: Engine, username: str, password: str) -> None:
    with engine.begin() as connection:
        connection.execute(update(users).where(users.c.username == username).values(
            password_hash=hash_password(password, username), failed_logins=0, locked_until=None))


def change_own_password(wb: Workbench, principal: Principal, current: str, new: str) -> None:
    """A signed-in user changes their password: the current one is required, the new one meets the policy."""
    with wb.engine.begin() as connection:
        stored = connection.execute(select(users.c.password_hash).where(users.c.user_id == principal.user_id)
                                    .with_for_update()).scalar()
        matches = stored is not None and _password_matches(stored, current)
        if matches:
            connection.execute(update(users).where(users.c.user_id == principal.user_id).values(
                password_hash=hash_password(new, principal.username), password_change_required=False))
        audit.record(connection, wb.now(), "password_changed" if matches else "password_change_denied", principal,
                     "ok" if matches else "denied")
    if not matches:
        raise Forbidden("当前密码不正确", "the current password is wrong", "current_password")


def authenticate(wb: Workbench, username: str, password: str) -> Principal:
    """Check a password, with throttling: ``LoginPolicy`` failures in a row lock the user.

    Failures are committed (counter, lock, audit) before the refusal is raised.
    """
    if len(username) > 64 or len(password) > MAX_TYPED_PASSWORD:  # no user has such a name or password
        username, password = "", password[:MAX_TYPED_PASSWORD]
    with wb.engine.begin() as connection:
        outcome = _check_login(wb, connection, username, password)
    if isinstance(outcome, LoginRefused):
        raise outcome
    return outcome


def _check_login(wb: Workbench, connection: Connection, username: str, password: str) -> Principal | LoginRefused:
    now, policy = wb.now(), wb.login_policy
    row = connection.execute(select(users).where(users.c.username == username).with_for_update()).first()
    if row is None:
        _password_matches(_dummy_hash(), password)  # the same time as a known user
        # what was typed may be a password: only a keyed hash of it is kept
        audit.record(connection, now, "login_failed", None, "denied", reason="unknown user",
                     typed_username_hash=typed_username_hash(wb, username))
        return LoginRefused(*REFUSED)
    principal = principal_from_row(row)
    if not row.active or LoginPolicy.is_locked(as_utc(row.locked_until), now):
        _password_matches(_dummy_hash(), password)
        if row.active:
            audit.record(connection, now, "login_locked", principal, "denied", locked_until=row.locked_until)
        else:
            audit.record(connection, now, "login_failed", principal, "denied", reason="inactive user")
        return LoginRefused(*REFUSED)
    if not _password_matches(row.password_hash, password):
        failures, locked_until = policy.after_failure(row.failed_logins, now)
        connection.execute(update(users).where(users.c.user_id == row.user_id).values(
            failed_logins=failures, locked_until=locked_until))
        if locked_until is not None:
            audit.record(connection, now, "lockout", principal, "denied", locked_until=locked_until,
                         after_failures=policy.max_failures)
        else:
            audit.record(connection, now, "login_failed", principal, "denied", failures=failures)
        return LoginRefused(*REFUSED)
    connection.execute(update(users).where(users.c.user_id == row.user_id).values(
        failed_logins=0, locked_until=None, last_login_at=now))
    audit.record(connection, now, "login", principal)
    return principal


def typed_username_hash(wb: Workbench, typed: str) -> str:
    """A keyed hash of a username that matched no user: an auditor holding the lookup key can tell
    whether a given name was tried, and nobody can read back what was typed."""
    return wb.cipher.lookup_hash("login-username:" + typed)


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
