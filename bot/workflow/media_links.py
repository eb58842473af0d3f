"""Durable links: `PUBLIC_BASE_URL/r/<token>` keeps working long after Recall's own link dies.

Recall's `download_url` is a pre-signed S3 link that expires after about 5 hours and works for
whoever holds it. We never post or store it: each visit to our link asks Recall for a fresh
one, cached only while it has an hour or more to live, and redirects there.

A bot that stopped and started recording has several recordings, each with its own video:
those are the recording's parts, numbered from 1 in the order they started (see
bot/bot_report.py). Part 1 is the video that is posted; `Video.parts` says how many there are.

    MediaLinks.video(token, part=1) -> Video  or raises one of:
    LinkError
     ├── UnknownLink        no such token, or no such part (404)
     ├── NotReady           recording still going or being processed (409)
     ├── NoVideo            the recording failed: there never was a video (404)
     ├── Gone               deleted by someone, or expired/deleted at Recall (410)
     │    └── Expired       past the end of the retention we asked Recall for (410)
     └── RecallDown         Recall could not be asked right now (503, try again)

The first time Recall says it no longer has the video, the recording is marked lost (with the
reason in its history) and made due: its next step, on the worker pool, deletes its transcript
and edits the status message (bot/workflow/expiry.py), as for an expiry. From then on its links
answer 410 without asking Recall.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.model.explanations import explain
from bot.model.lifecycle import State
from bot.model.recording import Recording, Sharing
from bot.recall.client import RecallClient
from bot.recall.errors import RecallError, RecallNotFound
from bot.recall.reports import download_url_expiry, read_bot
from bot.store.recordings import Recordings

log = logging.getLogger(__name__)

# Reuse a fresh link only while it has this long left, so a video started from it can finish.
COMFORT_MARGIN = timedelta(hours=1)


class LinkError(Exception):
    """A reason the link cannot play now; `recording` is set when the token was known."""

    def __init__(self, message: str, recording: Recording | None = None):
        super().__init__(message)
        self.recording = recording


class UnknownLink(LinkError):
    pass


class NotReady(LinkError):
    pass


class NoVideo(LinkError):
    pass


class Gone(LinkError):
    pass


class Expired(Gone):
    """Its retention ran out: Recall has deleted the media (410, told without asking)."""


class RecallDown(LinkError):
    pass


@dataclass(frozen=True)
class Video:
    recording: Recording
    url: str  # Recall's signed link: redirect to it, never show or log it
    expires_at: datetime
    part: int = 1  # which of the recording's videos, from 1
    parts: int = 1  # how many videos the recording has: its recordings with a finished video


class MediaLinks:
    def __init__(
        self,
        recordings: Recordings,
        recall: RecallClient,
        clock: Callable[[], datetime],
        on_lost: Callable[[str], None] | None = None,
    ):
        self.recordings = recordings
        self.recall = recall
        self.clock = clock
        # Work on a recording whose video Recall lost now, rather than at the next poll.
        self._on_lost = on_lost or (lambda _recording_id: None)
        # (recording id, part) -> (url, expires_at, parts as counted when the link was fetched)
        self._cache: dict[tuple[str, int], tuple[str, datetime, int]] = {}
        self._lock = threading.Lock()

    def recording(self, token: str) -> Recording:
        """The recording behind a token, whatever its state."""
        # Tokens are URL-safe base64; anything else cannot be one, so skip the lookup.
        recording = self.recordings.get_by_token(token) if _plausible(token) else None
        if recording is None:
            raise UnknownLink("There is no recording at this address.")
        return recording

    def cached_link(self, token: str, part: int = 1) -> str | None:
        """Recall's link to the video, if a fresh one is already at hand: one narrow database
        read, never a call to Recall, so it may run where waiting is not allowed. None means:
        ask `video`."""
        now = self.clock()
        recording_id = self.recordings.playable_by_token(token, now) if _plausible(token) else None
        if recording_id is None:
            return None
        with self._lock:
            cached = self._cache.get((recording_id, part))
        if cached is None or cached[1] - now <= COMFORT_MARGIN:
            return None
        return cached[0]

    def video(self, token: str, part: int = 1) -> Video:
        """A fresh link to one of the recording's videos: part 1 is the posted one."""
        rec = self.recording(token)
        if part < 1:
            raise UnknownLink("This recording has no such part.", rec)
        if rec.sharing.deleted_at:
            raise Gone("This recording was deleted.", rec)
        if rec.state == State.FAILED:
            why = explain(rec.failure.reason, rec.failure.sub_code).summary
            raise NoVideo(f"This meeting was not recorded. {why}", rec)
        if rec.state == State.CANCELLED:
            raise NoVideo("This recording was cancelled before it started.", rec)
        if rec.state != State.READY:
            raise NotReady("The video isn't ready yet.", rec)
        now = self.clock()
        if rec.retention.expired(now):
            # Recall deletes the media at the end of its retention: no need to ask it.
            raise Expired(f"This recording expired on {rec.retention.expires_at:%d %b %Y}.", rec)
        if rec.sharing.media_lost_at:
            # Recall said so once (in the words below): no need to ask it again.
            raise Gone("This recording is no longer available: Recall deleted the video.", rec)
        with self._lock:
            cached = self._cache.get((rec.id, part))
        if cached and cached[1] - now > COMFORT_MARGIN:
            url, expires_at, parts = cached
            return Video(rec, url, expires_at, part, parts)
        url, expires_at, parts = self._fetch(rec, part, now)
        with self._lock:
            self._cache[(rec.id, part)] = (url, expires_at, parts)
        return Video(rec, url, expires_at, part, parts)

    def _fetch(self, rec: Recording, part: int, now: datetime) -> tuple[str, datetime, int]:
        try:
            # Someone is waiting in a browser: worth a short wait for our Recall budget.
            report = read_bot(self.recall.get_bot(rec.recall.bot_id or "", wait=2.0))
        except RecallNotFound as exc:
            self._lost(rec, "not_found", now)
            raise Gone("Recall no longer has this recording.", rec) from exc
        except RecallError as exc:
            raise RecallDown("The recording service can't be reached right now.", rec) from exc
        videos = report.videos
        deleted = any("deleted" in (r.video_status, r.status) for r in report.recordings)
        expired = report.latest_code == "media_expired"
        if expired or (deleted and not videos):
            self._lost(rec, "media_expired" if expired else "deleted", now)
            raise Gone("This recording has expired: Recall deleted the video.", rec)
        if not videos:
            raise RecallDown("The recording service did not give us the video just now.", rec)
        if part > len(videos):
            raise UnknownLink("This recording has no such part.", rec)
        url = videos[part - 1].download_url or ""
        return url, download_url_expiry(url, now), len(videos)

    def _lost(self, rec: Recording, how: str, now: datetime) -> None:
        """Recall no longer has the video (`how`: what it said): mark the recording, once. Its
        transcript is deleted by its next step, on the worker pool, not by this request."""
        with self._lock:
            for key in [key for key in self._cache if key[0] == rec.id]:
                del self._cache[key]  # its other parts' links are dead too
        if self.recordings.note_media_lost(rec.id, now, how) is not None:
            log.info("recording %s: Recall no longer has the video (%s)", rec.id, how)
            self._on_lost(rec.id)


def recorded_on(rec: Recording) -> datetime | None:
    return rec.recall.started_at or rec.created_at


def _plausible(token: str) -> bool:
    return Sharing.could_be_token(token)
