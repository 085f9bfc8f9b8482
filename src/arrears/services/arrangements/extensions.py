"""Extensions (延期): a due date moved later, within policy and within the authority of whoever
grants it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arrears.domain.arrangements.approvals import ApprovalRequest
from arrears.domain.arrangements.extensions import Extension, ExtensionTerms, review_extension
from arrears.services.arrangements.common import (
    DEFAULT_POLICIES,
    ArrangementPolicies,
    Signer,
    audit,
    refuse_unless,
    today,
    within_authority,
)
from arrears.services.arrangements.ports import ArrangementsUnitOfWork


@dataclass(frozen=True, slots=True)
class GrantExtension(ExtensionTerms):
    """Move a due date of the account later (延期), e.g. a statement's or an installment's."""

    def asks(self) -> ApprovalRequest:
        return ApprovalRequest(extension_days=self.days)


def grant_extension(uow: ArrangementsUnitOfWork, command: GrantExtension, *, approver: Signer, now: datetime,
                    policies: ArrangementPolicies = DEFAULT_POLICIES) -> Extension:
    """Grant it on today's business day, by ``approver`` (the maker when their own authority
    covers it): within policy (length, how many a year), then within their authority."""
    c = command
    extension = Extension(c.extension_id, c.account_id, c.subject, c.original_due, c.new_due,
                          today(now, policies), approver.username, now)
    with uow:
        past = uow.extensions.for_account(c.account_id)
        refuse_unless(review_extension(c.original_due, c.new_due, extension.requested_on, past, policies.extension))
        within_authority(approver.authority, c.asks(), policies)
        uow.extensions.save(extension)
        audit(uow, now, approver.username, "extension.granted", f"{c.subject}@account:{c.account_id}",
              account_id=c.account_id, before=f"due {c.original_due}", after=f"due {c.new_due}",
              authority=str(approver.authority))
        uow.commit()
    return extension
