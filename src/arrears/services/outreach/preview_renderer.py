"""The dispatcher's ``MessageRenderer`` over the stored message templates (``templates``: sandboxed,
versioned, screened, with their required contents): each plan template id is mapped to the stored
template that says the same thing on that channel, and the outbox's facts of the account become
the templates' ``MessageFacts`` (the holder as sender, the bank as creditor, no staff number: a
system send)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from arrears.domain.outreach import RenderedMessage, RenderError
from arrears.services.outreach.templates.ports import MessageFacts
from arrears.services.outreach.templates.renderer import TemplateRenderer
from arrears.services.outreach.templates.rendering import TemplateRefused

# plan template id -> stored template id (SMS and e-mail); letters by jurisdiction
PLAN_TEMPLATES = {
    "reminder_due": "reminder", "plan_due_reminder": "reminder", "firm_followup": "reminder",
    "offer_extension": "reminder", "settlement_review": "reminder", "legal_review_notice": "reminder",
    "offer_installment": "installment_offer", "offer_hardship": "hardship", "self_service": "self_service",
    # a location contact to a third party: ask them to pass on a request to call back; says nothing of the debt
    "location_inquiry": "call_back",
}
# plan templates that address a third party (rendered for recipient ``third_party``)
THIRD_PARTY_TEMPLATES = frozenset({"location_inquiry"})
LETTERS = {"CN": "collection_letter", "US": "validation_notice"}


def stored_template(template_id: str, channel: str, jurisdiction: str) -> str:
    if channel == "letter":
        return LETTERS.get(jurisdiction.split("-", maxsplit=1)[0].split(";", maxsplit=1)[0], "collection_letter")
    if channel == "email":
        return "reminder"
    return PLAN_TEMPLATES.get(template_id, template_id)


class StoredTemplateRenderer:
    def __init__(self, templates: TemplateRenderer) -> None:
        self.templates = templates

    def render(self, template_id: str, channel: str, language: str, facts: Mapping[str, str]) -> RenderedMessage:
        try:
            message_facts = MessageFacts(
                customer_name=facts["name"], jurisdiction=facts.get("jurisdiction") or "CN",
                account_tail=facts["tail"], past_due_cents=int(facts["past_due_cents"]),
                currency=facts.get("currency") or "CNY", institution=facts["creditor"],
                agency=facts.get("agency") or None, agent_id=None, self_service_link=facts.get("link") or None,
                recipient="third_party" if template_id in THIRD_PARTY_TEMPLATES else "debtor")
        except (KeyError, ValueError) as error:
            raise RenderError(f"the facts lack {error}") from None
        stored = stored_template(template_id, channel, message_facts.jurisdiction)
        try:
            rendered = self.templates.render(stored, channel, language, message_facts)
        except TemplateRefused as refused:
            raise RenderError(f"{template_id} ({stored}/{channel}): {refused}") from None
        return RenderedMessage(rendered.text, rendered.subject or "", rendered.sender)


def package_templates(seed_at: datetime) -> StoredTemplateRenderer:
    """The renderer over the package's own templates held in memory (no database): for tests and
    offline previews."""
    from arrears.adapters.memory_templates import MemoryTemplatesUnitOfWork

    uow = MemoryTemplatesUnitOfWork()
    return StoredTemplateRenderer(TemplateRenderer(lambda: uow, seed_at=seed_at))
