"""UTC timestamps, stored and shown the same way on SQLite and PostgreSQL."""

from datetime import datetime, timezone


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime; SQLite hands back naive ones."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def isoformat_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z`, as the API shows every timestamp."""
    if moment is None:
        return None
    return as_utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")
