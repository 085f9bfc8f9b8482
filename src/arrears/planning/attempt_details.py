"""What a taken option needs beyond its row before the gate judges it: the account's, the
treatment's and the contact point's columns, whether the debtor is lost, the self-service message
for customers who answer messages more than calls, and the words of each planned message."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from arrears.planning.strategy import Split


@dataclass(frozen=True)
class Details:
    """What an attempt needs beyond its option row, joined onto the taken options only (so the
    millions of candidate rows stay narrow): per account, per treatment, per contact point."""

    accounts: pl.DataFrame  # account_id, dpd, flags, agency_id, language, zone, jurisdiction, segment
    treatments: pl.DataFrame  # strategy_index, treat, template, offer, label, purpose, message
    points: pl.DataFrame  # contact_point_id, kind, address, consent, party (the gate's word for its owner)
    self_service: SelfService | None = None
    texts: pl.DataFrame | None = None  # template, channel, jurisdiction, language, text (see with_texts)
    lost: pl.DataFrame | None = None  # customer_id, lost (``lost_flags``)

    def of(self, best: pl.DataFrame) -> pl.DataFrame:
        found = (best.join(self.accounts, on="account_id", how="left", maintain_order="left")
                 .join(self.treatments, on=["strategy_index", "treat"], how="left", maintain_order="left")
                 .join(self.points, on="contact_point_id", how="left", maintain_order="left"))
        lost = pl.lit(False)
        if self.lost is not None:
            found = found.join(self.lost, on="customer_id", how="left", maintain_order="left")
            lost = pl.col("lost").fill_null(False)
        found = found.with_columns(lost.alias("lost"), pl.col("party").fill_null("debtor"))
        found = found if self.self_service is None else self.self_service.chosen(found)
        return found if self.texts is None else with_texts(found, self.texts)


def with_texts(rows: pl.DataFrame, texts: pl.DataFrame) -> pl.DataFrame:
    """A collection SMS or e-mail carries its template's text (rendered for the customer's
    jurisdiction and language) as the message the gate screens; a service message keeps its own."""
    keys = [pl.col("jurisdiction").str.extract(r"([A-Z]+)", 1).alias("_root"),
            pl.when(pl.col("language") == "en").then(pl.lit("en")).otherwise(pl.lit("zh")).alias("_language")]
    rows = rows.with_columns(keys).join(
        texts.rename({"jurisdiction": "_root", "language": "_language", "text": "_text"}),
        on=["template", "channel", "_root", "_language"], how="left", maintain_order="left")
    return rows.with_columns(pl.coalesce("message", "_text").alias("message")).drop("_root", "_language", "_text")


@dataclass(frozen=True)
class SelfService:
    """The self-service message for message-minded customers: a collection SMS or e-mail to them
    takes the strategy's ``self_service_template`` (with the link to their own page) instead of
    the treatment's; the offer stays the treatment's."""

    templates: pl.DataFrame  # strategy_index, self_service_template (strategies that have one)
    customers: pl.DataFrame  # customer_id

    @classmethod
    def of(cls, split: Split, minded: pl.DataFrame) -> SelfService | None:
        rows = [(i, s.self_service_template) for i, s in enumerate(split.strategies) if s.self_service_template]
        if not rows or minded.is_empty():
            return None
        return cls(pl.DataFrame(rows, orient="row", schema={"strategy_index": pl.Int32,
                                                            "self_service_template": pl.Utf8}),
                   minded.with_columns(pl.lit(True).alias("minded")))

    def chosen(self, rows: pl.DataFrame) -> pl.DataFrame:
        templates = self.templates.cast({"strategy_index": rows.schema["strategy_index"]})
        customers = self.customers.cast({"customer_id": rows.schema["customer_id"]})
        rows = (rows.join(templates, on="strategy_index", how="left", maintain_order="left")
                .join(customers, on="customer_id", how="left", maintain_order="left"))
        switch = (pl.col("minded").fill_null(False) & pl.col("self_service_template").is_not_null()
                  & (pl.col("purpose") == "collection") & pl.col("channel").is_in(["sms", "email"]))
        return rows.with_columns(pl.when(switch).then(pl.col("self_service_template")).otherwise(pl.col("template"))
                                 .alias("template"), switch.alias("self_service")).drop("self_service_template",
                                                                                         "minded")


def lost_flags(points: pl.DataFrame) -> pl.DataFrame:
    """customer_id, lost: the ``lost_contact`` flag of the one flag set (``compliance.facts``):
    the customer has numbers of their own and every own mobile is listed invalid."""
    return (points.filter(pl.col("owner") == "debtor").group_by("customer_id")
            .agg(((pl.col("kind") != "mobile") | (pl.col("status") == "invalid")).all().alias("lost")))
