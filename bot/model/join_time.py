"""`--at`: when the recorder should join, in the forms people actually type.

    14:30 · 2:30pm · 2pm                  today, at that time
    tomorrow 14:30 · tomorrow 2pm         tomorrow
    in 20m · in 20 min · in 2h · in 1h30m
    2026-11-27T14:30 · 2026-11-27 14:30   a date and time (ISO 8601)

Times without an explicit offset are in the requester's Slack time zone, which is only known
after asking Slack (`users.info`), so parsing gives a `JoinTime` that can `resolve` later.
Relative times and ISO times with `Z`/`+01:00` are absolute at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

# Recall keeps scheduled bots without a documented limit; a typo like 2062 should not stick.
MAX_AHEAD = timedelta(days=60)
# A time a moment ago (typing takes a while) means "now", not an error.
GRACE = timedelta(minutes=1)

EXAMPLES = (
    '`--at 14:30`, `--at 2:30pm`, `--at "tomorrow 9am"`, `--at "in 20m"` or `--at 2026-11-27T14:30`'
)

_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_RELATIVE = re.compile(
    r"^in\s+(?:(\d+)\s*(?:h|hr|hrs|hour|hours))?\s*(?:(\d+)\s*(?:m|min|mins|minute|minutes))?$"
)


class JoinTimeError(ValueError):
    """Shown to the user as is."""


def _quoted(text: str) -> str:
    """The user's words, inert in Slack mrkdwn and short enough to read."""
    text = text.replace("`", "'")[:40]
    return "`" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "`"


@dataclass(frozen=True)
class JoinTime:
    text: str
    absolute: datetime | None = None  # known without a time zone
    local_date: date | None = None  # an explicit calendar date (ISO without offset)
    days_ahead: int = 0  # 0 today, 1 tomorrow (when no explicit date)
    local_time: time | None = None

    @property
    def needs_timezone(self) -> bool:
        return self.absolute is None

    def resolve(self, zone: tzinfo, now: datetime) -> datetime:
        """The moment this names, reading wall-clock times in `zone`, checked against `now`."""
        if self.absolute is not None:
            moment = self.absolute
        else:
            assert self.local_time is not None
            day = self.local_date or (now.astimezone(zone).date() + timedelta(days=self.days_ahead))
            moment = datetime.combine(day, self.local_time, tzinfo=zone)
        return check(moment, now, self.text)


def parse_join_time(text: str, now: datetime) -> JoinTime:
    shown = " ".join(text.split())  # as typed, for messages
    cleaned = shown.lower()
    if not cleaned:
        raise JoinTimeError(f"`--at` needs a time, like {EXAMPLES}.")
    if relative := _RELATIVE.match(cleaned):
        hours, minutes = (int(g) if g else 0 for g in relative.groups())
        if hours == minutes == 0:
            raise JoinTimeError(f"I couldn't read {_quoted(text)} as a time. Try {EXAMPLES}.")
        if hours * 60 + minutes > MAX_AHEAD.total_seconds() / 60:
            raise JoinTimeError(f"{_quoted(text)} is more than 60 days away; pick a sooner time.")
        return JoinTime(
            shown, absolute=check(now + timedelta(hours=hours, minutes=minutes), now, text)
        )
    days_ahead = 0
    if cleaned.startswith("tomorrow "):
        days_ahead, cleaned_time = 1, cleaned.removeprefix("tomorrow ")
    elif cleaned.startswith("today "):
        cleaned_time = cleaned.removeprefix("today ")
    else:
        cleaned_time = cleaned
    if clock := _clock_time(cleaned_time):
        return JoinTime(shown, days_ahead=days_ahead, local_time=clock)
    if days_ahead == 0:
        iso = _iso(cleaned)
        if iso is not None:
            if iso.tzinfo is not None:
                return JoinTime(shown, absolute=check(iso, now, text))
            return JoinTime(shown, local_date=iso.date(), local_time=iso.time())
    raise JoinTimeError(f"I couldn't read {_quoted(text)} as a time. Try {EXAMPLES}.")


def check(moment: datetime, now: datetime, text: str) -> datetime:
    if moment < now - GRACE:
        raise JoinTimeError(
            f"{_quoted(text)} has already passed. Pick a time in the future, e.g. {EXAMPLES}."
        )
    if moment > now + MAX_AHEAD:
        raise JoinTimeError(f"{_quoted(text)} is more than 60 days away; pick a sooner time.")
    return max(moment, now)


def _clock_time(text: str) -> time | None:
    match = _CLOCK.match(text)
    if not match:
        return None
    hour, minute, meridiem = int(match[1]), int(match[2] or 0), match[3]
    if match[2] is None and meridiem is None:
        return None  # a bare number ("14") is too ambiguous to guess
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
