"""Deciding, when a recording's bot is about to be created, what the meeting is told and how the
recorder gets in; kept with the recording, so every retry sends the same and the status message
can say what was sent:

- the consent notice for the meeting chat: who asked, from which Slack workspace, how to object
  (or none: turned off, or the platform has no bot chat; bot/model/consent.py);
- whether typing the stop phrase in the meeting chat makes the recorder leave;
- how long Recall keeps the media (RECORDING_RETENTION_HOURS);
- whether a Zoom recorder joins on behalf of the requester's connected Zoom account;
- the secret in the URLs Recall calls back for this recording.
"""

from __future__ import annotations

from datetime import datetime

from bot.model.callbacks import new_secret
from bot.model.consent import decide_notice
from bot.model.meeting_links import Platform
from bot.model.recording import Recording
from bot.workflow.context import StepContext


def prepare(ctx: StepContext, rec: Recording, now: datetime) -> Recording | None:
    """The recording with its meeting side decided (saved once); None if our claim was lost."""
    if rec.in_meeting.callback_secret:
        return rec  # decided by an earlier attempt (a 507, a crash): keep what was decided
    policy = ctx.policy.meeting
    request = rec.request
    requester = ctx.users.display_name(request.team_id, request.user_id) or ""
    workspace = f"{request.team_domain}.slack.com" if request.team_domain else ""
    notice = decide_notice(
        policy.consent, request.platform, requester, workspace, policy.can_hear_chat
    )
    on_behalf = (
        policy.zoom_on_behalf
        and request.platform == Platform.ZOOM.value
        and ctx.zoom_accounts is not None
        and ctx.zoom_accounts.connected(request.team_id, request.user_id)
    )
    hours = policy.retention_hours
    return ctx.recordings.save(
        rec,
        now,
        consent_notice=notice.text,
        consent_status=notice.status.value,
        chat_stop=notice.chat_stop,
        zoom_on_behalf=on_behalf,
        callback_secret=new_secret(),
        retention="forever" if hours is None else "timed",
        retention_hours=hours,
    )
