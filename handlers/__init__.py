"""Bolt listeners, grouped by Slack surface: plain functions that turn Slack payloads into
calls on the domain (bot/) and replies back; they never talk SQL or build Recall requests."""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, commands, errors, events


def register_listeners(app: App) -> None:
    commands.register(app)
    actions.register(app)
    events.register(app)
    errors.register(app)
