"""What a message may use, what rendering gives, and where template versions are kept.

``RenderedMessage``, ``MessageFacts`` and ``MessageRenderer`` are the interface the outbox
(``services.outreach``) renders through; ``TemplateStore`` and ``TemplatesUnitOfWork`` are the
storage the template use cases need (``adapters.storage.templates_repository`` on a database,
``adapters.memory_templates`` in memory)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from arrears.domain.message_templates import TemplateKey, TemplateVersion
from arrears.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    text: str
    subject: str | None
    sender: str  # the real sender: the agency holding the account, else the institution
    language: str
    template: str | None = None  # the version it was rendered from, e.g. reminder/sms/CN@v2


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """Everything a message may say about an account (personal data already masked)."""

    customer_name: str  # masked
    jurisdiction: str  # the customer's rule packs, e.g. CN or US-NYC;US
    account_tail: str  # the last four digits of the account
    past_due_cents: int
    currency: str
    institution: str  # the creditor: the card issuer
    agency: str | None = None  # the agency the account is placed with; None in house
    agent_id: str | None = None  # the sending collector's own staff number; None for a system send
    self_service_link: str | None = None
    recipient: str = "debtor"  # debtor | third_party

    @property
    def sender(self) -> str:
        """Who really sends: the holding agency, else the institution itself (never an agency's name
        on an in-house account)."""
        return self.agency or self.institution


class MessageRenderer(Protocol):
    def render(self, template_id: str, channel: str, language: str, facts: MessageFacts) -> RenderedMessage: ...


class TemplateStore(Protocol):
    def latest(self, key: TemplateKey) -> TemplateVersion | None: ...
    def version(self, key: TemplateKey, version: int) -> TemplateVersion | None: ...
    def all_latest(self) -> tuple[TemplateVersion, ...]: ...
    def add(self, version: TemplateVersion) -> None: ...


class TemplatesUnitOfWork(UnitOfWork, Protocol):
    @property
    def templates(self) -> TemplateStore: ...
