"""A preview dialer's list for one collector: today's queue as the collector may work it (the
accounts open or held by them, in their scope, highest priority first), each with the debtor's
first number (masked: the number itself is handed out only by ``next_call``, reserved) and the
gate's preview of a call now."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.workbench_tables import work_items
from arrears.domain.access import Permission
from arrears.domain.money import cents_text
from arrears.services.contact_gate_port import ContactRequest
from arrears.services.dialer.calls import collector, numbers_of
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.queue import ensure_queue

COLUMNS = ("position", "account_id", "customer", "reason", "best_hour", "past_due", "currency", "number_masked",
           "contact_point_id", "kind", "call_now", "why")


def preview_list(wb: Workbench, agent_id: str, *, limit: int = 200) -> list[dict[str, Any]]:
    principal = collector(wb, agent_id)
    principal.require(Permission.TAKE_WORK)
    day, now, w, a, c = wb.today(), wb.now(), work_items.c, t.accounts.c, t.customers.c
    ensure_queue(wb, day)
    mine = or_(w.status == "open", and_(w.status == "assigned", w.assigned_to == principal.user_id),
               and_(w.status == "assigned", w.lease_until < now))
    query = principal.scope.restrict(
        select(w.account_id, w.reason, w.best_hour, a.past_due_cents, a.currency, c.name_masked)
        .join(t.accounts, a.account_id == w.account_id).join(t.customers, c.customer_id == a.customer_id)
        .where(w.queue_date == day, mine).order_by(w.priority.desc(), w.item_id).limit(limit), w.account_id)
    rows = []
    with wb.engine.connect() as connection:
        items = connection.execute(query).all()
        numbers = {item.account_id: numbers_of(connection, item.account_id) for item in items}
    for position, item in enumerate(items, 1):
        first = numbers[item.account_id][0] if numbers[item.account_id] else None
        verdict = None if first is None else wb.gate.preview(ContactRequest(
            item.account_id, "call", now, first.contact_point_id, principal.agent_id), principal.language)
        why = "; ".join(verdict.reasons) if verdict else ("no phone number" if principal.language == "en"
                                                           else "没有可拨打的号码")
        rows.append({"position": position, "account_id": item.account_id, "customer": item.name_masked,
                     "reason": item.reason, "best_hour": item.best_hour, "past_due": cents_text(item.past_due_cents),
                     "currency": item.currency, "number_masked": first.value_masked if first else None,
                     "contact_point_id": first.contact_point_id if first else None,
                     "kind": first.kind if first else None, "call_now": verdict.decision if verdict else "deny",
                     "why": why})
    return rows
