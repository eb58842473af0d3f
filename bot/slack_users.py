"""What we need to know about Slack users: their time zone (`--at 14:30`) and whether they
are a workspace admin or owner (who may stop anyone's recording). Answers are cached for an
hour: both change rarely, and `users.info` is rate limited."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

log = logging.getLogger(__name__)

CACHE_SECONDS = 3600


class SlackUsers:
    def __init__(self, client: WebClient, clock: Callable[[], float] = time.monotonic):
        self._client = client
        self._clock = clock
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def timezone(self, user_id: str) -> ZoneInfo | None:
        """The user's Slack time zone; None if Slack can't tell us."""
        name = self._user(user_id).get("tz")
        try:
            return ZoneInfo(name) if isinstance(name, str) and name else None
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown time zone %r for user %s", name, user_id)
            return None

    def display_name(self, user_id: str) -> str | None:
        """How Slack shows the user: display name, else real name, else handle."""
        user = self._user(user_id)
        profile = user.get("profile") or {}
        for name in (profile.get("display_name"), profile.get("real_name"), user.get("real_name")):
            if isinstance(name, str) and name.strip():
                return name.strip()
        return user.get("name") if isinstance(user.get("name"), str) else None

    def is_admin(self, user_id: str) -> bool:
        user = self._user(user_id)
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    def _user(self, user_id: str) -> dict[str, Any]:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(user_id)
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            user = self._client.users_info(user=user_id).get("user") or {}
        except (SlackClientError, OSError) as exc:
            # Not cached: the next question asks Slack again.
            log.warning("users.info failed for %s (%s)", user_id, type(exc).__name__)
            return {}
        with self._lock:
            self._cache[user_id] = (now, user)
        return user
