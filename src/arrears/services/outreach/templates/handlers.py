"""The template use cases: save a template (a new version when its content changed), seed the
package's templates, list and show versions. Each write is one unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from sqlalchemy.exc import IntegrityError

from arrears.domain.message_templates import MessageTemplate, TemplateKey, TemplateVersion
from arrears.services.outreach.templates.files import parse_template
from arrears.services.outreach.templates.ports import TemplatesUnitOfWork
from arrears.services.outreach.templates.rendering import TemplateRefused, vet_template


@dataclass(frozen=True, slots=True)
class SaveTemplate:
    """Save ``template`` as its key's next version (vetted first; the same content again is no new version)."""

    template: MessageTemplate
    saved_by: str
    now: datetime
    source: str = "saved"


def save_template(uow: TemplatesUnitOfWork, command: SaveTemplate) -> TemplateVersion:
    vet_template(command.template)
    with uow:
        latest = uow.templates.latest(command.template.key)
        if latest is not None and latest.template.digest == command.template.digest:
            return latest
        made = TemplateVersion(command.template, (latest.version if latest else 0) + 1, command.now,
                               command.saved_by, command.source)
        uow.templates.add(made)
        uow.commit()
    return made


def seed_templates() -> tuple[MessageTemplate, ...]:
    """The templates shipped with the package (``seed/*.toml``)."""
    folder = resources.files("arrears.services.outreach.templates") / "seed"
    return tuple(parse_template(item.read_text(encoding="utf-8"), f"seed/{item.name}")
                 for item in sorted(folder.iterdir(), key=lambda i: i.name) if item.name.endswith(".toml"))


def seed(uow: TemplatesUnitOfWork, now: datetime) -> int:
    """Store each shipped template whose key has no version yet, or whose latest version came from an
    older package file (a version a person saved is never replaced). Returns how many were stored."""
    stored = 0
    with uow:
        for template in seed_templates():
            latest = uow.templates.latest(template.key)
            if latest is not None and (latest.source != "seed" or latest.template.digest == template.digest):
                continue
            vet_template(template)
            uow.templates.add(TemplateVersion(template, (latest.version if latest else 0) + 1, now, "seed", "seed"))
            stored += 1
        uow.commit()
    return stored


def seed_once(uow: Callable[[], TemplatesUnitOfWork], now: datetime) -> int:
    """``seed``, where another process seeding at the same moment is no error (its versions are there)."""
    for attempt in range(3):
        try:
            return seed(uow(), now)
        except IntegrityError:
            if attempt == 2:
                raise
    return 0


def latest_versions(uow: TemplatesUnitOfWork) -> tuple[TemplateVersion, ...]:
    with uow:
        return tuple(sorted(uow.templates.all_latest(), key=lambda v: str(v.template.key)))


def template_version(uow: TemplatesUnitOfWork, key: TemplateKey, version: int | None = None) -> TemplateVersion:
    """The version asked for (the latest when ``version`` is None); ``LookupError`` when there is none."""
    with uow:
        found = uow.templates.latest(key) if version is None else uow.templates.version(key, version)
    if found is None:
        raise LookupError(f"no template {key}" + (f" version {version}" if version else ""))
    return found


__all__ = ["SaveTemplate", "TemplateRefused", "latest_versions", "save_template", "seed", "seed_templates",
           "template_version"]
