"""The Bolt app: signature checks, authorization, and our listeners.

Authorization is a local function rather than Bolt's default `auth.test` call, so answering a
slash command never waits on Slack's API (the 3-second budget stays ours).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.controls import Controls
from bot.recorder import Recorder
from bot.slack_directory import SlackDirectory
from handlers import register_listeners

# Bolt runs listeners on this pool and holds the HTTP thread until `ack()`; our listeners only
# touch SQLite before acking, but a roomy pool keeps a burst from queueing behind itself.
LISTENER_THREADS = 32


class _IgnoreEnvTokenWarning(logging.Filter):
    """Bolt warns that the SLACK_BOT_TOKEN it finds in the environment is unused because we
    pass our own client and authorize function; that is intended, so the warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_IgnoreEnvTokenWarning())


def build_slack_app(
    *,
    bot_token: str,
    signing_secret: str,
    slack_api_url: str,
    recorder: Recorder,
    controls: Controls,
    directory: SlackDirectory,
    clock: Callable[[], datetime],
) -> App:
    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=bot_token)

    app = App(
        signing_secret=signing_secret,
        client=WebClient(base_url=slack_api_url, timeout=10),
        authorize=authorize,
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_THREADS, thread_name_prefix="bolt"
        ),
        # Slack retries nothing for slash commands; unmatched requests should just 404.
        raise_error_for_unhandled_request=False,
    )
    register_listeners(app, recorder, controls, directory, clock)
    return app
