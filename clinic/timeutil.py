"""Time helpers: everything is stored in UTC (clinic.columns.UTCDateTime reads it back aware)."""

from datetime import UTC, datetime

__all__ = ["UTC", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)
