"""The nightly run for a business date: the ``RunNightly`` command and its handler.

Three stages, each atomic on its own, in this order:

1. **aging** (one unit of work): every account's days past due and bucket, the bucket
   changes, the roll rates and the run's row for the date replace what the date had;
2. **scoring** (one unit of work): every delinquent account's scores and the scoring run's
   row replace the date's (features and scores worked out on a Dask cluster when the ports
   name one: the same rows); the row carries the refits of the willingness and ability weights
   and of the response models (``services.response_refit``: promise given a right-party call,
   keep given a promise, a payment after a message, per segment, with their held-back check),
   which the next ``arrears plan`` reads;
3. **arrangements review** (one arrangements unit of work per account, as a payment would
   take it): plans and settlements completed, broken or failed on the date.

A failure in a stage leaves that stage's date as it was and the earlier stages committed;
re-running the date redoes everything without duplicating anything (aging and scores are
replaced, no arrangement changes twice). Nothing is written on a database with neither a
snapshot nor an account (``NothingIngested``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from arrears.domain.aging import AgingLadder
from arrears.domain.vocabulary import DEFAULT_ZONE
from arrears.partitions import Cluster
from arrears.scoring.features import FeatureConfig
from arrears.scoring.segments import Thresholds
from arrears.services.arrangements.ports import ArrangementsUnitOfWork, IngestedPortfolio
from arrears.services.arrangements.review import ArrangementReview, review_arrangements_on
from arrears.services.nightly.aging import RunReport, age_portfolio
from arrears.services.nightly.ports import NightlyUnitOfWork
from arrears.services.scoring_run import ScoringModel, ScoringReport, score_accounts

STAGES = 11  # 4 aging + 6 scoring + 1 arrangements


class NothingIngested(LookupError):
    """The database holds no portfolio snapshot: there is nothing to age or score."""

    def __init__(self) -> None:
        super().__init__("尚未导入任何数据 / nothing ingested yet: run `arrears ingest FOLDER` first")


@dataclass
class NightlyJobReport:
    aging: RunReport
    scoring: ScoringReport
    arrangements: ArrangementReview


@dataclass(frozen=True, slots=True)
class RunNightly:
    """Run the night of business date ``as_of`` at ``now``: aging on ``ladder``, scoring with
    ``model`` (and ``thresholds``, features in ``timezone``)."""

    as_of: date
    now: datetime
    ladder: AgingLadder
    model: ScoringModel
    thresholds: Thresholds | None = None
    timezone: str = DEFAULT_ZONE


@dataclass(frozen=True, slots=True)
class NightlyPorts:
    """Where the run reads and writes: its own unit of work (reopened per stage), and the
    arrangements' (a factory: one unit of work per account reviewed) with the portfolio; and
    where the scoring's per-account work runs (``cluster``; None: in this process)."""

    uow: NightlyUnitOfWork
    arrangements: Callable[[], ArrangementsUnitOfWork]
    portfolio: IngestedPortfolio
    cluster: Cluster | None = None


def run_nightly(ports: NightlyPorts, command: RunNightly, *,
                stage: Callable[[str], None] = lambda _s: None) -> NightlyJobReport:
    """Age, score and review, each stage in its own unit of work; ``stage`` hears each step."""
    uow = ports.uow
    with uow:
        if not uow.anything_ingested():
            raise NothingIngested
        uow.prepare_months(command.as_of)
        uow.commit()
    aging = age_portfolio(uow, command.as_of, command.ladder, command.now, stage)
    config = FeatureConfig(timezone=command.timezone, ladder=command.ladder)
    with uow:
        scoring = score_accounts(uow.scores, command.as_of, command.now, command.model,
                                 thresholds=command.thresholds, config=config, stage=stage, cluster=ports.cluster)
        uow.commit()
    stage("review arrangements")
    review = review_arrangements_on(ports.arrangements, ports.portfolio, command.as_of, now=command.now)
    return NightlyJobReport(aging, scoring, review)
