"""Buttons on the status message. Every press is acknowledged at once; the answer (only the
presser sees it) comes after, because checking for an admin may need Slack's users.info."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.controls import Actor, Controls


def register(app: App, controls: Controls) -> None:
    @app.action("open_recording")
    def open_recording(ack: Ack) -> None:
        ack()  # a link button still sends an interaction that must be acknowledged

    @app.action("stop_recording")
    @app.action("cancel_recording")
    def stop_recording(
        ack: Ack,
        respond: Respond,
        action: dict[str, Any],
        body: dict[str, Any],
        context: BoltContext,
    ) -> None:
        ack()
        # The workspaces the press names (Bolt reads `team.id` from the signed payload): the
        # user id alone could be someone else's in another workspace.
        user = body["user"]
        actor = Actor(context.team_id, user["id"], context.enterprise_id, user.get("team_id"))
        controls.later(controls.stop, action.get("value", ""), actor, respond)
