"""Ingest: a validated portfolio snapshot into the database, in one unit of work
(``load.IngestPortfolio`` handled by ``load.ingest_portfolio``; ports in ``ports``)."""

from arrears.services.ingest.load import IngestPortfolio, IngestReport, TableCounts, ingest_portfolio

__all__ = ["IngestPortfolio", "IngestReport", "TableCounts", "ingest_portfolio"]
