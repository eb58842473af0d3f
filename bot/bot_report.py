"""Read what matters out of Recall's bot object (reference §5.1), tolerating missing parts.

Recall adds fields, codes and nulls freely; this module never raises on shape surprises. It
returns a `BotReport`, a small immutable summary the state machine can decide on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class StatusChange:
    code: str
    sub_code: str | None
    at: datetime | None


@dataclass(frozen=True)
class BotReport:
    bot_id: str | None
    latest: StatusChange | None
    # Why the bot left the call, kept even after `done` follows (a `done` has no sub_code).
    call_ended_sub_code: str | None
    recording_status: str | None
    video_status: str | None
    download_url: str | None
    recording_started_at: datetime | None
    recording_completed_at: datetime | None

    @property
    def latest_code(self) -> str | None:
        return self.latest.code if self.latest else None

    @property
    def latest_sub_code(self) -> str | None:
        return self.latest.sub_code if self.latest else None

    @property
    def has_video(self) -> bool:
        return self.video_status == "done" and bool(self.download_url)

    @property
    def duration_seconds(self) -> float | None:
        if self.recording_started_at and self.recording_completed_at:
            return max(
                0.0, (self.recording_completed_at - self.recording_started_at).total_seconds()
            )
        return None


def read_bot(bot: dict[str, Any]) -> BotReport:
    changes = [c for c in (_status_change(item) for item in _list(bot.get("status_changes"))) if c]
    # Order is not documented: pick the newest by created_at, keeping list order for ties.
    latest = max(
        enumerate(changes), key=lambda pair: (_sort_key(pair[1].at), pair[0]), default=(0, None)
    )[1]
    call_ended = [c for c in changes if c.code == "call_ended" and c.sub_code]
    call_ended_sub = max(call_ended, key=lambda c: _sort_key(c.at)).sub_code if call_ended else None

    recording = _first_dict(bot.get("recordings"))
    video = _dict(_dict(recording.get("media_shortcuts")).get("video_mixed"))
    return BotReport(
        bot_id=bot.get("id") if isinstance(bot.get("id"), str) else None,
        latest=latest,
        call_ended_sub_code=call_ended_sub,
        recording_status=_code(recording.get("status")) if recording else None,
        video_status=_code(video.get("status")) if video else None,
        download_url=_str(_dict(video.get("data")).get("download_url")),
        recording_started_at=parse_time(recording.get("started_at")),
        recording_completed_at=parse_time(recording.get("completed_at")),
    )


def report_from_status(code: str, sub_code: str | None, at: datetime | None) -> BotReport:
    """A report holding just one status change, as a webhook tells it (no recording data)."""
    return BotReport(
        bot_id=None,
        latest=StatusChange(code, sub_code, at),
        call_ended_sub_code=sub_code if code == "call_ended" else None,
        recording_status=None,
        video_status=None,
        download_url=None,
        recording_started_at=None,
        recording_completed_at=None,
    )


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 with `Z` or an offset, with or without microseconds; None if unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _status_change(item: Any) -> StatusChange | None:
    if not isinstance(item, dict) or not isinstance(item.get("code"), str):
        return None
    return StatusChange(
        code=item["code"],
        sub_code=_str(item.get("sub_code")),
        at=parse_time(item.get("created_at")),
    )


def _sort_key(at: datetime | None) -> float:
    return at.timestamp() if at else float("-inf")


def _code(status: Any) -> str | None:
    return _str(_dict(status).get("code"))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _first_dict(value: Any) -> dict[str, Any]:
    return next((item for item in _list(value) if isinstance(item, dict)), {})


# Recall's links are pre-signed S3 URLs that live about 5 hours (reference §5.3).
ASSUMED_LINK_LIFETIME = timedelta(hours=5)


def download_url_expiry(url: str, fetched_at: datetime) -> datetime:
    """When a pre-signed download link stops working.

    Read from the SigV4 query (`X-Amz-Date` + `X-Amz-Expires`) when present; otherwise assume
    Recall's documented lifetime, counted from when we fetched it.
    """
    query = parse_qs(urlsplit(url).query)
    try:
        signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return signed_at + timedelta(seconds=int(query["X-Amz-Expires"][0]))
    except (KeyError, IndexError, ValueError):
        return fetched_at + ASSUMED_LINK_LIFETIME
