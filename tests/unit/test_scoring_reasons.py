from arrears.scoring.reasons import reason_text


def test_a_late_latest_repayment_is_worded_in_chinese_and_english() -> None:
    assert reason_text("PAY_0", 2.0) == (
        "PAY_0: 最近一期还款逾期2个月 / latest repayment 2 months late"
    )


def test_an_earlier_month_names_how_far_back_it_is() -> None:
    assert reason_text("PAY_3", 1.0) == (
        "PAY_3: 前2期还款逾期1个月 / 2 months back repayment 1 months late"
    )


def test_a_low_credit_limit_says_low_against_the_training_median() -> None:
    assert reason_text("LIMIT_BAL", 20000.0, median=140000.0) == (
        "LIMIT_BAL: 授信额度偏低(20000) / credit limit low (20000)"
    )


def test_an_unknown_feature_falls_back_to_high() -> None:
    assert reason_text("foo", 7.5, median=1.0) == "foo: foo 偏高 / foo high"


def test_an_unknown_feature_below_its_median_is_low() -> None:
    assert reason_text("foo", 0.5, median=1.0) == "foo: foo 偏低 / foo low"


def test_a_category_is_named_with_its_value() -> None:
    assert reason_text("region", "west") == "region: region = west / region is west"


def test_a_table_of_texts_words_a_portfolio_feature() -> None:
    texts = {"dpd": ("逾期天数", "days past due")}
    assert reason_text("dpd", 45.0, median=10.0, texts=texts) == (
        "dpd: 逾期天数偏高(45) / days past due high (45)"
    )
