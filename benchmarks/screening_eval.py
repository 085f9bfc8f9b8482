"""Measure message screening: the project's own sets, COLD, and speed.

    PYTHONPATH=src python benchmarks/screening_eval.py [--shared /work/shared]

Prints: the professional-set pass rate (no finding beyond the labelled review categories),
the abusive-set catch rate (caught with the labelled category), and on COLD
(thu-coai/COLDataset test split, Apache-2.0) the recall on label 1 and the false-positive
rate on label 0 under two definitions of "flagged": (a) any HIGH INSULT or THREAT finding,
(b) any finding at all. Then the time to screen a 200-character message.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from arrears.compliance.screening import Category, Screening, Severity, screen

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "tests" / "data" / "screening"
COLD_RELATIVE = Path("data") / "cold" / "test.csv"


def find_shared() -> Path | None:
    """The shared folder: $ARREARS_SHARED, or ../shared beside the project (or its parent)."""
    candidates = [os.environ.get("ARREARS_SHARED", ""), ROOT.parent / "shared",
                  ROOT.parent.parent / "shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / COLD_RELATIVE).exists():
            return Path(candidate)
    return None


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def unexpected_findings(row: dict[str, str]) -> list[str]:
    """Findings on a professional message beyond the review categories it is labelled with."""
    allowed = {c for c in row["expect_review"].split(";") if c}
    found = screen(row["text"]).findings
    return [
        f"{f.category}:{f.term}:{f.excerpt}"
        for f in found
        if f.severity is Severity.HIGH or f.category.value not in allowed
    ]


def professional_pass_rate(rows: list[dict[str, str]]) -> float:
    return sum(not unexpected_findings(row) for row in rows) / len(rows)


def abusive_catch_rate(rows: list[dict[str, str]]) -> float:
    caught = sum(Category(r["category"]) in screen(r["text"]).categories() for r in rows)
    return caught / len(rows)


def flagged_insult_or_threat(result: Screening) -> bool:
    return any(
        f.severity is Severity.HIGH and f.category in (Category.INSULT, Category.THREAT)
        for f in result.findings
    )


def flagged_any(result: Screening) -> bool:
    return bool(result.findings)


@dataclass(frozen=True)
class ColdFigures:
    positives: int
    negatives: int
    recall_strict: float  # label 1 with a HIGH insult/threat finding
    fp_rate_strict: float  # label 0 with a HIGH insult/threat finding
    recall_any: float  # label 1 with any finding
    fp_rate_any: float  # label 0 with any finding


def cold_figures(rows: Iterable[dict[str, str]]) -> ColdFigures:
    counts = {"pos": 0, "neg": 0, "tp_s": 0, "fp_s": 0, "tp_a": 0, "fp_a": 0}
    for row in rows:
        result = screen(row["TEXT"])
        positive = row["label"].strip() == "1"
        counts["pos" if positive else "neg"] += 1
        strict, anything = flagged_insult_or_threat(result), flagged_any(result)
        counts["tp_s" if positive else "fp_s"] += strict
        counts["tp_a" if positive else "fp_a"] += anything
    return ColdFigures(
        counts["pos"],
        counts["neg"],
        counts["tp_s"] / max(counts["pos"], 1),
        counts["fp_s"] / max(counts["neg"], 1),
        counts["tp_a"] / max(counts["pos"], 1),
        counts["fp_a"] / max(counts["neg"], 1),
    )


def microseconds_per_message(text: str, repeat: int = 2000) -> float:
    screen(text)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat // 5):
            screen(text)
        best = min(best, (time.perf_counter() - start) / (repeat // 5))
    return best * 1e6


SPEED_ZH = (
    "【XX银行】尊敬的张先生，您尾号1234的信用卡本期账单已逾期15天，当前欠款人民币3,256.80元，"
    "最低还款额为325.68元。逾期记录将依法报送征信系统，为避免影响您的个人信用记录，请于2024年6月"
    "30日前还款。如有困难可致电95555申请个性化分期或延期还款，我们将为您提供帮助。工号8021。回复TD退订"
)
SPEED_EN = (
    "Hello Ms Smith, this is Jane from Example Bank card services. Your account ending 1234 is "
    "30 days past due with a balance of $1,245.60. Please call us at 1-800-555-0100 to discuss "
    "a plan. Reply STOP to opt out."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=find_shared())
    args = parser.parse_args()
    professional = read_rows(SETS / "professional_messages.csv")
    abusive = read_rows(SETS / "abusive_messages.csv")
    print(f"professional set: {len(professional)} messages, "
          f"pass rate {professional_pass_rate(professional):.1%}")
    for row in professional:
        if unexpected_findings(row):
            print("  blocked:", row["id"], unexpected_findings(row))
    print(f"abusive set: {len(abusive)} messages, caught with the labelled category "
          f"{abusive_catch_rate(abusive):.1%}")
    cold_path = (args.shared or Path("../shared")) / COLD_RELATIVE
    if cold_path.exists():
        figures = cold_figures(read_rows(cold_path))
        print(f"COLD test: {figures.positives} offensive, {figures.negatives} not offensive")
        print(f"  flagged = HIGH insult/threat: recall {figures.recall_strict:.1%}, "
              f"false-positive rate {figures.fp_rate_strict:.2%}")
        print(f"  flagged = any finding:        recall {figures.recall_any:.1%}, "
              f"false-positive rate {figures.fp_rate_any:.2%}")
    else:
        print(f"COLD not found at {cold_path}: skipped")
    for name, text in (("zh", SPEED_ZH), ("en", SPEED_EN)):
        print(f"speed {name} ({len(text)} chars): "
              f"{microseconds_per_message(text):.0f} µs per message")


if __name__ == "__main__":
    main()
