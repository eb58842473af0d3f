"""Buttons. A link button still sends Slack an interaction that must be acknowledged."""

from __future__ import annotations

from slack_bolt import Ack, App


def register(app: App) -> None:
    @app.action("open_recording")
    def open_recording(ack: Ack) -> None:
        ack()
