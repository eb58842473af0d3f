"""Time, the one way we read and write it: the clock, RFC 3339 as Recall sends it, and the
fixed-width UTC text SQLite compares."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


# RFC 3339's date-time: T and Z in either case, any number of fraction digits, a numeric
# offset (hours up to 23), and a leap second (:60). A space for the T is accepted too, as many
# writers use one. Only ASCII digits: `\d` would also take other scripts' digits.
_RFC3339 = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?"
    r"(?:[Zz]|(?P<sign>[+-])(?P<offset_hour>[01][0-9]|2[0-3]):(?P<offset_minute>[0-5][0-9]))"
)


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (or another ISO 8601 form with an offset) as a UTC datetime.

    None, never an exception, for anything else: no offset (not an instant), unreadable, or
    an instant outside what a UTC datetime can hold (years 1 to 9999), such as
    `0001-01-01T00:30:00+01:00`. Every time we keep is UTC, so storing it cannot overflow.
    """
    if not isinstance(value, str) or not value:
        return None
    match = _RFC3339.fullmatch(value)
    try:
        if match is None:
            parsed = datetime.fromisoformat(value)
            return parsed.astimezone(UTC) if parsed.tzinfo else None
        return _rfc3339_utc(match)
    except (ValueError, OverflowError):
        return None


def _rfc3339_utc(match: re.Match[str]) -> datetime:
    """The UTC instant a matched timestamp names; ValueError/OverflowError if there is none."""
    second = int(match["second"])
    # Truncated to microseconds: rounding could carry into the next second.
    micros = int((match["fraction"] or "")[:6].ljust(6, "0"))
    if second == 60:
        # A leap second: datetime has no :60. The minute's last microsecond keeps it after
        # everything earlier in that minute and not after the next one.
        second, micros = 59, 999_999
    day = date.fromisoformat(match["date"])
    local = datetime.combine(day, time(int(match["hour"]), int(match["minute"]), second, micros))
    offset = timedelta()
    if match["sign"]:
        offset = timedelta(hours=int(match["offset_hour"]), minutes=int(match["offset_minute"]))
        offset = -offset if match["sign"] == "-" else offset
    # Taking the offset away is what can leave datetime's range (OverflowError).
    return (local - offset).replace(tzinfo=UTC)


def retry_after_seconds(value: str | None, default: float | None = None) -> float | None:
    """Parse Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
