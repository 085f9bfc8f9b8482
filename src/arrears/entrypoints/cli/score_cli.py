"""`arrears score`: ability, willingness, propensity and segment per delinquent account."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

PORTFOLIO_TABLES = ("accounts", "payments", "contacts", "customers", "contact_points", "aging")


def read_portfolio(folder: Path) -> dict:
    """Basic reading of a portfolio folder: each table as CSV (all text) or Parquet."""
    import polars as pl

    frames = {}
    for name in PORTFOLIO_TABLES:
        csv, parquet = folder / f"{name}.csv", folder / f"{name}.parquet"
        if parquet.exists():
            frames[name] = pl.read_parquet(parquet)
        elif csv.exists():
            frames[name] = pl.read_csv(csv, infer_schema=False)
    if "accounts" not in frames:
        raise FileNotFoundError(f"{folder}: no accounts.csv or accounts.parquet")
    return frames


def register(app: typer.Typer) -> None:
    @app.command("score")
    def score(  # noqa: PLR0917 (one option per argument)
        portfolio: Annotated[Path, typer.Option(help="portfolio folder (v1 CSV or Parquet)")],
        as_of: Annotated[str, typer.Option(help="YYYY-MM-DD")],
        out: Annotated[Path, typer.Option(help="CSV to write")],
        ability_threshold: float = 0.5,
        willingness_threshold: float = 0.5,
        propensity_model: Annotated[Path | None, typer.Option(
            help="folder from `arrears model train-propensity`; default: the scorecard")] = None,
    ) -> None:
        """Score every delinquent account: ability, willingness, propensity, segment."""
        from arrears.adapters.spreadsheets import write_csv
        from arrears.scoring.features import compute_features
        from arrears.scoring.modelling import load_model
        from arrears.scoring.propensity import PropensityModel, predict_propensity
        from arrears.scoring.segments import Thresholds, assess

        try:
            day = date.fromisoformat(as_of)
            frames = read_portfolio(portfolio)
            features = compute_features(frames.pop("accounts"), as_of=day, **frames)
            propensity = None
            if propensity_model is not None:
                own = PropensityModel("own", 0, 0, "", load_model(propensity_model))
                propensity = predict_propensity(own, features, day)
        except (ValueError, FileNotFoundError) as exc:
            typer.echo(f"错误 / error: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        result = assess(features, Thresholds(ability_threshold, willingness_threshold),
                        propensity)
        write_csv(result, out)
        typer.echo(f"已评分 {result.height} 个逾期账户 / scored {result.height} delinquent "
                   f"accounts: {out}")
