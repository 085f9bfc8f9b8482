"""The customer's own page (self-service-v1): links, one-time codes, sessions and preferences.

``portal_links`` holds one row per link: a random id (the token is the id and its signature; the
signature is never stored), the account, expiry, revocation, the wrong-code count and the lock.
``portal_codes`` holds each code sent, only as a keyed hash, with the keyed hash of the number or
address it went to (for the per-number rate limit). ``portal_sessions`` holds a verified
session by the SHA-256 of its cookie token, with its CSRF token and when it was last used.
``portal_preferences`` holds what the customer chose: it overrides customers.preferred_channel
and preferred_hours for the planner; an opt-out is applied to the contact points at once."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String

from arrears.adapters.storage.tables import Id, UtcDateTime, table


def _ts(name: str, nullable: bool = True) -> Column:
    return Column(name, UtcDateTime(), nullable=nullable)


portal_links = table(
    "portal_links",
    Column("link_id", String(24), primary_key=True),
    Column("account_id", Id, nullable=False, index=True),
    Column("customer_id", Id, nullable=False),
    Column("created_by", String(100), nullable=False),  # cli:<login>, dispatch:<message id>
    Column("message_id", String(40)),  # the outreach message that carries it, if any
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("revoked_at"),
    Column("wrong_codes", Integer, nullable=False, default=0),
    _ts("locked_until"),
)

portal_codes = table(
    "portal_codes",
    Column("code_id", String(40), primary_key=True),
    Column("link_id", String(24), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("channel", String(10), nullable=False),  # sms | email
    Column("to_hash", String(32), nullable=False),  # the keyed hash of the number or address
    _ts("sent_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("used_at"),
    Index("ix_portal_codes_link", "link_id", "sent_at"),
    Index("ix_portal_codes_to", "to_hash", "sent_at"),
)

portal_sessions = table(
    "portal_sessions",
    Column("session_hash", String(64), primary_key=True),
    Column("link_id", String(24), nullable=False),
    Column("account_id", Id, nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("channel", String(10), nullable=False),  # how the code that opened it was delivered
    _ts("created_at", nullable=False),
    _ts("last_seen_at", nullable=False),
    _ts("closed_at"),
)

portal_preferences = table(
    "portal_preferences",
    Column("customer_id", Id, primary_key=True),
    Column("preferred_channel", String(10)),
    Column("preferred_hours", String(20)),
    Column("opted_out", String(60), nullable=False, default=""),  # channels, space-separated
    Column("link_id", String(24), nullable=False),  # the link of the session that set them
    _ts("updated_at", nullable=False),
)
