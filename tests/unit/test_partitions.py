"""The one way the batch work splits: by customer, every row of a customer in one part, in order."""

from __future__ import annotations

import polars as pl

from arrears.partitions import by_customer, part_of, split


def _shuffled(rows: int) -> pl.DataFrame:
    return pl.DataFrame({"customer_id": [f"C{(i * 7919) % 97:03d}" for i in range(rows)],
                         "n": range(rows)})


def test_each_customer_falls_in_one_part_and_the_parts_keep_the_rows_in_order():
    frame = _shuffled(2_000)
    parts = split(frame, 5)
    assert len(parts) == 5 and sum(p.height for p in parts) == frame.height
    owners = [set(p["customer_id"]) for p in parts]
    assert all(not (a & b) for i, a in enumerate(owners) for b in owners[i + 1:])
    assert all(p["n"].is_sorted() for p in parts)
    assert split(frame, 1) == [frame]


def test_a_part_with_no_customer_is_an_empty_frame_of_the_same_columns():
    parts = split(pl.DataFrame({"customer_id": ["A"], "x": [1]}), 4)
    assert [p.height for p in parts].count(1) == 1
    assert all(p.schema == parts[0].schema for p in parts)


def test_a_customer_is_in_the_same_part_for_the_same_number_of_parts_every_time():
    ids = pl.DataFrame({"customer_id": ["C1", "C2", "C3"]}).with_columns(part_of(3).alias("p"))
    again = pl.DataFrame({"customer_id": ["C3", "C1", "C2"]}).with_columns(part_of(3).alias("p"))
    assert dict(ids.iter_rows()) == dict(again.iter_rows())


def test_rows_keyed_by_account_follow_their_accounts_customer():
    accounts = pl.DataFrame({"account_id": [f"A{i}" for i in range(40)],
                             "customer_id": [f"C{i // 2}" for i in range(40)]})
    payments = pl.DataFrame({"payment_id": range(80), "account_id": [f"A{i % 40}" for i in range(80)]})
    contacts = pl.DataFrame({"account_id": ["A0", "A1"], "customer_id": ["C19", "C19"]})  # names another customer
    points = pl.DataFrame({"contact_point_id": ["P1", "P2"], "customer_id": ["C0", "C5"]})
    parts = by_customer({"accounts": accounts, "payments": payments, "contacts": contacts,
                         "contact_points": points}, 4)
    assert sum(p["accounts"].height for p in parts) == 40 and all(p["accounts"].height for p in parts)
    for part in parts:
        mine = set(part["accounts"]["account_id"])
        assert set(part["payments"]["account_id"]) <= mine and set(part["contacts"]["account_id"]) <= mine
        assert set(part["contact_points"]["customer_id"]) <= set(part["accounts"]["customer_id"])
        assert part["payments"]["payment_id"].is_sorted()
    assert sum(p["payments"].height for p in parts) == 80 and sum(p["contacts"].height for p in parts) == 2
