"""Carrying out what people asked for from Slack, inside a recording's claimed step.

Buttons and commands (bot/controls.py) only record the wish and make the recording due; these
steps do the talking to Recall, under the same lease as everything else, so a press can never
race the poller.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from bot.lifecycle import State
from bot.recall import RecallError, RecallNotFound, RecallRejected
from bot.recording import Recording, ts

if TYPE_CHECKING:
    from bot.recorder import Recorder

log = logging.getLogger(__name__)


def carry_out_stop(recorder: Recorder, rec: Recording, now: datetime) -> Recording | None:
    """Carry out a Stop/Cancel press; None if the step should end here."""
    if rec.recall_bot_id is None:
        # Recall never got it (e.g. still waiting for a free bot): nothing to undo there.
        return recorder.finish_as(rec, now, State.CANCELLED, stop_sent_at=ts(now))
    try:
        if rec.state in (State.REQUESTED, State.SCHEDULED):
            try:
                recorder.recall.delete_bot(rec.recall_bot_id)
                return recorder.finish_as(rec, now, State.CANCELLED, stop_sent_at=ts(now))
            except RecallRejected:
                pass  # already dispatched (405): it is joining, so make it leave instead
        recorder.recall.leave_call(rec.recall_bot_id)
    except RecallRejected as exc:
        # cannot_command_completed_bot / _unstarted_bot: nothing left to stop.
        log.info("recording %s: leave_call not needed (%s)", rec.id, exc.code or exc.status)
    except RecallNotFound:
        return recorder.fail(rec, now, "bot_gone")
    except RecallError as exc:
        recorder.retry_later(rec, now, exc)
        return None
    log.info("recording %s: bot asked to leave", rec.id)
    return recorder.store.save(rec, now, stop_sent_at=ts(now))


def delete_media(recorder: Recorder, rec: Recording, now: datetime) -> None:
    """Someone deleted the recording: our links already answer 410; now Recall's copy."""
    if rec.recall_bot_id:
        try:
            recorder.recall.delete_media(rec.recall_bot_id)
        except RecallNotFound:
            pass  # Recall has nothing left for this bot: nothing to delete
        except RecallError as exc:
            recorder.retry_later(rec, now, exc)
            return
    log.info("recording %s: media deleted at Recall", rec.id)
    saved = recorder.store.save(rec, now, media_deleted_at=ts(now), next_poll_at=None)
    if saved is not None:
        recorder.sync(saved, now)
