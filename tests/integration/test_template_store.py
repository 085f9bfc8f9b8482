"""Template versions in the database (SQLite and PostgreSQL): seeded once, a new version per
change, the latest read back as it was saved."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from arrears.adapters.storage.templates_repository import SqlTemplatesUnitOfWork
from arrears.domain.message_templates import TemplateKey
from arrears.services.outreach.templates import MessageFacts, SaveTemplate, TemplateRefused, TemplateRenderer
from arrears.services.outreach.templates.handlers import (
    latest_versions,
    save_template,
    seed_once,
    seed_templates,
    template_version,
)

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
KEY = TemplateKey("reminder", "sms", "CN")


def test_templates_are_seeded_once_and_versioned_on_each_change(engine: Engine) -> None:
    def uow() -> SqlTemplatesUnitOfWork:
        return SqlTemplatesUnitOfWork(engine)

    assert seed_once(uow, NOW) == len(seed_templates())
    assert seed_once(uow, NOW) == 0
    first = template_version(uow(), KEY)
    assert first.version == 1 and first.saved_at == NOW and first.source == "seed"
    changed = replace(first.template, title_en="Reminder")
    saved = save_template(uow(), SaveTemplate(changed, "cli:ops", NOW))
    assert (saved.version, template_version(uow(), KEY).template) == (2, changed)
    assert template_version(uow(), KEY, 1).template == first.template
    assert {v.label for v in latest_versions(uow())} >= {"reminder/sms/CN@v2", "validation_notice/letter/US@v1"}
    bad = replace(changed, body_zh=changed.body_zh + "小心你的家人")
    with pytest.raises(TemplateRefused):
        save_template(uow(), SaveTemplate(bad, "cli:ops", NOW))
    assert template_version(uow(), KEY).version == 2
    facts = MessageFacts("李*", "CN", "0001", 12345, "CNY", "丙银行")
    renderer = TemplateRenderer(uow, seed_at=NOW)
    assert renderer.render("reminder", "sms", "zh", facts).template == "reminder/sms/CN@v2"
