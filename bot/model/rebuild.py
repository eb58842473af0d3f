"""A recording rebuilt from what lives outside the database: what the Recall bot carries (its
metadata, written when it was created, and its own fields) and where the bot stands now.

bot/recall/origins.py reads a bot into a `BotOrigin`; `rebuilt_state` says which state the
rebuilt recording is in, by the same rules a step uses on a report (bot/model/lifecycle.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.model.lifecycle import Outcome, State, advance, decide
from bot.model.report import BotReport

# The mark a rebuilt recording carries (its `pending_post`) until its Slack messages have been
# looked for: nothing is posted for it before (bot/workflow/rediscovery.py).
REBUILT_POST = "rebuilt"
# A join time this far after the request means the recording was scheduled (`--at`); closer,
# it is the request's own time, which every bot of ours carries (bot/recall/payload.py).
SCHEDULED_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class BotOrigin:
    """Everything about a recording that its Recall bot can tell again."""

    recording_id: str
    bot_id: str
    team_id: str
    channel_id: str
    user_id: str
    requested_at: datetime
    platform: str
    meeting_url: str  # without its query: a passcode is never needed again once a bot exists
    meeting_key: str | None = None
    enterprise_id: str | None = None
    team_domain: str | None = None
    link_token: str | None = None  # None for bots made before tokens were kept in metadata
    bot_name: str | None = None
    layout: str | None = None
    separate_videos: bool = False
    join_at: datetime | None = None  # when a scheduled bot joins (None: at once)
    # The meeting's side, as the Create Bot body set it (bot/recall/meeting_payload.py).
    notice: str | None = None  # the consent notice Recall writes in the meeting chat
    chat_stop: bool = False  # Recall delivers the meeting chat to us
    zoom_on_behalf: bool = False  # Recall fetches a Zoom on-behalf-of token from us
    callback_secret: str | None = None  # the secret in those two URLs
    retention: str | None = None  # timed or forever
    retention_hours: int | None = None

    @property
    def scheduled(self) -> bool:
        return self.join_at is not None and self.join_at - self.requested_at > SCHEDULED_AFTER


def rebuilt_state(origin: BotOrigin, report: BotReport) -> Outcome:
    """Where the rebuilt recording stands: what Recall's report says, as a step would decide
    it; a bot with nothing to say yet is where a newly created one would be."""
    start = State.SCHEDULED if origin.scheduled else State.JOINING
    outcome = decide(report)
    if outcome is None:
        return Outcome(start)
    if advance(State.REQUESTED, outcome.state) is None:
        return Outcome(start)
    return outcome
