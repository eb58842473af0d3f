"""`/record`: answer within Slack's 3 seconds; the slow Recall work happens after the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot import messages
from bot.commands import CommandError, HelpCommand, parse_command
from bot.recorder import Recorder, RecordingRequest


def register(app: App, recorder: Recorder) -> None:
    @app.command("/record")
    def record(ack: Ack, command: dict[str, Any]) -> None:
        try:
            parsed = parse_command(command.get("text"))
        except CommandError as exc:
            ack(response_type="ephemeral", text=str(exc))
            return
        if isinstance(parsed, HelpCommand):
            ack(response_type="ephemeral", text=messages.HELP)
            return
        if not parsed.link.joinable_by_url:
            ack(response_type="ephemeral", text=messages.huddle_not_supported())
            return
        # Saved before the ack, so a crash right after it cannot lose the request.
        recording = recorder.request(
            RecordingRequest(
                team_id=command["team_id"],
                enterprise_id=command.get("enterprise_id") or None,
                channel_id=command["channel_id"],
                user_id=command["user_id"],
                response_url=command.get("response_url"),
                link=parsed.link,
            )
        )
        ack(response_type="ephemeral", text=messages.accepted(recording))
        recorder.start_soon(recording.id)
