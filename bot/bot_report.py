"""Read what matters out of Recall's bot object, tolerating missing parts.

Recall adds fields, codes and nulls freely; this module never raises on shape surprises. It
returns a `BotReport`, a small immutable summary the state machine can decide on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class StatusChange:
    code: str
    sub_code: str | None
    at: datetime | None


@dataclass(frozen=True)
class RecordingReport:
    """One of the bot's recordings. Recall starts a new one each time recording is stopped and
    started again, so a bot may have several, each with its own mixed video."""

    recording_id: str | None
    status: str | None
    video_status: str | None
    download_url: str | None
    started_at: datetime | None
    completed_at: datetime | None
    # When it started, or, before Recall says so, when it was created: what parts go by.
    starts_at: datetime | None = None

    @property
    def has_video(self) -> bool:
        return self.video_status == "done" and bool(self.download_url)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.completed_at:
            return max(0.0, (self.completed_at - self.started_at).total_seconds())
        return None


@dataclass(frozen=True)
class BotReport:
    bot_id: str | None
    latest: StatusChange | None
    # Why the bot left the call, kept even after `done` follows (a `done` has no sub_code).
    call_ended_sub_code: str | None
    # Every recording, earliest start first (see `read_bot`).
    recordings: tuple[RecordingReport, ...] = ()

    @property
    def latest_code(self) -> str | None:
        return self.latest.code if self.latest else None

    @property
    def latest_sub_code(self) -> str | None:
        return self.latest.sub_code if self.latest else None

    @property
    def videos(self) -> tuple[RecordingReport, ...]:
        """The recordings with a finished video, in the order of their parts: part 1 first."""
        return tuple(r for r in self.recordings if r.has_video)

    @property
    def posted(self) -> RecordingReport | None:
        """The recording whose video is posted: the first part. Until one has a video, the
        recording started last: while the bot records, that is the one in progress."""
        videos = self.videos
        if videos:
            return videos[0]
        return self.recordings[-1] if self.recordings else None

    @property
    def has_video(self) -> bool:
        return bool(self.videos)

    @property
    def download_url(self) -> str | None:
        videos = self.videos
        return videos[0].download_url if videos else None

    @property
    def recording_started_at(self) -> datetime | None:
        return self.posted.started_at if self.posted else None

    @property
    def recording_completed_at(self) -> datetime | None:
        return self.posted.completed_at if self.posted else None

    @property
    def duration_seconds(self) -> float | None:
        return self.posted.duration_seconds if self.posted else None


def read_bot(bot: dict[str, Any]) -> BotReport:
    changes = [c for c in (_status_change(item) for item in _list(bot.get("status_changes"))) if c]
    # Order is not documented: pick the newest by created_at, keeping list order for ties.
    latest = max(
        enumerate(changes), key=lambda pair: (_sort_key(pair[1].at), pair[0]), default=(0, None)
    )[1]
    call_ended = [c for c in changes if c.code == "call_ended" and c.sub_code]
    call_ended_sub = max(call_ended, key=lambda c: _sort_key(c.at)).sub_code if call_ended else None
    recordings = [
        _recording(item) for item in _list(bot.get("recordings")) if isinstance(item, dict)
    ]
    # Parts go by start time, earliest first: part 1 is the start of the meeting, and a part's
    # number does not depend on the order Recall lists them in. A recording with no time at
    # all goes last; ties keep the list order (sorted is stable).
    recordings.sort(key=lambda r: (r.starts_at is None, _sort_key(r.starts_at)))
    return BotReport(
        bot_id=bot.get("id") if isinstance(bot.get("id"), str) else None,
        latest=latest,
        call_ended_sub_code=call_ended_sub,
        recordings=tuple(recordings),
    )


def report_from_status(code: str, sub_code: str | None, at: datetime | None) -> BotReport:
    """A report holding just one status change, as a webhook tells it (no recording data)."""
    return BotReport(
        bot_id=None,
        latest=StatusChange(code, sub_code, at),
        call_ended_sub_code=sub_code if code == "call_ended" else None,
    )


def _recording(recording: dict[str, Any]) -> RecordingReport:
    video = _dict(_dict(recording.get("media_shortcuts")).get("video_mixed"))
    started_at = parse_time(recording.get("started_at"))
    return RecordingReport(
        recording_id=_str(recording.get("id")),
        status=_code(recording.get("status")),
        video_status=_code(video.get("status")) if video else None,
        download_url=_str(_dict(video.get("data")).get("download_url")),
        started_at=started_at,
        completed_at=parse_time(recording.get("completed_at")),
        starts_at=started_at or parse_time(recording.get("created_at")),
    )


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


def _status_change(item: Any) -> StatusChange | None:
    if not isinstance(item, dict) or not isinstance(item.get("code"), str):
        return None
    return StatusChange(
        code=item["code"],
        sub_code=_str(item.get("sub_code")),
        at=parse_time(item.get("created_at")),
    )


# Comparing datetimes, not float timestamps, keeps microseconds apart at any year.
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _sort_key(at: datetime | None) -> datetime:
    """A missing time sorts as the oldest."""
    return at or _EARLIEST


def _code(status: Any) -> str | None:
    return _str(_dict(status).get("code"))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# Recall's links are pre-signed S3 URLs that live about 5 hours.
ASSUMED_LINK_LIFETIME = timedelta(hours=5)
# The longest a SigV4 pre-signed link can be valid; a larger X-Amz-Expires is not honoured, so
# believing it would keep a dead link in our cache.
MAX_LINK_LIFETIME = timedelta(days=7)
_MAX_LINK_SECONDS = int(MAX_LINK_LIFETIME.total_seconds())


def download_url_expiry(url: str, fetched_at: datetime) -> datetime:
    """When a pre-signed download link stops working.

    Read from the SigV4 query (`X-Amz-Date` + `X-Amz-Expires`) when present; otherwise assume
    Recall's usual lifetime, counted from when we fetched it. Never later than
    `MAX_LINK_LIFETIME` after the fetch, whatever the query says.
    """
    query = parse_qs(urlsplit(url).query)
    try:
        signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        # Clamped before it becomes a timedelta, which a huge number would overflow.
        seconds = min(max(int(query["X-Amz-Expires"][0]), 0), _MAX_LINK_SECONDS)
        expires_at = signed_at + timedelta(seconds=seconds)
    except (KeyError, IndexError, ValueError, OverflowError):
        return fetched_at + ASSUMED_LINK_LIFETIME
    # A signing clock far ahead of ours must not make a link look good for longer either.
    return min(expires_at, fetched_at + MAX_LINK_LIFETIME)
