"""The one reader of portfolio folders (portfolio-v1, CSV or Parquet) for every command.

ingest, score, plan and the modelling commands read a folder through it: the same encodings
(UTF-8 with or without BOM, GB18030), the same rules, the same ``file:line: column:
problem`` errors, all of them found in one reading, and nothing returned when any is found.
"""

from arrears.services.portfolio_files.checks import BROKEN
from arrears.services.portfolio_files.errors import PortfolioReadError, PortfolioRefused, RowError
from arrears.services.portfolio_files.folder import Portfolio, read_portfolio, read_table, read_typed, refuse
from arrears.services.portfolio_files.schema import CAPACITY, TABLES

__all__ = [
    "BROKEN",
    "CAPACITY",
    "TABLES",
    "Portfolio",
    "PortfolioReadError",
    "PortfolioRefused",
    "RowError",
    "read_portfolio",
    "read_table",
    "read_typed",
    "refuse",
]
