"""The customer's own page (self-service-v1): link tokens, one-time codes, lockouts, rate limits,
the plan offers a customer may choose, and their contact preferences. Pure: the clock, the keys
and the random values are arguments.

A link token is ``{link_id}.{signature}``: a random link id (no personal data) and a keyed
HMAC-SHA256 of it, cut to 128 bits, both base64url. The link's row (account, expiry, revocation)
is looked up by the id; a token whose signature does not match is never looked up at all."""

from __future__ import annotations

import hashlib
import hmac
import re
from base64 import urlsafe_b64encode
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from arrears.domain.vocabulary import PLANNED_CHANNELS

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}$")
_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_HOURS = re.compile(r"^\s*(\d{1,2})(?::00)?\s*-\s*(\d{1,2})(?::00)?\s*$")
CODE_DIGITS = 6


class PortalInputError(ValueError):
    """A value typed by a person or an operator that the page cannot take (``zh``/``en`` say why)."""

    def __init__(self, zh: str, en: str, field: str) -> None:
        super().__init__(f"{field}: {en}")
        self.zh, self.en, self.field = zh, en, field

    def message(self, language: str) -> str:
        return self.en if language == "en" else self.zh


def parse_duration(text: str) -> timedelta:
    """``72h``, ``30m``, ``10s`` or ``3d`` as a positive duration."""
    match = _DURATION.fullmatch(text or "")
    if match is None or int(match[1]) == 0:
        raise PortalInputError(f"有效期 {text!r} 应写作 72h、30m 或 10s",
                               f"a duration like 72h, 30m or 10s, not {text!r}", "ttl")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def _b64(raw: bytes) -> str:
    return urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def link_id_of(random_bytes: bytes) -> str:
    """A link id from 12 random bytes: 16 base64url characters."""
    if len(random_bytes) != 12:
        raise ValueError("a link id takes 12 random bytes")
    return _b64(random_bytes)


def sign_link(link_id: str, key: bytes) -> str:
    """The token for ``link_id``: the id and its keyed signature (38 characters)."""
    return f"{link_id}.{_b64(hmac.new(key, link_id.encode('ascii'), hashlib.sha256).digest()[:16])}"


def link_id_from_token(token: str, key: bytes) -> str | None:
    """The link id of a well-formed token whose signature matches; None for anything else."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    link_id = token.split(".", 1)[0]
    return link_id if hmac.compare_digest(sign_link(link_id, key), token) else None


@dataclass(frozen=True, slots=True)
class LinkState:
    expires_at: datetime
    revoked_at: datetime | None
    locked_until: datetime | None = None


def link_usable(link: LinkState | None, now: datetime) -> bool:
    """Whether a link may open the page: it exists, is not revoked and has not expired."""
    return link is not None and link.revoked_at is None and now < link.expires_at


def locked(link: LinkState, now: datetime) -> bool:
    return link.locked_until is not None and now < link.locked_until


@dataclass(frozen=True, slots=True)
class CodePolicy:
    """One-time codes: 6 digits valid 10 minutes; five wrong codes lock the link 30 minutes; at
    most ``per_link`` codes per link and ``per_number`` per number or address in ``window``."""

    valid_for: timedelta = timedelta(minutes=10)
    max_wrong: int = 5
    lockout: timedelta = timedelta(minutes=30)
    per_link: int = 3
    per_number: int = 5
    window: timedelta = timedelta(hours=1)
    min_gap: timedelta = timedelta(seconds=30)


def code_of(random_number: int) -> str:
    """Six digits from a random number (``secrets.randbelow(10**6)``), leading zeros kept."""
    return f"{random_number % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def code_hash(code: str, link_id: str, key: bytes) -> str:
    """A code is stored only as this keyed hash, bound to its link."""
    return hmac.new(key, f"{link_id}:{code}".encode(), hashlib.sha256).hexdigest()


def well_formed_code(code: str) -> bool:
    return len(code) == CODE_DIGITS and code.isascii() and code.isdigit()


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the page refuses a request (a rule id, a sentence in zh and en)."""

    rule_id: str
    zh: str
    en: str

    def message(self, language: str) -> str:
        return self.en if language == "en" else self.zh


def may_send_code(link_sends: Sequence[datetime], number_sends: Sequence[datetime], now: datetime,
                  policy: CodePolicy = CodePolicy()) -> Refusal | None:
    """None when another code may go now; else the rate limit it would break."""
    since = now - policy.window
    if any(now - sent < policy.min_gap for sent in link_sends):
        return Refusal("PORTAL-CODE-01", "验证码刚刚已发送，请稍候再试", "a code was sent moments ago; wait a little")
    if sum(1 for sent in link_sends if sent > since) >= policy.per_link:
        return Refusal("PORTAL-CODE-01", "验证码请求过于频繁，请一小时后再试",
                       "too many codes were asked for on this link; try again in an hour")
    if sum(1 for sent in number_sends if sent > since) >= policy.per_number:
        return Refusal("PORTAL-CODE-02", "发往该号码的验证码过多，请一小时后再试",
                       "too many codes were sent to this number; try again in an hour")
    return None


def lock_after(wrong: int, now: datetime, policy: CodePolicy = CodePolicy()) -> datetime | None:
    """Until when the link is locked after ``wrong`` wrong codes in a row (None: not yet)."""
    return now + policy.lockout if wrong >= policy.max_wrong else None


def session_alive(last_seen: datetime, now: datetime, idle: timedelta = timedelta(minutes=30)) -> bool:
    return now - last_seen < idle


# --- preferences ------------------------------------------------------------------------------
PREFERABLE = tuple(str(c) for c in PLANNED_CHANNELS)


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the customer told us: a channel, hours (``19-21``, their own time), channels opted out of."""

    channel: str | None
    hours: str | None
    opted_out: tuple[str, ...] = ()


def parse_hours(text: str | None) -> str | None:
    """``19-21`` (or ``19:00-21:00``) as ``19-21``: whole hours, the start before the end, within a day."""
    if not text or not text.strip():
        return None
    match = _HOURS.fullmatch(text)
    if match is None or not 0 <= int(match[1]) < int(match[2]) <= 24:
        raise PortalInputError("时段应写作 19-21（开始早于结束）", "hours like 19-21 (the start before the end)",
                               "hours")
    return f"{int(match[1])}-{int(match[2])}"


def parse_channel(text: str | None, field: str) -> str | None:
    if not text or not text.strip():
        return None
    if text.strip() not in PREFERABLE:
        raise PortalInputError(f"渠道须为 {'、'.join(PREFERABLE)} 之一", f"a channel is one of {', '.join(PREFERABLE)}",
                               field)
    return text.strip()


def preferences_of(channel: str | None, hours: str | None, opt_out: str | None,
                   before: Preferences | None = None) -> Preferences:
    """The preferences after the customer's form: an opt-out adds to those given before; a
    channel opted out of cannot be the preferred one."""
    chosen, window = parse_channel(channel, "channel"), parse_hours(hours)
    out = parse_channel(opt_out, "opt_out")
    opted = tuple(sorted({*(before.opted_out if before else ()), *((out,) if out else ())}))
    if chosen is not None and chosen in opted:
        raise PortalInputError("已退订的渠道不能设为首选", "a channel opted out of cannot be the preferred one",
                               "channel")
    return Preferences(chosen, window, opted)


# What a channel opt-out marks do-not-contact: the customer's own points of these kinds.
OPT_OUT_KINDS = {"sms": ("mobile",), "call": ("mobile", "home", "work"), "email": ("email",), "letter": ("postal",)}


# --- plan offers ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlanOfferPolicy:
    """The installment terms a customer may choose alone: among ``months``, those every other
    limit allows (the approval limits of the least authority, the schedule's term limits)."""

    months: tuple[int, ...] = (3, 6, 9, 12)


def plan_offers(policy: PlanOfferPolicy, allowed: Iterable[int]) -> tuple[int, ...]:
    """The months offered: the policy's terms that ``allowed`` (already judged by the rules) keeps."""
    kept = set(allowed)
    return tuple(m for m in policy.months if m in kept)


# --- the records the page keeps and shows ---------------------------------------------------
@dataclass(frozen=True, slots=True)
class Link:
    link_id: str
    account_id: str
    customer_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    wrong_codes: int = 0
    locked_until: datetime | None = None
    created_by: str = ""
    message_id: str | None = None

    @property
    def state(self) -> LinkState:
        return LinkState(self.expires_at, self.revoked_at, self.locked_until)


@dataclass(frozen=True, slots=True)
class SentCode:
    code_id: str
    link_id: str
    code_hash: str
    channel: str
    to_hash: str
    sent_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    session_hash: str
    link_id: str
    account_id: str
    customer_id: str
    csrf: str
    channel: str
    created_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OwnAddress:
    """The customer's own mobile or e-mail address (decrypted: only ever handed to the sender)."""

    contact_point_id: str
    kind: str
    value: str = field(repr=False)
    value_hash: str = ""


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """What the customer sees of their account: masked, amounts in minor units."""

    account_id: str
    customer_id: str
    name_masked: str
    currency: str
    balance_cents: int
    past_due_cents: int
    dpd: int | None
    next_due: date | None
    language: str
    jurisdiction: str
    agency: str | None
    payments: tuple[tuple[datetime, int, str], ...]  # paid at, amount, channel (not reversed)
