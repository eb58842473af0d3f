"""How times are kept in SQLite: fixed-width UTC text, so they compare correctly as strings
inside SQL (`next_poll_at <= :now`). The store's modules convert with these, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime


def ts(moment: datetime) -> str:
    """Fixed-width UTC text, so timestamps compare correctly as strings inside SQLite.

    Give it UTC times (parse_time and our clock do): moving another offset to UTC can leave
    datetime's range at either end of it.
    """
    utc = moment.astimezone(UTC)
    # The year by hand: strftime's %Y does not pad years before 1000 to four digits here.
    return f"{utc.year:04d}-" + utc.strftime("%m-%dT%H:%M:%S.%fZ")


def from_ts(value: str | None) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) if value else None
