"""The gate's decisions on a fixed, varied corpus are exactly those recorded before any speed work.

`gate_corpus` generates 2,500 requests (CN, US with its overlays, UK; quiet hours, caps over
several debts, voicemails, third parties, cease and dispute flags, agencies, message texts,
refused values). `tests/data/gate_digests.txt` holds, per request, the decision, the rules, and
a digest of everything else the answer says (reasons, warnings, citations, pack versions), and
the same for the re-check of an outcome (`check_outcome`) on the requests that can have one.
The file was written by the code before the gate was made faster; a change to the gate that
changes one answer fails here, naming the request.

Regenerate (only for an intended change of decisions, saying why in the commit):
    PYTHONPATH=src:. python -m tests.unit.compliance.test_gate_digests --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tests.unit.compliance.gate_corpus import corpus

from arrears.compliance.gate import check, check_outcome
from arrears.compliance.history import outcomes_of
from arrears.compliance.request import Answer, RequestError, parse_request

EXPECTED = Path(__file__).parents[2] / "data" / "gate_digests.txt"


def _line(request_id: str, kind: str, answer: Answer) -> str:
    rest = json.dumps([answer.reasons, answer.warnings, answer.citations, answer.pack_versions],
                      ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(rest.encode()).hexdigest()[:16]
    return f"{request_id} {kind} {answer.decision} {','.join(answer.rules) or '-'} {digest}"


def lines(requests: list[dict[str, Any]]) -> list[str]:
    """One line per answer: the check of every request, and the outcome re-check of every
    eighth one that parses (its outcome chosen from its channel's by its number)."""
    out = []
    for n, raw in enumerate(requests):
        try:
            parsed = parse_request(raw)
        except RequestError as error:
            out.append(f"{raw['id']} error {hashlib.sha256(error.message.encode()).hexdigest()[:16]}")
            continue
        out.append(_line(parsed.id, "check", check(parsed)))
        if n % 8 == 0:
            possible = sorted(outcomes_of(parsed.action.channel.value))
            outcome = possible[n % len(possible)]
            out.append(_line(parsed.id, f"outcome:{outcome}", check_outcome(parsed, outcome)))
    return out


def test_every_answer_on_the_corpus_is_the_one_recorded_before_the_speed_work() -> None:
    expected = EXPECTED.read_text(encoding="utf-8").splitlines()
    got = lines(corpus())
    changed = [f"expected {e!r}\n     got {g!r}" for e, g in zip(expected, got, strict=False) if e != g]
    assert len(got) == len(expected), f"{len(got)} answers, {len(expected)} recorded"
    assert not changed, f"{len(changed)} answers changed, the first ones:\n" + "\n".join(changed[:10])


def test_the_corpus_reaches_every_decision_and_many_rules() -> None:
    """The digests mean something only if the corpus exercises the gate: every decision, errors,
    and most rules of the packs firing somewhere."""
    recorded = EXPECTED.read_text(encoding="utf-8").splitlines()
    decisions = Counter(line.split()[2] for line in recorded if line.split()[1] != "error")
    rules = {rule for line in recorded if line.split()[1] != "error" for rule in line.split()[3].split(",")}
    assert min(decisions[d] for d in ("allow", "deny", "review")) >= 50
    assert sum(1 for line in recorded if line.split()[1] == "error") >= 40
    assert len(rules - {"-"}) >= 55


if __name__ == "__main__" and "--write" in sys.argv:
    EXPECTED.write_text("\n".join(lines(corpus())) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED}")
