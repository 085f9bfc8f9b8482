"""Personal fields are masked as one set: what the account view and page show without a
reveal cannot rebuild the resident ID (at most its last 4 characters, no birth date, no city)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from security_support import Plain, login, plaintext_of
from sqlalchemy import Engine, insert, select
from workbench_support import bearer

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.workbench_tables import access_audit
from arrears.services.workbench.context import Workbench


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [] if value is None else [str(value)]


def _birth_date_forms(born: date) -> list[str]:
    return [born.isoformat(), born.strftime("%Y%m%d"), born.strftime("%Y/%m/%d"),
            f"{born.year}年{born.month}月{born.day}日", born.strftime("%d/%m/%Y"), born.strftime("%m/%d/%Y")]


def recoverable_id_positions(national_id: str, texts: list[str], born: date) -> set[int]:
    """The positions of the resident ID a reader of ``texts`` can tell: characters a mask
    leaves visible, the birth date (positions 7-14) and the region code (1-6) where shown."""
    known: set[int] = set()
    for text in texts:
        for token in re.findall(r"[0-9Xx*]{6,}", text):
            if len(token) == len(national_id) and all(ch in ("*", national_id[i]) for i, ch in enumerate(token)):
                known |= {i for i, ch in enumerate(token) if ch != "*"}
        if any(form in text for form in _birth_date_forms(born)):
            known |= set(range(6, 14))
        if national_id[:6] in text:
            known |= set(range(6))
        for size in range(5, len(national_id) + 1):  # any run of 5 or more ID characters in a row
            for start in range(len(national_id) - size + 1):
                if national_id[start:start + size] in text:
                    known |= set(range(start, start + size))
    return known


def _province(address: str) -> str:
    """The province-level part of a demo address (``广东省``, ``北京市``, ``新疆维吾尔自治区``)."""
    return re.match(r"^(.+?(?:省|自治区|市))", address).group(1)  # type: ignore[union-attr]


def _below_province(address: str) -> str:
    """The city (or district) part of a CN address: the two characters after the province."""
    province = _province(address)
    return address[len(province):len(province) + 2]


def _assert_rebuilds_nothing(plain: Plain, texts: list[str]) -> None:
    assert len(recoverable_id_positions(plain.national_id, texts, plain.birth_date)) <= 4
    assert not any(form in text for text in texts for form in _birth_date_forms(plain.birth_date))
    assert not any(_below_province(plain.address) in text for text in texts)
    for phone in plain.phones:
        assert _phone_digits_shown(phone, texts) <= 4


def _phone_digits_shown(phone: str, texts: list[str]) -> int:
    """The most digits of ``phone`` any one mask in ``texts`` leaves visible (with or without +86)."""
    shown = 0
    for number in {phone.lstrip("+"), phone.lstrip("+").removeprefix("86")}:
        for text in texts:
            for token in re.findall(r"[0-9*]{6,}", text):
                if len(token) == len(number) and all(ch in ("*", number[i]) for i, ch in enumerate(token)):
                    shown = max(shown, sum(ch != "*" for ch in token))
    return shown


def test_the_account_view_lets_no_one_rebuild_the_resident_id_without_a_reveal(
    client: TestClient, wb: Workbench
) -> None:
    plain = plaintext_of(wb.engine)
    view = client.get(f"/v1/accounts/{plain.account_id}", headers=bearer(client, "collector"))
    assert view.status_code == 200
    _assert_rebuilds_nothing(plain, _strings(view.json()))
    assert view.json()["customer"]["national_id_masked"].endswith(plain.national_id[-4:])


def test_the_account_page_lets_no_one_rebuild_the_resident_id_without_a_reveal(
    client: TestClient, wb: Workbench
) -> None:
    plain = plaintext_of(wb.engine)
    login(client)
    page = client.get(f"/accounts/{plain.account_id}")
    assert page.status_code == 200
    previews = client.get(f"/accounts/{plain.account_id}/messages")
    _assert_rebuilds_nothing(plain, [page.text, previews.text])


def test_the_birth_date_shows_as_an_age_band(client: TestClient, wb: Workbench) -> None:
    plain = plaintext_of(wb.engine)
    customer = client.get(f"/v1/accounts/{plain.account_id}", headers=bearer(client, "collector")).json()["customer"]
    today = wb.today()
    age = today.year - plain.birth_date.year - ((today.month, today.day) < (plain.birth_date.month,
                                                                              plain.birth_date.day))
    low = age // 10 * 10
    assert customer["age_band"] == f"{low}–{low + 9}岁 / {low}-{low + 9}"
    assert "birth_date" not in customer


def test_the_address_shows_its_province_and_nothing_below(client: TestClient, wb: Workbench) -> None:
    plain = plaintext_of(wb.engine)
    customer = client.get(f"/v1/accounts/{plain.account_id}", headers=bearer(client, "collector")).json()["customer"]
    assert customer["address_masked"] == f"{_province(plain.address)}****"


def test_the_birth_date_is_revealed_only_for_a_purpose_and_the_reveal_is_audited(
    client: TestClient, wb: Workbench
) -> None:
    plain = plaintext_of(wb.engine)
    headers = bearer(client, "collector")
    refused = client.post(f"/v1/accounts/{plain.account_id}/reveal", headers=headers,
                          json={"field": "birth_date", "purpose": " "})
    assert refused.status_code == 422
    shown = client.post(f"/v1/accounts/{plain.account_id}/reveal", headers=headers,
                        json={"field": "birth_date", "purpose": "核实身份"})
    assert shown.status_code == 200 and shown.json()["value"] == plain.birth_date.isoformat()
    with wb.engine.connect() as connection:
        audited = connection.execute(select(access_audit.c.field, access_audit.c.purpose).where(
            access_audit.c.kind == "reveal", access_audit.c.account_id == plain.account_id)).all()
    assert [tuple(r) for r in audited] == [("birth_date", "核实身份")]


def test_the_account_page_offers_the_birth_date_as_a_reveal(client: TestClient, wb: Workbench) -> None:
    plain = plaintext_of(wb.engine)
    csrf = login(client)
    page = client.get(f"/accounts/{plain.account_id}")
    assert 'name="field" value="birth_date"' in page.text
    shown = client.post(f"/accounts/{plain.account_id}/reveal", headers={"HX-Request": "true", "X-CSRF-Token": csrf},
                        data={"field": "birth_date", "purpose": "核实身份", "csrf_token": csrf})
    assert shown.status_code == 200 and plain.birth_date.isoformat() in shown.text


# ---------------------------------------------------------------- the pure set
resident_ids = st.from_regex(r"\A[1-6]\d{5}(19[5-9]\d|200\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}[\dX]\Z")


@given(national_id=resident_ids, born=st.dates(date(1940, 1, 1), date(2008, 1, 1)),
       as_of=st.dates(date(2020, 1, 1), date(2030, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_the_masks_of_one_set_show_at_most_four_id_characters_and_no_birth_date(
    national_id: str, born: date, as_of: date
) -> None:
    from arrears.domain.personal import ContactValue, PersonalFields, mask_personal

    fields = PersonalFields("张三丰", national_id, "广东省深圳市南山区建设路12号", born,
                            (ContactValue("mobile", "+8613812345678"), ContactValue("email", "zhang@qq.com")))
    masks = mask_personal(fields, as_of)
    shown = [m for m in (masks.name, masks.national_id, masks.address, str(masks.age_band), *masks.contact_points)
             if m]
    assert len(recoverable_id_positions(national_id, shown, born)) <= 4
    assert masks.address == "广东省****" and masks.contact_points[0] == "*******5678"
    assert mask_personal(PersonalFields(*[m if isinstance(m, str) else None for m in masks[:3]]), as_of)[:3] == \
        masks[:3]  # idempotent: the masks of masks are the masks


@given(st.text(max_size=40), st.sampled_from(["mobile", "home", "work", "email", "postal"]))
def test_every_mask_is_idempotent(value: str, kind: str) -> None:
    from arrears.domain.personal import mask_address, mask_contact, mask_name, mask_national_id

    for masker in (mask_name, mask_national_id, mask_address, lambda v: mask_contact(kind, v)):
        once = masker(value)
        assert masker(once) == once


# ---------------------------------------------------------------- stored masks of earlier versions
OLD = {"name": "张**", "national_id": "110***********1234", "address": "湖北省武汉市*********",
       "phone": "138****8000"}


def test_masks_stored_by_earlier_versions_are_brought_to_the_rules_on_upgrade(engine: Engine) -> None:
    from alembic import command

    from arrears.adapters.storage import database

    command.downgrade(database.alembic_config(engine), "0015_key_fingerprints_and_masks")  # what came later goes
    with engine.begin() as connection:  # start from the revision before the masks were made one set
        for table in ("contact_points", "customers"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
        for later in ("key_fingerprints", "outbox_messages", "inbound_messages"):  # made after 0014
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {later}")
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0014_service_tokens'")
        connection.execute(insert(t.customers).values(
            customer_id="C1", name_enc=b"x", name_hash="h" * 32, name_masked=OLD["name"], national_id_enc=b"x",
            national_id_hash="h" * 32, national_id_masked=OLD["national_id"], birth_date=date(1990, 3, 7),
            language="zh", timezone="Asia/Shanghai", jurisdiction="CN", address_enc=b"x",
            address_masked=OLD["address"], row_digest="d" * 32, in_portfolio=True))
        connection.execute(insert(t.contact_points).values(
            contact_point_id="P1", customer_id="C1", kind="mobile", value_enc=b"x", value_hash="h" * 32,
            value_masked=OLD["phone"], owner="debtor", status="valid", do_not_contact=False, row_digest="d" * 32,
            in_portfolio=True))
    database._migrated.discard(engine.url.render_as_string(hide_password=False))
    # to the revision that re-masks (the tables of later revisions are already there: only the label was set back)
    command.upgrade(database.alembic_config(engine), "0015_key_fingerprints_and_masks")
    with engine.connect() as connection:
        customer = connection.execute(select(t.customers.c.name_masked, t.customers.c.national_id_masked,
                                             t.customers.c.address_masked)).one()
        phone = connection.execute(select(t.contact_points.c.value_masked)).scalar_one()
    assert tuple(customer) == ("张**", "**************1234", "湖北省****")
    assert phone == "*******8000"


@pytest.mark.parametrize(("address", "shown"), [
    ("新疆维吾尔自治区乌鲁木齐市天山区和平街3号", "新疆维吾尔自治区****"),
    ("上海徐汇区人民路1号", "上海****"),
    ("123 Main St, Springfield, IL 62704", "****, IL"),
    ("1 Elm Street, Boston, Massachusetts 02108", "****, MA"),
    ("Flat 3, 10 Downing St, London SW1A 2AA", "****"),
])
def test_an_address_mask_keeps_the_province_or_state_only(address: str, shown: str) -> None:
    from arrears.domain.personal import mask_address

    assert mask_address(address) == shown


def test_the_view_masks_are_json_without_the_birth_date_in_any_form(client: TestClient, wb: Workbench) -> None:
    plain = plaintext_of(wb.engine)
    text = json.dumps(client.get(f"/v1/accounts/{plain.account_id}", headers=bearer(client, "admin")).json(),
                      ensure_ascii=False)
    assert not any(form in text for form in _birth_date_forms(plain.birth_date))
