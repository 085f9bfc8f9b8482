"""`arrears model train|score`: the modelling workflow on any tabular CSV with a 0/1 target."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from arrears.entrypoints.cli.dates import date_option, days_of

model_app = typer.Typer(help="Train and score default models (LightGBM + WOE scorecard).",
                        no_args_is_help=True)


def _fail(message: str) -> None:
    typer.echo(f"错误 / error: {message}", err=True)
    raise typer.Exit(code=2)


@model_app.command("train")
def train(  # noqa: PLR0917 (one option per argument)
    data: Annotated[Path, typer.Option(help="training CSV with a header row")],
    target: Annotated[str, typer.Option(help="0/1 target column")],
    out: Annotated[Path, typer.Option(help="model folder to write")],
    id_column: Annotated[str | None, typer.Option("--id", help="id column (not a feature)")] = None,
    monotone: Annotated[Path | None, typer.Option(
        help="JSON {feature: 1|-1|0} or CSV feature,direction")] = None,
    include_protected: Annotated[bool, typer.Option(
        help="use sex / marital status / age columns as features")] = False,
    folds: int = 5,
    seed: int = 42,
    calibration: Annotated[str, typer.Option(help="isotonic or platt")] = "isotonic",
    no_engineering: Annotated[bool, typer.Option(help="raw columns only")] = False,
    threads: int = 1,
    source_note: Annotated[str, typer.Option(help="data source line for the card")] = "",
) -> None:
    """Cross-validate, calibrate, refit and write a model folder."""
    from arrears.scoring.modelling import TrainConfig, read_monotone_file, save_model, train_file
    from arrears.scoring.tabular import DataFileError

    try:
        config = TrainConfig(
            folds=folds, seed=seed, include_protected=include_protected,
            calibration=calibration, engineer=not no_engineering, num_threads=threads,
            monotone=read_monotone_file(monotone) if monotone else {},
        )
        model, sha = train_file(data, target, id_column, config)
    except (DataFileError, ValueError) as exc:
        _fail(str(exc))
        return
    save_model(model, out, {"file": data.name, "sha256": sha, "rows": model.metrics["rows"]},
               source_note)
    for name in ("lightgbm", "scorecard"):
        auc = model.metrics[name]["roc_auc"]
        typer.echo(f"{name}: CV ROC AUC {auc['mean']:.4f} "
                   f"(95% CI {auc['ci95'][0]:.4f}-{auc['ci95'][1]:.4f})")
    typer.echo(f"模型已保存 / model written: {out}")


@model_app.command("score")
def score(
    model: Annotated[Path, typer.Option(help="model folder from `arrears model train`")],
    data: Annotated[Path, typer.Option(help="CSV to score, same columns as training")],
    out: Annotated[Path, typer.Option(help="scores CSV to write")],
) -> None:
    """Write id, probability and three reason codes per row."""
    from arrears.adapters.spreadsheets import write_csv
    from arrears.scoring.modelling import score_file
    from arrears.scoring.tabular import DataFileError

    try:
        scores = score_file(model, data)
    except DataFileError as exc:
        _fail(str(exc))
        return
    write_csv(scores, out)
    typer.echo(f"已评分 {scores.height} 行 / scored {scores.height} rows: {out}")


@model_app.command("train-propensity")
def train_propensity_command(
    portfolio: Annotated[Path, typer.Option(help="portfolio folder with history")],
    as_of_dates: Annotated[str, typer.Option(help="past dates, comma-separated YYYY-MM-DD")],
    history_until: Annotated[date, date_option("--history-until", "last date the history covers (the snapshot date)")],
    out: Annotated[Path, typer.Option(help="model folder to write")],
) -> None:
    """Train propensity to pay (minimum paid within 30 days) on the portfolio's own history."""
    from arrears.entrypoints.cli.portfolio_input import portfolio_or_exit
    from arrears.entrypoints.cli.score_cli import scoring_frames
    from arrears.scoring.modelling import save_model
    from arrears.scoring.propensity import train_propensity

    dates = days_of(as_of_dates, "--as-of-dates")
    frames = scoring_frames(portfolio_or_exit(portfolio, history_until, history=True))
    try:
        result = train_propensity(frames, dates, history_until=history_until)
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc))
        return
    typer.echo(result.message)
    if result.model is None:
        raise typer.Exit(code=3)
    save_model(result.model, out, {"file": str(portfolio), "sha256": "", "rows": result.rows})
    typer.echo(f"模型已保存 / model written: {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(model_app, name="model")
