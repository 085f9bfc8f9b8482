"""What the customer's page calls: a dispute and a hardship request with files (as the form's
upload parts), and the pay instruction with its reference and QR code."""

from __future__ import annotations

import asyncio
import io

import pytest
from fastapi import UploadFile
from starlette.datastructures import Headers
from workbench_support import account_of_agency

from arrears.adapters.payment_providers import BankTransfer
from arrears.adapters.storage.arrangements_repository import read_audit
from arrears.bootstrap import cases_uow
from arrears.domain.cases import MAX_FILE_BYTES
from arrears.domain.payment_reference import is_valid_reference
from arrears.entrypoints.web import self_service_cases as page
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import InvalidInput

PDF = b"%PDF-1.5\n" + b"x" * 100


def _upload(name: str, content: bytes) -> UploadFile:
    return UploadFile(io.BytesIO(content), size=len(content), filename=name,
                      headers=Headers({"content-type": "application/pdf"}))


def test_a_dispute_from_the_page_is_a_case_raised_by_the_customer(wb: Workbench):
    account = account_of_agency(wb.engine, None)
    case = page.raise_dispute(wb, account, "我已经还清了")
    assert case.raised_by == "customer" and case.holds_collection
    with wb.engine.connect() as connection:
        (entry,) = read_audit(connection, subject=f"case:{case.case_id}")
    assert entry.actor == f"customer:{account}" and entry.detail["actor_kind"] == "customer"


def test_a_hardship_request_keeps_its_files_and_skips_an_empty_file_input(wb: Workbench):
    account = account_of_agency(wb.engine, None)
    files = [_upload("a.pdf", PDF), UploadFile(io.BytesIO(b""), size=0, filename="")]
    case = asyncio.run(page.ask_hardship_help(wb, account, "失业", files))
    assert case.kind == "hardship"
    with cases_uow(wb.engine, wb.cipher) as uow:
        assert [(f.kind, f.size_bytes) for f in uow.files.of_case(case.case_id)] == [("pdf", len(PDF))]


def test_a_file_over_5_mb_from_the_page_is_refused_naming_it(wb: Workbench):
    account = account_of_agency(wb.engine, None)
    big = _upload("big.pdf", PDF + b"\0" * MAX_FILE_BYTES)
    with pytest.raises(InvalidInput) as refused:
        asyncio.run(page.ask_hardship_help(wb, account, "help", [_upload("a.pdf", PDF), big]))
    assert refused.value.field == "files[1]"


def test_the_pay_view_has_a_checked_reference_the_payee_and_a_qr_code(wb: Workbench):
    account = account_of_agency(wb.engine, None)
    view = page.pay_view(wb, account, BankTransfer("某银行信用卡中心", "6222 0000 1234 5678", "某银行"))
    assert view is not None and is_valid_reference(view.instruction.reference)
    assert view.reference_grouped.replace(" ", "") == view.instruction.reference
    assert view.instruction.payee == "某银行信用卡中心" and view.qr_svg.startswith("<svg")
    assert page.pay_view(wb, account, BankTransfer("x", "y")).instruction.reference == view.instruction.reference
