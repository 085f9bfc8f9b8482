"""Message templates on the account page: a few built-in SMS texts (reminder, installment
offer, hardship and counselling), in Chinese and English, rendered with the account's masked
data in the customer's language, each with the contact gate's ``preview`` for an SMS now (the
gate screens the exact text). Each text names the institution (the agency the account is
placed with, else ``Workbench.institution_name``) and the collector's agent id (自报家门) and
says how to opt out. The templates are constants read once; a page asks the gate once per
template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arrears.domain.money import spoken_amount
from arrears.domain.vocabulary import ContactKind
from arrears.services.contact_gate_port import ContactRequest, GateVerdict
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.principal import Principal


@dataclass(frozen=True)
class MessageTemplate:
    template_id: str
    title_zh: str
    title_en: str
    zh: str
    en: str

    def render(self, language: str, values: dict[str, str]) -> str:
        return (self.en if language == "en" else self.zh).format(**values)


TEMPLATES: tuple[MessageTemplate, ...] = (
    MessageTemplate(
        "reminder", "还款提醒", "Payment reminder",
        "【{institution}】{name}您好，我是{institution}催收专员（工号{agent}）。您尾号{tail}的信用卡账户已逾期，"
        "逾期金额{past_due}。请您方便时尽快还款；如已还款，请忽略本短信。如还款有困难，"
        "欢迎来电商议还款安排。回复TD退订",
        "{institution}: Dear {name}, this is the {institution} collections team, collector ID {agent}. Your card "
        "account ending {tail} is past due by {past_due}. Please pay when you can; if you have already "
        "paid, please ignore this message. If paying is difficult, call us to agree a repayment arrangement. "
        "Reply STOP to opt out.",
    ),
    MessageTemplate(
        "installment_offer", "分期还款方案", "Installment offer",
        "【{institution}】{name}您好，我是{institution}催收专员（工号{agent}）。您尾号{tail}的账户可申请个性化分期"
        "还款，每月还款金额可按您的收入情况商定。如需了解或办理，请来电咨询。回复TD退订",
        "{institution}: Dear {name}, this is the {institution} collections team, collector ID {agent}. You can ask "
        "for an installment plan on your account ending {tail}, with monthly amounts agreed to fit your income. "
        "Call us to find out more. Reply STOP to opt out.",
    ),
    MessageTemplate(
        "hardship", "困难帮扶与债务咨询", "Hardship help and debt advice",
        "【{institution}】{name}您好，我是{institution}催收专员（工号{agent}）。如您因失业、疾病等原因暂时无法按时"
        "还款，我们可为您提供困难帮扶方案，也可为您转介免费的债务咨询服务。请来电了解详情。回复TD退订",
        "{institution}: Dear {name}, this is the {institution} collections team, collector ID {agent}. If job "
        "loss, illness or other hardship makes it hard to pay on time, we can offer a hardship arrangement or "
        "refer you to free debt advice. Call us to find out more. Reply STOP to opt out.",
    ),
)


def _mobile(points: list[dict[str, Any]]) -> dict[str, Any] | None:
    fitting = [p for p in points if p["kind"] == ContactKind.MOBILE]
    fitting.sort(key=lambda p: (p["owner"] != "debtor", p["status"] != "valid", p["contact_point_id"]))
    return fitting[0] if fitting else None


def _verdict(verdict: GateVerdict) -> dict[str, Any]:
    return {"decision": verdict.decision, "allowed": verdict.allowed, "rules": list(verdict.rules),
            "reasons": list(verdict.reasons), "warnings": list(verdict.warnings)}


def message_previews(wb: Workbench, principal: Principal, view: dict[str, Any]) -> list[dict[str, Any]]:
    """Each template rendered for the account (masked data, the customer's language) with the
    gate's preview of sending it by SMS now, in the collector's language."""
    account, customer = view["account"], view["customer"]
    language = "en" if customer.get("language") == "en" else "zh"
    agency = view.get("agency")
    values = {"name": customer.get("name_masked") or "", "tail": account["account_id"][-4:],
              "institution": agency["name"] if agency else wb.institution_name,
              "agent": principal.agent_id or "—",
              "past_due": spoken_amount(account.get("past_due_cents") or 0, account.get("currency") or "CNY", language)}
    point = _mobile(view["contact_points"])
    now, previews = wb.now(), []
    for template in TEMPLATES:
        text = template.render(language, values)
        if point is None:
            reason = "no mobile number for an SMS" if principal.language == "en" else "没有可发送短信的手机号码"
            verdict = GateVerdict("deny", ("workbench.no_contact_point",), (reason,))
        else:
            verdict = wb.gate.preview(ContactRequest(
                account["account_id"], "sms", now, point["contact_point_id"], principal.agent_id, message=text,
            ), principal.language)
        previews.append({"template_id": template.template_id,
                         "title": template.title_en if principal.language == "en" else template.title_zh,
                         "language": language, "text": text, "to": point["value_masked"] if point else None,
                         "verdict": _verdict(verdict)})
    return previews
