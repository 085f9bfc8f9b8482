"""The message rows of a plan.csv (contact-plan-v1): sms, email and letter rows as planned
messages, calls left to the dialer. Every problem is reported as ``plan.csv:LINE: column:
problem``, all in one pass, and nothing is used from a file that has one."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from arrears.domain.outreach import MESSAGE_CHANNELS, PlannedMessage

REQUIRED = ("account_id", "customer_id", "channel", "contact_point_id", "scheduled_at", "template", "offer")
CHANNELS = (*MESSAGE_CHANNELS, "call")
MAX_PROBLEMS = 50
_NEVER = datetime.min.replace(tzinfo=UTC)  # not used: a row without an instant is a problem


class PlanFileError(ValueError):
    """The plan cannot be dispatched; the message names the file, the line and the column."""


def _instant(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.utcoffset() is not None else None


def _rows(path: Path) -> tuple[list[str], list[dict[str, str | None]]]:
    """The plan file's header and rows; PlanFileError when it cannot be read."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            return [name.strip() for name in reader.fieldnames or ()], rows  # type: ignore[return-value]
    except FileNotFoundError:
        raise PlanFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise PlanFileError(f"{path.name}: cannot be read: {error}") from None


def _message(row: dict[str, str | None]) -> PlannedMessage:
    def text(column: str) -> str:
        return (row.get(column) or "").strip()

    return PlannedMessage(text("account_id"), text("customer_id"), text("channel"), text("contact_point_id"),
                          _instant(text("scheduled_at")) or _NEVER, text("template"), text("offer") or "none")


def read_plan(path: Path) -> list[PlannedMessage]:
    header, rows = _rows(path)
    absent = [c for c in REQUIRED if c not in header]
    if absent:
        raise PlanFileError(f"{path.name}:1: missing columns {', '.join(absent)} (a contact-plan-v1 plan)")
    problems: list[str] = []
    messages: list[PlannedMessage] = []
    for line, row in enumerate(rows, start=2):
        said = _row_problems(row)
        if said:
            problems += [f"{path.name}:{line}: {p}" for p in said]
            continue
        if (row.get("channel") or "").strip() != "call":
            messages.append(_message(row))
    if problems:
        more = f"\n... and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        raise PlanFileError("\n".join(problems[:MAX_PROBLEMS]) + more)
    return messages


def _row_problems(row: dict[str, str | None]) -> list[str]:
    problems = [f"{column}: missing" for column in ("account_id", "customer_id", "contact_point_id")
                if not (row.get(column) or "").strip()]
    channel = (row.get("channel") or "").strip()
    if channel not in CHANNELS:
        problems.append(f"channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    elif channel != "call":
        if _instant((row.get("scheduled_at") or "").strip()) is None:
            problems.append(f"scheduled_at: {row.get('scheduled_at')!r} is not an instant with an offset "
                            "(e.g. 2026-11-30T10:00:00+08:00)")
        if not (row.get("template") or "").strip():
            problems.append("template: missing (a message needs its template)")
    return problems
