"""`arrears score`: ability, willingness, propensity and segment per delinquent account."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from arrears.entrypoints.cli.cluster_option import SchedulerOption, cluster_or_exit
from arrears.entrypoints.cli.dates import date_option
from arrears.entrypoints.cli.portfolio_input import portfolio_or_exit

if TYPE_CHECKING:
    import polars as pl

    from arrears.partitions import Cluster
    from arrears.scoring.segments import Thresholds
    from arrears.services.portfolio_files import Portfolio

SCORING_TABLES = ("accounts", "payments", "contacts", "customers", "contact_points", "aging")


def scoring_frames(portfolio: Portfolio) -> dict[str, pl.DataFrame]:
    """The tables the features read: the columns each file has, as validated text, but
    instants as UTC datetimes (the text may have any offset form the contract allows)."""
    import polars as pl

    from arrears.services.portfolio_files.schema import Kind

    frames = {}
    for name in SCORING_TABLES:
        frame = portfolio.frame(name)
        if frame is not None:
            frames[name] = frame.select(
                pl.col(f"{c.name}_t").alias(c.name) if c.kind is Kind.INSTANT else pl.col(c.name)
                for c in portfolio.specs[name].columns if c.name in portfolio.given[name])
    return frames


def read_portfolio(folder: Path, as_of: date) -> dict[str, pl.DataFrame]:
    """The portfolio with its history (accounts by ``snapshot_date``, ``aging``) for scoring,
    read and validated by the one reader of portfolio folders (raises PortfolioRefused)."""
    from arrears.services.portfolio_files import read_portfolio as read

    return scoring_frames(read(folder, as_of, history=True))


def register(app: typer.Typer) -> None:
    @app.command("score")
    def score(  # noqa: PLR0917 (one option per argument)
        portfolio: Annotated[Path, typer.Option(help="portfolio folder (v1 CSV or Parquet)")],
        as_of: Annotated[date, date_option("--as-of", "the snapshot date YYYY-MM-DD")],
        out: Annotated[Path, typer.Option(help="CSV to write")],
        ability_threshold: float = 0.5,
        willingness_threshold: float = 0.5,
        propensity_model: Annotated[Path | None, typer.Option(
            help="folder from `arrears model train-propensity`; default: the scorecard")] = None,
        scheduler: SchedulerOption = None,
    ) -> None:
        """Score every delinquent account: ability, willingness, propensity, segment."""
        from arrears.adapters.spreadsheets import write_csv
        from arrears.scoring.segments import Thresholds

        with cluster_or_exit(scheduler) as cluster:
            frames = scoring_frames(portfolio_or_exit(portfolio, as_of, history=True))
            try:
                result = _scores(frames, as_of, Thresholds(ability_threshold, willingness_threshold),
                                 propensity_model, cluster)
            except (ValueError, FileNotFoundError) as exc:
                typer.echo(f"错误 / error: {exc}", err=True)
                raise typer.Exit(code=2) from exc
        write_csv(result, out)
        typer.echo(f"已评分 {result.height} 个逾期账户 / scored {result.height} delinquent "
                   f"accounts: {out}")


def _scores(frames: dict[str, pl.DataFrame], as_of: date, thresholds: Thresholds, propensity_model: Path | None,
            cluster: Cluster | None) -> pl.DataFrame:
    """The table `arrears score` writes, worked out here or on ``cluster`` (the same rows)."""
    from arrears.scoring.modelling import load_model
    from arrears.scoring.propensity import PropensityModel
    from arrears.services.scoring_parts import scored_on
    from arrears.services.scoring_run import assess_portfolio

    own = PropensityModel("own", 0, 0, "", load_model(propensity_model)) if propensity_model is not None else None
    score = partial(assess_portfolio, as_of=as_of, thresholds=thresholds, own=own)
    return score(frames) if cluster is None else scored_on(cluster, frames, score)
