"""What we need to know from Slack's directory, cached for a while (both calls are rate limited
and the answers change rarely):
- users: their time zone (`--at 14:30`), whether they are a workspace admin or owner (who may
  stop or delete anyone's recording), and their display name (the watch page);
- channels: whether we will be able to post there later (`conversations.info`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.clients import SlackClients
from bot.slack.errors import SlackUnavailable

log = logging.getLogger(__name__)

CACHE_SECONDS = 3600
CHANNEL_CACHE_SECONDS = 600  # an invite should count soon after it happens


class SlackDirectory:
    """Per-workspace answers (user and channel ids are only unique within a workspace)."""

    def __init__(self, clients: SlackClients, clock: Callable[[], float] = time.monotonic):
        self._clients = clients
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._channels: dict[tuple[str, str], tuple[float, bool | None]] = {}
        self._lock = threading.Lock()

    def timezone(self, team_id: str, user_id: str) -> ZoneInfo | None:
        """The user's Slack time zone; None if Slack can't tell us."""
        name = self._user(team_id, user_id).get("tz")
        try:
            return ZoneInfo(name) if isinstance(name, str) and name else None
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown time zone %r for user %s", name, user_id)
            return None

    def display_name(self, team_id: str, user_id: str) -> str | None:
        """How Slack shows the user: display name, else real name, else handle."""
        user = self._user(team_id, user_id)
        profile = user.get("profile") or {}
        for name in (profile.get("display_name"), profile.get("real_name"), user.get("real_name")):
            if isinstance(name, str) and name.strip():
                return name.strip()
        return user.get("name") if isinstance(user.get("name"), str) else None

    def is_admin(self, team_id: str, user_id: str) -> bool:
        user = self._user(team_id, user_id)
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    def can_post_in(self, team_id: str, channel_id: str) -> bool | None:
        """Will a post to this conversation work? None if Slack won't say.

        A public channel works (we join it when posting). A private channel or a DM we are not
        part of is invisible to us (`channel_not_found`), and an archived one takes nothing.
        """
        now = self._clock()
        with self._lock:
            cached = self._channels.get((team_id, channel_id))
        if cached and now - cached[0] < CHANNEL_CACHE_SECONDS:
            return cached[1]
        try:
            client = self._clients.for_team(team_id)
            channel = client.conversations_info(channel=channel_id).get("channel") or {}
            answer: bool | None = not channel.get("is_archived")
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error not in ("channel_not_found", "not_in_channel"):
                log.info("conversations.info for %s failed (%s)", channel_id, error)
                return None
            answer = False
        except (SlackClientError, OSError, SlackUnavailable) as exc:
            log.info("conversations.info for %s failed (%s)", channel_id, type(exc).__name__)
            return None
        with self._lock:
            self._channels[(team_id, channel_id)] = (now, answer)
        return answer

    def _user(self, team_id: str, user_id: str) -> dict[str, Any]:
        now = self._clock()
        with self._lock:
            cached = self._cache.get((team_id, user_id))
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            client = self._clients.for_team(team_id)
            user = client.users_info(user=user_id).get("user") or {}
        except (SlackClientError, OSError, SlackUnavailable) as exc:
            # Not cached: the next question asks Slack again.
            log.warning("users.info failed for %s (%s)", user_id, type(exc).__name__)
            return {}
        with self._lock:
            self._cache[(team_id, user_id)] = (now, user)
        return user
