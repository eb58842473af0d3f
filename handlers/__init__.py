"""Bolt listeners, grouped by Slack surface. They translate Slack payloads into calls on the
domain (bot/) and replies back; they never talk SQL or build Recall requests themselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import App

from bot.controls import Controls
from bot.recorder import Recorder
from bot.store import Store
from handlers import actions, commands, errors, events


def register_listeners(
    app: App,
    recorder: Recorder,
    controls: Controls,
    store: Store,
    clock: Callable[[], datetime],
) -> None:
    commands.register(app, recorder, controls, clock)
    actions.register(app, controls)
    events.register(app, store, clock)
    errors.register(app)
