"""The facts a message about a stored account may use, read in one query (for a sender that
renders by account id, such as the outbox)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from arrears.adapters.storage import tables as t
from arrears.services.outreach.templates.ports import MessageFacts


def account_facts(connection: Connection, account_id: str, *, institution: str, agent_id: str | None = None,
                  recipient: str = "debtor", self_service_link: str | None = None) -> MessageFacts | None:
    """The account's message facts (masked name, jurisdiction, tail, past due, holder); None when there is
    no such account. ``agent_id`` is the sending collector's own number, or None for a system send."""
    a, c, g = t.accounts.c, t.customers.c, t.agencies.c
    row = connection.execute(
        select(a.account_id, a.past_due_cents, a.currency, c.name_masked, c.jurisdiction, g.name.label("agency"))
        .join(t.customers, c.customer_id == a.customer_id)
        .outerjoin(t.agencies, g.agency_id == a.agency_id)
        .where(a.account_id == account_id)).first()
    if row is None:
        return None
    return MessageFacts(customer_name=row.name_masked, jurisdiction=row.jurisdiction or "CN",
                        account_tail=row.account_id[-4:], past_due_cents=row.past_due_cents or 0,
                        currency=row.currency or "CNY", institution=institution, agency=row.agency or None,
                        agent_id=agent_id, self_service_link=self_service_link, recipient=recipient)
