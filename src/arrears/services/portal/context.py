"""What every use case of the customer's page needs: its storage, the arrangements it books
through (the same use cases as the workbench and /v1), the code sender, the link key, the clock
and the policies."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from arrears.adapters.clock import Clock, system_clock
from arrears.domain.arrangements.schedule import FeePolicy
from arrears.domain.portal import CodePolicy, PlanOfferPolicy, Refusal
from arrears.domain.vocabulary import DEFAULT_ZONE
from arrears.services.arrangements.common import DEFAULT_POLICIES, ArrangementPolicies
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio
from arrears.services.portal.ports import CodeSender, PageReads, PortalUnitOfWork


class LinkGone(LookupError):
    """The token is tampered, unknown, expired or revoked: the page answers the same 404 for each."""


class PortalRefused(Exception):
    """A rule of the page refuses the request (rate limit, lock, wrong code, input)."""

    def __init__(self, refusal: Refusal, field: str = "", status: int = 422) -> None:
        super().__init__(f"{refusal.rule_id}: {refusal.en}")
        self.refusal, self.field, self.status = refusal, field, status

    def message(self, language: str) -> str:
        return self.refusal.message(language)


@dataclass(frozen=True, slots=True)
class PortalPolicy:
    codes: CodePolicy = field(default_factory=CodePolicy)
    offers: PlanOfferPolicy = field(default_factory=PlanOfferPolicy)
    plan_fee: FeePolicy = field(default_factory=FeePolicy.none)  # the issuer's pricing of a self-service plan
    first_due_days: int = 14  # the first installment of a chosen plan falls due this many days ahead
    session_idle: timedelta = timedelta(minutes=30)
    default_ttl: timedelta = timedelta(hours=72)


@dataclass
class Portal:
    unit_of_work: Callable[[], PortalUnitOfWork]
    arrangements: Callable[[], ArrangementsUnitOfWork]
    portfolio: IngestedPortfolio
    sender: CodeSender | None
    link_key: bytes = field(repr=False)
    public_url: str = "http://127.0.0.1:8000"
    institution: str = "信用卡中心"
    clock: Clock = system_clock
    timezone: str = DEFAULT_ZONE
    policy: PortalPolicy = field(default_factory=PortalPolicy)
    policies: ArrangementPolicies = DEFAULT_POLICIES
    secure_cookies: bool = False
    joined: Callable[[Any], PortalUnitOfWork] | None = None  # the repositories on a caller's transaction
    reads: Callable[[], AbstractContextManager[PageReads]] | None = None  # the page's reads on one connection

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def today(self) -> date:
        return self.now().astimezone(ZoneInfo(self.timezone)).date()

    def url(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/p/{token}"


def customer_actor(customer_id: str) -> str:
    """The audit trail's actor for the customer acting on their own page."""
    return f"customer:{customer_id}"
