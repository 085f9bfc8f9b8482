"""Referral to credit counselling and debt advice (债务咨询转介).

The directory of organisations is configuration (see ``counselling_example.json``,
an EXAMPLE list to be checked and replaced by each issuer); a referral records the consent,
who referred, and its outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from arrears.domain.arrangements.decisions import ensure_transition
from arrears.domain.transitions import transitions


class ReferralOutcome(StrEnum):
    """转介结果: what came of a referral, as the organisation reports it."""

    PENDING = "pending"
    CONTACTED = "contacted"  # the organisation reached the debtor
    PLAN_PROPOSED = "plan_proposed"  # the adviser proposed a repayment plan
    DECLINED = "declined"  # the debtor declined the help
    NO_RESPONSE = "no_response"
    CLOSED = "closed"


REFERRAL_TRANSITIONS = transitions(ReferralOutcome, {
    ReferralOutcome.PENDING: {ReferralOutcome.CONTACTED, ReferralOutcome.DECLINED, ReferralOutcome.NO_RESPONSE},
    ReferralOutcome.CONTACTED: {ReferralOutcome.PLAN_PROPOSED, ReferralOutcome.DECLINED, ReferralOutcome.CLOSED},
    ReferralOutcome.PLAN_PROPOSED: {ReferralOutcome.CLOSED},
    ReferralOutcome.NO_RESPONSE: {ReferralOutcome.CONTACTED, ReferralOutcome.CLOSED},
    ReferralOutcome.DECLINED: {ReferralOutcome.CLOSED},
})


class DirectoryError(ValueError):
    """A counselling directory entry that is not usable."""


@dataclass(frozen=True, slots=True)
class CounsellingOrganisation:
    organisation_id: str
    name_zh: str
    name_en: str
    jurisdiction: str  # CN, US, UK ...
    kind: str  # debt_advice | credit_counselling | regulator_hotline
    website: str = ""
    phone: str = ""
    free_of_charge: bool = True
    example: bool = True  # True until the issuer has checked the entry


@dataclass(frozen=True, slots=True)
class CounsellingDirectory:
    organisations: tuple[CounsellingOrganisation, ...]

    def get(self, organisation_id: str) -> CounsellingOrganisation | None:
        return next((o for o in self.organisations if o.organisation_id == organisation_id), None)

    def for_jurisdiction(self, jurisdiction: str) -> tuple[CounsellingOrganisation, ...]:
        prefix = jurisdiction.split("-", maxsplit=1)[0]
        return tuple(o for o in self.organisations if o.jurisdiction in (jurisdiction, prefix))


def directory_from_records(records: Iterable[Mapping[str, object]]) -> CounsellingDirectory:
    """Build the directory from plain records (parsed JSON), refusing bad entries."""
    organisations = []
    for index, record in enumerate(records):
        try:
            organisations.append(
                CounsellingOrganisation(
                    organisation_id=str(record["organisation_id"]),
                    name_zh=str(record["name_zh"]),
                    name_en=str(record["name_en"]),
                    jurisdiction=str(record["jurisdiction"]),
                    kind=str(record["kind"]),
                    website=str(record.get("website", "")),
                    phone=str(record.get("phone", "")),
                    free_of_charge=bool(record.get("free_of_charge", True)),
                    example=bool(record.get("example", True)),
                )
            )
        except KeyError as exc:
            raise DirectoryError(f"organisation {index + 1}: missing {exc.args[0]}") from exc
    ids = [o.organisation_id for o in organisations]
    if len(set(ids)) != len(ids):
        raise DirectoryError("organisation ids must be unique")
    return CounsellingDirectory(tuple(organisations))


@dataclass(frozen=True, slots=True)
class Referral:
    referral_id: str
    account_id: str
    organisation_id: str
    referred_by: str
    referred_at: datetime
    consent: bool  # the debtor agreed to be referred (and to any data sharing)
    outcome: ReferralOutcome = ReferralOutcome.PENDING
    outcome_on: date | None = None
    note: str = ""

    def with_outcome(self, outcome: ReferralOutcome, on: date, note: str = "") -> Referral:
        ensure_transition(
            REFERRAL_TRANSITIONS, self.outcome, outcome, f"referral {self.referral_id}"
        )
        return replace(self, outcome=outcome, outcome_on=on, note=note or self.note)
