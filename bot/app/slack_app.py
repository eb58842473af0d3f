"""The Bolt app: signature checks, authorization, and our listeners, for each way of connecting.

- One workspace over HTTP, or over Socket Mode: the bot token from the environment. A local
  authorize function supplies it, so answering a slash command never waits on Slack's API.
- Many workspaces: Bolt's OAuth flow, authorizing each request from the installation store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.oauth.callback_options import FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.slack.replays import request_key
from bot.store import Store
from bot.store.slack_requests import SlackRequests
from handlers import register_listeners
from handlers.services import CONTEXT_KEY, Services

log = logging.getLogger(__name__)

# Bolt runs listeners on this pool and holds the HTTP thread until `ack()`; our listeners only
# touch SQLite before acking, but a roomy pool keeps a burst from queueing behind itself.
LISTENER_THREADS = 32


class _IgnoreEnvTokenWarning(logging.Filter):
    """Bolt warns that the SLACK_BOT_TOKEN it finds in the environment is unused because we
    pass our own client and authorize function; that is intended, so the warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_IgnoreEnvTokenWarning())


@dataclass(frozen=True)
class SlackConnection:
    """How this process talks to Slack (from Settings.slack_mode)."""

    api_url: str
    signing_secret: str | None = None  # HTTP requests are verified with it
    bot_token: str | None = None  # one workspace
    oauth: OAuthSettings | None = None  # many workspaces


def _before_every_listener(
    app: App, requests: SlackRequests, services: Services, clock: Callable[[], datetime]
) -> None:
    """One global middleware (each costs Bolt a round of argument building), after the
    signature check and authorization, before every listener:

    - a request Slack sent once is acted on once: a repeat (a replay, or Slack retrying an
      event) is acknowledged and dropped (bot/slack/replays.py names each request);
    - every listener finds the app's services in its `context` (handlers/services.py).
    """

    def before_listeners(
        request: BoltRequest,
        body: dict[str, Any],
        context: BoltContext,
        next: Callable[[], None],
    ) -> BoltResponse | None:
        key = request_key(body, request.headers, request.raw_body)
        if not requests.first_time(key, clock()):
            log.warning("a Slack request came again (same %s); ignored", key.partition(":")[0])
            return BoltResponse(status=200, body="")
        context[CONTEXT_KEY] = services
        next()
        return None

    app.middleware(before_listeners)


def build_slack_app(
    *,
    connection: SlackConnection,
    services: Callable[[App], Services],
    store: Store,
    clock: Callable[[], datetime],
) -> App:
    """The Bolt app, its middleware and our listeners. `services` builds what the listeners
    use, given the app (its installation store, in the multi-workspace mode)."""
    common = {
        "client": WebClient(base_url=connection.api_url, timeout=10),
        "listener_executor": ThreadPoolExecutor(
            max_workers=LISTENER_THREADS, thread_name_prefix="bolt"
        ),
        # Slack retries nothing for slash commands; unmatched requests should just 404.
        "raise_error_for_unhandled_request": False,
        # Our answer functions do only local work, so the response can wait for them: no
        # hand-off to a pool thread and back (Bolt polls for that every 10 ms).
        "process_before_response": True,
        # The web side checks every request's signature on the raw bytes before anything
        # parses them (bot/web/slack_routes.py), and Socket Mode has none to check: Bolt
        # checking again would only cost time.
        "request_verification_enabled": False,
        # We listen to no message events, so none of our own can loop back.
        "ignoring_self_events_enabled": False,
    }
    if connection.oauth is not None:
        app = App(
            signing_secret=connection.signing_secret, oauth_settings=connection.oauth, **common
        )
    else:
        token = connection.bot_token

        def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

        app = App(signing_secret=connection.signing_secret or "", authorize=authorize, **common)
    _before_every_listener(app, store.slack_requests, services(app), clock)
    register_listeners(app)
    if app.oauth_flow is not None:
        installed = app.oauth_flow.success_handler

        def on_installed(args: SuccessArgs) -> BoltResponse:
            # A (re)install brings a working token: posting to that workspace resumes at once,
            # and a pause of its whole Grid org lifts too (a workspace of it still without a
            # token is paused again on its own by the first post Slack refuses).
            found = args.installation
            team_id = found.team_id or found.enterprise_id or ""
            store.workspaces.unblock_slack(team_id, found.enterprise_id)
            # The final notices put off until the pause's end are due at once instead.
            store.recordings.make_notices_due(
                [t for t in (team_id, found.enterprise_id) if t], clock()
            )
            return installed(args)

        app.oauth_flow.success_handler = on_installed
        refused = app.oauth_flow.failure_handler

        def on_refused(args: FailureArgs) -> BoltResponse:
            # A state we did not issue (forged, reused, expired) is a bad request, not a
            # missing login: Bolt suggests 401, which asks a browser for credentials.
            if args.suggested_status_code == 401:
                args.suggested_status_code = 400
            return refused(args)

        app.oauth_flow.failure_handler = on_refused
    return app
