"""Read what matters out of Recall's bot object, tolerating missing parts.

Recall adds fields, codes and nulls freely; this module never raises on shape surprises. It
returns a `BotReport`, a small immutable summary the state machine can decide on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.model.report import BotReport, RecordingReport, StatusChange
from bot.model.times import parse_time


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
