"""Which Slack token to use for a workspace.

One workspace (HTTP or Socket Mode): the bot token from the environment, for everything.
Many workspaces (OAuth): the bot token Slack gave when that workspace installed the app,
looked up in the installation store; a workspace without one (uninstalled, revoked) raises
`SlackAuthRevoked`, which pauses posting there while its recordings are kept.
"""

from __future__ import annotations

import threading
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import InstallationStore

from bot.slack.errors import SlackAuthRevoked


def background_client(token: str, base_url: str) -> WebClient:
    """A WebClient for background posting: 10 s timeout; waits out 429s (nothing else)."""
    client = WebClient(token=token, base_url=base_url, timeout=10)
    client.retry_handlers = [RateLimitErrorRetryHandler(max_retry_count=2)]
    return client


class SlackClients(Protocol):
    def for_team(self, team_id: str, enterprise_id: str | None = None) -> WebClient: ...


class OneWorkspace:
    def __init__(self, client: WebClient):
        self._client = client

    def for_team(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        return self._client


class Installations:
    def __init__(self, installations: InstallationStore, base_url: str):
        self._installations = installations
        self._base_url = base_url
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def for_team(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        bot = self._installations.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise SlackAuthRevoked(f"slack-record is not installed in workspace {team_id}")
        # One client per token: a reinstall brings a new token, and with it a new client.
        with self._lock:
            client = self._clients.get(bot.bot_token)
            if client is None:
                client = background_client(bot.bot_token, self._base_url)
                self._clients[bot.bot_token] = client
        return client
