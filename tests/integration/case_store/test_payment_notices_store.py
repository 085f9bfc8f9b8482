"""Providers' payment notices on real SQLite and PostgreSQL: the reference finds the account,
the payment is posted like any payment, the same transaction twice (even at once) posts once."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from arrears.adapters.storage.arrangements_tables import ledger_payments
from arrears.adapters.storage.cases_tables import payment_notices, payment_references
from arrears.bootstrap import ingested_portfolio, payments_in_uow
from arrears.domain.money import Money
from arrears.domain.payment_reference import is_valid_reference
from arrears.services.arrangements.common import ArrangementRefused, NotFound
from arrears.services.arrangements.payment_notices import PostNotice, payment_reference, post_notice

from .conftest import NOW


def _reference(engine, cipher, account_id: str) -> str:
    return payment_reference(payments_in_uow(engine), ingested_portfolio(engine), account_id,
                             keyed_hash=cipher.lookup_hash, now=NOW)


def _notice(reference: str, txn: str = "T-1", amount: str = "100.00") -> PostNotice:
    return PostNotice("bank_transfer", txn, reference, Money(Decimal(amount), "CNY"), NOW - timedelta(hours=1))


def _count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_an_accounts_reference_is_valid_stable_and_carries_no_account_id(loaded, cipher):
    engine, ids = loaded
    reference = _reference(engine, cipher, ids["account"])
    assert is_valid_reference(reference) and ids["account"] not in reference
    assert _reference(engine, cipher, ids["account"]) == reference
    assert _reference(engine, cipher, ids["other"]) != reference
    assert _count(engine, payment_references) == 2


def test_a_notice_posts_the_payment_once_and_the_second_says_it_was_already_posted(loaded, cipher):
    engine, ids = loaded
    reference = _reference(engine, cipher, ids["account"])
    first = post_notice(payments_in_uow(engine), ingested_portfolio(engine), _notice(reference), actor="service:psp",
                        now=NOW)
    assert not first.already_posted and first.payment is not None and first.payment.changed
    assert first.notice.account_id == ids["account"]
    again = post_notice(payments_in_uow(engine), ingested_portfolio(engine), _notice(reference.lower()),
                        actor="service:psp", now=NOW)
    assert again.already_posted and again.payment is None and again.notice.payment_id == first.notice.payment_id
    assert _count(engine, ledger_payments) == 1 and _count(engine, payment_notices) == 1


def test_the_same_transaction_with_another_amount_is_refused(loaded, cipher):
    engine, ids = loaded
    reference = _reference(engine, cipher, ids["account"])
    post_notice(payments_in_uow(engine), ingested_portfolio(engine), _notice(reference), actor="psp", now=NOW)
    with pytest.raises(ArrangementRefused) as refused:
        post_notice(payments_in_uow(engine), ingested_portfolio(engine), _notice(reference, amount="99.00"),
                    actor="psp", now=NOW)
    assert refused.value.decision.rule_id == "ARR-NOTICE-03"


def test_an_unknown_or_mistyped_reference_posts_nothing(loaded, cipher):
    engine, ids = loaded
    reference = _reference(engine, cipher, ids["account"])
    with pytest.raises(ArrangementRefused):
        post_notice(payments_in_uow(engine), ingested_portfolio(engine), _notice(reference[:-1] + "X"),
                    actor="psp", now=NOW)
    with pytest.raises(NotFound):
        post_notice(payments_in_uow(engine), ingested_portfolio(engine), _notice("RF18539007547034"),
                    actor="psp", now=NOW)
    assert _count(engine, payment_notices) == 0 and _count(engine, ledger_payments) == 0


def test_two_identical_notices_at_once_post_one_payment(loaded, cipher):
    engine, ids = loaded
    reference = _reference(engine, cipher, ids["account"])
    barrier, outcomes, errors = threading.Barrier(4), [], []

    def notify() -> None:
        barrier.wait()
        try:
            outcomes.append(post_notice(payments_in_uow(engine), ingested_portfolio(engine), _notice(reference),
                                        actor="psp", now=NOW))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=notify) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(o.already_posted for o in outcomes) == [False, True, True, True]
    assert _count(engine, ledger_payments) == 1 and _count(engine, payment_notices) == 1
