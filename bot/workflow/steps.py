"""Taking a recording from "someone typed /record" to "the video is in the channel", one step
at a time.

Every step runs on a claimed row (bot/store/recordings.py), either right away on the worker
pool (a new request, a webhook's news, a Stop press) or later by the poller, which makes a
crash or restart harmless: an unfinished step is simply due again when its lease runs out.

One step does whatever the recording needs next:
- someone pressed Stop or Cancel (or typed the stop phrase in the meeting chat), or deleted it:
  tell Recall (bot/workflow/stopping.py);
- its media's retention ran out, or Recall lost the video: delete the transcript, say so
  (bot/workflow/expiry.py);
- no Recall bot yet: create it (bot/workflow/creating.py);
- a bot in progress: learn how it is doing and move the state machine
  (bot/workflow/following.py);
- then bring Slack up to date (bot/workflow/slack_sync.py): the status message, the replies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.model.recording import Recording
from bot.workflow.context import StepContext
from bot.workflow.creating import create_bot
from bot.workflow.expiry import due as expiry_due
from bot.workflow.expiry import lost, note_expiry, note_media_lost
from bot.workflow.following import check_bot
from bot.workflow.stopping import carry_out_stop, delete_media
from bot.workflow.survey import SurveyView
from bot.workflow.workers import Workers

log = logging.getLogger(__name__)


class Steps:
    def __init__(self, ctx: StepContext, workers: Workers, clock: Callable[[], datetime]):
        self.ctx = ctx
        self._workers = workers
        self._clock = clock

    def soon(self, recording_id: str, first: bool = False) -> None:
        """Work on a recording now, on the worker pool, after the answer to Slack.

        `first`: it was just requested; warn the requester at once if its conversation won't
        take our messages (then the result comes by DM).
        """

        def work() -> None:
            if first:
                self._warn_if_unreachable(recording_id)
            self.work_on(recording_id)

        self._workers.submit(work, f"recording {recording_id}: step")

    def work_on(self, recording_id: str) -> None:
        now = self._clock()
        recording = self.ctx.recordings.claim(recording_id, now, self.ctx.policy.lease)
        if recording is not None:
            self.step(recording, now)

    def step(self, recording: Recording, now: datetime, survey: SurveyView | None = None) -> None:
        """Do the next thing a claimed recording needs, then give the lease back."""
        try:
            self._step(recording, now, survey)
        finally:
            if self.ctx.recordings.release(recording, now):
                self.soon(recording.id)  # a webhook's news arrived meanwhile

    def release(self, recording: Recording, now: datetime) -> None:
        """Give back a claim without working on it (shutting down mid-batch)."""
        self.ctx.recordings.release(recording, now)

    def _step(self, rec: Recording, now: datetime, survey: SurveyView | None) -> None:
        ctx = self.ctx
        if rec.stop.requested_at and not rec.stop.sent_at and not rec.state.is_final:
            stopped = carry_out_stop(ctx, rec, now)
            if stopped is None:
                return
            rec = stopped
        if rec.sharing.deleted_at and not rec.sharing.media_deleted_at:
            delete_media(ctx, rec, now)
        elif expiry_due(rec, now):
            note_expiry(ctx, rec, now)
        elif lost(rec):
            note_media_lost(ctx, rec, now)
        elif rec.state.is_final:
            ctx.sync(rec, now)
        elif rec.recall.bot_id is None:
            create_bot(ctx, rec, now)
        else:
            check_bot(ctx, rec, now, survey)

    def _warn_if_unreachable(self, recording_id: str) -> None:
        rec = self.ctx.recordings.get(recording_id)
        if (
            rec is not None
            and self.ctx.users.can_post_in(rec.request.team_id, rec.request.channel_id) is False
        ):
            self.ctx.slack.tell_requester_quietly(rec, "cannot_post_here")
