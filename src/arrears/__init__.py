"""arrears: humane, lawful, efficient collections for credit card portfolios."""

__version__ = "0.1.0"
