"""`/record`: answer within Slack's 3 seconds; slow work (Recall, users.info) after the ack."""

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
from bot.controls import Controls
from bot.recorder import Recorder, RecordingRequest
from bot.slack_directory import SlackDirectory


def register(
    app: App,
    recorder: Recorder,
    controls: Controls,
    directory: SlackDirectory,
    clock: Callable[[], datetime],
) -> None:
    @app.command("/record")
    def record(ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
        try:
            parsed = parse_command(command.get("text"), clock())
        except CommandError as exc:
            ack(response_type="ephemeral", text=str(exc))
            return
        team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
        if isinstance(parsed, HelpCommand):
            ack(response_type="ephemeral", text=messages.HELP)
        elif isinstance(parsed, ListCommand):
            ack(response_type="ephemeral", text=controls.listing(team, channel))
        elif isinstance(parsed, DeleteCommand):
            ack()  # may need users.info to check for an admin: answer after the ack
            respond(response_type="ephemeral", text=controls.delete(team, user, parsed.target))
        elif isinstance(parsed, StopCommand):
            ack()  # may need users.info to check for an admin: answer after the ack
            answer = controls.stop_from_command(team, channel, user, parsed.link)
            respond(response_type="ephemeral", text=answer)
        elif not parsed.link.joinable_by_url:
            ack(response_type="ephemeral", text=messages.huddle_not_supported())
        else:
            _record(ack, respond, recorder, directory, command, parsed)


def _record(
    ack: Ack,
    respond: Respond,
    recorder: Recorder,
    directory: SlackDirectory,
    command: dict[str, Any],
    parsed: RecordCommand,
) -> None:
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
    recorder.start_soon(recording.id)
    # After the ack (it may ask Slack): warn now if this conversation won't take our messages.
    if directory.can_post_in(recording.team_id, recording.channel_id) is False:
        respond(response_type="ephemeral", text=messages.cannot_post_here())
