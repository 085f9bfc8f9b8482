"""Message templates as data: a template (its id, channel, jurisdiction and texts in zh and en)
and each saved version of it. Every change is a new version; the version a message was rendered
from is recorded with the message."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime

CHANNELS = ("sms", "email", "letter")
LANGUAGES = ("zh", "en")


@dataclass(frozen=True, slots=True)
class TemplateKey:
    template_id: str
    channel: str  # sms | email | letter
    jurisdiction: str  # CN | US | UK: the country whose rules the text is written for

    def __str__(self) -> str:
        return f"{self.template_id}/{self.channel}/{self.jurisdiction}"


@dataclass(frozen=True, slots=True)
class MessageTemplate:
    """One template's content. Bodies and subjects are sandboxed Jinja2 source."""

    template_id: str
    channel: str
    jurisdiction: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    subject_zh: str | None = None  # e-mail only
    subject_en: str | None = None
    third_party: bool = False  # may be sent to someone other than the debtor (then it carries no debt details)

    @property
    def key(self) -> TemplateKey:
        return TemplateKey(self.template_id, self.channel, self.jurisdiction)

    def body(self, language: str) -> str:
        return self.body_en if language == "en" else self.body_zh

    def subject(self, language: str) -> str | None:
        return self.subject_en if language == "en" else self.subject_zh

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_zh

    @property
    def digest(self) -> str:
        """The content's SHA-256: the same content saved again is the same version."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TemplateVersion:
    template: MessageTemplate
    version: int
    saved_at: datetime
    saved_by: str  # cli:<login>, seed, user:<name>
    source: str  # seed (a package file) | saved (a person saved it)

    @property
    def label(self) -> str:
        """How a message records what it was rendered from: ``reminder/sms/CN@v2``."""
        return f"{self.template.key}@v{self.version}"
