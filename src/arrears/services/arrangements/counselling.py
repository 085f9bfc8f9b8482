"""Counselling referrals (债务咨询转介): with the debtor's consent, to an organisation of the
directory, and what came of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arrears.domain.arrangements.counselling import CounsellingDirectory, Referral, ReferralOutcome
from arrears.services.arrangements.common import (
    DEFAULT_POLICIES,
    ArrangementPolicies,
    add,
    change,
    found,
    refusal,
    today,
)
from arrears.services.arrangements.ports import ArrangementsUnitOfWork


@dataclass(frozen=True, slots=True)
class ReferToCounselling:
    referral_id: str
    account_id: str
    organisation_id: str
    consent: bool  # the debtor agreed to be referred (and to any data sharing)


def refer_to_counselling(uow: ArrangementsUnitOfWork, command: ReferToCounselling, directory: CounsellingDirectory, *,
                         actor: str, now: datetime) -> Referral:
    c = command
    found(directory.get(c.organisation_id), f"no counselling organisation {c.organisation_id}")
    if not c.consent:
        raise refusal("ARR-COUNSEL-01", "转介须经债务人同意", "a referral needs the debtor's consent")
    referral = Referral(c.referral_id, c.account_id, c.organisation_id, actor, now, c.consent)
    return add(uow, "referrals", referral, f"referral:{c.referral_id}", action="counselling.referred", actor=actor,
               now=now, after=f"to {c.organisation_id}; consent given")


@dataclass(frozen=True, slots=True)
class RecordReferralOutcome:
    referral_id: str
    outcome: ReferralOutcome
    note: str = ""


def record_referral_outcome(uow: ArrangementsUnitOfWork, command: RecordReferralOutcome, *, actor: str, now: datetime,
                            policies: ArrangementPolicies = DEFAULT_POLICIES) -> Referral:
    def outcome(referral: Referral) -> Referral:
        return referral.with_outcome(command.outcome, today(now, policies), command.note)

    return change(uow, "referral", command.referral_id, outcome, actor=actor, now=now, action="counselling.outcome",
                  attribute="outcome")
