"""What we know of a Recall bot, as the state machine reads it: its newest status, why it left
the call, and each of its recordings with its video. Plain data (bot/recall/reports.py reads it
out of Recall's bot object)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
