"""Rendering templates in a sandbox, and vetting a template before it is saved.

Templates are sandboxed Jinja2 (``SandboxedEnvironment``: no attribute access to Python
internals) with ``StrictUndefined`` (a misspelt variable is an error, never an empty string).
What a template may use is what ``MessageFacts`` carries, under these names:

| variable | meaning |
|---|---|
| ``name`` | the customer's masked name |
| ``account_tail`` | the last four digits of the account |
| ``past_due`` | the past-due amount as the language writes it (``34,499.99元``, ``CNY 34,499.99``) |
| ``sender`` | the real sender: the agency holding the account, else the institution |
| ``creditor`` / ``institution`` | the card issuer |
| ``agency`` | the holding agency's name, or none (in house) |
| ``agent`` | the sending collector's own staff number, or none (a system send) |
| ``link`` (or ``portal_link``) | the link to the customer's own page, or none (one per message) |
| ``debtor`` | true when the message goes to the debtor |

Every rendering is screened (threats, insults, ...); a finding refuses the message. A template
is saved only when every rendering of it for probe facts (zh and en; in house and placed with
an agency; with and without a staff number; the debtor, and a third party if it may go to one)
passes the screening and carries what ``compliance.message_contents`` requires.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from arrears.compliance.message_contents import RenderedProbe, missing_contents
from arrears.compliance.screening import screen
from arrears.domain.message_templates import LANGUAGES, MessageTemplate
from arrears.domain.money import spoken_amount
from arrears.services.outreach.templates.ports import MessageFacts

ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True,
                                   lstrip_blocks=True, keep_trailing_newline=False)


@lru_cache(maxsize=1024)
def compiled(source: str) -> Template:
    """A template source compiled once (compiling costs ~100 times rendering)."""
    return ENVIRONMENT.from_string(source)


class TemplateRefused(ValueError):
    """A template that may not be saved, or a message that may not go: every problem, in zh and en."""

    def __init__(self, subject: str, problems: list[tuple[str, str]]) -> None:
        self.subject = subject
        self.problems = problems
        super().__init__(f"{subject}: " + "; ".join(en for _, en in problems))

    def text(self, language: str) -> str:
        return f"{self.subject}：" + "；".join(zh for zh, _ in self.problems) if language == "zh" else str(self)


def variables(facts: MessageFacts, language: str) -> dict[str, Any]:
    return {
        "name": facts.customer_name, "account_tail": facts.account_tail,
        "past_due": spoken_amount(facts.past_due_cents, facts.currency, language),
        "sender": facts.sender, "creditor": facts.institution, "institution": facts.institution,
        "agency": facts.agency, "agent": facts.agent_id, "link": facts.self_service_link,
        "portal_link": facts.self_service_link,
        "debtor": facts.recipient == "debtor", "recipient": facts.recipient, "jurisdiction": facts.jurisdiction,
    }


@dataclass(frozen=True, slots=True)
class Rendering:
    text: str
    subject: str | None


def render_template(template: MessageTemplate, language: str, facts: MessageFacts) -> Rendering:
    """The template's text for these facts (not yet screened). Raises ``TemplateRefused`` when it
    cannot render (an unknown variable, a syntax error) or may not go to this recipient."""
    if facts.recipient != "debtor" and not template.third_party:
        raise TemplateRefused(str(template.key), [("此模板只能发给债务人本人", "this template is for the debtor only")])
    values = variables(facts, language)
    try:
        body = compiled(template.body(language)).render(values).strip()
        source = template.subject(language)
        subject = None if source is None else compiled(source).render(values).strip()
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{language} line {line}" if line else language
        raise TemplateRefused(str(template.key), [(f"{where}：模板无法渲染：{exc}", f"{where}: cannot render: {exc}")]
                              ) from None
    return Rendering(body, subject)


def screening_problems(text: str) -> list[tuple[str, str]]:
    """What message screening finds in ``text``, as problems (none: the text may go)."""
    return [(f"含有不当内容（{f.category.value}）：{f.excerpt}", f"unlawful or risky content ({f.category.value}): "
             f"{f.excerpt!r}") for f in screen(text).findings]


def probe_facts(template: MessageTemplate) -> list[tuple[str, MessageFacts]]:
    """The facts a template is vetted with, each with a label saying which case it is."""
    currency = "USD" if template.jurisdiction == "US" else "CNY"
    in_house = MessageFacts(customer_name="张*", jurisdiction=template.jurisdiction, account_tail="8421",
                            past_due_cents=3449999, currency=currency, institution="样本银行信用卡中心",
                            self_service_link="https://example.invalid/s/abc")
    cases = [("in house", in_house), ("in house, a collector", replace(in_house, agent_id="P0042")),
             ("agency", replace(in_house, agency="样本催收服务公司")),
             ("agency, a collector", replace(in_house, agency="样本催收服务公司", agent_id="P0042"))]
    if template.third_party:
        cases += [(f"{label}, third party", replace(facts, recipient="third_party")) for label, facts in cases]
    return cases


def vet_template(template: MessageTemplate) -> None:
    """Raise ``TemplateRefused`` with every problem unless each probe rendering is screened clean and
    carries the required contents."""
    problems: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for language in LANGUAGES:
        for label, facts in probe_facts(template):
            try:
                rendering = render_template(template, language, facts)
            except TemplateRefused as refused:
                problems += [p for p in refused.problems if p not in problems]
                break
            text = "\n".join(filter(None, (rendering.subject, rendering.text)))
            found = screening_problems(text)
            probe = RenderedProbe(
                channel=template.channel, country=template.jurisdiction, recipient=facts.recipient,
                language=language, text=text, sender=facts.sender, creditor=facts.institution,
                name=facts.customer_name, account_tail=facts.account_tail,
                amount=spoken_amount(facts.past_due_cents, facts.currency, language))
            found += [(f"{r.rule_id} {r.reason.zh}（{r.reason.citation}）",
                       f"{r.rule_id} {r.reason.en} ({r.reason.citation})")
                      for r in missing_contents(probe)]
            for zh, en in found:
                if (language, en) not in seen:
                    seen.add((language, en))
                    problems.append((f"{language}，{label}：{zh}", f"{language}, {label}: {en}"))
    if problems:
        raise TemplateRefused(str(template.key), problems)
