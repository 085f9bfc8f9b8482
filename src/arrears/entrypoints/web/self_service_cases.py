"""What the customer's own page (self-service-v1) calls for its dispute, hardship and pay parts.

Each is a few lines for a route that already knows the verified account (from its session):

    case = raise_dispute(wb, account_id, text)                         # POST /p/{token}/dispute
    case = await ask_hardship_help(wb, account_id, text, files)        # POST /p/{token}/hardship
    pay = pay_view(wb, account_id)                                     # the "pay" part of the page

Refusals are ``InvalidInput`` naming the field (``text``, ``files[1]``) in zh and en, for the
page to show next to the form. The customer is the actor of every audit entry
(``customer:<account>``). A hardship form's body can reach 3 × 5 MB: the route needs a body
limit of ``HARDSHIP_BODY_BYTES`` (``BodySizeLimit(limits=...)`` in ``api.app``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import UploadFile

from arrears import bootstrap
from arrears.domain.cases import MAX_FILE_BYTES, MAX_FILES, Case, Upload
from arrears.domain.payment_reference import PayInstruction, grouped
from arrears.services import cases as service
from arrears.services.arrangements.payment_notices import PaymentProvider, pay_instruction
from arrears.services.workbench.context import Workbench
from arrears.services.workbench.errors import InvalidInput

HARDSHIP_BODY_BYTES = MAX_FILES * MAX_FILE_BYTES + 256 * 1024  # the files and the form around them


def raise_dispute(wb: Workbench, account_id: str, text: str) -> Case:
    """The customer disputes the debt: a case for the team; collection holds until it is closed."""
    return service.raise_dispute(bootstrap.cases_uow(wb.engine, wb.cipher), service.RaiseDispute(account_id, text),
                                 actor=service.Actor.customer(account_id), now=wb.now(), zone=wb.timezone)


async def ask_hardship_help(wb: Workbench, account_id: str, text: str, files: Sequence[UploadFile]) -> Case:
    """The customer asks for hardship help with up to 3 files (checked by content, stored encrypted).
    A file is read up to one byte past the limit, never further."""
    chosen = [f for f in files if f.filename or f.size]  # a form's empty file input sends an empty part
    if len(chosen) > MAX_FILES:
        raise InvalidInput(f"最多上传 {MAX_FILES} 个文件", f"at most {MAX_FILES} files", "files")
    uploads = [Upload(f.filename or "", await f.read(MAX_FILE_BYTES + 1)) for f in chosen]
    command = service.AskHardshipHelp(account_id, text, tuple(uploads))
    return service.ask_hardship_help(bootstrap.cases_uow(wb.engine, wb.cipher), command,
                                     actor=service.Actor.customer(account_id), now=wb.now(), zone=wb.timezone)


@dataclass(frozen=True, slots=True)
class PayView:
    instruction: PayInstruction
    reference_grouped: str  # "RF18 5390 0754 7034", as people read it
    qr_svg: str  # an SVG document to put in the page as it is (made by segno, no script)


def pay_view(wb: Workbench, account_id: str, provider: PaymentProvider | None = None) -> PayView | None:
    """How the customer pays, with the QR code; None when no payment account is configured
    (``provider``: the settings' one unless given)."""
    from arrears.adapters.payment_providers import qr_svg

    provider = provider or bootstrap.payment_provider()
    if provider is None:
        return None
    instruction = pay_instruction(bootstrap.payments_in_uow(wb.engine), bootstrap.ingested_portfolio(wb.engine),
                                  provider, account_id, keyed_hash=wb.cipher.lookup_hash, now=wb.now())
    return PayView(instruction, grouped(instruction.reference), qr_svg(provider.qr_payload(instruction)))
