"""How times are kept in SQLite: fixed-width UTC text, so they compare correctly as strings
inside SQL (`next_poll_at <= :now`). The store's modules convert with these, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime


def ts(moment: datetime) -> str:
    """Fixed-width UTC text, so timestamps compare correctly as strings inside SQLite.

    Give it UTC times (parse_time and our clock do): moving another offset to UTC can leave
    datetime's range at either end of it.
    """
    u = moment.astimezone(UTC)
    # Formatted by hand: strftime is slower, and its %Y does not pad years before 1000.
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
        f".{u.microsecond:06d}Z"
    )


def from_ts(value: str | None) -> datetime | None:
    """The time `ts` wrote; ValueError for text that is not a time."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
