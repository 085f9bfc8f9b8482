"""Templates as data: saved as versions after the screening and the required contents pass,
rendered in a sandbox for the facts of one account (in memory: the unit of work's fake)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from arrears.adapters.memory_templates import MemoryTemplatesUnitOfWork
from arrears.domain.message_templates import TemplateKey
from arrears.services.outreach.templates import MessageFacts, SaveTemplate, TemplateRefused, TemplateRenderer
from arrears.services.outreach.templates.files import TemplateFileError, parse_template, template_text
from arrears.services.outreach.templates.handlers import save_template, seed, seed_templates, template_version

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
IN_HOUSE = MessageFacts(customer_name="王*", jurisdiction="CN", account_tail="1234", past_due_cents=3449999,
                        currency="CNY", institution="甲银行信用卡中心", agent_id="C007")
PLACED = replace(IN_HOUSE, agency="乙信息咨询公司", agent_id="A900")


@pytest.fixture(scope="module")
def seeded() -> MemoryTemplatesUnitOfWork:
    made = MemoryTemplatesUnitOfWork()
    seed(made, NOW)
    return made


@pytest.fixture
def uow(seeded: MemoryTemplatesUnitOfWork) -> MemoryTemplatesUnitOfWork:
    made = MemoryTemplatesUnitOfWork()
    made.committed.versions = {k: list(v) for k, v in seeded.committed.versions.items()}
    return made


def renderer(uow: MemoryTemplatesUnitOfWork) -> TemplateRenderer:
    return TemplateRenderer(lambda: uow)


def test_every_shipped_template_is_seeded_as_version_1(uow: MemoryTemplatesUnitOfWork) -> None:
    assert len(uow.committed.all_latest()) == len(seed_templates()) >= 11
    assert {v.version for v in uow.committed.all_latest()} == {1}
    assert seed(uow, NOW) == 0  # seeding again stores nothing


def test_an_in_house_sms_is_signed_with_the_institution_and_the_collectors_own_number(
        uow: MemoryTemplatesUnitOfWork) -> None:
    message = renderer(uow).render("reminder", "sms", "zh", IN_HOUSE)
    assert message.text.startswith("【甲银行信用卡中心】")
    assert "工号C007" in message.text and "乙信息咨询公司" not in message.text
    assert "34,499.99元" in message.text and "CNY" not in message.text
    assert message.sender == "甲银行信用卡中心" and message.template == "reminder/sms/CN@v1"


def test_an_agency_sms_names_the_agency_and_the_bank(uow: MemoryTemplatesUnitOfWork) -> None:
    message = renderer(uow).render("reminder", "sms", "zh", PLACED)
    assert message.text.startswith("【乙信息咨询公司】") and "甲银行信用卡中心" in message.text
    assert message.sender == "乙信息咨询公司"


def test_a_system_send_carries_no_staff_number(uow: MemoryTemplatesUnitOfWork) -> None:
    message = renderer(uow).render("reminder", "sms", "zh", replace(IN_HOUSE, agent_id=None))
    assert "工号" not in message.text


def test_english_writes_the_currency_code_first(uow: MemoryTemplatesUnitOfWork) -> None:
    assert "CNY 34,499.99" in renderer(uow).render("reminder", "sms", "en", IN_HOUSE).text


def test_a_us_customer_gets_the_us_text_with_the_disclosure_and_opt_out(uow: MemoryTemplatesUnitOfWork) -> None:
    facts = replace(IN_HOUSE, jurisdiction="US-NYC;US", currency="USD", institution="Big Bank")
    message = renderer(uow).render("reminder", "email", "en", facts)
    assert "from a debt collector" in message.text and "opt out" in message.text
    assert message.subject == "Big Bank: card payment reminder"
    assert message.template == "reminder/email/US@v1"


def test_a_debtor_only_template_is_not_rendered_for_a_third_party(uow: MemoryTemplatesUnitOfWork) -> None:
    with pytest.raises(TemplateRefused, match="debtor only"):
        renderer(uow).render("reminder", "sms", "zh", replace(IN_HOUSE, recipient="third_party"))
    relayed = renderer(uow).render("call_back", "sms", "zh", replace(IN_HOUSE, recipient="third_party"))
    assert "1234" not in relayed.text and "元" not in relayed.text


def test_a_rendered_text_is_screened_again(uow: MemoryTemplatesUnitOfWork) -> None:
    with pytest.raises(TemplateRefused, match="insult"):
        renderer(uow).render("reminder", "sms", "zh", replace(IN_HOUSE, customer_name="老赖"))


def test_an_unknown_template_is_refused(uow: MemoryTemplatesUnitOfWork) -> None:
    with pytest.raises(TemplateRefused, match="no such template"):
        renderer(uow).render("nothing", "sms", "zh", IN_HOUSE)


def reminder(uow: MemoryTemplatesUnitOfWork):  # type: ignore[no-untyped-def]
    return template_version(uow, TemplateKey("reminder", "sms", "CN")).template


def test_a_changed_template_is_a_new_version_and_the_same_content_is_not(uow: MemoryTemplatesUnitOfWork) -> None:
    changed = replace(reminder(uow), body_zh=reminder(uow).body_zh.replace("请您方便时尽快还款", "请您方便时还款"))
    assert save_template(uow, SaveTemplate(changed, "cli:ops", NOW)).version == 2
    assert save_template(uow, SaveTemplate(changed, "cli:ops", NOW)).version == 2
    assert renderer(uow).render("reminder", "sms", "zh", IN_HOUSE).template == "reminder/sms/CN@v2"
    assert seed(uow, NOW) == 0  # a version a person saved is not replaced by the package's


@pytest.mark.parametrize(("change", "rule"), [
    (lambda t: t.body_zh.replace("【{{ sender }}】", ""), "CN-SMS-SIG-01"),
    (lambda t: t.body_zh.replace("{{ sender }}", "{{ creditor }}"), "MSG-SENDER-01"),
    (lambda t: t.body_zh.replace("{% if agency %}（受{{ creditor }}委托）{% endif %}", "").replace(
        "您在{{ creditor }}尾号", "您尾号"), "MSG-CREDITOR-01"),
    (lambda t: t.body_zh + "否则后果自负", "threat"),
    (lambda t: t.body_zh.replace("{{ name }}", "{{ nmae }}"), "nmae"),
])
def test_a_template_lacking_a_required_content_is_refused_and_nothing_is_saved(
        uow: MemoryTemplatesUnitOfWork, change, rule: str) -> None:  # type: ignore[no-untyped-def]
    bad = replace(reminder(uow), body_zh=change(reminder(uow)))
    with pytest.raises(TemplateRefused, match=rule):
        save_template(uow, SaveTemplate(bad, "cli:ops", NOW))
    assert template_version(uow, bad.key).version == 1


def test_a_third_party_template_with_debt_details_is_refused(uow: MemoryTemplatesUnitOfWork) -> None:
    call_back = template_version(uow, TemplateKey("call_back", "sms", "CN")).template
    leaky = replace(call_back, body_zh=call_back.body_zh.replace("方便时回电", "尽快偿还{{ past_due }}并回电"))
    with pytest.raises(TemplateRefused, match="MSG-3P-01"):
        save_template(uow, SaveTemplate(leaky, "cli:ops", NOW))


def test_the_sandbox_refuses_python_internals(uow: MemoryTemplatesUnitOfWork) -> None:
    bad = replace(reminder(uow), body_zh=reminder(uow).body_zh + "{{ name.__class__.__mro__ }}")
    with pytest.raises(TemplateRefused, match="cannot render"):
        save_template(uow, SaveTemplate(bad, "cli:ops", NOW))


def test_a_template_file_round_trips_and_bad_files_name_the_line_and_field(uow: MemoryTemplatesUnitOfWork) -> None:
    assert parse_template(template_text(reminder(uow)), "x.toml") == reminder(uow)
    bad = template_text(reminder(uow)).replace('channel = "sms"', 'channel = "fax"')
    with pytest.raises(TemplateFileError, match=r"^x\.toml:2: channel: one of sms, email, letter"):
        parse_template(bad, "x.toml")
    no_body = template_text(reminder(uow)).replace("[en]\nbody", "[en]\nbodi")
    with pytest.raises(TemplateFileError, match=r"x\.toml:\d+: en\.bodi: unknown field"):
        parse_template(no_body, "x.toml")
    with pytest.raises(TemplateFileError, match=r"x\.toml:1: "):
        parse_template("template_id = ", "x.toml")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_self_service_text_carries_the_link_and_without_one_asks_for_a_call(
        uow: MemoryTemplatesUnitOfWork, language: str) -> None:
    link = "https://pay.example.cn/p/abcdefghijklmnop.abcdefghijklmnopqrstuv"
    for facts in (IN_HOUSE, replace(IN_HOUSE, jurisdiction="US", currency="USD", institution="Big Bank")):
        with_link = renderer(uow).render("self_service", "sms", language, replace(facts, self_service_link=link))
        without = renderer(uow).render("self_service", "sms", language, facts)
        assert link in with_link.text and "/p/" not in without.text
        assert ("TD" if facts.jurisdiction == "CN" else "STOP") in with_link.text
    us = renderer(uow).render("self_service", "sms", "en", replace(IN_HOUSE, jurisdiction="US", currency="USD",
                                                                   institution="Big Bank"))
    assert "from a debt collector" in us.text
