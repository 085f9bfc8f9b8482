"""The text a planned message will carry, for the planner's gate to screen.

The planner decides a template, not a text; the dispatcher renders the text for the one account
and the gate judges it again at the moment of sending. Rules that read the text (the US pack's
opt-out in every e-mail and text, the CN signature and the forbidden words) would otherwise see
no text at planning time and answer "review", and the plan would leave such messages out. So
each plan template is rendered once per channel, jurisdiction and language, from the package's
templates, with placeholder facts (a masked name, a zero amount, no agency, no link) - the same
words the customer will get, but for the account's own figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import polars as pl

from arrears.domain.outreach import RenderError
from arrears.planning.strategy import Split
from arrears.services.outreach.preview_renderer import THIRD_PARTY_TEMPLATES, package_templates

MESSAGE_CHANNELS = ("sms", "email")
JURISDICTIONS = {"CN": "CNY", "US": "USD"}  # the packs the package ships message templates for
SCHEMA = {"template": pl.Utf8, "channel": pl.Utf8, "jurisdiction": pl.Utf8, "language": pl.Utf8,
          "text": pl.Utf8}


# What the collector says on a location call to a third party: only to find the debtor or relay a
# request to call back, never the debt. In China the caller names the institution and themselves
# (CN-ID-01, 自报家门); in the US the caller gives their own name, says they are confirming location
# information, and names the company only if asked (12 CFR 1006.10(b)).
LOCATION_CALL_SCRIPT = {
    ("CN", "zh"): "您好，我是{institution}的工作人员{agent}，想核实{name}的联系方式。"
                  "如方便，烦请转告{name}回电，谢谢。",
    ("CN", "en"): "Hello, this is {agent} of {institution}. I would like to confirm how to reach {name}. "
                  "If convenient, please ask {name} to call us back. Thank you.",
    ("US", "zh"): "您好，我是{agent}，正在核实{name}的联系方式。如方便，烦请转告{name}回电，谢谢。",
    ("US", "en"): "Hello, this is {agent}. I am calling to confirm how to reach {name}. "
                  "If convenient, please ask {name} to call me back. Thank you.",
}


def planned_message_texts(templates: Iterable[str], institution: str) -> pl.DataFrame:
    """One row per (plan template, channel, jurisdiction, language) that renders: its text; a
    location call's template (a third party's) is said as the location call script."""
    renderer = package_templates(datetime(2026, 1, 1, tzinfo=UTC))
    rows = []
    for template in sorted(set(templates)):
        if template in THIRD_PARTY_TEMPLATES:
            rows += [(template, "call", jurisdiction, language,
                      script.format(agent="王明" if language == "zh" else "Wang Ming", institution=institution,
                                    name="客户" if language == "zh" else "the customer"))
                     for (jurisdiction, language), script in LOCATION_CALL_SCRIPT.items()]
            continue
        channels = [(c, c) for c in MESSAGE_CHANNELS]
        for channel, rendered_as in channels:
            for jurisdiction, currency in JURISDICTIONS.items():
                facts = {"name": "客户" if jurisdiction == "CN" else "Customer", "jurisdiction": jurisdiction,
                         "tail": "0000", "past_due_cents": "0", "currency": currency, "creditor": institution}
                for language in ("zh", "en"):
                    try:
                        rendered = renderer.render(template, rendered_as, language, facts)
                    except RenderError:
                        continue  # no such template there: the gate sees no text, as before
                    rows.append((template, channel, jurisdiction, language,
                                 "\n".join(filter(None, (rendered.subject, rendered.text)))))
    return pl.DataFrame(rows, orient="row", schema=SCHEMA)


def split_templates(split: Split) -> set[str]:
    """Every template a split's strategies may plan for a collection message."""
    found: set[str] = set()
    for strategy in split.strategies:
        found.update(t.template for t in strategy.segments.values())
        found.update(step.template for t in strategy.segments.values() for step in t.escalation)
        if strategy.self_service_template:
            found.add(strategy.self_service_template)
        if strategy.location is not None:
            found.add(strategy.location.template)
    return found
