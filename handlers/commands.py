"""`/record`: answer within Slack's 3 seconds; slow work (Recall, users.info) after the ack.

The app runs Bolt with `process_before_response`: the listener's return *is* the HTTP response
(no thread hand-off to wait for), so it only does local work. What needs Slack's or Recall's
API runs afterwards on our own worker threads, answering through the command's reply hook.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import messages
from bot.commands import (
    CommandError,
    DeleteCommand,
    HelpCommand,
    ListCommand,
    RecordCommand,
    StopCommand,
    parse_command,
)
from bot.controls import Actor, Controls
from bot.recorder import Recorder, RecordingRequest


def register(
    app: App, recorder: Recorder, controls: Controls, clock: Callable[[], datetime]
) -> None:
    @app.command("/record")
    def record(ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
        """Slack's answer, within its 3 seconds: local work only (parse, SQLite)."""
        try:
            parsed = parse_command(command.get("text"), clock())
        except CommandError as exc:
            ack(response_type="ephemeral", text=str(exc))
            return
        team, channel = command["team_id"], command["channel_id"]
        actor = Actor(team, command["user_id"], command.get("enterprise_id") or None)
        if isinstance(parsed, HelpCommand):
            ack(response_type="ephemeral", text=messages.HELP)
        elif isinstance(parsed, ListCommand):
            ack(response_type="ephemeral", text=controls.listing(team, channel))
        elif isinstance(parsed, StopCommand):
            ack()  # the answer may need Slack (is this user an admin?): it follows
            controls.later(controls.stop_from_command, actor, channel, parsed.link, respond)
        elif isinstance(parsed, DeleteCommand):
            ack()
            controls.later(controls.delete, actor, parsed.target, respond)
        elif not parsed.link.joinable_by_url:
            ack(response_type="ephemeral", text=messages.huddle_not_supported())
        else:
            _record(ack, recorder, command, parsed)


def _record(ack: Ack, recorder: Recorder, command: dict[str, Any], parsed: RecordCommand) -> None:
    # Saved before the ack, so a crash right after it cannot lose the request.
    recording, is_new = recorder.request(
        RecordingRequest(
            team_id=command["team_id"],
            enterprise_id=command.get("enterprise_id") or None,
            team_domain=command.get("team_domain") or None,
            channel_id=command["channel_id"],
            user_id=command["user_id"],
            response_url=command.get("response_url"),
            link=parsed.link,
            options=parsed.options,
        )
    )
    if not is_new:
        ack(response_type="ephemeral", text=messages.already_recording(recording))
        return
    ack(response_type="ephemeral", text=messages.accepted(recording))
    recorder.start_soon(recording.id, first=True)
