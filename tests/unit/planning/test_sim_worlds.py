"""The simulator's worlds: each world's parameters do what its docstring claims, in large samples."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from arrears.planning.sim_world import World, make_world, simulate_attempts
from arrears.planning.sim_worlds import DEFAULT, WORLDS, WorldSpec, world

N = 20_000
DAY = date(2026, 12, 1)


def _world(name: str) -> World:
    return make_world(N, DAY, seed=11, spec=world(name))


def _attempts(w: World, channel: str, hour: int, *, offer: str = "none", owner: str = "debtor",
               kind: str | None = None) -> pl.DataFrame:
    """One attempt per customer on their first point of that kind and owner."""
    kind = kind or ("email" if channel == "email" else "mobile")
    points = (w.points.filter((pl.col("owner") == owner) & (pl.col("kind") == kind))
              .unique("customer_id", keep="first", maintain_order=True))
    return points.select(
        (pl.col("customer_id").str.slice(1).cast(pl.Int64) - 1).alias("customer_index"),
        (pl.lit("A") + pl.col("customer_id").str.slice(1)).alias("account_id"), "customer_id",
        pl.lit(channel).alias("channel"), "contact_point_id", pl.lit(hour, dtype=pl.Int8).alias("local_hour"),
        pl.lit(offer).alias("offer"))


def _run(w: World, attempts: pl.DataFrame, touches: int = 0, seed: int = 3) -> pl.DataFrame:
    counts = {a: touches for a in attempts["account_id"].to_list()}
    return simulate_attempts(w, attempts, counts, DAY, np.random.default_rng(seed))


def _answered(w: World, hour: int) -> float:
    done = _run(w, _attempts(w, "call", hour))
    return float(done["outcome"].is_in(["conversation", "answered_other"]).mean())  # type: ignore[arg-type]


def test_every_world_is_named_after_its_function_and_says_what_it_assumes():
    for name, make in WORLDS.items():
        spec = make()
        assert spec.name == name
        assert make.__doc__ and spec.about
        assert len(spec.hour_profile) == 24
        assert len(spec.best_hours) == len(spec.best_hour_weights)
        assert abs(sum(spec.best_hour_weights) - 1) < 1e-9


def test_an_unknown_world_is_refused_with_the_known_names():
    with pytest.raises(KeyError, match="evening"):
        world("lunar")


def test_the_default_world_is_the_simulators_own_world():
    assert world("default") == DEFAULT == WorldSpec()
    a, b = make_world(500, DAY, seed=4), make_world(500, DAY, seed=4, spec=DEFAULT)
    assert a.points.equals(b.points) and a.accounts.equals(b.accounts)
    assert np.array_equal(a.best_hour, b.best_hour)


def test_the_evening_world_answers_more_at_19_h_than_at_10_h_and_more_so_than_the_default_world():
    evening, default = _world("evening"), _world("default")
    assert set(np.unique(evening.best_hour)) == {18, 19, 20}
    ratio = _answered(evening, 19) / _answered(evening, 10)
    assert ratio > 2.0
    assert ratio > 1.5 * _answered(default, 19) / _answered(default, 10)


def test_the_office_world_answers_most_in_office_hours_with_little_personal_preference():
    office = _world("office")
    assert min(_answered(office, 10), _answered(office, 15)) > 1.4 * max(_answered(office, 13), _answered(office, 20))

    def own_hour_lift(w: World, best: int, other: int) -> float:
        """Among the customers whose best hour is ``best``: answers at it against at ``other``."""
        mine = pl.Series(w.best_hour == best)

        def rate(hour: int) -> float:
            done = _run(w, _attempts(w, "call", hour).filter(mine.gather(
                _attempts(w, "call", hour)["customer_index"])))
            return float(done["outcome"].is_in(["conversation", "answered_other"]).mean())  # type: ignore[arg-type]
        return rate(best) / rate(other)

    assert own_hour_lift(office, 15, 10) < 1.5
    assert own_hour_lift(_world("default"), 19, 13) > 2.0


def _promises_per_message(w: World, channel: str) -> float:
    done = _run(w, _attempts(w, channel, 10))
    delivered = done.filter(pl.col("outcome") == "delivered")
    return float((delivered["promise_cents"] > 0).mean())  # type: ignore[arg-type]


def test_messages_work_much_better_than_calls_in_the_sms_minded_world():
    sms_minded, default = _world("sms_minded"), _world("default")
    assert _promises_per_message(sms_minded, "sms") > 2.5 * _promises_per_message(default, "sms")
    assert _promises_per_message(sms_minded, "email") > 1.6 * _promises_per_message(default, "email")
    assert _answered(sms_minded, 19) < 0.8 * _answered(default, 19)


def test_messages_are_nearly_never_answered_in_the_call_only_world():
    call_only, default = _world("call_only"), _world("default")
    assert _promises_per_message(call_only, "sms") < 0.1 * _promises_per_message(default, "sms")
    assert _answered(call_only, 19) == pytest.approx(_answered(default, 19), rel=0.05)


def test_a_third_of_the_listed_valid_mobiles_are_dead_in_the_dead_numbers_world():
    def dead_share(w: World) -> float:
        listed = w.points.filter((pl.col("owner") == "debtor") & (pl.col("kind") == "mobile")
                                 & (pl.col("status") != "invalid"))
        return float(listed["dead"].mean())  # type: ignore[arg-type]

    assert 0.30 < dead_share(_world("dead_numbers")) < 0.37
    assert dead_share(_world("default")) < 0.10


def test_a_stranger_on_a_wrong_number_says_so_in_the_dead_numbers_world_only():
    for name, said in (("dead_numbers", True), ("default", False)):
        w = _world(name)
        wrong = w.points.filter(pl.col("wrong")).unique("customer_id", keep="first", maintain_order=True)
        done = _run(w, _attempts(w, "call", 19).join(wrong.select("contact_point_id"), on="contact_point_id"))
        answered = done.filter(pl.col("outcome").is_in(["wrong_number", "answered_other"]))
        assert answered.height > 50
        assert set(answered["outcome"]) == ({"wrong_number"} if said else {"answered_other"})


def _kept_money(w: World, offer: str) -> tuple[float, float]:
    """Per promise: the share kept, and the money kept per attempt that reached the debtor."""
    done = _run(w, _attempts(w, "call", 19, offer=offer))
    promised = done.filter(pl.col("promise_cents") > 0)
    kept = promised.filter(pl.col("keep"))
    return float(promised["keep"].mean()), float(kept["promise_cents"].sum()) / max(done["rpc"].sum(), 1)  # type: ignore[arg-type]


def test_in_the_affordability_world_full_amount_promises_are_rarely_kept_and_affordable_offers_pay():
    afford, default = _world("affordability"), _world("default")
    keep_full, _ = _kept_money(afford, "none")
    keep_installment, money_installment = _kept_money(afford, "installment")
    assert keep_full < 0.5 * _kept_money(default, "none")[0]
    assert keep_installment > 3 * keep_full
    done = _run(afford, _attempts(afford, "call", 19, offer="installment"))
    promised = done.filter(pl.col("promise_cents") > 0).join(
        afford.accounts.select("account_id", "past_due_cents"), on="account_id")
    share = (promised["promise_cents"] / promised["past_due_cents"].clip(1)).filter(promised["past_due_cents"] >= 400)
    assert share.min() >= 0.24 and share.max() <= 0.26  # type: ignore[operator]
    assert money_installment > _kept_money(afford, "none")[1]


def test_complaints_rise_steeply_with_repeated_contact_in_the_touchy_world():
    def complaint_rate(w: World, touches: int) -> float:
        return float(_run(w, _attempts(w, "call", 19), touches=touches)["complaint"].mean())  # type: ignore[arg-type]

    touchy, default = _world("touchy"), _world("default")
    assert complaint_rate(touchy, 4) / complaint_rate(touchy, 0) > 6
    assert complaint_rate(default, 4) / complaint_rate(default, 0) < 4
    assert complaint_rate(touchy, 0) > 1.2 * complaint_rate(default, 0)


def test_the_budgets_world_gives_the_independent_simulations_budgets_and_the_default_world_keeps_its_own():
    from arrears.planning.simulator import SimConfig

    own = SimConfig(customers=3000).capacity()
    assert own.per_hour("call", 8) == 60 and own.daily == {"sms": 300, "email": 75}
    budgets = SimConfig(customers=3000, world=world("budgets")).capacity()
    assert sum(budgets.per_hour("call", h) for h in range(8, 22)) * 30 == 22_680  # the independent run: 22,500
    assert budgets.daily == {"sms": 1500, "email": 900}  # 45,000 and 27,000 in 30 days
    assert SimConfig(customers=2000).capacity().per_hour("call", 8) == 40  # as before budgets were the world's


def test_debtors_of_the_patient_world_complain_a_tenth_as_often_under_the_independent_budgets():
    from arrears.planning.simulator import SimConfig

    def complaint_rate(w: World) -> float:
        return float(_run(w, _attempts(w, "call", 19))["complaint"].mean())  # type: ignore[arg-type]

    ratio = complaint_rate(_world("patient")) / complaint_rate(_world("default"))
    assert 0.05 < ratio < 0.2
    assert SimConfig(customers=3000, world=world("patient")).capacity().daily == {"sms": 1500, "email": 900}


def test_messages_pay_in_the_messages_pay_world_where_debtors_rarely_complain_and_budgets_are_large():
    from arrears.planning.simulator import SimConfig

    paying, default = _world("messages_pay"), _world("default")
    assert _promises_per_message(paying, "sms") > 2.5 * _promises_per_message(default, "sms")
    assert _answered(paying, 19) < 0.8 * _answered(default, 19)
    complaints = [float(_run(w, _attempts(w, "call", 19))["complaint"].mean()) for w in (paying, default)]  # type: ignore[arg-type]
    assert complaints[0] < 0.2 * complaints[1]
    assert SimConfig(customers=3000, world=world("messages_pay")).capacity().daily == {"sms": 1500, "email": 900}
