"""The renderer the outbox and the workbench render through (the ``MessageRenderer`` port):
the latest version of each template, in the customer's language, for the customer's
jurisdiction, screened. The versions are read once per renderer (a dispatch run or a page
makes one), so every message of a run comes from the same version, which it records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from arrears.compliance.message_contents import country_of
from arrears.domain.message_templates import TemplateKey, TemplateVersion
from arrears.services.outreach.templates.handlers import latest_versions, seed_once
from arrears.services.outreach.templates.ports import MessageFacts, RenderedMessage, TemplatesUnitOfWork
from arrears.services.outreach.templates.rendering import TemplateRefused, render_template, screening_problems


class TemplateRenderer:
    def __init__(self, uow: Callable[[], TemplatesUnitOfWork], *, seed_at: datetime | None = None) -> None:
        """``seed_at``: store the package's templates first (as of that instant) where they are missing."""
        self._uow = uow
        self._seed_at = seed_at
        self._versions: dict[TemplateKey, TemplateVersion] | None = None

    def versions(self) -> dict[TemplateKey, TemplateVersion]:
        if self._versions is None:
            if self._seed_at is not None:
                seed_once(self._uow, self._seed_at)
            self._versions = {v.template.key: v for v in latest_versions(self._uow())}
        return self._versions

    def find(self, template_id: str, channel: str, jurisdiction: str) -> TemplateVersion:
        key = TemplateKey(template_id, channel, country_of(jurisdiction))
        found = self.versions().get(key)
        if found is None:
            raise TemplateRefused(str(key), [("没有这个模板", "no such template")])
        return found

    def render(self, template_id: str, channel: str, language: str, facts: MessageFacts) -> RenderedMessage:
        """The message, or ``TemplateRefused`` (no such template, it cannot render for these facts, or the
        screening finds something in the rendered text)."""
        language = "en" if language == "en" else "zh"
        version = self.find(template_id, channel, facts.jurisdiction)
        rendering = render_template(version.template, language, facts)
        problems = screening_problems("\n".join(filter(None, (rendering.subject, rendering.text))))
        if problems:
            raise TemplateRefused(version.label, problems)
        return RenderedMessage(rendering.text, rendering.subject, facts.sender, language, version.label)
