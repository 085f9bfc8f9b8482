"""The audit hash chain (domain.audit_chain): each sealed row linked to the one before; a changed,
removed or slipped-in row, and a cut tail, named at the first row that breaks."""

from __future__ import annotations

from datetime import UTC, datetime

from arrears.domain.audit_chain import GENESIS, Head, canonical, first_break, link


def chain(n: int) -> list[tuple[int, dict]]:
    rows, previous = [], GENESIS
    for i in range(1, n + 1):
        row = {"id": i, "at": datetime(2026, 12, 1, 8, i, tzinfo=UTC), "what": f"event {i}"}
        row_hash = link(previous, row)
        rows.append((i, {**row, "prev_hash": previous, "row_hash": row_hash}))
        previous = row_hash
    return rows


def head_of(rows: list[tuple[int, dict]]) -> Head:
    return Head(rows[-1][0], rows[-1][1]["row_hash"])


def test_an_untouched_chain_holds():
    rows = chain(5)
    assert first_break("log", rows, head_of(rows)) is None


def test_a_changed_row_is_named():
    rows = chain(5)
    rows[2][1]["what"] = "edited by hand"
    found = first_break("log", rows, head_of(rows))
    assert (found.row_id, found.en) == (3, "its content does not match its hash (changed)")


def test_a_removed_row_breaks_the_link_of_the_next():
    rows = chain(5)
    del rows[1]
    assert first_break("log", rows, head_of(rows)).row_id == 3


def test_a_cut_tail_shows_against_the_head():
    rows = chain(5)
    head = head_of(rows)
    assert "cut short" in first_break("log", rows[:3], head).en


def test_unsealed_rows_after_the_sealed_ones_are_fine_but_not_before_them():
    rows = chain(3)
    head = head_of(rows)
    assert first_break("log", [*rows, (4, {"id": 4, "row_hash": None, "prev_hash": None})], head) is None
    slipped = [rows[0], (2, {"id": 2, "row_hash": None}), rows[1], rows[2]]
    assert "slipped in" in first_break("log", slipped, head).en


def test_the_same_instant_reads_the_same_from_any_zone_and_naive_means_utc():
    a = canonical({"at": datetime(2026, 12, 1, 8, 0, tzinfo=UTC)})
    b = canonical({"at": datetime(2026, 12, 1, 8, 0)})  # noqa: DTZ001 - a naive value as SQLite hands it back
    assert a == b and b"2026-12-01T08:00:00.000000Z" in a
