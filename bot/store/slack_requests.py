"""Slack requests already acted on (the table `slack_requests`), so a replay acts on nothing
(bot/slack/replays.py names each request)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.database import Database
from bot.store.timestamps import ts

# Slack accepts a timestamp up to 5 minutes off either way, so a request received at R can be
# replayed until R + 10 minutes at most; 5 more minutes cover clock steps on either side.
REPLAY_MEMORY = timedelta(minutes=15)


class SlackRequests:
    def __init__(self, database: Database):
        self._database = database

    def first_time(self, key: str, now: datetime) -> bool:
        """Remember a request's key; False if it was seen before (a replay or a retry)."""
        changed = self._database.write(
            "INSERT OR IGNORE INTO slack_requests (key, received_at) VALUES (?, ?)",
            [key, ts(now)],
        )
        return changed == 1

    def forget_before(self, moment: datetime) -> int:
        """Keys received before `moment` can no longer come back with a valid signature."""
        return self._database.write(
            "DELETE FROM slack_requests WHERE received_at < ?", [ts(moment)]
        )
