"""`/record`: answered within Slack's 3 seconds; slow work after the answer.

The app runs Bolt with `process_before_response`: `answer`'s return *is* the HTTP response, so
it only does local work (parse, SQLite). What needs Slack's API (is the user an admin?) runs in
`act_later`, one of Bolt's lazy listeners, answering privately through the command's reply
hook; creating the Recall bot runs on the app's worker pool.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.model.grammar import (
    CommandError,
    ConnectCommand,
    DeleteCommand,
    DisconnectCommand,
    HelpCommand,
    ListCommand,
    RecordCommand,
    SearchCommand,
    StopCommand,
    parse_command,
)
from bot.slack import messages, zoom_words
from bot.store.zoom_handshakes import Asker
from bot.workflow.controls import Actor
from bot.workflow.intake import RecordingRequest
from handlers.search import answer_search
from handlers.services import Services, services

log = logging.getLogger(__name__)

SORRY_LATER = "Something went wrong on our side; please try again in a minute."


def register(app: App) -> None:
    # Stop, delete, disconnect and search answer from a lazy listener; every other /record
    # at once.
    # Two listeners, so that Bolt copies the request for a lazy one only when it is needed:
    # a copy costs about as much as saving the request itself.
    app.command("/record", matchers=[_is_control])(ack=answer, lazy=[act_later])
    app.command("/record")(answer)


def _is_control(command: dict[str, Any]) -> bool:
    """Does the text start with one of `CONTROL_WORDS`? Only routes the request: `answer` and
    `act_later` read the whole command."""
    first = (command.get("text") or "").split(maxsplit=1)[:1]
    return bool(first) and first[0].lower() in CONTROL_WORDS


# `disconnect` tells Zoom to revoke the tokens, and `search` reads the full-text index: work
# that does not belong before the ack.
CONTROL_WORDS = frozenset({"stop", "delete", "disconnect", "search"})


def answer(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """Slack's answer, within its 3 seconds: local work only."""
    app = services(context)
    try:
        parsed = parse_command(command.get("text"), app.clock())
    except CommandError as exc:
        ack(response_type="ephemeral", text=str(exc))
        return
    if isinstance(parsed, HelpCommand):
        ack(response_type="ephemeral", text=messages.HELP)
    elif isinstance(parsed, ListCommand):
        listing = app.controls.listing(command["team_id"], command["channel_id"])
        ack(response_type="ephemeral", text=listing)
    elif isinstance(parsed, StopCommand | DeleteCommand | SearchCommand):
        ack()  # the answer may need Slack (is this user an admin?): `act_later` gives it
    elif isinstance(parsed, ConnectCommand):
        ack(response_type="ephemeral", text=_connect(app, command))
    elif isinstance(parsed, DisconnectCommand):
        ack()  # `act_later` deletes the tokens and revokes them at Zoom
    elif not parsed.link.joinable_by_url:
        ack(response_type="ephemeral", text=messages.huddle_not_supported())
    else:
        _record(ack, app, command, parsed)


def act_later(command: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """After the answer: carry out `/record stop`, `delete` and `search`, answering privately."""
    app = services(context)
    try:
        parsed = parse_command(command.get("text"), app.clock())
    except CommandError:
        return  # `answer` already said what was wrong
    if not isinstance(parsed, StopCommand | DeleteCommand | DisconnectCommand | SearchCommand):
        return
    actor = Actor(command["team_id"], command["user_id"], command.get("enterprise_id") or None)
    try:
        if isinstance(parsed, SearchCommand):
            text = answer_search(app, command, parsed)
        elif isinstance(parsed, DisconnectCommand):
            text = _disconnect(app, command)
        elif isinstance(parsed, StopCommand):
            text = app.controls.stop_from_command(actor, command["channel_id"], parsed.link)
        else:
            text = app.controls.delete(actor, parsed.target)
    except Exception:
        log.exception("answering /record %s failed", type(parsed).__name__)
        text = SORRY_LATER
    respond(response_type="ephemeral", replace_original=False, text=text)


def _record(ack: Ack, app: Services, command: dict[str, Any], parsed: RecordCommand) -> None:
    # Saved before the ack, so a crash right after it cannot lose the request.
    recording, is_new = app.intake.request(
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
    text = messages.accepted(recording)
    if app.zoom is not None and not app.zoom.connected(
        recording.request.team_id, command["user_id"]
    ):
        hint = zoom_words.hint(recording)
        text += f"\n{hint}" if hint else ""
    ack(response_type="ephemeral", text=text)
    app.work_on_soon(recording.id, True)


def _connect(app: Services, command: dict[str, Any]) -> str:
    """`/record connect zoom`: a link only this user can use, once, for a few minutes."""
    if app.zoom is None:
        return zoom_words.not_set_up()
    asker = Asker(
        team_id=command["team_id"],
        user_id=command["user_id"],
        enterprise_id=command.get("enterprise_id") or None,
        team_domain=command.get("team_domain") or None,
    )
    return zoom_words.connect_link(app.zoom.connect_link(asker))


def _disconnect(app: Services, command: dict[str, Any]) -> str:
    if app.zoom is None:
        return zoom_words.not_set_up()
    return zoom_words.disconnected(app.zoom.disconnect(command["team_id"], command["user_id"]))
