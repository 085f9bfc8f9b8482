"""Train the Taiwan reference model and print its 5-fold CV figures.

    PYTHONPATH=src python benchmarks/reference_model.py [DATA] [OUT]

DATA defaults to ../shared/data/uci-credit-default/train.csv (read in place), OUT to
src/arrears/scoring/reference. Also cross-validates LightGBM on the raw columns only (no
derived features), so the gain from feature engineering is visible. Same seed, same folds.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from arrears.scoring.modelling import (
    TrainConfig,
    build_schema,
    cross_validate,
    feature_matrix,
    save_model,
    train_file,
)
from arrears.scoring.tabular import read_target, read_text_table

ROOT = Path(__file__).resolve().parents[1]
RELATIVE = Path("shared/data/uci-credit-default/train.csv")
# ../shared from the project root; a worktree under wt/ looks one level further up.
DATA = next((p / RELATIVE for p in ROOT.parents if (p / RELATIVE).exists()),
            ROOT.parent / RELATIVE)
TARGET, ID = "default payment next month", "ID"
SOURCE = ("UCI Machine Learning Repository, \"default of credit card clients\" (Taiwan, 2005), "
          "CC BY 4.0; Yeh, I-C. & Lien, C-H. (2009), Expert Systems with Applications "
          "36(2):2473-2480. 24,000-row stratified share in ../shared/data.")


def _line(name: str, block: dict) -> str:
    return name + ": " + ", ".join(
        f"{m} {block[m]['mean']:.4f} [{block[m]['ci95'][0]:.4f}, {block[m]['ci95'][1]:.4f}]"
        for m in ("roc_auc", "ks", "brier", "log_loss"))


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "src/arrears/scoring/reference"
    config = TrainConfig(num_threads=2)
    started = time.perf_counter()
    model, sha = train_file(data, TARGET, ID, config)
    save_model(model, out, {"file": data.name, "sha256": sha, "rows": model.metrics["rows"]},
               SOURCE)
    print(f"trained in {time.perf_counter() - started:.0f} s -> {out}")
    print(_line("lightgbm (derived features, no protected)", model.metrics["lightgbm"]))
    print(_line("woe scorecard", model.metrics["scorecard"]))
    comparison = model.metrics.get("protected_comparison", {}).get("lightgbm")
    if comparison:
        print(_line("lightgbm with SEX/MARRIAGE/AGE", comparison))
    frame = read_text_table(data)
    y = read_target(data, frame, TARGET)
    raw_config = TrainConfig(num_threads=2, engineer=False)
    schema = build_schema(frame, TARGET, ID, raw_config)
    raw = cross_validate(feature_matrix(frame, schema), y, schema, raw_config)
    print(_line("lightgbm (raw columns only)", raw["lightgbm"]))
    print(_line("woe scorecard (raw columns only)", raw["scorecard"]))
    summary = {"data_sha256": sha, "reference": {k: model.metrics[k] for k in
                                                ("lightgbm", "scorecard")},
               "protected_comparison": comparison,
               "raw_columns": {"lightgbm": raw["lightgbm"], "scorecard": raw["scorecard"]}}
    (ROOT / "benchmarks" / "reference_model.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
