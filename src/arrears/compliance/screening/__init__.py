"""Message screening: finds unlawful or risky content in collection messages (zh and en)."""

from .screen import screen
from .types import Category, Finding, Screening, Severity

__all__ = ["Category", "Finding", "Screening", "Severity", "screen"]
