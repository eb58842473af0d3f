"""Bolt listeners, grouped by Slack surface. They translate Slack payloads into calls on the
domain (bot/) and replies back; they never talk SQL or build Recall requests themselves."""

from __future__ import annotations

from slack_bolt import App

from bot.recorder import Recorder
from handlers import actions, commands, errors


def register_listeners(app: App, recorder: Recorder) -> None:
    commands.register(app, recorder)
    actions.register(app)
    errors.register(app)
