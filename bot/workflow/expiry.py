"""The end of a recording's media, and the transcript going with it.

Its retention: Recall deletes the media `retention_hours` after the recording is done
(Recall's "Storage and Data Retention": the clock starts when the recording's status becomes
done, right after the meeting ends), so the moment is known as soon as the recording is ready.

- From that moment the link answers 410 without asking Recall (bot/workflow/media_links.py).
- The scheduler's expiry sweep (bot/app/scheduler.py) makes such recordings due once; their
  step (`note_expiry`) deletes the transcript with the video and edits the status message to
  say the recording expired, then marks it told, so it happens once.

Recall losing it sooner (a link asked and Recall answered 404, or said the media was deleted
or expired): the link marks the recording lost, once, with the reason in its history, and makes
it due; its step (`note_media_lost`) deletes the transcript the same way and edits the status
message to say the video is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.model.lifecycle import Cause, State
from bot.model.recording import Recording
from bot.recall.errors import RecallError
from bot.slack.errors import SlackUnavailable
from bot.store.recordings import Recordings
from bot.workflow.context import StepContext
from bot.workflow.slack_sync import WorkspaceBlocked

log = logging.getLogger(__name__)


def expiry_columns(rec: Recording, changes: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """When a recording that just became ready expires (nothing for kept-forever media)."""
    ended = changes.get("recording_ended_at") or rec.recall.ended_at or now
    expires_at = rec.retention.expiry_after(ended)
    return {"expires_at": expires_at} if expires_at else {}


def due(rec: Recording, now: datetime) -> bool:
    """Has its retention run out, with the status message not yet saying so (nor that Recall
    lost the video before)?"""
    return (
        rec.state == State.READY
        and rec.retention.expired(now)
        and rec.retention.expiry_noted_at is None
        and rec.sharing.deleted_at is None
        and rec.sharing.media_lost_at is None
    )


def lost(rec: Recording) -> bool:
    """Has Recall lost its video (and nobody deleted the recording, which says more)?"""
    return (
        rec.state == State.READY and bool(rec.sharing.media_lost_at) and not rec.sharing.deleted_at
    )


def make_expired_due(
    recordings: Recordings, work_on_soon: Callable[[str], None], now: datetime
) -> int:
    """The scheduler's sweep: each recording past its expiry, not yet told, is worked on now."""
    expired = recordings.make_expired_due(now)
    for recording_id in expired:
        work_on_soon(recording_id)
    return len(expired)


def note_expiry(ctx: StepContext, rec: Recording, now: datetime) -> None:
    """Inside a claimed step: the transcript goes with the video, and Slack is told, once."""
    if _transcript_goes_with_the_video(ctx, rec, now):
        log.info("recording %s: expired; the status message says so", rec.id)
        ctx.recordings.note(rec, now, Cause("expired"), expiry_noted_at=now, next_poll_at=None)


def note_media_lost(ctx: StepContext, rec: Recording, now: datetime) -> None:
    """Inside a claimed step: the same for a video Recall lost (its history says so already:
    noted when the link found out). Running again changes nothing, so once is enough."""
    if _transcript_goes_with_the_video(ctx, rec, now):
        log.info("recording %s: Recall lost the video; the status message says so", rec.id)
        ctx.recordings.save(rec, now, next_poll_at=None)


def _transcript_goes_with_the_video(ctx: StepContext, rec: Recording, now: datetime) -> bool:
    """Delete the transcript (its lines and their search index), then bring the status message
    up to date. False if Slack must be tried again later (the step is rescheduled here)."""
    ctx.transcripts.recording_deleted(rec.id)
    try:
        ctx.slack.sync(rec, now, None, fetch_video=ctx.fetch_video)
    except WorkspaceBlocked as exc:
        ctx.recordings.save(rec, now, next_poll_at=exc.until)
        return False
    except (SlackUnavailable, RecallError) as exc:
        ctx.retry_later(rec, now, exc)
        return False
    return True
