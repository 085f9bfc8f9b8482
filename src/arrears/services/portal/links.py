"""Links to the customer's page: made for one account (by an operator's command, or by the
dispatcher for one message), revoked, and opened. Every way a token can fail to open the page
raises the same ``LinkGone``."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from arrears.domain.arrangements.audit import AuditEntry
from arrears.domain.portal import link_id_from_token, link_id_of, link_usable, sign_link
from arrears.services.portal.context import LinkGone, Portal
from arrears.services.portal.ports import Link, PortalUnitOfWork
from arrears.services.workbench.errors import NotFound


def _new_link(uow: PortalUnitOfWork, portal: Portal, account_id: str, ttl: timedelta, *, created_by: str,
              message_id: str | None = None) -> str:
    customer_id = uow.customers.holder(account_id)
    if customer_id is None:
        raise NotFound(f"找不到账户 {account_id}", f"no account {account_id}", "account_id")
    now = portal.now()
    link = Link(link_id_of(secrets.token_bytes(12)), account_id, customer_id, now, now + ttl, created_by=created_by,
                message_id=message_id)
    uow.links.add(link)
    uow.audit.append(AuditEntry(now, created_by, "portal.link_created", f"account:{account_id}", "none",
                                f"link {link.link_id} until {link.expires_at.isoformat()}",
                                {"account_id": account_id, "link_id": link.link_id}))
    return portal.url(sign_link(link.link_id, portal.link_key))


def create_link(portal: Portal, account_id: str, *, ttl: timedelta | None = None, created_by: str) -> str:
    """A new link to the account's page, valid for ``ttl`` (default 72 hours): its URL."""
    with portal.unit_of_work() as uow:
        url = _new_link(uow, portal, account_id, ttl or portal.policy.default_ttl, created_by=created_by)
        uow.commit()
    return url


def link_for_message(portal: Portal, account_id: str, message_id: str, connection: Any = None) -> str:
    """The link a message carries: one per message (the same one when the message is tried again),
    written in the caller's transaction when ``connection`` is given (the dispatcher's)."""
    joined = connection is not None and portal.joined is not None
    with (portal.joined(connection) if joined and portal.joined else portal.unit_of_work()) as uow:
        found = uow.links.for_message(message_id)
        if found is not None:
            return portal.url(sign_link(found.link_id, portal.link_key))
        url = _new_link(uow, portal, account_id, portal.policy.default_ttl, created_by=f"dispatch:{message_id}",
                        message_id=message_id)
        uow.commit()
    return url


def revoke_link(portal: Portal, token_or_id: str, *, actor: str) -> bool:
    """Revoke a link given by its URL, token or id; False when there was none to revoke."""
    text = token_or_id.rstrip("/").rsplit("/", 1)[-1]
    link_id = link_id_from_token(text, portal.link_key) if "." in text else text
    if not link_id:
        return False
    now = portal.now()
    with portal.unit_of_work() as uow:
        link = uow.links.get(link_id)
        if link is None or not uow.links.revoke(link_id, now):
            return False
        uow.audit.append(AuditEntry(now, actor, "portal.link_revoked", f"account:{link.account_id}", "active",
                                    "revoked", {"account_id": link.account_id, "link_id": link_id}))
        uow.commit()
    return True


def usable_link(uow: PortalUnitOfWork, portal: Portal, token: str, *, lock: bool = False) -> Link:
    """In an open unit of work: the link of ``token`` if it may open the page, else ``LinkGone``;
    ``lock`` holds its row to the end of the transaction (wrong codes and code requests count one by one)."""
    link_id = link_id_from_token(token, portal.link_key)
    link = uow.links.get(link_id, lock=lock) if link_id else None
    if link is None or not link_usable(link.state, portal.now()):
        raise LinkGone()
    return link


def open_link(portal: Portal, token: str) -> Link:
    with portal.unit_of_work() as uow:
        return usable_link(uow, portal, token)
