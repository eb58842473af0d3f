"""Buttons on the status message. Every press is acknowledged at once; the answer (only the
presser sees it) comes from a lazy listener, because checking for an admin may need Slack's
users.info."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.workflow.controls import Actor
from handlers.commands import SORRY_LATER
from handlers.services import services

log = logging.getLogger(__name__)


def register(app: App) -> None:
    # A link button still sends an interaction that must be acknowledged.
    app.action("open_recording")(acknowledge)
    for action_id in ("stop_recording", "cancel_recording"):
        app.action(action_id)(ack=acknowledge, lazy=[stop_pressed])


def acknowledge(ack: Ack) -> None:
    ack()


def stop_pressed(
    action: dict[str, Any], body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    # The workspaces the press names (Bolt reads `team.id` from the signed payload): the
    # user id alone could be someone else's in another workspace.
    user = body["user"]
    actor = Actor(context.team_id, user["id"], context.enterprise_id, user.get("team_id"))
    try:
        text = services(context).controls.stop(action.get("value", ""), actor)
    except Exception:
        log.exception("answering a Stop press failed")
        text = SORRY_LATER
    respond(response_type="ephemeral", replace_original=False, text=text)
