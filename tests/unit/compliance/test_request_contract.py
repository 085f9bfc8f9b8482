import pytest
from compliance_builders import request

from arrears.compliance.request import RequestError, parse_request


def error_of(raw) -> RequestError:
    with pytest.raises(RequestError) as caught:
        parse_request(raw)
    return caught.value


def test_a_complete_request_parses():
    parsed = parse_request(request())
    assert parsed.action.to.party == "debtor"
    assert parsed.debtor.zones == ["Asia/Shanghai"]


def test_only_the_required_fields_are_enough():
    minimal = {
        "id": "m",
        "packs": ["US"],
        "at": "2026-03-08T12:00:00Z",
        "action": {"channel": "sms", "to": {"party": "debtor"}},
        "debtor": {"zones": ["America/New_York"]},
    }
    assert parse_request(minimal).history is None


def test_an_instant_without_an_offset_is_refused_with_its_place():
    error = error_of(request(at="2026-11-30T10:00:00"))
    assert error.request_id == "T1"
    assert error.message.startswith("at: ")
    assert "offset" in error.message


def test_an_unknown_pack_is_refused():
    raw = request()
    raw["packs"] = ["CN", "FR"]
    assert "packs.1" in error_of(raw).message
    assert "'FR'" in error_of(raw).message


def test_an_unknown_channel_or_party_is_refused():
    assert "action.channel" in error_of(request(channel="fax")).message
    assert "action.to.party" in error_of(request(party="boss")).message
    assert "action.to.party" in error_of(request(party="unknown")).message


def test_an_unknown_time_zone_is_refused():
    assert (
        "unknown IANA time zone 'Asia/Beijing'"
        in error_of(request(zones=("Asia/Beijing",))).message
    )


def test_a_missing_required_field_is_named():
    raw = request()
    del raw["action"]["to"]["party"]
    assert error_of(raw).message == "action.to.party: required field is missing"


def test_a_misspelt_flag_is_refused_rather_than_ignored():
    assert (
        "debtor.flags.cease_comunication: unknown flag"
        in error_of(request(flags={"cease_comunication": True})).message
    )


def test_a_flag_must_be_a_real_boolean():
    assert "debtor.flags.deceased" in error_of(request(flags={"deceased": "yes"})).message


def test_a_date_must_be_written_year_month_day():
    raw = request(agent={"id": "G7", "training_valid_until": "30/06/2027"})
    assert "action.agent.training_valid_until" in error_of(raw).message


def test_a_request_that_is_not_an_object_has_no_id():
    assert error_of([1, 2]).request_id is None


def test_the_id_is_echoed_in_errors_when_it_is_a_string():
    raw = request(channel="fax")
    assert error_of(raw).answer().model_dump() == {"id": "T1", "error": error_of(raw).message}


def test_an_assembled_model_equals_the_validated_one():
    from arrears.compliance.request import Action, ContactPoint, Kind, Purpose
    from arrears.domain.vocabulary import Channel, Party

    raw = {"channel": "sms", "to": {"party": "debtor", "kind": "mobile", "address": "13800000000"},
           "debt_ids": ["A1"], "automated": True, "purpose": "service"}
    assembled = Action.assemble(
        channel=Channel.SMS, to=ContactPoint.assemble(party=Party.DEBTOR, kind=Kind.MOBILE, address="13800000000"),
        debt_ids=["A1"], automated=True, purpose=Purpose.SERVICE)
    assert assembled == Action.model_validate(raw)
    assert assembled.message is None and assembled.visitors is None
    assert assembled != Action.model_validate(dict(raw, automated=False))


def test_the_contracts_share_one_party_vocabulary_each_accepting_its_own_part() -> None:
    from arrears.domain.vocabulary import ADDRESSED_PARTIES, RECORDED_PARTIES, Party

    assert set(ADDRESSED_PARTIES) | set(RECORDED_PARTIES) == set(Party)
    for party in ADDRESSED_PARTIES:  # whom an action addresses: never `unknown`
        assert parse_request(request(party=party.value)).action.to.party is party
    history = request()
    history["history"] = [{"at": "2026-12-01T09:00:00+08:00", "channel": "call", "to": {"party": "unknown"}}]
    assert parse_request(history).history[0].to.party is Party.UNKNOWN  # whom a past contact reached
