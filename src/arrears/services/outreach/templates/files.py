"""Template files (TOML): what ``arrears template save`` reads, ``arrears template show`` prints and
the package's seed files are written in. Errors name the file, the line and the field.

```
template_id = "reminder"
channel = "sms"            # sms | email | letter
jurisdiction = "CN"        # CN | US | UK
third_party = false        # true: may go to someone other than the debtor
title = { zh = "还款提醒", en = "Payment reminder" }

[zh]
subject = "..."            # e-mail only
body = "【{{ sender }}】..."

[en]
body = "..."
```
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from arrears.domain.message_templates import CHANNELS, LANGUAGES, MessageTemplate

ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
JURISDICTIONS = ("CN", "US", "UK")


class TemplateFileError(ValueError):
    """A template file that cannot be read: ``file:line: field: problem``."""


def _line_of(text: str, field: str) -> int:
    section, _, key = field.rpartition(".")
    lines = text.splitlines()
    start = 0
    if section in LANGUAGES:
        start = next((i for i, line in enumerate(lines) if line.strip() == f"[{section}]"), 0)
    for number, line in enumerate(lines[start:], start + 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return start + 1 if start else 1


def read_template(path: Path) -> MessageTemplate:
    """The template in ``path``; ``TemplateFileError`` naming file, line and field when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateFileError(f"{path}: cannot read: {exc}") from None
    return parse_template(text, str(path))


class _Fields:
    """The fields of one template file, each refused with ``file:line: field: problem``."""

    def __init__(self, text: str, name: str) -> None:
        self.text, self.name = text, name

    def fail(self, field: str, problem: str) -> TemplateFileError:
        return TemplateFileError(f"{self.name}:{_line_of(self.text, field)}: {field}: {problem}")

    def string(self, field: str, value: Any, *, required: bool = True) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, "required text is missing" if value is None else "must be non-empty text")
        return value

    def one_of(self, field: str, value: Any, allowed: Any) -> str:
        chosen = self.string(field, value) or ""
        if chosen not in allowed:
            raise self.fail(field, f"one of {', '.join(allowed)}, not {chosen!r}")
        return chosen

    def texts(self, data: dict[str, Any], channel: str) -> dict[str, dict[str, str | None]]:
        texts: dict[str, dict[str, str | None]] = {}
        for language in LANGUAGES:
            section = data.get(language)
            if not isinstance(section, dict):
                raise self.fail(language, f"the [{language}] section with its body is missing")
            extra = set(section) - {"body", "subject"}
            if extra:
                raise self.fail(f"{language}.{sorted(extra)[0]}", "unknown field (known: body, subject)")
            subject = self.string(f"{language}.subject", section.get("subject"), required=channel == "email")
            if subject is not None and channel != "email":
                raise self.fail(f"{language}.subject", "only an e-mail has a subject")
            texts[language] = {"body": self.string(f"{language}.body", section.get("body")), "subject": subject}
        return texts


def _toml(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise TemplateFileError(f"{name}:{found.group(1) if found else 1}: {exc}") from None


def parse_template(text: str, name: str) -> MessageTemplate:
    data, fields = _toml(text, name), _Fields(text, name)
    unknown = set(data) - {"template_id", "channel", "jurisdiction", "third_party", "title", *LANGUAGES}
    if unknown:
        raise fields.fail(sorted(unknown)[0], f"unknown field (known: template_id, channel, jurisdiction, "
                                              f"third_party, title, {', '.join(LANGUAGES)})")
    template_id = fields.string("template_id", data.get("template_id")) or ""
    if not ID.fullmatch(template_id):
        raise fields.fail("template_id", "lower-case letters, digits and _, starting with a letter (at most 64)")
    channel = fields.one_of("channel", data.get("channel"), CHANNELS)
    jurisdiction = fields.one_of("jurisdiction", data.get("jurisdiction"), JURISDICTIONS)
    third_party = data.get("third_party", False)
    if not isinstance(third_party, bool):
        raise fields.fail("third_party", "true or false")
    title = data.get("title")
    if not isinstance(title, dict):
        raise fields.fail("title", "a table with zh and en, e.g. "
                                   "title = { zh = \"还款提醒\", en = \"Payment reminder\" }")
    texts = fields.texts(data, channel)
    return MessageTemplate(
        template_id=template_id, channel=channel, jurisdiction=jurisdiction,
        title_zh=fields.string("title.zh", title.get("zh")) or "",
        title_en=fields.string("title.en", title.get("en")) or "",
        body_zh=texts["zh"]["body"] or "", body_en=texts["en"]["body"] or "",
        subject_zh=texts["zh"]["subject"], subject_en=texts["en"]["subject"], third_party=third_party,
    )


def _text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def template_text(template: MessageTemplate) -> str:
    """The template as a file that ``parse_template`` reads back to the same template."""
    lines = [f"template_id = {_text(template.template_id)}", f"channel = {_text(template.channel)}",
             f"jurisdiction = {_text(template.jurisdiction)}",
             f"third_party = {'true' if template.third_party else 'false'}",
             f"title = {{ zh = {_text(template.title_zh)}, en = {_text(template.title_en)} }}"]
    for language in LANGUAGES:
        lines += ["", f"[{language}]"]
        subject = template.subject(language)
        if subject is not None:
            lines.append(f"subject = {_text(subject)}")
        lines.append(f"body = {_text(template.body(language))}")
    return "\n".join(lines) + "\n"
