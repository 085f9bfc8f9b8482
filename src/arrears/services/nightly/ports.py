"""What the nightly run reads and writes, stage by stage, in a unit of work. Adapters satisfy
these structurally: ``arrears.adapters.storage.nightly_store`` on a database. (The arrangements
review uses the arrangements' own ports.)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

import polars as pl

from arrears.domain.aging import PausePeriod
from arrears.services.unit_of_work import UnitOfWork


class AgingStore(Protocol):
    def accounts(self) -> pl.DataFrame:
        """The accounts in the portfolio: account_id, oldest (unpaid due date), balance_cents, past_due_cents,
        min_payment_cents."""
        ...

    def pauses(self, as_of: date) -> dict[str, list[PausePeriod]]:
        """Each account's pauses that started by ``as_of``."""
        ...

    def previous(self, as_of: date) -> tuple[date | None, pl.DataFrame]:
        """The last run before ``as_of`` and its buckets (account_id, prev_bucket)."""
        ...

    def clear(self, as_of: date) -> None:
        """Remove the date's aging, bucket changes, roll rates and run (a re-run replaces them)."""
        ...

    def add_aging(self, aged: pl.DataFrame) -> None: ...
    def add_transitions(self, rows: Iterable[Sequence[Any]]) -> None: ...
    def add_roll_rates(self, rows: Iterable[Sequence[Any]]) -> None: ...
    def add_run(self, run: Mapping[str, Any]) -> None: ...


class ScoreStore(Protocol):
    def frames(self, as_of: date) -> dict[str, pl.DataFrame]:
        """The portfolio frames the scoring features read, as of ``as_of``."""
        ...

    def balances(self, earliest: date, latest: date) -> pl.DataFrame:
        """The aging history of the latest run between ``earliest`` and ``latest`` (none: no row):
        account_id, as_of, dpd, balance, past_due_amount, min_payment (money; null before it was kept)."""
        ...

    def segments(self, earliest: date, latest: date) -> tuple[date | None, pl.DataFrame]:
        """The segments (account_id, segment) the latest scoring run between ``earliest`` and
        ``latest`` stored, with its date; (None, empty) without one."""
        ...

    def replace(self, as_of: date, scores: pl.DataFrame, run: Mapping[str, Any]) -> None:
        """The date's scores and scoring run, replacing what the date had."""
        ...


class NightlyUnitOfWork(UnitOfWork, Protocol):
    """One transaction per ``with`` block; the run opens one per stage."""

    @property
    def aging(self) -> AgingStore: ...
    @property
    def scores(self) -> ScoreStore: ...

    def anything_ingested(self) -> bool: ...

    def prepare_months(self, as_of: date) -> None:
        """Make ready where the coming months' contacts and decisions go (month partitions on
        PostgreSQL: this month and the next two); nothing to do where storage has no partitions."""
        ...
