"""Measured figures stay where docs/screening.md says they are (COLD needs ../shared)."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

from arrears.compliance.screening import screen

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location(
    "screening_eval", ROOT / "benchmarks" / "screening_eval.py"
)
assert _spec and _spec.loader
evaluation = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("screening_eval", evaluation)
_spec.loader.exec_module(evaluation)

# Measured on COLD test (docs/screening.md): 0.78% and 1.55%; bounds add a small margin.
MAX_FP_STRICT = 0.012
MAX_FP_ANY = 0.020
MIN_RECALL_STRICT = 0.05


def test_the_professional_set_passes_completely() -> None:
    rows = evaluation.read_rows(evaluation.SETS / "professional_messages.csv")
    assert evaluation.professional_pass_rate(rows) == 1.0


@pytest.mark.shared_data
def test_false_positives_on_cold_inoffensive_comments_stay_below_the_measured_bound() -> None:
    shared = evaluation.find_shared()
    if shared is None:
        pytest.skip("COLD data not found: set ARREARS_SHARED or put shared/ beside the project")
    figures = evaluation.cold_figures(evaluation.read_rows(shared / evaluation.COLD_RELATIVE))
    assert figures.fp_rate_strict <= MAX_FP_STRICT
    assert figures.fp_rate_any <= MAX_FP_ANY
    assert figures.recall_strict >= MIN_RECALL_STRICT


def test_screening_a_200_character_message_is_fast() -> None:
    text = evaluation.SPEED_ZH
    screen(text)
    start = time.perf_counter()
    for _ in range(200):
        screen(text)
    per_message = (time.perf_counter() - start) / 200
    assert per_message < 0.003  # measured about 0.4 ms on a loaded 2-core machine
