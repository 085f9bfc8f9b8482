"""The required contents of a message, each rule from the text it rests on (outreach-v1, the
credit-card rules Art. 69, Reg F 1006.6(e), 1006.18(e), 1006.34(c))."""

from __future__ import annotations

from dataclasses import replace

import pytest

from arrears.compliance.message_contents import RenderedProbe, country_of, missing_contents

CN_SMS = RenderedProbe(
    channel="sms", country="CN", recipient="debtor", language="zh",
    text="【甲信催收】张*您好，我是甲信催收（受乙银行委托）催收专员。您尾号1234的乙银行信用卡逾期金额34,499.99元，请尽快还款。回复TD退订",
    sender="甲信催收", creditor="乙银行", name="张*", account_tail="1234", amount="34,499.99元",
)
US_SMS = RenderedProbe(
    channel="sms", country="US", recipient="debtor", language="en",
    text="Acme Recovery for Big Bank: Dear J*** S***, this is from a debt collector. Your card ending 1234 is "
         "past due by USD 1,200.00. Reply STOP to stop texts to this number.",
    sender="Acme Recovery", creditor="Big Bank", name="J*** S***", account_tail="1234", amount="USD 1,200.00",
)


def rules(probe: RenderedProbe) -> set[str]:
    return {r.rule_id for r in missing_contents(probe)}


def test_a_complete_cn_text_message_lacks_nothing() -> None:
    assert rules(CN_SMS) == set()


def test_a_complete_us_text_message_lacks_nothing() -> None:
    assert rules(US_SMS) == set()


def test_the_real_sender_must_be_named() -> None:
    text = CN_SMS.text.replace("甲信催收", "信用卡中心")
    assert "MSG-SENDER-01" in rules(replace(CN_SMS, text=text))


def test_an_agency_text_that_does_not_name_the_bank_is_refused() -> None:
    text = CN_SMS.text.replace("（受乙银行委托）", "").replace("的乙银行信用卡", "的信用卡")
    found = missing_contents(replace(CN_SMS, text=text))
    assert [r.rule_id for r in found] == ["MSG-CREDITOR-01"]
    assert "债权机构" in found[0].reason.zh and "creditor" in found[0].reason.en


def test_a_cn_text_message_begins_with_the_signature_in_brackets() -> None:
    unsigned = CN_SMS.text.removeprefix("【甲信催收】")
    assert "CN-SMS-SIG-01" in rules(replace(CN_SMS, text=unsigned + "——甲信催收"))
    assert "CN-SMS-SIG-01" in rules(replace(CN_SMS, text="【乙银行】" + unsigned))


def test_the_signature_rule_is_for_cn_texts_only() -> None:
    assert "CN-SMS-SIG-01" not in rules(US_SMS)
    assert "CN-SMS-SIG-01" not in rules(replace(CN_SMS, channel="email"))


def test_no_amount_account_or_debt_words_to_a_third_party() -> None:
    third = replace(CN_SMS, recipient="third_party",
                    text="【甲信催收】您好，我是甲信催收（受乙银行委托）工作人员，请转告张*回电。回复TD退订")
    assert rules(third) == set()
    for leak in ("逾期金额34,499.99元", "尾号1234", "他的欠款"):
        assert "MSG-3P-01" in rules(replace(third, text=third.text + leak)), leak


def test_the_us_debt_collector_disclosure_is_required_in_the_message_language() -> None:
    assert "US-MINI-01" in rules(replace(US_SMS, text=US_SMS.text.replace("this is from a debt collector. ", "")))
    zh = replace(US_SMS, language="zh", text="Acme Recovery（Big Bank）：本信息来自债务催收方。回复STOP退订")
    assert "US-MINI-01" not in rules(zh)
    assert "US-MINI-01" in rules(replace(zh, text=zh.text.replace("来自债务催收方", "来自我们")))


def test_every_us_text_and_email_carries_an_opt_out_but_a_letter_need_not() -> None:
    no_opt_out = US_SMS.text.replace(" Reply STOP to stop texts to this number.", "")
    assert "US-OPTOUT-01" in rules(replace(US_SMS, text=no_opt_out))
    assert "US-OPTOUT-01" in rules(replace(US_SMS, channel="email", text=no_opt_out))
    assert "US-OPTOUT-01" not in rules(replace(US_SMS, channel="letter", text=no_opt_out))


CN_LETTER = replace(
    CN_SMS, channel="letter",
    text="乙银行信用卡催收函\n张*：您尾号1234的信用卡欠款34,499.99元已逾期。根据您与乙银行签订的领用合约及《商业银行信用卡业务"
         "监督管理办法》，本函由甲信催收受乙银行委托发出。您的权利：查询账户、提出异议并提供证据，也有按约还款的义务。"
         "还款方式：……查询及异议：联系电话 95588。甲信催收（盖章）",
)


@pytest.mark.parametrize(("rule", "removed"), [
    ("CN-LTR-NAME-01", "张*"), ("CN-LTR-BASIS-01", "根据"), ("CN-LTR-RIGHTS-01", "义务"),
    ("CN-LTR-WAYS-01", "异议"), ("CN-LTR-CONTACT-01", "联系电话"), ("CN-LTR-SEAL-01", "盖章"),
])
def test_a_cn_collection_letter_carries_each_item_of_article_69(rule: str, removed: str) -> None:
    assert rules(CN_LETTER) == set()
    found = missing_contents(replace(CN_LETTER, text=CN_LETTER.text.replace(removed, "")))
    assert rule in {r.rule_id for r in found}
    assert all("第69条" in r.reason.citation for r in found if r.rule_id.startswith("CN-LTR"))


US_LETTER = replace(
    US_SMS, channel="letter",
    text="Acme Recovery is a debt collector. We are trying to collect a debt that you owe to Big Bank. "
         "This is from a debt collector: we are attempting to collect a debt and will use any information you "
         "give us; it will be used for that purpose. Consumer: J*** S***. Account ending 1234. "
         "As of the itemization date you owed ... Total amount of the debt now: USD 1,200.00. "
         "Call or write to us to dispute all or part of the debt. You may ask for the name and address of the "
         "original creditor. Go to www.cfpb.gov/debt-collection to learn more about your rights.",
)


@pytest.mark.parametrize(("rule", "removed"), [
    ("US-VN-MIRANDA-01", "attempting to collect a debt"), ("US-VN-DEBT-01", "1234"),
    ("US-VN-ITEMIZATION-01", "itemization date"), ("US-VN-DISPUTE-01", "original creditor"),
    ("US-VN-CFPB-01", "www.cfpb.gov/debt-collection"),
])
def test_a_us_letter_carries_the_validation_notice_items(rule: str, removed: str) -> None:
    assert rules(US_LETTER) == set()
    assert rule in rules(replace(US_LETTER, text=US_LETTER.text.replace(removed, "")))


def test_the_template_jurisdiction_is_the_country_of_the_first_pack() -> None:
    assert country_of("US-NYC;US") == "US"
    assert country_of("CN") == "CN"
    assert country_of("") == "CN"


def test_an_english_cn_letter_is_judged_on_english_words() -> None:
    english = replace(CN_LETTER, language="en", amount="CNY 34,499.99", text=(
        "Dear 张*, your card account ending 1234 owes CNY 34,499.99. Legal basis: your card agreement. Your rights "
        "and obligations: ... You may query your account, repay through ..., and object with evidence. Contact: "
        "call 95588. 甲信催收 (seal) on behalf of 乙银行"))
    assert rules(english) == set()
    assert "CN-LTR-SEAL-01" in rules(replace(english, text=english.text.replace("(seal)", "")))
