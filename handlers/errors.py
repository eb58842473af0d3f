"""The last line of defence: an unexpected error gets logged with its traceback once, and the
user gets a short apology instead of Slack's generic failure (never a stack trace)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse

SORRY = "Something went wrong on our side and nothing was started. Please try again in a minute."


def register(app: App) -> None:
    app.error(on_error)


def on_error(
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    logger: logging.Logger,
) -> BoltResponse | None:
    logger.error("unhandled error in a Slack listener", exc_info=error)
    if response is not None:
        # Not acknowledged yet: answer Slack's request with a friendly ephemeral line.
        return BoltResponse(status=200, body=SORRY)
    return None
