"""Arrangement use cases: promises, installment plans, payments, settlements, extensions,
hardship programmes, counselling referrals and their maker–checker approvals.

Every write use case is a frozen command dataclass handled by one function in one unit of
work (``ports.ArrangementsUnitOfWork``): load, let the domain decide, store the result, append
an audit entry naming the account (``common.audit``), commit. Refusals raise
``ArrangementRefused`` with the decision (rule id, zh and en reasons) and leave nothing half
done. A request within policy but above the authority given raises ``ApprovalNeeded`` (an
``ArrangementRefused``), checked after every other rule, so that ``approvals.submit`` can turn
it into an approval request.

One module a capability: ``plans``, ``promises``, ``payments``, ``settlements``,
``extensions``, ``hardship``, ``counselling``, ``approvals``, ``review`` (what payments and the
nightly run complete or break) and ``accounts`` (what is arranged on an account, and who may
act on it). The names other capabilities use (the workbench records the promise a logged
contact carries) are re-exported here."""

from arrears.services.arrangements.common import (
    DEFAULT_POLICIES,
    DEFAULT_ZONE,
    ApprovalNeeded,
    ArrangementPolicies,
    ArrangementRefused,
    NotFound,
    Signer,
)
from arrears.services.arrangements.promises import record_promise, vet_promise

__all__ = [
    "DEFAULT_POLICIES",
    "DEFAULT_ZONE",
    "ApprovalNeeded",
    "ArrangementPolicies",
    "ArrangementRefused",
    "NotFound",
    "Signer",
    "record_promise",
    "vet_promise",
]
