"""The pure part of outreach: stable message ids, opt-out words, the retry schedule, plan rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from arrears.domain.outreach import PlannedMessage, RetryPolicy, is_opt_out
from arrears.services.outreach.plan_rows import PlanFileError, read_plan

AT = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _m(**changes) -> PlannedMessage:  # type: ignore[no-untyped-def]
    values = {"account_id": "A1", "customer_id": "C1", "channel": "sms", "contact_point_id": "P1",
              "scheduled_at": AT, "template": "reminder_due", "offer": "none", **changes}
    return PlannedMessage(**values)


def test_a_message_id_is_the_same_for_the_same_row_whatever_offset_writes_its_instant():
    assert _m().message_id == _m(scheduled_at=AT.astimezone(UTC)).message_id


@pytest.mark.parametrize("change", [{"account_id": "A2"}, {"channel": "email"}, {"contact_point_id": "P2"},
                                    {"scheduled_at": AT + timedelta(minutes=1)}, {"template": "offer_hardship"}])
def test_a_message_id_changes_with_any_field_of_the_row(change):  # type: ignore[no-untyped-def]
    assert _m().message_id != _m(**change).message_id


@pytest.mark.parametrize("text", ["TD", "td", " T ", "退订", "STOP", "Unsubscribe", "取消", "\u3000ｓｔｏｐ\n"])
def test_an_opt_out_word_alone_opts_out(text):  # type: ignore[no-untyped-def]
    assert is_opt_out(text)


@pytest.mark.parametrize("text", ["TD 明天还", "stop calling me at work", "好的", "", "tdd"])
def test_other_replies_are_not_opt_outs(text):  # type: ignore[no-untyped-def]
    assert not is_opt_out(text)


def test_the_retry_schedule_doubles_and_ends_at_the_limit():
    policy, now = RetryPolicy(max_tries=4, first_delay=timedelta(seconds=2)), AT
    assert [policy.next_try(n, now) for n in (1, 2, 3, 4)] == [
        now + timedelta(seconds=2), now + timedelta(seconds=4), now + timedelta(seconds=8), None]


def test_a_plan_instant_without_an_offset_is_refused():
    with pytest.raises(ValueError, match="offset"):
        _m(scheduled_at=datetime(2026, 11, 30, 10, 0))  # noqa: DTZ001 (the point of the test)


def _plan(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "plan.csv"
    header = "account_id,customer_id,channel,contact_point_id,scheduled_at,template,offer,reason"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def test_the_plan_reader_takes_the_message_rows_and_leaves_calls_to_the_dialer(tmp_path: Path):
    plan = _plan(tmp_path, "A1,C1,call,P1,2026-11-30T10:00:00+08:00,,none,x",
                 "A2,C2,sms,P2,2026-11-30T10:00:00+08:00,reminder_due,none,x",
                 "A3,C3,letter,P3,2026-11-30T10:00:00+08:00,reminder_due,none,x")
    assert [(m.account_id, m.channel) for m in read_plan(plan)] == [("A2", "sms"), ("A3", "letter")]


def test_the_plan_reader_names_every_bad_line_and_column(tmp_path: Path):
    plan = _plan(tmp_path, "A1,C1,fax,P1,2026-11-30T10:00:00+08:00,t,none,x",
                 "A2,C2,sms,P2,2026-11-30T10:00:00,t,none,x", "A3,C3,sms,P3,2026-11-30T10:00:00+08:00,,none,x")
    with pytest.raises(PlanFileError) as error:
        read_plan(plan)
    said = str(error.value).splitlines()
    assert said[0].startswith("plan.csv:2: channel: 'fax'")
    assert said[1].startswith("plan.csv:3: scheduled_at:")
    assert said[2].startswith("plan.csv:4: template: missing")


def test_a_plan_without_the_contract_columns_is_refused(tmp_path: Path):
    path = tmp_path / "plan.csv"
    path.write_text("account_id,channel\nA1,sms\n", encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"plan\.csv:1: missing columns customer_id"):
        read_plan(path)


def test_an_agency_message_is_signed_by_the_agency_and_names_the_bank_it_acts_for():
    facts = {"name": "张*", "tail": "1234", "institution": "某某资产管理公司", "creditor": "某某银行信用卡中心",
             "agent": "—", "past_due": "1,200.00元", "jurisdiction": "CN", "past_due_cents": "120000",
             "currency": "CNY", "agency": "某某资产管理公司"}
    rendered = stored_templates().render("reminder_due", "sms", "zh", facts)
    assert rendered.text.startswith("【某某资产管理公司】") and "某某银行信用卡中心" in rendered.text
    assert rendered.sender == "某某资产管理公司"
    in_house = stored_templates().render("reminder_due", "sms", "zh", {**facts, "agency": ""})
    assert in_house.text.startswith("【某某银行信用卡中心】") and "某某资产管理公司" not in in_house.text


def test_a_us_message_says_it_is_from_a_debt_collector_and_how_to_opt_out():
    facts = {"name": "J. D*", "tail": "1234", "institution": "Card Center", "creditor": "Card Center",
             "agent": "—", "past_due": "USD 1,200.00", "jurisdiction": "US", "past_due_cents": "120000",
             "currency": "USD", "agency": ""}
    text = stored_templates().render("offer_hardship", "sms", "en", facts).text.lower()
    assert "debt collector" in text and "stop" in text



def stored_templates():  # type: ignore[no-untyped-def]
    from arrears.services.outreach.preview_renderer import package_templates

    return package_templates(datetime(2026, 12, 1, 4, tzinfo=UTC))
