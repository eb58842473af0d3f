"""Taking a `/record` request: saved before Slack gets its answer, so nothing is lost even if
the process dies right after; unless the meeting already has a live recorder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.model.grammar import RecordOptions
from bot.model.meeting_links import MeetingLink
from bot.model.recording import Recording
from bot.store.recordings import Recordings
from bot.workflow.context import RecorderPolicy


@dataclass(frozen=True)
class RecordingRequest:
    team_id: str
    channel_id: str
    user_id: str
    link: MeetingLink
    options: RecordOptions = field(default_factory=RecordOptions)
    response_url: str | None = None
    enterprise_id: str | None = None
    team_domain: str | None = None


class Intake:
    def __init__(
        self, recordings: Recordings, policy: RecorderPolicy, clock: Callable[[], datetime]
    ):
        self._recordings = recordings
        self._policy = policy
        self._clock = clock

    def request(self, req: RecordingRequest) -> tuple[Recording, bool]:
        """Save a /record request, unless the meeting already has a live recording.

        Returns the recording and whether it is new. The row is due at once: the worker pool
        starts on it right after the answer, and the poller would pick it up otherwise.
        """
        now = self._clock()
        join_time = req.options.join_time
        join_at = join_time.absolute if join_time and not join_time.needs_timezone else None
        return self._recordings.add_unless_live(
            now,
            self._policy.deadline + ((join_at - now) if join_at else timedelta()),
            team_id=req.team_id,
            enterprise_id=req.enterprise_id,
            team_domain=req.team_domain,
            channel_id=req.channel_id,
            user_id=req.user_id,
            response_url=req.response_url,
            meeting_url=req.link.url,
            platform=req.link.platform.value,
            meeting_key=req.link.dedup_key,
            recall_region=self._policy.recall_region,
            bot_name=req.options.bot_name or self._policy.bot.bot_name,
            layout=req.options.layout or self._policy.bot.layout,
            separate_videos=req.options.separate,
            join_at=join_at,
            join_at_text=join_time.text if join_time and join_time.needs_timezone else None,
        )
