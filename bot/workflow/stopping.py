"""Carrying out what people asked for from Slack, inside a recording's claimed step.

Buttons and commands (bot/workflow/controls.py) only record the wish and make the recording
due; these steps do the talking to Recall, under the same lease as everything else, so a press
can never race the poller.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.model.lifecycle import Cause, State
from bot.model.recording import Recording
from bot.recall.errors import RecallError, RecallRejected
from bot.workflow.context import StepContext
from bot.workflow.recall_trouble import Doing, carry_on_after

log = logging.getLogger(__name__)


def carry_out_stop(ctx: StepContext, rec: Recording, now: datetime) -> Recording | None:
    """Carry out a Stop/Cancel press; None if the step should end here."""
    cancelled = Cause("cancelled", by=rec.stop.requested_by)
    if rec.recall.bot_id is None:
        # Recall never got it (e.g. still waiting for a free bot): nothing to undo there.
        return ctx.finish(rec, now, State.CANCELLED, cancelled, stop_sent_at=now)
    try:
        if rec.state in (State.REQUESTED, State.SCHEDULED):
            try:
                ctx.recall.delete_bot(rec.recall.bot_id)
                return ctx.finish(rec, now, State.CANCELLED, cancelled, stop_sent_at=now)
            except RecallRejected:
                pass  # already dispatched (405): it is joining, so make it leave instead
        ctx.recall.leave_call(rec.recall.bot_id)
    except RecallError as exc:
        if not carry_on_after(ctx, rec, now, exc, Doing.STOPPING):
            return None
    log.info("recording %s: bot asked to leave", rec.id)
    return ctx.recordings.save(rec, now, stop_sent_at=now)


def delete_media(ctx: StepContext, rec: Recording, now: datetime) -> None:
    """Someone deleted the recording: our links already answer 410; now our transcript (its
    lines and their index entries) and Recall's copy."""
    ctx.transcripts.recording_deleted(rec.id)
    if rec.recall.bot_id:
        try:
            ctx.recall.delete_media(rec.recall.bot_id)
        except RecallError as exc:
            if not carry_on_after(ctx, rec, now, exc, Doing.DELETING):
                return
    log.info("recording %s: media deleted at Recall", rec.id)
    saved = ctx.recordings.save(rec, now, media_deleted_at=now, next_poll_at=None)
    if saved is not None:
        ctx.sync(saved, now)
