"""Stop, cancel and list: what people can do to recordings from Slack, and who may do it.

Only the person who asked for a recording, or a workspace admin or owner, may stop it.
Stopping only records the wish and makes the recording due; the recorder's next step talks to
Recall (leave the call, or delete a scheduled bot), under the same claim as everything else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot import messages
from bot.lifecycle import State
from bot.meetings import MeetingLink, MeetingLinkError, parse_meeting_link
from bot.recorder import Recorder
from bot.recording import Recording
from bot.slack_directory import SlackDirectory
from bot.store import Store

log = logging.getLogger(__name__)

RECENT = timedelta(days=7)
_TOKEN_IN_LINK = re.compile(r"/r/([A-Za-z0-9_-]{16,64})(?:[/?#]|$)")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class Controls:
    def __init__(
        self, store: Store, recorder: Recorder, users: SlackDirectory, clock: Callable[[], datetime]
    ):
        self.store = store
        self.recorder = recorder
        self.users = users
        self.clock = clock

    def later(self, task: Callable[..., str], *args: Any) -> None:
        """Answer privately once `task` is done, after the answer to Slack (it may ask Slack
        whether the user is an admin). The last argument is Bolt's `respond`."""
        *task_args, respond = args

        def run() -> None:
            try:
                answer = task(*task_args)
            except Exception:
                log.exception("answering a control request failed")
                answer = "Something went wrong on our side; please try again in a minute."
            respond(response_type="ephemeral", replace_original=False, text=answer)

        self.recorder.run_soon(run)

    def stop(self, recording_id: str, user_id: str) -> str:
        """Stop (or cancel) one recording on behalf of `user_id`; the private answer."""
        recording = self.store.get(recording_id)
        if recording is None or recording.state.is_final:
            return "That recording has already finished."
        if user_id != recording.user_id and not self.users.is_admin(recording.team_id, user_id):
            return (
                f"Only <@{recording.user_id}>, who asked for this recording, or a workspace "
                "admin can stop it."
            )
        if self.store.request_stop(recording_id, user_id, self.clock()) is None:
            return "That recorder is already being stopped."
        self.recorder.start_soon(recording_id)
        name = messages.escape(messages.meeting_name(recording))
        if recording.state in (State.REQUESTED, State.SCHEDULED):
            return f"Cancelling the recorder for {name}."
        return f"Stopping the recorder in {name}. What it recorded so far will be posted here."

    def stop_from_command(
        self, team_id: str, channel_id: str, user_id: str, link: MeetingLink | None
    ) -> str:
        """`/record stop [<link>]`: the meeting named, or the one running in this channel."""
        if link is not None:
            found = self.store.live_for_meeting(team_id, link.dedup_key)
            if found is None:
                return f"Nothing is recording {messages.escape(link.display_name)} right now."
            return self.stop(found.id, user_id)
        running = self.store.live_in_channel(team_id, channel_id)
        if not running:
            return "Nothing is being recorded from this channel right now."
        if len(running) > 1:
            names = "\n".join(f"• {_name(r)}" for r in running)
            return (
                "Several recordings are running here; say which: "
                f"`/record stop <meeting link>`\n{names}"
            )
        return self.stop(running[0].id, user_id)

    def delete(self, team_id: str, user_id: str, target: str) -> str:
        """`/record delete <link>`: revoke the links now; Recall's media goes next."""
        recording = self._find_finished(team_id, target)
        if recording is None:
            return (
                "I couldn't find a finished recording for that. Paste the Watch link from the "
                "recording's message, or the meeting's link."
            )
        if user_id != recording.user_id and not self.users.is_admin(recording.team_id, user_id):
            return (
                f"Only <@{recording.user_id}>, who asked for this recording, or a workspace "
                "admin can delete it."
            )
        if self.store.request_delete(recording.id, user_id, self.clock()) is None:
            return "That recording was already deleted."
        self.recorder.start_soon(recording.id)
        name = messages.escape(messages.meeting_name(recording))
        return (
            f"Deleted the recording of {name}: its link no longer works, "
            "and Recall is deleting the video."
        )

    def _find_finished(self, team_id: str, target: str) -> Recording | None:
        found = None
        if match := _TOKEN_IN_LINK.search(target):
            found = self.store.get_by_token(match[1])
        elif _TOKEN.fullmatch(target):
            found = self.store.get_by_token(target)
        else:
            try:
                link = parse_meeting_link(target)
            except MeetingLinkError:
                return None
            found = self.store.latest_finished_for_meeting(team_id, link.dedup_key)
        if found is None or found.team_id != team_id or not found.finished_at:
            return None
        return found

    def listing(self, team_id: str, channel_id: str) -> str:
        now = self.clock()
        live = self.store.live_in_channel(team_id, channel_id)
        live_ids = {r.id for r in live}
        recent = [
            r
            for r in self.store.recent_in_channel(team_id, channel_id, now - RECENT)
            if r.id not in live_ids
        ]
        return messages.listing(live, recent, now)


def _name(recording: Recording) -> str:
    return messages.escape(messages.meeting_name(recording))
