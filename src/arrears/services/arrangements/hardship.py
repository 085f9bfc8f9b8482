"""Hardship programmes (困难帮扶): an interest freeze, token payments or a pause, within policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from arrears.domain.arrangements.hardship import HardshipKind, HardshipProgramme, check_programme
from arrears.domain.money import Money
from arrears.services.arrangements.common import DEFAULT_POLICIES, ArrangementPolicies, add, refuse_unless
from arrears.services.arrangements.ports import ArrangementsUnitOfWork


@dataclass(frozen=True, slots=True)
class EnrolHardship:
    programme_id: str
    account_id: str
    kind: HardshipKind
    start: date
    end: date  # inclusive
    review_on: date
    reason: str = ""
    token_amount: Money | None = None  # monthly, for token payments only


def enrol_hardship(uow: ArrangementsUnitOfWork, command: EnrolHardship, *, actor: str, now: datetime,
                   policies: ArrangementPolicies = DEFAULT_POLICIES) -> HardshipProgramme:
    c = command
    programme = HardshipProgramme(c.programme_id, c.account_id, c.kind, c.start, c.end, c.review_on, actor, now,
                                  c.reason, c.token_amount)
    refuse_unless(check_programme(programme, policies.hardship))
    return add(uow, "hardship", programme, f"hardship:{c.programme_id}", action="hardship.enrolled", actor=actor,
               now=now, after=f"{c.kind} {c.start}..{c.end}; review {c.review_on}")
