"""The whole nightly job for a business date: age every account (``nightly.run_nightly``),
score every delinquent account (``scoring_run``), and review the arrangements on the date
(``arrangements.review``). Each step commits on its own; re-running a date replaces that
date's aging and scores and changes no arrangement twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, select

from arrears.adapters.storage import tables as t
from arrears.adapters.storage.arrangements_repository import SqlArrangementsUnitOfWork
from arrears.adapters.storage.portfolio_reader import SqlPortfolioReader
from arrears.domain.aging import AgingLadder
from arrears.domain.vocabulary import DEFAULT_ZONE
from arrears.scoring.features import FeatureConfig
from arrears.scoring.segments import Thresholds
from arrears.services.arrangements.review import ArrangementReview, review_arrangements_on
from arrears.services.nightly import RunReport, run_nightly
from arrears.services.scoring_run import ScoringModel, ScoringReport, score_accounts

STAGES = 8  # 4 aging + 3 scoring + 1 arrangements


class NothingIngested(LookupError):
    """The database holds no portfolio snapshot: there is nothing to age or score."""

    def __init__(self) -> None:
        super().__init__("尚未导入任何数据 / nothing ingested yet: run `arrears ingest FOLDER` first")


@dataclass
class NightlyJobReport:
    aging: RunReport
    scoring: ScoringReport
    arrangements: ArrangementReview


def run_nightly_job(
    engine: Engine,
    as_of: date,
    ladder: AgingLadder,
    now: datetime,
    model: ScoringModel,
    *,
    thresholds: Thresholds | None = None,
    timezone: str = DEFAULT_ZONE,
    stage: Callable[[str], None] = lambda _s: None,
) -> NightlyJobReport:
    """Raises NothingIngested (and writes nothing) on a database that holds neither a loaded
    snapshot nor any account."""
    with engine.connect() as connection:
        snapshot = connection.execute(select(t.snapshots.c.snapshot_id).limit(1)).first()
        account = connection.execute(select(t.accounts.c.account_id).limit(1)).first()
    if snapshot is None and account is None:
        raise NothingIngested
    aging = run_nightly(engine, as_of, ladder, now, stage)
    with engine.begin() as connection:
        scoring = score_accounts(connection, as_of, now, model, thresholds=thresholds,
                                 config=FeatureConfig(timezone=timezone, ladder=ladder), stage=stage)
    stage("review arrangements")
    review = review_arrangements_on(lambda: SqlArrangementsUnitOfWork(engine), SqlPortfolioReader(engine), as_of,
                                    now=now)
    return NightlyJobReport(aging, scoring, review)
