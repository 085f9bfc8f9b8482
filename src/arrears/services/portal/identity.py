"""Proving identity on the customer's page: a one-time code sent to the customer's own mobile (or
e-mail address where there is no valid mobile), checked with a lock after five wrong codes, then
a session bound to the account and the link.

The code message is asked for by the customer and says nothing about the debt (the sender's
signature, the code, how long it is valid): it is not a collection contact, so it does not pass
the contact gate or count in the contact ledger; it is audited (``portal.code_sent``)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from arrears.domain.arrangements.audit import AuditEntry
from arrears.domain.personal import mask_contact
from arrears.domain.portal import (
    Refusal,
    code_hash,
    code_of,
    lock_after,
    locked,
    may_send_code,
    session_alive,
    well_formed_code,
)
from arrears.services.portal.context import LinkGone, Portal, PortalRefused, customer_actor
from arrears.services.portal.links import usable_link
from arrears.services.portal.ports import Link, OwnAddress, PortalUnitOfWork, SentCode, Session

LOCKED = Refusal("PORTAL-LOCK-01", "验证码错误次数过多，此链接已锁定 30 分钟",
                 "too many wrong codes: this link is locked for 30 minutes")
NO_ADDRESS = Refusal("PORTAL-CODE-03", "没有可以接收验证码的本人手机号或邮箱，请致电我们",
                     "there is no mobile or e-mail address of yours to send a code to; please call us")
NOT_SENT = Refusal("PORTAL-CODE-04", "验证码暂时无法发送，请稍后再试",
                   "the code could not be sent just now; try again later")


TOUCH_EVERY = timedelta(seconds=30)  # how often a session's last use is written


@dataclass(frozen=True, slots=True)
class CodeSent:
    channel: str  # sms | email
    to_masked: str


def code_text(institution: str, code: str, language: str, minutes: int) -> tuple[str, str]:
    """The message's text and (e-mail) subject: the sender's signature, the code, its validity; no debt details."""
    if language == "en":
        return (f"【{institution}】Your verification code is {code}, valid for {minutes} minutes. "
                "Do not share it with anyone.", f"{institution}: your verification code")
    return f"【{institution}】您的验证码为 {code}，{minutes}分钟内有效，请勿告诉他人。", f"{institution}：验证码"


def _address(uow: PortalUnitOfWork, link: Link) -> OwnAddress:
    found = uow.customers.own_addresses(link.customer_id)
    mobile = next((a for a in found if a.kind == "mobile"), None)
    chosen = mobile or next((a for a in found if a.kind == "email"), None)
    if chosen is None:
        raise PortalRefused(NO_ADDRESS, status=409)
    return chosen


def _not_locked(link: Link, portal: Portal) -> None:
    if locked(link.state, portal.now()):
        raise PortalRefused(LOCKED, "code", status=423)


def request_code(portal: Portal, token: str, language: str = "zh") -> CodeSent:
    """Send a new code for the link (rate-limited per link and per number)."""
    policy, now = portal.policy.codes, portal.now()
    with portal.unit_of_work() as uow:
        link = usable_link(uow, portal, token, lock=True)
        _not_locked(link, portal)
        address = _address(uow, link)
        channel = "sms" if address.kind == "mobile" else "email"
        to_hash = address.value_hash or uow.customers.lookup_hash(address.value)
        since = now - policy.window
        refused = may_send_code(uow.codes.sent_on_link(link.link_id, since), uow.codes.sent_to(to_hash, since), now,
                                policy)
        if refused is not None:
            raise PortalRefused(refused, status=429)
        if portal.sender is None:
            raise PortalRefused(NOT_SENT, status=503)
        code, code_id = code_of(secrets.randbelow(10**6)), f"PC-{uuid.uuid4().hex[:20]}"
        uow.codes.add(SentCode(code_id, link.link_id, code_hash(code, link.link_id, portal.link_key), channel, to_hash,
                               now, now + policy.valid_for))
        uow.audit.append(AuditEntry(now, customer_actor(link.customer_id), "portal.code_sent",
                                    f"account:{link.account_id}", "none", channel,
                                    {"account_id": link.account_id, "link_id": link.link_id, "code_id": code_id}))
        uow.commit()  # counted before it goes: the gateway's answer is not waited for with the link held
    text, subject = code_text(portal.institution, code, language, int(policy.valid_for.total_seconds() // 60))
    if not portal.sender.send(channel, address.value, text, code_id, subject):
        with portal.unit_of_work() as uow:
            uow.codes.use(code_id, portal.now())  # never delivered: it cannot be used either
            uow.commit()
        raise PortalRefused(NOT_SENT, status=503)
    return CodeSent(channel, mask_contact(address.kind, address.value))


@dataclass(frozen=True, slots=True)
class Opened:
    token: str  # the session cookie's value (only its SHA-256 is stored)
    csrf: str


def session_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def verify_code(portal: Portal, token: str, code: str) -> Opened:
    """Open a session when ``code`` is one of the link's open codes; a wrong one counts towards the lock."""
    now = portal.now()
    with portal.unit_of_work() as uow:
        link = usable_link(uow, portal, token, lock=True)
        _not_locked(link, portal)
        typed = (code or "").strip()
        wanted = code_hash(typed, link.link_id, portal.link_key) if well_formed_code(typed) else ""
        match = next((c for c in uow.codes.open_codes(link.link_id, now)
                      if wanted and secrets.compare_digest(c.code_hash, wanted)), None)
        actor = customer_actor(link.customer_id)
        if match is None:
            wrong = uow.links.wrong_code(link.link_id)
            lock = lock_after(wrong, now, portal.policy.codes)
            if lock is not None:
                uow.links.lock(link.link_id, lock)
            uow.audit.append(AuditEntry(now, actor, "portal.locked" if lock else "portal.code_wrong",
                                        f"account:{link.account_id}", str(wrong - 1), str(wrong),
                                        {"account_id": link.account_id, "link_id": link.link_id}))
            uow.commit()
            if lock:
                raise PortalRefused(LOCKED, "code", status=423)
            left = portal.policy.codes.max_wrong - wrong
            raise PortalRefused(Refusal("PORTAL-CODE-05", f"验证码不正确或已过期（还可尝试 {left} 次）",
                                        f"the code is wrong or has expired ({left} tries left)"), "code", status=422)
        uow.codes.use(match.code_id, now)
        uow.links.right_code(link.link_id)
        opened = Opened(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
        uow.sessions.add(Session(session_hash(opened.token), link.link_id, link.account_id, link.customer_id,
                                 opened.csrf, match.channel, now, now))
        uow.audit.append(AuditEntry(now, actor, "portal.verified", f"account:{link.account_id}", "none", "session",
                                    {"account_id": link.account_id, "link_id": link.link_id, "channel": match.channel}))
        uow.commit()
    return opened


def current_session(portal: Portal, token: str, cookie: str | None) -> Session | None:
    """The live session of this link for the cookie, touched (30 minutes idle); None when there is
    none. ``LinkGone`` when the link itself may not open the page."""
    now = portal.now()
    with portal.unit_of_work() as uow:
        link = usable_link(uow, portal, token)
        session = uow.sessions.get(session_hash(cookie)) if cookie else None
        if (session is None or session.link_id != link.link_id or session.closed_at is not None
                or not session_alive(session.last_seen_at, now, portal.policy.session_idle)):
            return None
        if now - session.last_seen_at >= TOUCH_EVERY:  # a write a minute at most, not one a page
            uow.sessions.touch(session.session_hash, now)
            uow.commit()
    return session


def close_session(portal: Portal, cookie: str) -> None:
    with portal.unit_of_work() as uow:
        uow.sessions.close(session_hash(cookie), portal.now())
        uow.commit()


__all__ = ["CodeSent", "LinkGone", "Opened", "close_session", "current_session", "request_code", "verify_code"]
