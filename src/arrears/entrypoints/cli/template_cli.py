"""`arrears template list | show | save FILE`: message templates as data. Saving makes a new
version (when the content changed) after the screening and the required contents pass."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from arrears.entrypoints.cli.os_user import cli_operator

err = Console(stderr=True, soft_wrap=True, highlight=False)


def _uow():  # type: ignore[no-untyped-def]
    from arrears import bootstrap
    from arrears.entrypoints.cli.container import open_container
    from arrears.services.outreach.templates.handlers import seed_once

    engine = open_container().engine

    def make():  # type: ignore[no-untyped-def]
        return bootstrap.templates_uow(engine)

    seed_once(make, datetime.now(UTC))
    return make


def register(app: typer.Typer) -> None:
    template = typer.Typer(name="template", help="Message templates 消息模板 (sms, email, letter; zh and en).",
                           no_args_is_help=True)

    @template.command("list")
    def list_templates() -> None:
        """The latest version of every template, one a line, tab-separated."""
        from arrears.services.outreach.templates.handlers import latest_versions

        typer.echo("\t".join(("template_id", "channel", "jurisdiction", "version", "saved_at", "saved_by", "title")))
        for v in latest_versions(_uow()()):
            t = v.template
            saved_at = v.saved_at.isoformat(timespec="seconds")
            typer.echo("\t".join((t.template_id, t.channel, t.jurisdiction, str(v.version), saved_at, v.saved_by,
                                  f"{t.title_zh} / {t.title_en}")))

    @template.command("show")
    def show(
        template_id: Annotated[str, typer.Argument(help="e.g. reminder")],
        channel: Annotated[str, typer.Option(help="sms | email | letter")] = "sms",
        jurisdiction: Annotated[str, typer.Option(help="CN | US | UK")] = "CN",
        version: Annotated[int | None, typer.Option(min=1, help="a version (default: the latest)")] = None,
    ) -> None:
        """A template version as a file that `arrears template save` reads (edit it, save it: a new version)."""
        from arrears.domain.message_templates import TemplateKey
        from arrears.services.outreach.templates.files import template_text
        from arrears.services.outreach.templates.handlers import template_version

        try:
            found = template_version(_uow()(), TemplateKey(template_id, channel, jurisdiction.upper()), version)
        except LookupError as error:
            err.print(f"[red]{error} / 没有这个模板[/]")
            raise typer.Exit(2) from None
        typer.echo(f"# {found.label} saved {found.saved_at.isoformat(timespec='seconds')} by {found.saved_by}")
        typer.echo(template_text(found.template), nl=False)

    @template.command("save")
    def save(file: Annotated[Path, typer.Argument(help="a template file (TOML), e.g. from `arrears template show`")]
             ) -> None:
        """Save the template in FILE as a new version; refused (exit 2, nothing saved) when the file is not a
        template, the text fails the screening or lacks a required content."""
        from arrears.services.outreach.templates.files import TemplateFileError, read_template
        from arrears.services.outreach.templates.handlers import SaveTemplate, save_template
        from arrears.services.outreach.templates.rendering import TemplateRefused

        try:
            template = read_template(file)
            uow = _uow()
            before = _latest_version(uow, template)
            made = save_template(uow(), SaveTemplate(template, cli_operator(), datetime.now(UTC)))
        except TemplateFileError as error:
            err.print(str(error), style="red", markup=False)
            raise typer.Exit(2) from None
        except TemplateRefused as refused:
            err.print(f"{file}: refused 未保存: {refused.subject}", style="red", markup=False)
            for zh, en in refused.problems:
                err.print(f"  - {en}\n    {zh}", markup=False)
            raise typer.Exit(2) from None
        if made.version == before:
            typer.echo(f"unchanged 内容未变: {made.label}")
        else:
            typer.echo(f"saved 已保存: {made.label}")

    app.add_typer(template, name="template")


def _latest_version(uow, template) -> int | None:  # type: ignore[no-untyped-def]
    from arrears.services.outreach.templates.handlers import template_version

    try:
        return template_version(uow(), template.key).version
    except LookupError:
        return None
