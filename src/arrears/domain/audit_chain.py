"""The audit as a hash chain (审计哈希链): each sealed row of an append-only log carries the hash of
the row before it and its own hash over its content, so a row changed, removed or slipped in by hand
breaks the chain at that row. Pure: the rows come in as plain values, in id order.

``row_hash = sha256(prev_hash || canonical(row))``; the first row's ``prev_hash`` is the log's
genesis (64 zeros). ``canonical`` is the row's columns (not the two hash columns) as sorted JSON,
instants in UTC to the microsecond, dates ISO, everything else as text or number.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64
HASH_COLUMNS = ("prev_hash", "row_hash")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def canonical(row: Mapping[str, Any]) -> bytes:
    return json.dumps({k: _plain(v) for k, v in row.items() if k not in HASH_COLUMNS}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def link(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(row)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first row where a log's chain does not hold, and what is wrong with it."""

    log: str
    row_id: int
    zh: str
    en: str


@dataclass(frozen=True)
class Head:
    """Where sealing stopped: the last sealed row and its hash (a removed tail shows here)."""

    last_id: int
    last_hash: str


def first_break(log: str, rows: Iterable[tuple[int, Mapping[str, Any]]], head: Head | None,
                anchor: Head | None = None) -> Break | None:
    """Checks a log's rows in id order against their hashes and against the head. After retention
    dropped the log's oldest rows, the first kept row links to ``anchor`` (the last dropped row)
    instead of the genesis."""
    previous, last_id, sealing_over = (anchor.last_hash, anchor.last_id, False) if anchor else (GENESIS, 0, False)
    for row_id, row in rows:
        if row.get("row_hash") is None:
            sealing_over = True
            continue
        if sealing_over:
            return Break(log, row_id, "已封存行出现在未封存行之后（记录被插入或顺序被改动）",
                         "a sealed row after an unsealed one (a row slipped in or reordered)")
        if row.get("prev_hash") != previous:
            return Break(log, row_id, "与上一行的哈希不相连（之前的行被删除或改动）",
                         "does not link to the row before (a row before it was removed or changed)")
        if link(previous, row) != row.get("row_hash"):
            return Break(log, row_id, "内容与其哈希不符（此行被改动）", "its content does not match its hash (changed)")
        previous, last_id = row["row_hash"], row_id
    if head is not None and (head.last_id != last_id or head.last_hash != previous):
        return Break(log, head.last_id, "封存记录之后的行缺失（链尾被截断）",
                     "sealed rows are missing at the end (the chain was cut short)")
    return None
