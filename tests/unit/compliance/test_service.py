import sys
import types

from compliance_builders import request

from arrears.services.compliance_check import answer_text, answer_value


def test_a_message_without_an_installed_screener_gets_an_error_not_a_guess(monkeypatch):
    monkeypatch.setitem(sys.modules, "arrears.compliance.screening", types.ModuleType("empty"))
    result = answer_value(request(channel="sms", message="您好"))
    assert result["id"] == "T1"
    assert "message screening is not available" in result["error"]


def test_a_request_without_a_message_never_needs_the_screener(monkeypatch):
    monkeypatch.setitem(sys.modules, "arrears.compliance.screening", types.ModuleType("empty"))
    assert answer_value(request())["decision"] == "allow"


def test_an_empty_line_and_a_json_array_are_errors_without_an_id():
    assert answer_text("   ") == {"id": None, "error": "empty line: expected one JSON object"}
    assert answer_text("[]")["id"] is None


def test_answers_leave_out_nothing_required_and_add_only_optional_fields():
    result = answer_value(request())
    assert list(result)[:5] == ["id", "decision", "rules", "reasons", "warnings"]
    assert set(result) - {"id", "decision", "rules", "reasons", "warnings"} == {
        "pack_versions",
        "citations",
    }
