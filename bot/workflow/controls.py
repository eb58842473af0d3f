"""Stop, cancel and list: what people can do to recordings from Slack, and who may do it.

Only the person who asked for a recording, or a workspace admin or owner, may stop it, and only
from the recording's own workspace: a Slack user id names a person only within one workspace
(within one org, on Enterprise Grid), so the same id pressing Stop elsewhere is someone else.
Stopping only records the wish and makes the recording due; the recorder's next step talks to
Recall (leave the call, or delete a scheduled bot), under the same claim as everything else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.model.lifecycle import State
from bot.model.meeting_links import MeetingLink, MeetingLinkError, parse_meeting_link
from bot.model.recording import Recording
from bot.slack import messages
from bot.slack.directory import SlackDirectory
from bot.store.recordings import Recordings

log = logging.getLogger(__name__)

RECENT = timedelta(days=7)
_TOKEN_IN_LINK = re.compile(r"/r/([A-Za-z0-9_-]{16,64})(?:[/?#]|$)")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class Actor:
    """Who pressed a button or typed a command, with the workspace they did it from."""

    team_id: str | None
    user_id: str
    enterprise_id: str | None = None
    # A button press also names the presser's own workspace (`user.team_id`), which may
    # differ from the one it came through (`team.id`) in a channel shared between them.
    user_team_id: str | None = None

    def same_workspace(self, recording: Recording) -> bool:
        """True if this user id means the same person as it would in the recording's
        workspace: every workspace the request names is the recording's, or both are in the
        same Enterprise Grid org (whose user ids are unique across the org, and whose people
        act from several of its workspaces)."""
        named = {team for team in (self.team_id, self.user_team_id) if team}
        if named == {recording.request.team_id}:
            return True
        return bool(self.enterprise_id) and self.enterprise_id == recording.request.enterprise_id


def _elsewhere(doing: str) -> str:
    return (
        "That recording was started in another Slack workspace, so it can only be "
        f"{doing} from there."
    )


class Controls:
    def __init__(
        self,
        recordings: Recordings,
        work_on_soon: Callable[[str], None],
        users: SlackDirectory,
        clock: Callable[[], datetime],
    ):
        self.recordings = recordings
        self.work_on_soon = work_on_soon
        self.users = users
        self.clock = clock

    def stop(self, recording_id: str, actor: Actor) -> str:
        """Stop (or cancel) one recording on behalf of `actor`; the private answer."""
        recording = self.recordings.get(recording_id)
        if recording is None:
            return "That recording has already finished."
        if not actor.same_workspace(recording):
            return _elsewhere("stopped")
        if recording.state.is_final:
            return "That recording has already finished."
        if not self._may_act(recording, actor):
            return (
                f"Only <@{recording.request.user_id}>, who asked for this recording, or a "
                "workspace "
                "admin can stop it."
            )
        if self.recordings.request_stop(recording_id, actor.user_id, self.clock()) is None:
            return "That recorder is already being stopped."
        self.work_on_soon(recording_id)
        name = messages.escape(messages.meeting_name(recording))
        if recording.state in (State.REQUESTED, State.SCHEDULED):
            return f"Cancelling the recorder for {name}."
        return f"Stopping the recorder in {name}. What it recorded so far will be posted here."

    def stop_from_command(self, actor: Actor, channel_id: str, link: MeetingLink | None) -> str:
        """`/record stop [<link>]`: the meeting named, or the one running in this channel,
        among this workspace's recordings."""
        team_id = actor.team_id or ""
        if link is not None:
            found = self.recordings.live_for_meeting(team_id, link.dedup_key)
            if found is None:
                return f"Nothing is recording {messages.escape(link.display_name)} right now."
            return self.stop(found.id, actor)
        running = self.recordings.live_in_channel(team_id, channel_id)
        if not running:
            return "Nothing is being recorded from this channel right now."
        if len(running) > 1:
            names = "\n".join(f"• {_name(r)}" for r in running)
            return (
                "Several recordings are running here; say which: "
                f"`/record stop <meeting link>`\n{names}"
            )
        return self.stop(running[0].id, actor)

    def delete(self, actor: Actor, target: str) -> str:
        """`/record delete <link>`: revoke the links now; Recall's media goes next."""
        recording = self._find_finished(actor.team_id or "", target)
        if recording is None:
            return (
                "I couldn't find a finished recording for that. Paste the Watch link from the "
                "recording's message, or the meeting's link."
            )
        if not actor.same_workspace(recording):
            return _elsewhere("deleted")
        if not self._may_act(recording, actor):
            return (
                f"Only <@{recording.request.user_id}>, who asked for this recording, or a "
                "workspace "
                "admin can delete it."
            )
        if self.recordings.request_delete(recording.id, actor.user_id, self.clock()) is None:
            return "That recording was already deleted."
        self.work_on_soon(recording.id)
        name = messages.escape(messages.meeting_name(recording))
        return (
            f"Deleted the recording of {name}: its link no longer works, "
            "and Recall is deleting the video."
        )

    def _may_act(self, recording: Recording, actor: Actor) -> bool:
        """The requester, or an admin of the recording's workspace (asked only once the
        actor is known to be from it, so a stranger's id is never looked up there)."""
        if actor.user_id == recording.request.user_id:
            return True
        return self.users.is_admin(recording.request.team_id, actor.user_id)

    def _find_finished(self, team_id: str, target: str) -> Recording | None:
        found = None
        if match := _TOKEN_IN_LINK.search(target):
            found = self.recordings.get_by_token(match[1])
        elif _TOKEN.fullmatch(target):
            found = self.recordings.get_by_token(target)
        else:
            try:
                link = parse_meeting_link(target)
            except MeetingLinkError:
                return None
            found = self.recordings.latest_finished_for_meeting(team_id, link.dedup_key)
        # A link from another workspace is found here, and refused by the caller in words.
        if found is None or not found.finished_at:
            return None
        return found

    def listing(self, team_id: str, channel_id: str) -> str:
        now = self.clock()
        live = self.recordings.live_in_channel(team_id, channel_id)
        live_ids = {r.id for r in live}
        recent = [
            r
            for r in self.recordings.recent_in_channel(team_id, channel_id, now - RECENT)
            if r.id not in live_ids
        ]
        return messages.listing(live, recent, now)


def _name(recording: Recording) -> str:
    return messages.escape(messages.meeting_name(recording))
