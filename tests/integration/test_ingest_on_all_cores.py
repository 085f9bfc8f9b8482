"""A large load's personal fields are encrypted, hashed and masked in worker processes, one
slice per core: what is stored is what one process stores (the ciphertexts differ only by
their random nonces and decrypt to the same text)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from arrears.adapters.crypto import FieldCipher
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.core_workers import CoreWorkers, slice_bounds
from arrears.adapters.storage.database import make_engine, migrate
from arrears.adapters.storage.ingest_store import SqlIngestUnitOfWork
from arrears.adapters.storage.personal_columns import contact_values, customer_personal
from arrears.services.ingest import IngestPortfolio, ingest_portfolio
from arrears.services.portfolio_files import read_portfolio

AS_OF = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
NAMES = [f"王{i}明" if i % 7 else None for i in range(1_001)]
IDS = [f"11010119900307{i % 10_000:04d}" if i % 5 else None for i in range(1_001)]
ADDRESSES = [f"北京市朝阳区{i}号" for i in range(1_001)]


@pytest.mark.parametrize(("rows", "parts", "expected"), [
    (10, 2, [(0, 5), (5, 10)]),
    (11, 3, [(0, 4), (4, 8), (8, 11)]),
    (1, 4, [(0, 1)]),
    (0, 2, []),
])
def test_slices_cover_every_row_once_in_order(rows: int, parts: int, expected: list[tuple[int, int]]) -> None:
    assert slice_bounds(rows, parts) == expected


def test_two_worker_processes_give_what_one_process_gives(cipher: FieldCipher) -> None:
    alone = customer_personal(cipher, NAMES, IDS, ADDRESSES)
    with CoreWorkers(cipher, processes=2, parallel_from=1) as workers:
        spread = workers.run(customer_personal, [NAMES, IDS, ADDRESSES])
        points = workers.run(contact_values, [["mobile"] * 3, ["+8613800138000", "+8613900139000", "+8613700137000"]])
    assert spread.keys() == alone.keys()
    for name in alone:
        if name.endswith("_enc"):
            assert [None if b is None else cipher.decrypt(b) for b in spread[name]] == \
                [None if b is None else cipher.decrypt(b) for b in alone[name]]
            assert spread[name] != alone[name]  # fresh nonces, never reused
        else:
            assert spread[name] == alone[name], name
    assert points["value_masked"] == contact_values(cipher, ["mobile"] * 3, [
        "+8613800138000", "+8613900139000", "+8613700137000"])["value_masked"]


def _stored(engine: Engine, cipher: FieldCipher) -> list[tuple[object, ...]]:
    c, p = t.customers.c, t.contact_points.c
    with engine.connect() as connection:
        customers = connection.execute(select(
            c.customer_id, c.name_hash, c.name_masked, c.national_id_hash, c.national_id_masked, c.address_masked,
            c.row_digest, c.name_enc).order_by(c.customer_id)).all()
        points = connection.execute(select(
            p.contact_point_id, p.value_hash, p.value_masked, p.row_digest, p.value_enc,
        ).order_by(p.contact_point_id)).all()
    return [(*row[:-1], cipher.decrypt(row[-1]) if row[-1] else None) for row in [*customers, *points]]


def test_a_load_spread_over_two_workers_stores_what_a_single_process_stores(
    cipher: FieldCipher, small_demo: Path, tmp_path: Path
) -> None:
    stored = []
    for name, parallel_from in (("alone", 10**9), ("spread", 1)):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        migrate(engine)
        uow = SqlIngestUnitOfWork(engine, cipher, parallel_from=parallel_from)
        report = ingest_portfolio(uow, IngestPortfolio(read_portfolio(small_demo, AS_OF), AS_OF, NOW))
        assert report.counts["customers"].inserted == 300
        stored.append(_stored(engine, cipher))
        engine.dispose()
    assert stored[0] == stored[1]
    assert len(stored[0]) > 300
