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


def read_plan(path: Path) -> list[PlannedMessage]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = [name.strip() for name in reader.fieldnames or ()]
    except FileNotFoundError:
        raise PlanFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise PlanFileError(f"{path.name}: cannot be read: {error}") from None
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
        if row["channel"].strip() == "call":
            continue
        messages.append(PlannedMessage(
            row["account_id"].strip(), row["customer_id"].strip(), row["channel"].strip(),
            row["contact_point_id"].strip(), _instant(row["scheduled_at"].strip()) or _NEVER,
            (row["template"] or "").strip(), (row["offer"] or "none").strip() or "none"))
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
