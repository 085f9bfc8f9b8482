"""A ``MessageRenderer`` over the workbench's built-in message previews
(``services.workbench.messages.TEMPLATES``), until templates are data: each plan template id
is mapped to the preview that says the same thing. Every text names the real sender (the
agency that holds the account, else the institution), an agency's the bank it acts for too,
and says how to opt out; a US account's
text also says it is from a debt collector (Reg F §1006.18(e))."""

from __future__ import annotations

from collections.abc import Mapping

from arrears.domain.outreach import RenderedMessage, RenderError
from arrears.services.workbench.messages import TEMPLATES

BY_ID = {template.template_id: template for template in TEMPLATES}
PLAN_TEMPLATES = {
    "reminder_due": "reminder", "plan_due_reminder": "reminder", "firm_followup": "reminder",
    "offer_extension": "reminder", "settlement_review": "reminder", "legal_review_notice": "reminder",
    "offer_installment": "installment_offer", "offer_hardship": "hardship",
    **{template_id: template_id for template_id in BY_ID},
}
DEBT_COLLECTOR = " This is a communication from a debt collector."
NEEDED = ("name", "tail", "institution", "agent", "past_due")


class PreviewRenderer:
    def render(self, template_id: str, channel: str, language: str, facts: Mapping[str, str]) -> RenderedMessage:
        template = BY_ID.get(PLAN_TEMPLATES.get(template_id, ""))
        if template is None:
            raise RenderError(f"no template {template_id!r} for {channel}")
        missing = [name for name in NEEDED if name not in facts]
        if missing:
            raise RenderError(f"the facts lack {', '.join(missing)}")
        language = "en" if language == "en" else "zh"
        text = template.render(language, {name: facts[name] for name in NEEDED})
        creditor = facts.get("creditor", "")
        if creditor and creditor != facts["institution"]:  # an agency writes: it names the bank it acts for
            text += (f" {facts['institution']} is acting for {creditor}." if language == "en"
                     else f"（{facts['institution']}受{creditor}委托）")
        if facts.get("jurisdiction", "").startswith("US"):
            text += DEBT_COLLECTOR
        subject = template.title_en if language == "en" else template.title_zh
        return RenderedMessage(text, "" if channel == "sms" else f"{facts['institution']} {subject}",
                               facts["institution"])
