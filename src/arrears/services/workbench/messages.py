"""Message previews on the account page: the SMS templates (reminder, installment offer,
hardship and counselling) rendered through the same templates and renderer as the messages
that are sent (``services.outreach.templates``), with the account's masked data in the
customer's language, each with the contact gate's ``preview`` for an SMS now (the gate screens
the exact text).

The real sender: the agency the account is placed with when that agency's user works it (or
the system sends on the agency's behalf), else the institution (``Workbench.institution_name``),
and the creditor named too. The collector's staff number is in the text only when the collector
works for the holder of the account (an in-house collector on an in-house account, an agency's
collector on that agency's account): never an agency's name on an in-house account nor in a
message an in-house user would send, never another agent's number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arrears.adapters.storage.templates_repository import SqlTemplatesUnitOfWork
from arrears.domain.vocabulary import ContactKind
from arrears.services.contact_gate_port import ContactRequest, GateVerdict
from arrears.services.outreach.templates import MessageFacts, TemplateRefused, TemplateRenderer
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal


@dataclass(frozen=True, slots=True)
class PreviewedTemplate:
    template_id: str


TEMPLATES: tuple[PreviewedTemplate, ...] = tuple(
    PreviewedTemplate(template_id) for template_id in ("reminder", "installment_offer", "hardship"))


def _mobile(points: list[dict[str, Any]]) -> dict[str, Any] | None:
    fitting = [p for p in points if p["kind"] == ContactKind.MOBILE and not p.get("do_not_contact")
               and p["status"] != "invalid"]
    fitting.sort(key=lambda p: (p["owner"] != "debtor", p["status"] != "valid", p["contact_point_id"]))
    return fitting[0] if fitting else None


def _verdict(verdict: GateVerdict) -> dict[str, Any]:
    return {"decision": verdict.decision, "allowed": verdict.allowed, "rules": list(verdict.rules),
            "reasons": list(verdict.reasons), "warnings": list(verdict.warnings)}


def message_facts(wb: Workbench, principal: Principal | None, view: dict[str, Any]) -> MessageFacts:
    """What a message about this account may say, sent by ``principal`` (None: a system send)."""
    account, customer, agency = view["account"], view["customer"], view.get("agency")
    holder = account.get("agency_id") or None
    own_number = principal is not None and (principal.agency_id or None) == holder
    agency_sends = agency is not None and (principal is None or own_number)
    return MessageFacts(
        customer_name=customer.get("name_masked") or "", jurisdiction=customer.get("jurisdiction") or "CN",
        account_tail=account["account_id"][-4:], past_due_cents=account.get("past_due_cents") or 0,
        currency=account.get("currency") or "CNY", institution=wb.institution_name,
        agency=agency["name"] if agency is not None and agency_sends else None,
        agent_id=principal.agent_id if own_number and principal is not None else None)


def template_renderer(wb: Workbench) -> TemplateRenderer:
    return TemplateRenderer(lambda: SqlTemplatesUnitOfWork(wb.engine), seed_at=wb.now())


def message_previews(wb: Workbench, principal: Principal, view: dict[str, Any]) -> list[dict[str, Any]]:
    """Each template rendered for the account (masked data, the customer's language) with the
    gate's preview of sending it by SMS now, in the collector's language."""
    language = "en" if view["customer"].get("language") == "en" else "zh"
    facts, renderer = message_facts(wb, principal, view), template_renderer(wb)
    point = _mobile(view["contact_points"])
    now, previews = wb.now(), []
    for previewed in TEMPLATES:
        title = previewed.template_id
        try:
            title = renderer.find(previewed.template_id, "sms", facts.jurisdiction).template.title(principal.language)
            rendered = renderer.render(previewed.template_id, "sms", language, facts)
            text, version = rendered.text, rendered.template
        except TemplateRefused as refused:
            text, version = "", None
            verdict = GateVerdict("deny", ("outreach.template_refused",), (refused.text(principal.language),))
        else:
            if point is None:
                reason = "no mobile number for an SMS" if principal.language == "en" else "没有可发送短信的手机号码"
                verdict = GateVerdict("deny", ("workbench.no_contact_point",), (reason,))
            else:
                verdict = wb.gate.preview(ContactRequest(
                    view["account"]["account_id"], "sms", now, point["contact_point_id"], facts.agent_id,
                    message=text), principal.language)
        previews.append({"template_id": previewed.template_id, "template": version,
                         "title": title, "language": language, "text": text,
                         "to": point["value_masked"] if point else None, "verdict": _verdict(verdict)})
    return previews
