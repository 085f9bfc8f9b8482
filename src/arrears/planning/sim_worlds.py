"""Worlds for the simulator that differ from its own assumptions: data, not forks.

A ``WorldSpec`` is a set of parameters that the world generator (``sim_world.make_world``) and
the outcome model (``sim_world.simulate_attempts``) apply. ``DEFAULT`` is the simulator's own
world, exactly as it was before worlds existed (every parameter at its neutral value: the same
random draws, the same results). The others move one or two assumptions at a time, so a
strategy tuned on the default world is judged where its assumptions do not hold. The planner
never sees the world's name or parameters: it plans from the portfolio files and the history.

Each world is a function returning its spec; its docstring says what it assumes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

FLAT = (1.0,) * 24


@dataclass(frozen=True)
class WorldSpec:
    """What a world assumes. Answer rate of a call at local hour h to a customer:
    ``answer x answer_factor x (near_factor within an hour of the customer's best hour, else
    far_factor) x hour_profile[h]``, clipped to 0.02..0.95. Message response: the customer's SMS
    (e-mail) rate x ``sms_factor`` (``email_factor``) x (0.5 + willingness). Complaints:
    ``sensitivity x complaint_factor x (1 + touch_slope x touches) ** touch_power`` x 2 for a
    call, x 0.5 for a message (touches: the account's contacts in the last 7 days)."""

    name: str = "default"
    best_hours: tuple[int, ...] = (9, 10, 12, 13, 18, 19, 20)
    best_hour_weights: tuple[float, ...] = (.1, .1, .15, .1, .15, .25, .15)
    near_factor: float = 1.7
    far_factor: float = 0.55
    hour_profile: tuple[float, ...] = FLAT
    answer_factor: float = 1.0
    sms_factor: float = 1.0
    email_factor: float = 1.0
    # numbers: share of the debtor's mobiles listed valid/unknown that are dead, of home phones dead
    hidden_dead: float = 0.08
    home_dead: float = 0.15
    wrong: float = 0.04
    # a stranger who answers a wrong number says so: outcome ``wrong_number`` instead of ``answered_other``
    says_wrong_number: bool = False
    # offers: ``segment`` = a help offer fits the unable (the default world); ``affordability`` = an
    # offer fits when what it asks (``OFFER_ASK`` x past due) is within what the customer can pay
    # (past due x ability x ``afford_factor``)
    offer_rule: str = "segment"
    afford_factor: float = 0.8
    full_keep_factor: float = 1.0  # x P(keep) of a promise of the whole past-due amount that does not fit
    complaint_factor: float = 1.0
    touch_slope: float = 0.5
    touch_power: float = 1.0
    # the operation's budget per 1,000 customers: calls each operating hour, SMS and e-mail a day
    calls_per_hour_per_1000: int = 20
    sms_per_day_per_1000: int = 100
    email_per_day_per_1000: int = 25
    about: str = field(default="", compare=False)


# What an offer asks now, as a share of the past-due amount (the affordability world).
OFFER_ASK = {"none": 1.0, "extension": 0.5, "installment": 0.25, "hardship": 0.1, "settlement": 0.4}

DEFAULT = WorldSpec(about="the simulator's own world")


def default() -> WorldSpec:
    """The simulator's own world (``sim_world``): best hours spread over the day (9, 10, 12, 13,
    18, 19, 20), answer x1.7 near the best hour and x0.55 elsewhere; 8% of listed-valid mobiles
    dead, 4% wrong; help offers fit the unable; complaints grow by half for every contact in 7
    days."""
    return DEFAULT


def evening() -> WorldSpec:
    """Customers answer in the evening: every best hour is 18, 19 or 20 (so answers peak
    18-21 h), and the whole population answers 30% more at 18-21 h and 30% less from 8 to 17 h
    (working hours)."""
    profile = tuple(1.3 if 18 <= h <= 21 else 0.7 if 8 <= h <= 17 else 1.0 for h in range(24))
    return WorldSpec(name="evening", best_hours=(18, 19, 20), best_hour_weights=(.3, .4, .3), hour_profile=profile,
                     about="answers peak 18-21 h")


def office() -> WorldSpec:
    """Office workers: answers peak 9-12 h and 14-17 h for the whole population (x1.25; x0.75
    at lunch, in the evening and early morning), and a customer's own best hour matters little
    (x1.15 near it, x0.9 elsewhere): the profile is flat per person."""
    profile = tuple(1.25 if (9 <= h <= 11 or 14 <= h <= 16) else 0.75 for h in range(24))
    return WorldSpec(name="office", best_hours=(9, 10, 11, 14, 15, 16), best_hour_weights=(1 / 6,) * 6,
                     near_factor=1.15, far_factor=0.9, hour_profile=profile,
                     about="answers peak 9-12 and 14-17 h, little hour preference")


def sms_minded() -> WorldSpec:
    """Messages work much better than calls: SMS response x3, e-mail x2, and calls are
    answered 30% less."""
    return WorldSpec(name="sms_minded", sms_factor=3.0, email_factor=2.0, answer_factor=0.7,
                     about="SMS x3, e-mail x2, calls answered 30% less")


def call_only() -> WorldSpec:
    """Messages are nearly never answered (SMS and e-mail response x0.05): only calls move
    money."""
    return WorldSpec(name="call_only", sms_factor=0.05, email_factor=0.05, about="messages nearly never answered")


def dead_numbers() -> WorldSpec:
    """A third of the debtors' mobiles listed valid or unknown are dead (0.33 instead of 0.08),
    as are 40% of home phones; 8% reach a stranger, who says it is a wrong number."""
    return WorldSpec(name="dead_numbers", hidden_dead=0.33, home_dead=0.4, wrong=0.08, says_wrong_number=True,
                     about="a third of listed-valid mobiles dead, 8% wrong")


def affordability() -> WorldSpec:
    """Offers work only when what they ask now is within what the customer can pay: the ask is
    the whole past-due amount without an offer, half for an extension, a quarter for an
    installment, a tenth for hardship, 40% for a settlement; the customer can pay past due x
    ability x 0.8. A fitting offer is promised and kept as a fitting offer of the default world
    (0.85 x willingness); one that does not fit, the whole amount included, is kept a quarter as
    often as the default world's full-amount promise (willingness x ability^2 x 0.25)."""
    return WorldSpec(name="affordability", offer_rule="affordability", full_keep_factor=0.25,
                     about="offers work only within what the customer can afford")


def touchy() -> WorldSpec:
    """Complaints rise steeply with repeated contact: the base rate x1.5 and
    (1 + touches) ** 1.6 instead of (1 + touches / 2)."""
    return WorldSpec(name="touchy", complaint_factor=1.5, touch_slope=1.0, touch_power=1.6,
                     about="complaints rise steeply with contacts in 7 days")


def budgets() -> WorldSpec:
    """The default world run by an operation with other budgets: fewer calls (about a quarter of
    the customers a day: 18 an operating hour per 1,000 customers instead of 20), SMS for half of
    them a day (5 times as many) and e-mail for 30% (12 times as many), the budgets of the
    independent simulation that judged the planner (22,500 calls, 45,000 SMS and 27,000 e-mails
    in 30 days for 3,000 accounts). A planner that leaves a cheap channel unused where it is
    worth something shows it here."""
    return WorldSpec(name="budgets", calls_per_hour_per_1000=18, sms_per_day_per_1000=500, email_per_day_per_1000=300,
                     about="calls x0.9, SMS x5, e-mail x12 a day")


def patient() -> WorldSpec:
    """The ``budgets`` world with debtors who rarely complain: a tenth of the default world's
    complaint rate. The independent simulation's naive operation drew 156-173 complaints in 30
    days for 3,000 accounts where this simulator's draws about 1,600: a planner that prices
    disturbance by a complaint rate it assumed, not one it read in the history, leaves calls
    of positive value unmade here."""
    return WorldSpec(name="patient", complaint_factor=0.1, calls_per_hour_per_1000=18, sms_per_day_per_1000=500,
                     email_per_day_per_1000=300, about="budgets, complaints x0.1")


def messages_pay() -> WorldSpec:
    """The ``patient`` world (the independent budgets, complaints x0.1) where messages work as in
    ``sms_minded`` (SMS response x3, e-mail x2, calls answered 30% less): a planner that sends
    messages only by its cadence leaves a large message budget unused where each one is worth
    something."""
    return WorldSpec(name="messages_pay", sms_factor=3.0, email_factor=2.0, answer_factor=0.7, complaint_factor=0.1,
                     calls_per_hour_per_1000=18, sms_per_day_per_1000=500, email_per_day_per_1000=300,
                     about="patient, with SMS x3, e-mail x2, calls answered 30% less")


WORLDS: dict[str, Callable[[], WorldSpec]] = {f.__name__: f for f in (
    default, evening, office, sms_minded, call_only, dead_numbers, affordability, touchy, budgets, patient,
    messages_pay)}


def world(name: str) -> WorldSpec:
    """The world of that name (``WORLDS``); KeyError names the known ones."""
    try:
        return WORLDS[name]()
    except KeyError:
        raise KeyError(f"no world {name!r}; known: {', '.join(WORLDS)}") from None
