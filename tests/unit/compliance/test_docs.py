from pathlib import Path

import pytest

from arrears.compliance.rules import RULES

DOC = Path(__file__).resolve().parents[3] / "docs" / "compliance.md"


@pytest.mark.skipif(not DOC.exists(), reason="docs/compliance.md is not in this checkout")
def test_every_rule_is_documented_with_its_meaning():
    text = DOC.read_text(encoding="utf-8")
    missing = [rule_id for rule_id in RULES if f"**{rule_id}**" not in text]
    assert missing == []
    assert "## Message screening" in text
