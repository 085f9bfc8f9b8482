"""`arrears compliance check FILE.jsonl`: one answer line per input line, in order, to stdout.

Exit 0 when every line was answered (errors included); 2 when the file cannot be read.
Every decision is then stored in the audit table like the HTTP check's, with the caller named
(``cli:<os user>`` unless ``--caller`` says otherwise); when the database cannot be opened the
answers stand and a line on stderr says the decisions were not audited (``--no-audit`` skips it).
Lines end at LF (a CR before it is dropped); a byte-order mark at the start of the file is
dropped; each line is decoded on its own, so a line that is not UTF-8 is answered with an
error like any other malformed line.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from arrears.entrypoints.cli.dates import date_option
from arrears.services.compliance_check import answer_text, to_json_line

FILE_HELP = "JSON Lines file of requests ('-' = stdin)"
BOM = b"\xef\xbb\xbf"


def _read(file: Path) -> bytes:
    if str(file) == "-":
        return sys.stdin.buffer.read()
    return file.read_bytes()


def lines_of(data: bytes) -> Iterator[bytes]:
    """The lines of a JSON Lines file: split at LF only (a JSON string may hold U+2028 and
    other characters ``str.splitlines`` would split at), CRLF accepted, no line after a final LF."""
    data = data.removeprefix(BOM)
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    for part in parts:
        yield part.removesuffix(b"\r")


def register(app: typer.Typer) -> None:
    compliance = typer.Typer(
        name="compliance", help="The pre-contact compliance gate.", no_args_is_help=True
    )
    register_replay(compliance)
    register_file(compliance)

    @compliance.command("check")
    def check_file(file: Annotated[Path, typer.Argument(help=FILE_HELP)],
                   audit: Annotated[bool, typer.Option("--audit/--no-audit", help=(
                       "store every decision in the audit table, as the HTTP check does"))] = True,
                   caller: Annotated[str | None, typer.Option(help="who asked (default cli:<os user>)")] = None,
                   ) -> None:
        """Answer each request line: allow, deny or review, with rules and reasons."""
        try:
            data = _read(file)
        except OSError as error:
            typer.echo(f"error: cannot read {file}: {error}", err=True)
            raise typer.Exit(2) from None
        out = sys.stdout
        answered = []
        for line in lines_of(data):
            result = answer_text(line)
            out.write(to_json_line(result) + "\n")
            answered.append((line, result))
        out.flush()
        if audit:
            _audit(answered, caller or f"cli:{getpass.getuser()}")

    app.add_typer(compliance, name="compliance")


def _audit(answered: list[tuple[bytes, dict[str, Any]]], caller: str) -> None:
    """Store the decisions; the answers are already out, so a database that cannot be opened is
    said on stderr, not a failed check."""
    from sqlalchemy.exc import SQLAlchemyError

    from arrears import bootstrap
    from arrears.adapters.crypto import EncryptionKeyError
    from arrears.services.compliance_audit import record_checked_lines

    try:
        container = bootstrap.container()
        stored = record_checked_lines(container.engine, answered, caller=caller, cipher=container.cipher)
    except (EncryptionKeyError, SQLAlchemyError, OSError) as error:
        typer.echo(f"决定未记录 / decisions not audited: {error}", err=True)
        return
    typer.echo(f"已记录 {stored} 个决定 / audited {stored} decisions as {caller}", err=True)


def _overrides(path: Path | None) -> dict[str, dict[str, object]]:
    """Rule id -> parameters to tighten, from a JSON or YAML file."""
    if path is None:
        return {}
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise typer.BadParameter(f"{path}: cannot read: {error}", param_hint="--overrides") from None
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise typer.BadParameter(f"{path}: a mapping of rule id to parameters", param_hint="--overrides")
    return raw


def register_replay(compliance: typer.Typer) -> None:
    @compliance.command("replay")
    def replay_command(
        start: Annotated[date, date_option("--from", "first day, YYYY-MM-DD (operation zone)")],
        end: Annotated[date, date_option("--to", "last day, YYYY-MM-DD, included")],
        overrides: Annotated[Path | None, typer.Option("--overrides", help="rule id -> tightened parameters "
                                                       "(JSON or YAML): the other pack version")] = None,
        pack: Annotated[str, typer.Option("--pack", help="the other version's label")] = "replay",
        out: Annotated[Path | None, typer.Option("--out", help="write every change to this CSV")] = None,
    ) -> None:
        """Re-judge the stored decisions of a date range under another pack version; list every change."""
        from datetime import datetime, time, timedelta
        from zoneinfo import ZoneInfo

        from arrears.bootstrap import stored_decisions
        from arrears.compliance.packs import GateConfig, OverrideError
        from arrears.entrypoints.cli.container import open_container
        from arrears.services.compliance_replay import replay

        try:
            config = GateConfig(overrides=_overrides(overrides), label=pack)
        except OverrideError as error:
            raise typer.BadParameter(str(error), param_hint="--overrides") from None
        container = open_container()
        zone = ZoneInfo(container.settings.timezone)
        since, until = datetime.combine(start, time(0), zone), datetime.combine(end + timedelta(days=1), time(0), zone)
        report = replay(stored_decisions(container.engine, container.cipher).between(since, until), config)
        typer.echo(f"replayed 复核 {report.replayed}, changed 变化 {len(report.changes)}, "
                   f"without a kept request 无请求记录 {report.without_request}, "
                   f"other modes 其他类型 {report.other_modes}, errors 错误 {report.errors}")
        for c in report.changes:
            typer.echo(f"  #{c.decision_id} {c.decided_for.isoformat()} {c.account_id or '-'} {c.mode}: "
                       f"{c.before} {','.join(c.before_rules) or '-'} -> {c.after} {','.join(c.after_rules) or '-'}")
        if out is not None:
            _write_changes(out, report.changes)


def register_file(compliance: typer.Typer) -> None:
    @compliance.command("file")
    def examiner(
        account_id: Annotated[str, typer.Argument(help="the account")],
        out: Annotated[Path, typer.Option("--out", help="the folder for the JSON and the PDF")],
    ) -> None:
        """An examiner's file for one account 监管检查档案: contacts, decisions with rules, citations and
        pack versions, complaints and their handling (JSON and PDF)."""
        import json
        from datetime import UTC, datetime

        from arrears.bootstrap import examiner_records
        from arrears.entrypoints.cli.container import open_container
        from arrears.entrypoints.report.examiner_pdf import write_pdf
        from arrears.services.examiner_file import UnknownAccount, examiner_file

        container = open_container()
        try:
            file = examiner_file(examiner_records(container.engine), account_id, datetime.now(UTC))
        except UnknownAccount as error:
            typer.echo(f"{account_id}: {error}", err=True)
            raise typer.Exit(2) from None
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"examiner-{account_id}.json"
        path.write_text(json.dumps(file, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        pages = write_pdf(file, out / f"examiner-{account_id}.pdf")
        s = file["summary"]
        typer.echo(f"{account_id}: {s['contacts']} contacts, {s['decisions']} decisions ({s['denied']} denied), "
                   f"{len(file['cases'])} cases -> {path}, {out / f'examiner-{account_id}.pdf'} ({pages} pages)")


def _write_changes(out: Path, changes: list) -> None:  # type: ignore[type-arg]
    import csv
    import json

    from arrears.adapters.spreadsheets import formula_safe

    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["decision_id", "decided_for", "account_id", "mode", "before", "before_rules", "after",
                         "after_rules", "packs_before", "packs_after"])
        for c in changes:
            writer.writerow([c.decision_id, c.decided_for.isoformat(), formula_safe(c.account_id or ""), c.mode,
                             c.before, ";".join(c.before_rules), c.after, ";".join(c.after_rules),
                             json.dumps(c.packs_before), json.dumps(c.packs_after)])

