"""The Bolt listeners as plain functions: called with a context holding the app's services, as
Bolt would call them, but without HTTP, signatures or Bolt's dispatch in between."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext

from bot.model.lifecycle import State
from bot.slack.messages import HELP
from handlers import actions, commands, events
from handlers.services import CONTEXT_KEY
from tests.conftest import App

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"


class Said:
    """Bolt's `ack` or `respond`: what the listener said, and how."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)

    @property
    def texts(self) -> list[str]:
        return [call.get("text", "") for call in self.calls]


def context(app: App, **values: Any) -> BoltContext:
    return BoltContext({CONTEXT_KEY: app.runtime.listener_services, **values})


def command(text: str, **fields: str) -> dict[str, str]:
    return {
        "command": "/record",
        "text": text,
        "team_id": "T0001",
        "channel_id": "C0CHAN1",
        "user_id": "U0USER1",
        "team_domain": "acme",
        "response_url": "https://hooks.slack.com/commands/T0001/1/x",
        **fields,
    }


def test_record_saves_the_request_and_answers_privately(app: App) -> None:
    ack = Said()
    commands.answer(ack=ack, command=command(ZOOM), context=context(app))

    assert ack.calls[0]["response_type"] == "ephemeral"
    assert ack.texts[0].startswith("Sending a recorder to your Zoom meeting.")
    app.wait_idle()
    assert app.recording().request.meeting_url == ZOOM
    assert app.recording().state == State.JOINING  # the worker pool created the bot


def test_help_and_bad_input_are_answered_at_once_and_save_nothing(app: App) -> None:
    help_ack, bad_ack = Said(), Said()
    commands.answer(ack=help_ack, command=command("help"), context=context(app))
    commands.answer(ack=bad_ack, command=command("--layout huge " + ZOOM), context=context(app))

    assert help_ack.texts == [HELP]
    assert "layout" in bad_ack.texts[0]
    assert list(app.runtime.store.recordings.all()) == []


def test_stop_is_acknowledged_at_once_and_answered_later(app: App) -> None:
    ack, respond = Said(), Said()
    commands.answer(ack=ack, command=command("stop"), context=context(app))
    assert ack.calls == [{}]  # nothing yet: the lazy listener answers

    commands.act_later(command=command("stop"), respond=respond, context=context(app))
    assert respond.texts == ["Nothing is being recorded from this channel right now."]
    assert respond.calls[0]["response_type"] == "ephemeral"


def test_stop_pressed_from_another_workspace_is_refused(app: App) -> None:
    commands.answer(ack=Said(), command=command(ZOOM), context=context(app))
    app.wait_idle()
    rec = app.recording()
    respond = Said()

    actions.stop_pressed(
        action={"value": rec.id},
        body={"user": {"id": "U0USER1", "team_id": "T0999"}},
        respond=respond,
        context=context(app, team_id="T0999"),
    )

    assert "another Slack workspace" in respond.texts[0]
    assert app.recording().stop.requested_at is None


def test_uninstall_pauses_posting_to_the_workspace(app: App) -> None:
    events.app_uninstalled(context=context(app, team_id="T0001"), logger=logging.getLogger("test"))
    block = app.runtime.store.workspaces.slack_block("T0001")
    assert block is not None and block[0] == "app_uninstalled"


def test_search_is_acknowledged_at_once_and_answered_later(app: App) -> None:
    ack, respond = Said(), Said()
    commands.answer(ack=ack, command=command("search budget"), context=context(app))
    assert ack.calls == [{}]

    commands.act_later(command=command("search budget"), respond=respond, context=context(app))

    assert respond.texts == [
        "No recording of this channel mentions budget. "
        "(Only finished recordings with a transcript are searched.)"
    ]
    assert respond.calls[0]["response_type"] == "ephemeral"


def test_a_search_that_fails_gets_an_apology_not_a_trace(app: App) -> None:
    app.runtime.store.database.db.execute("DROP TABLE transcript_scopes")
    respond = Said()

    commands.act_later(command=command("search budget"), respond=respond, context=context(app))

    assert respond.texts == [commands.SORRY_LATER]
