"""Following a recording's transcript, from "the video is ready" to lines people can read and
search, on the worker pool or the scheduler's thread, never on the event loop.

    video ready (a step) ─┐
    transcript.* webhook ─┼─► TranscriptWork.follow(recording id): claim its row, then
    every poll interval ──┘     ask Recall for the bot and look at the posted recording's
                                transcript (bot/recall/transcripts.py):
        done     → fetch it and the speaker timeline, store phrases and talk time
                   (bot/workflow/transcript_ingest.py), then have Slack updated
        failed   → say so (the status message says why, in plain words)
        none yet → recallai_async: ask Recall to make one; otherwise look again later,
                   and after PATIENCE say there is none
        Recall trouble → look again later, with back-off

A missing or failed transcript never holds anything up: the video's notice has gone out
already, and the messages and the watch page just say there is no transcript, and why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.model.lifecycle import State
from bot.model.recording import Recording
from bot.model.transcript import TranscriptStatus
from bot.recall.client import RecallClient
from bot.recall.downloads import MediaDownloads
from bot.recall.errors import RecallError, RecallNotFound, RecallRejected
from bot.recall.transcripts import TranscriptMedia, async_transcript_request, read_transcript_media
from bot.store import Store
from bot.store.transcripts import TranscriptProgress
from bot.workflow.transcript_ingest import ingest
from bot.workflow.workers import Workers

log = logging.getLogger(__name__)

# How long after the video is ready to wait for a transcript Recall has not started on: the
# platform's captions come with the video or not at all; Recall's own transcription may queue.
PATIENCE = {
    "meeting_captions": timedelta(minutes=30),
    "recallai_streaming": timedelta(hours=2),
    "recallai_async": timedelta(hours=6),
}
# Once Recall says it is processing, wait this long at most.
PROCESSING_PATIENCE = timedelta(hours=12)
FIRST_LOOK_AGAIN = timedelta(seconds=20)
MAX_LOOK_AGAIN = timedelta(minutes=10)
LEASE = timedelta(minutes=5)  # a three-hour meeting is stored in seconds
BATCH = 20


class TranscriptWork:
    def __init__(
        self,
        *,
        store: Store,
        recall: RecallClient,
        downloads: MediaDownloads,
        provider: str,
        workers: Workers,
        work_on_soon: Callable[[str], None],
        clock: Callable[[], datetime],
    ):
        self.store = store
        self.recall = recall
        self.downloads = downloads
        self.provider = provider
        self._workers = workers
        self._work_on_soon = work_on_soon  # a recording's next step, which updates Slack
        self._clock = clock

    @property
    def enabled(self) -> bool:
        return self.provider != "none"

    # What the recording's steps and the webhook tell us (bot/workflow/context.py).

    def recording_ready(
        self, rec: Recording, now: datetime, bot: dict[str, Any] | None = None
    ) -> None:
        """Its video is ready: start following its transcript, now (looking at `bot`, the bot
        as Recall just showed it, if given, rather than asking again)."""
        if not self.enabled:
            return
        if not self.store.transcripts.expect(rec.id, self.provider, now):
            self.store.transcripts.make_due(rec.id, now)
        self.soon(rec.id, bot)

    def recording_deleted(self, recording_id: str) -> None:
        self.store.transcripts.delete_of(recording_id)

    def heard_from_recall(self, rec: Recording, now: datetime) -> None:
        """A transcript webhook: look at once (a ready recording only; one still being made
        gets its look when its video is ready)."""
        if self.enabled and rec.state == State.READY and not rec.media_gone(now):
            self.recording_ready(rec, now)

    def soon(self, recording_id: str, bot: dict[str, Any] | None = None) -> None:
        self._workers.submit(
            lambda: self.follow(recording_id, bot), f"recording {recording_id}: transcript"
        )

    # The work itself.

    def follow(self, recording_id: str, bot: dict[str, Any] | None = None) -> None:
        now = self._clock()
        claimed = self.store.transcripts.claim(recording_id, now, LEASE)
        if claimed is not None:
            self._look(claimed, now, bot)

    def follow_due(self) -> int:
        """Every transcript due for a look (the scheduler's job); how many were looked at."""
        now = self._clock()
        claimed = self.store.transcripts.claim_due(now, LEASE, BATCH)
        for progress in claimed:
            try:
                self._look(progress, now)
            except Exception:
                log.exception("recording %s: transcript step failed", progress.recording_id)
        return len(claimed)

    def _look(
        self, progress: TranscriptProgress, now: datetime, bot: dict[str, Any] | None = None
    ) -> None:
        transcripts = self.store.transcripts
        rec = self.store.recordings.get(progress.recording_id)
        if rec is None or rec.media_gone(now):
            transcripts.delete_of(progress.recording_id)  # it went with the video
            return
        if rec.state != State.READY or not rec.recall.bot_id:
            transcripts.save(progress, now, next_check_at=None)  # its video's step calls again
            return
        try:
            media = read_transcript_media(bot or self.recall.get_bot(rec.recall.bot_id))
        except RecallError as exc:
            self._look_again(progress, now, exc)
            return
        if media.done:
            self._fetch(progress, rec, media, now)
        elif media.status in ("failed", "deleted"):
            self._give_up(progress, rec, now, TranscriptStatus.FAILED, media.sub_code)
        elif media.status is None and self._should_request(progress):
            self._request(progress, rec, media, now)
        elif now - progress.created_at > self._patience(media):
            self._give_up(progress, rec, now, TranscriptStatus.NONE, "never came")
        else:
            self._look_again(progress, now)

    def _fetch(
        self, progress: TranscriptProgress, rec: Recording, media: TranscriptMedia, now: datetime
    ) -> None:
        try:
            stored = ingest(self.store, progress, rec, media, self.downloads, now)
        except RecallNotFound:
            # The link died between the look and the fetch: the next look gets a fresh one.
            self._look_again(progress, now)
            return
        except RecallRejected as exc:
            self._give_up(progress, rec, now, TranscriptStatus.FAILED, exc.detail)
            return
        except RecallError as exc:
            self._look_again(progress, now, exc)
            return
        if stored:
            log.info("recording %s: transcript stored", rec.id)
            self._show(rec.id, now)

    def _should_request(self, progress: TranscriptProgress) -> bool:
        return progress.provider == "recallai_async" and progress.status == TranscriptStatus.AWAITED

    def _request(
        self, progress: TranscriptProgress, rec: Recording, media: TranscriptMedia, now: datetime
    ) -> None:
        """recallai_async: ask Recall to transcribe the posted recording."""
        if media.recording_id is None:
            self._look_again(progress, now)
            return
        try:
            self.recall.create_transcript(media.recording_id, async_transcript_request())
        except RecallRejected as exc:
            self._give_up(progress, rec, now, TranscriptStatus.FAILED, exc.detail)
            return
        except RecallError as exc:
            self._look_again(progress, now, exc)
            return
        log.info("recording %s: asked Recall for a transcript", rec.id)
        self.store.transcripts.save(
            progress, now, status=TranscriptStatus.REQUESTED, next_check_at=now + FIRST_LOOK_AGAIN
        )

    def _patience(self, media: TranscriptMedia) -> timedelta:
        if media.status == "processing":
            return PROCESSING_PATIENCE
        return PATIENCE.get(self.provider, PATIENCE["recallai_async"])

    def _give_up(
        self,
        progress: TranscriptProgress,
        rec: Recording,
        now: datetime,
        status: TranscriptStatus,
        detail: str | None,
    ) -> None:
        log.info("recording %s: no transcript (%s: %s)", rec.id, status.value, detail)
        words = detail[:200] if detail else None
        if self.store.transcripts.save(
            progress, now, status=status, detail=words, next_check_at=None
        ):
            self._show(rec.id, now)

    def _look_again(
        self, progress: TranscriptProgress, now: datetime, exc: Exception | None = None
    ) -> None:
        attempts = progress.attempts + 1
        wait = min(FIRST_LOOK_AGAIN * 2 ** min(progress.attempts, 10), MAX_LOOK_AGAIN)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            wait = max(wait, timedelta(seconds=retry_after))
        if exc is not None:
            log.info("recording %s: transcript: %s", progress.recording_id, type(exc).__name__)
        self.store.transcripts.save(progress, now, attempts=attempts, next_check_at=now + wait)

    def _show(self, recording_id: str, now: datetime) -> None:
        """Have the recording's next step bring its Slack messages up to date."""
        if self.store.recordings.show_news_soon(recording_id, now):
            self._work_on_soon(recording_id)
