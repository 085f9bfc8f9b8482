"""Strategies are data: validated with errors that name the file and field; splits are stable."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from arrears.planning.strategy import BUILT_IN, Split, StrategyError, assign, bucket_of, load_strategy


def _write(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((BUILT_IN / "default.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_every_built_in_strategy_loads_with_its_version():
    for path in BUILT_IN.glob("*.yaml"):
        strategy = load_strategy(path.stem)
        assert strategy.name == path.stem
        assert strategy.version >= 1


def test_the_default_strategy_follows_the_seed_practices():
    s = load_strategy("default")
    assert s.segments["able_willing"].template == "reminder_due"
    assert {s.segments["willing_unable"].offer} | {step.offer for step in s.segments["willing_unable"].escalation} \
        == {"extension", "installment", "hardship"}
    assert any("legal" in step.template for step in s.segments["able_unwilling"].escalation)
    assert s.segments["unable_unwilling"].offer == "settlement"
    assert {"dispute", "cease", "deceased", "bankruptcy"} <= set(s.holds.flags)
    assert s.holds.service_only_flags == ["installment_plan"]
    assert s.holds.promise_grace_days == 3


def test_a_misspelt_offer_is_refused_naming_the_file_and_field(tmp_path):
    path = _write(tmp_path, lambda d: d["segments"]["able_willing"].update(offer="discount"))
    with pytest.raises(StrategyError, match=r"mine\.yaml: segments\.able_willing\.offer: "):
        load_strategy(path)


def test_a_channel_no_plan_uses_is_refused_naming_the_field(tmp_path):
    path = _write(tmp_path, lambda d: d["segments"]["able_willing"].update(channels=["visit"]))
    refused = r"segments\.able_willing\.channels\.0: .*'call', 'sms', 'email' or 'letter'"
    with pytest.raises(StrategyError, match=refused):
        load_strategy(path)


def test_a_missing_segment_is_refused(tmp_path):
    path = _write(tmp_path, lambda d: d["segments"].pop("unable_unwilling"))
    with pytest.raises(StrategyError, match=r"mine\.yaml: .*no treatment for \['unable_unwilling'\]"):
        load_strategy(path)


def test_a_strategy_that_drops_a_lawful_hold_is_refused(tmp_path):
    path = _write(tmp_path, lambda d: d["holds"].update(flags=["dispute"]))
    with pytest.raises(StrategyError, match=r"holds\.flags: .*missing \['bankruptcy', 'cease', 'deceased'\]"):
        load_strategy(path)


def test_unknown_fields_and_bad_hours_are_refused(tmp_path):
    path = _write(tmp_path, lambda d: d.update(colour="red") or d["hours"].update(call="20-8"))
    with pytest.raises(StrategyError) as caught:
        load_strategy(path)
    assert "colour" in str(caught.value) and "hours.call" in str(caught.value)


def test_an_unknown_strategy_name_lists_the_built_in_ones():
    with pytest.raises(StrategyError, match=r"built-in: .*default"):
        load_strategy("no_such_strategy")


def test_the_champion_challenger_split_is_stable_and_near_its_share():
    ids = pl.Series([f"A{i:08d}" for i in range(20_000)])
    split = Split(load_strategy("default"), ((load_strategy("validity_hours"), 0.2),))
    first, second = assign(ids, split), assign(ids.reverse(), split).reverse()
    assert first.equals(second)
    share = (first == 1).mean()
    assert 0.18 < share < 0.22
    assert bucket_of("A00000001", "arrears-split-v1") == bucket_of("A00000001", "arrears-split-v1")


def test_challenger_shares_must_leave_room_for_the_champion():
    with pytest.raises(StrategyError):
        Split(load_strategy("default"), ((load_strategy("validity_hours"), 1.0),))
