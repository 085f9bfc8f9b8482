"""The model card (card.md) and its two plots, written next to the model."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from arrears.scoring.metrics import METRIC_NAMES

FAIRNESS_NOTE = (
    "Sex, marital status and age are protected grounds: in the US, ECOA / Regulation B "
    "forbids using sex or marital status in a credit decision and restricts the use of age; "
    "in China, the Personal Information Protection Law (art. 24) requires automated decisions "
    "to be fair and not to apply unreasonable differential treatment, and the Women's Rights "
    "Protection Law forbids sex discrimination. arrears therefore leaves these columns out "
    "by default (`--include-protected` puts them back) and reports the other choice, so the "
    "cost of excluding them is visible. Leaving a column out does not remove proxies for it "
    "(e.g. credit limit, education); a disparate-impact review on real decisions is still due."
)


def write_plots(model, out: Path) -> None:
    m = model.metrics
    fig, ax = plt.subplots(figsize=(5, 5))
    for key, label in (("calibration_lightgbm", "LightGBM (calibrated)"),
                       ("calibration_scorecard", "WOE scorecard")):
        pts = m[key]
        ax.plot([p["mean_predicted"] for p in pts], [p["observed_rate"] for p in pts],
                marker="o", label=label)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect")
    ax.set(xlabel="predicted probability (out-of-fold, deciles)", ylabel="observed rate",
           title="Calibration", xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(out / "calibration.png", dpi=80)
    plt.close(fig)

    top = list(m["importance_mean_abs_shap"].items())[:20][::-1]
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.barh([k for k, _ in top], [v for _, v in top])
    ax.set(xlabel="mean |SHAP| (log-odds)", title="Feature importance (LightGBM)")
    fig.tight_layout()
    fig.savefig(out / "importance.png", dpi=80)
    plt.close(fig)


def _metric_rows(block: dict) -> list[str]:
    rows = []
    for name in METRIC_NAMES:
        s = block[name]
        rows.append(f"| {name} | {s['mean']:.4f} | {s['ci95'][0]:.4f} – {s['ci95'][1]:.4f} |")
    return rows


def write_card(model, out: Path, data_info: dict, source_note: str = "") -> None:
    s, m = model.schema, model.metrics
    lines = [
        f"# Model card: {data_info.get('file', 'model')}",
        "",
        "## Data",
        f"- file `{data_info.get('file')}`, sha256 `{data_info.get('sha256')}`",
        f"- {m['rows']} rows, {m['positives']} with `{s.target}` = 1 "
        f"({m['positives'] / m['rows']:.1%})",
        f"- id column: `{s.id_column}`; inputs: {len(s.inputs)} columns; "
        f"model features: {len(s.features)} (derived set: {s.engineering or 'none'})",
    ]
    if source_note:
        lines += [f"- source: {source_note}"]
    lines += [
        "",
        "## Intended use",
        f"Ranks and estimates the probability that `{s.target}` = 1 for rows laid out like the "
        "training file, to order collection work and explain it with reason codes. "
        "Not for decisions on people outside the population it was trained on, and not as the "
        "sole basis of an adverse credit decision.",
        "",
        f"## Metrics ({m['folds']}-fold stratified CV, seed {m['seed']}, mean and 95% CI)",
        "LightGBM: AUC and KS from the model score; Brier and log loss from probabilities "
        f"calibrated ({m['calibration_method']}) on the other folds' out-of-fold predictions.",
        "",
        "| LightGBM | mean | 95% CI |", "|---|---|---|", *_metric_rows(m["lightgbm"]),
        "",
        "| WOE scorecard | mean | 95% CI |", "|---|---|---|", *_metric_rows(m["scorecard"]),
        "",
        "## Calibration (out-of-fold, deciles of predicted probability)",
        "![calibration](calibration.png)",
        "",
        "| decile | LightGBM predicted | observed | scorecard predicted | observed |",
        "|---|---|---|---|---|",
    ]
    for i, (a, b) in enumerate(zip(m["calibration_lightgbm"], m["calibration_scorecard"],
                                   strict=True)):
        lines.append(f"| {i + 1} | {a['mean_predicted']:.3f} | {a['observed_rate']:.3f} | "
                     f"{b['mean_predicted']:.3f} | {b['observed_rate']:.3f} |")
    lines += ["", "## Feature importance (mean |SHAP|, log-odds)", "![importance](importance.png)",
              ""]
    lines += [f"- `{k}`: {v:.3f}" for k, v in list(m["importance_mean_abs_shap"].items())[:12]]
    lines += ["", "## Monotone constraints",
              ", ".join(f"`{k}` {'+' if v > 0 else '-'}" for k, v in s.monotone.items()) or "none",
              "", "## Protected attributes (fairness)"]
    if s.protected:
        used = "used" if s.protected_used else "NOT used (excluded by default)"
        lines.append(f"Columns {', '.join(f'`{p}`' for p in s.protected)}: {used}.")
        comp = m.get("protected_comparison")
        if comp:
            other = "with" if comp["protected_used_in_comparison"] else "without"
            auc = comp["lightgbm"]["roc_auc"]
            lines.append(f"LightGBM {other} them: CV ROC AUC {auc['mean']:.4f} "
                         f"({auc['ci95'][0]:.4f} – {auc['ci95'][1]:.4f}).")
    else:
        lines.append("No column of the training file was recognised as a protected attribute.")
    lines += ["", FAIRNESS_NOTE, "", "## Known limits",
              "- Cross-validated on one data set; the CI across folds is narrow because the "
              "folds share training rows. An out-of-time or held-out check is still needed.",
              "- Probabilities are calibrated to the training base rate; a portfolio with a "
              "different default rate needs recalibration.",
              "- Reason codes are SHAP contributions of the uncalibrated model (log-odds); "
              "they explain the ranking, not a causal effect.",
              "- Values outside the training range are scored (trees extrapolate flat).", ""]
    (out / "card.md").write_text("\n".join(lines), encoding="utf-8")
