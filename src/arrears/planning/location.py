"""Reaching a lost debtor lawfully: who is lost (none of their own phones usable, or calls to
them failed on several days since they were last reached), which permitted third parties may be
asked to pass on a request to call back, and the location call options (treatment ``LOCATION``,
purpose ``location``, offer ``none``) that compete for the account's call of the day."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from arrears.planning.candidates import (
    ACCOUNT,
    LOCATION,
    OPTION_COLUMNS,
    PHONES,
    _beijing_window,
    _scored,
    _with_worth,
)
from arrears.planning.contact_model import REACHED_OUTCOMES, ContactModel
from arrears.planning.eligibility import Eligibility
from arrears.planning.frames import Portfolio
from arrears.planning.gate_requests import HISTORY_DAYS
from arrears.planning.strategy import Strategy


def _failed_days(portfolio: Portfolio) -> pl.DataFrame:
    """Per debtor phone: on how many days of the gate's look-back (``HISTORY_DAYS``) calls to it
    failed (no one, or the debtor's line, answered: a stranger answering is a wrong number, which
    the dead numbers cover) since the customer was last (maybe) reached (a conversation, refusal or dispute with
    the debtor on any number, a call whose outcome is not known, or the debtor's own inbound
    contact), as the gate counts for CN-3P-02: contact_point_id, failed_days."""
    since = portfolio.as_of - timedelta(days=HISTORY_DAYS)
    contacts = portfolio.contacts.select("customer_id", "contact_point_id", "channel", "direction", "party",
                                         "outcome", "at").filter(pl.col("at").is_not_null())
    debtor = pl.col("party").fill_null("debtor").is_in(["debtor", "unknown"])
    answered = ((pl.col("direction") == "inbound") | pl.col("outcome").is_in(REACHED_OUTCOMES).fill_null(False)
                | ((pl.col("channel") == "call") & pl.col("outcome").is_null()))
    reached = (contacts.filter(debtor & answered)
               .group_by("customer_id").agg(pl.col("at").max().alias("reached")))
    calls = contacts.filter((pl.col("channel") == "call") & (pl.col("direction") == "outbound") & debtor
                            & pl.col("outcome").is_not_null() & ~pl.col("outcome").is_in(REACHED_OUTCOMES)
                            & pl.col("contact_point_id").is_not_null() & (pl.col("at").dt.date() >= since))
    return (calls.join(reached, on="customer_id", how="left")
            .filter(pl.col("reached").is_null() | (pl.col("at") > pl.col("reached")))
            .group_by("contact_point_id").agg(pl.col("at").dt.date().n_unique().alias("failed_days")))


def lost_customers(portfolio: Portfolio, model: ContactModel, unanswered_days: int) -> pl.DataFrame:
    """Customers (customer_id) none of whose own phone numbers is worth calling: each is listed
    invalid, found dead (``model.dead_points``), or has failed on ``unanswered_days`` days since
    the customer was last reached. A customer with a number they asked us not to use, or with
    no phone of their own at all, is not lost (there is nothing to find)."""
    phones = portfolio.contact_points.filter((pl.col("owner") == "debtor") & pl.col("kind").is_in(PHONES)).select(
        "contact_point_id", "customer_id", "status", "do_not_contact")
    dead = model.dead_points.with_columns(pl.lit(True).alias("dead"))
    silent = (pl.col("failed_days").fill_null(0) >= unanswered_days)
    bad = (pl.col("status") == "invalid") | pl.col("dead").fill_null(False) | silent
    return (phones.join(dead, on="contact_point_id", how="left")
            .join(_failed_days(portfolio), on="contact_point_id", how="left")
            .group_by("customer_id").agg(bad.all().alias("lost"), pl.col("do_not_contact").any().alias("dnc"))
            .filter(pl.col("lost") & ~pl.col("dnc")).select("customer_id"))


def location_parties(portfolio: Portfolio, model: ContactModel, owners: list[str]) -> pl.DataFrame:
    """The third parties' phone numbers a lost debtor may be looked for through: owned by one of
    ``owners``, not do-not-contact, not invalid or dead, and never called before unless that
    party contacted us after our last call (it asked to be called again)."""
    touched = (portfolio.contacts.select("contact_point_id", "direction", "at")
               .filter(pl.col("contact_point_id").is_not_null() & pl.col("at").is_not_null())
               .group_by("contact_point_id").agg(
                   pl.col("at").filter(pl.col("direction") == "outbound").max().alias("called"),
                   pl.col("at").filter(pl.col("direction") == "inbound").max().alias("asked")))
    once = pl.col("called").is_null() | (pl.col("asked").is_not_null() & (pl.col("asked") > pl.col("called")))
    return (portfolio.contact_points
            .filter(pl.col("owner").is_in(owners) & pl.col("kind").is_in(PHONES) & ~pl.col("do_not_contact")
                    & (pl.col("status") != "invalid"))
            .join(model.dead_points, on="contact_point_id", how="anti")
            .join(touched, on="contact_point_id", how="left").filter(once)
            .select("contact_point_id", "customer_id", "kind", "owner"))


def location_options(portfolio: Portfolio, elig: Eligibility, strategy: Strategy, model: ContactModel,
                     slots: pl.DataFrame, *, strategy_index: int, fitted: pl.DataFrame | None = None) -> pl.DataFrame:
    """A location call to each permitted third party of each lost debtor (one account per
    customer: the largest past-due amount), at every lawful call hour: value = the account's
    base x P(the party answers at that hour: the population's answer rate x the number's kind)
    x ``relay`` x the call's persuasion; net = value - the call's cost - its disturbance once
    (the party has not been called: the debtor's recent contacts do not weigh on it). Offer ``none`` (treatment
    ``LOCATION``: purpose ``location``, the strategy's location template). It does not touch
    the debtor, so it is outside the debtor's daily quota and adds no fatigue; but it takes the
    account's call of the day: a debtor who still has a number that may answer (one that only
    failed for days) is either called or looked for, whichever is worth more, never both (a
    call that reached them before the third party's would make the location call unlawful,
    CN-3P-02)."""
    location = strategy.location
    assert location is not None
    lost = lost_customers(portfolio, model, location.unanswered_days)
    accounts = (elig.collect.join(lost, on="customer_id", how="semi")
                .sort(["customer_id", "past_due_cents", "account_id"], descending=[False, True, False])
                .unique("customer_id", keep="first", maintain_order=True)
                .select(*ACCOUNT).with_columns(pl.lit("call").alias("channel"), pl.lit(LOCATION, dtype=pl.Int32)
                                              .alias("treat"), pl.lit(1.0).alias("offer_effect"),
                                              pl.lit(max(t.max_contacts_per_day for t in strategy.segments.values()),
                                                     dtype=pl.Int32).alias("quota"),
                                              pl.lit(0, dtype=pl.UInt32).alias("recent")))  # the party's first call
    parties = location_parties(portfolio, model, [str(o) for o in location.owners])
    rows = _with_worth(accounts, strategy, fitted).join(parties.drop("owner"), on="customer_id")
    if rows.is_empty():
        return pl.DataFrame(schema=_option_schema(rows))
    allowed = strategy.hours.of("call")
    beijing_first, beijing_last = _beijing_window(strategy, "call")
    hours = (slots.filter(pl.col("hour").is_between(allowed.start, allowed.stop - 1))
             .join(model.population, on="hour", how="left"))
    rows = (rows.join(hours, on="zone")
            .filter(pl.col("hour").is_between(pl.col("law_first"), pl.col("law_last"))
                    & (~pl.col("cn") | pl.col("beijing_hour").is_between(beijing_first, beijing_last)))
            .join(model.kind_factor, on="kind", how="left"))
    p_answer = (pl.col("p_pop").fill_null(0.2) * pl.col("kind_factor").fill_null(0.6)).clip(0.005, 0.98)
    rows = rows.with_columns(p_answer.alias("p_rpc"), (p_answer * location.relay).alias("reach"),
                             pl.lit(1.0).alias("preferred"), pl.lit(0.0, dtype=pl.Float32).alias("fatigue"))
    return _scored(rows, strategy, strategy_index)


def _option_schema(rows: pl.DataFrame) -> dict[str, pl.DataType]:
    """The schema of ``OPTION_COLUMNS`` for an empty result."""
    types: dict[str, pl.DataType] = {
        "hour": pl.Int8(), "start_utc": pl.Datetime("us", "UTC"), "op_hour": pl.Int8(), "p_rpc": pl.Float64(),
        "value": pl.Float64(), "net": pl.Float64(), "strategy_index": pl.Int32(), "fatigue": pl.Float32()}
    return {c: types.get(c) or rows.schema.get(c) or pl.Utf8() for c in OPTION_COLUMNS}
