"""Retention of contact records: which months may go, and dropping them (the ``ReviewRetention`` command)."""

from arrears.services.retention.review import (
    RetentionStore,
    RetentionUnitOfWork,
    ReviewedMonth,
    ReviewRetention,
    review_retention,
)

__all__ = ["RetentionStore", "RetentionUnitOfWork", "ReviewRetention", "ReviewedMonth", "review_retention"]
