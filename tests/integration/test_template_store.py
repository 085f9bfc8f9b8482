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


def test_the_facts_of_a_stored_account_name_its_holder(engine: Engine) -> None:
    from sqlalchemy import insert, update

    from arrears.adapters.storage import tables as t
    from arrears.services.outreach.templates.facts import account_facts
    from ingested_rows import ingest_account

    ingest_account(engine, "A0001234")
    with engine.begin() as connection:
        connection.execute(insert(t.agencies).values(agency_id="AG9", name="乙信息咨询公司", row_digest="d" * 32))
        in_house = account_facts(connection, "A0001234", institution="甲银行")
        connection.execute(update(t.accounts).values(agency_id="AG9"))
        placed = account_facts(connection, "A0001234", institution="甲银行", agent_id="A900")
        assert account_facts(connection, "nope", institution="甲银行") is None
    assert in_house is not None and placed is not None
    assert (in_house.sender, in_house.account_tail, in_house.past_due_cents, in_house.jurisdiction) == (
        "甲银行", "1234", 120_000, "CN-31")
    assert (placed.sender, placed.institution, placed.agent_id) == ("乙信息咨询公司", "甲银行", "A900")
