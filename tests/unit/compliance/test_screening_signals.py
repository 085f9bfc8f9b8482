"""Debt facts, opt-out lines and self-identification are reported beside the findings."""

from __future__ import annotations

import pytest

from arrears.compliance.screening import Category, Finding, Screening, screen


@pytest.mark.parametrize(
    "text",
    ["您的欠款为3000元", "您的信用卡已逾期", "本期账单应还500元", "Your account is past due",
     "The debt remains unpaid", "balance owed: $300", "your payment is overdue"],
)
def test_a_message_stating_debt_facts_mentions_debt(text: str) -> None:
    assert screen(text).mentions_debt


@pytest.mark.parametrize("text", ["您好，请回电", "Please call us back", "感谢您的支持"])
def test_a_message_without_debt_facts_does_not_mention_debt(text: str) -> None:
    assert not screen(text).mentions_debt


@pytest.mark.parametrize(
    "text", ["回复TD退订", "回T退订", "Reply STOP to opt out", "Click to unsubscribe", "opt-out",
             "To stop e-mails, reply with the word 'stop' in the subject line",  # comment 6(e)-1's example
             "Respond with STOP to end these texts"]
)
def test_an_opt_out_line_is_recognised(text: str) -> None:
    assert screen(text).has_opt_out


def test_a_message_without_an_opt_out_line_has_none() -> None:
    assert not screen("请尽快还款").has_opt_out


@pytest.mark.parametrize(
    "text",
    ["【XX银行】您的账单已出", "我是信用卡中心工号8021的专员", "{institution}提醒您按时还款",
     "工号{agent_id}为您服务", "This is Jane from Example Bank",
     "We are calling on behalf of Acme Card"],
)
def test_a_message_naming_the_sender_self_identifies(text: str) -> None:
    assert screen(text).self_identifies


def test_an_anonymous_message_does_not_self_identify() -> None:
    assert not screen("请尽快还款，谢谢").self_identifies


def test_screening_is_deterministic_and_keeps_the_normalized_text() -> None:
    first, second = screen("你這個老賴"), screen("你這個老賴")
    assert first == second
    assert first.normalized == "你这个老赖"
    assert first.findings == (
        Finding(Category.INSULT, first.findings[0].severity, "老赖", "老賴", "zh"),
    )
    assert isinstance(first, Screening)


@pytest.mark.parametrize("text", ["Please stop by our office", "You may stop in the subject of the call"])
def test_the_word_stop_alone_is_not_an_opt_out(text: str) -> None:
    assert not screen(text).has_opt_out


@pytest.mark.parametrize("text", ["We may report you to the police if you do not pay",
                                  "We might call the police about this", "Police may get involved if you ignore this",
                                  "We could refer this to the authorities"])
def test_a_police_threat_softened_by_may_might_or_could_is_still_a_criminal_threat(text: str) -> None:
    """12 CFR 1006.18(b)(1), (c)(1): no threat of arrest or criminal action, however hedged."""
    assert any(f.category is Category.CRIMINAL for f in screen(text).findings)


@pytest.mark.parametrize("text", ["Your account balance of $500 is past-due", "Please make a payment on your account",
                                  "Your account is delinquent", "You are behind on your payments"])
def test_a_balance_a_payment_request_or_a_hyphenated_past_due_states_debt_facts(text: str) -> None:
    assert screen(text).mentions_debt


@pytest.mark.parametrize("text", ["Reply END to opt out", "Reply QUIT to stop texts", "Text CANCEL to stop"])
def test_the_fcc_revocation_words_are_opt_out_lines(text: str) -> None:
    assert screen(text).has_opt_out


def test_replying_by_the_end_of_the_week_is_not_an_opt_out() -> None:
    assert not screen("Please reply by the end of the week").has_opt_out


@pytest.mark.parametrize("link", ["https://pay.example.cn/p/x-sB4_k", "www.example.com/sb-9", "https://x.cn/p/k1ll-u"])
def test_a_links_random_path_is_read_as_a_blank_not_as_words(link: str) -> None:
    """A portal link's token (random letters) once read as the insult 'sb': a web address is no
    word of the message."""
    assert screen(f"【示例银行】请点击 {link} 查看还款方案").findings == ()
    assert screen(f"We will kill you {link}").findings != ()


@pytest.mark.parametrize("text", ["This is Equifax: your account is past due", "Message from Experian about your debt",
                                  "We are the credit reporting agency"])
def test_posing_as_a_credit_bureau_is_a_false_affiliation(text: str) -> None:
    """12 CFR 1006.18(b)(1): no false representation of affiliation with a consumer reporting agency."""
    assert any(f.category is Category.AUTHORITY for f in screen(text).findings)


def test_saying_the_debt_may_be_reported_to_the_bureaus_is_not_posing_as_one() -> None:
    assert screen("We may report your account to Equifax, TransUnion and Experian").findings == ()
