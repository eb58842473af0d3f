"""Shared by the benchmarks that run the app in-process on a simulated clock: the clock, and
the app's settings pointed at the local Slack and Recall fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import ROOT  # noqa: F401  (importing it puts the repository on sys.path)

from bot.app.config import Settings
from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack


class SimClock:
    """Time that moves only when told to: the app's clock, and (`sleep`) its waits."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def settings_for(
    slack: FakeSlack, recall: FakeRecall, database: Path, **overrides: Any
) -> Settings:
    """The app's settings against the fakes, with a database file of its own."""
    return Settings(
        **{
            "slack_bot_token": slack.bot_token,
            "slack_signing_secret": "bench",
            "recall_api_key": recall.api_key,
            "recall_api_base_url": recall.base_url,
            "slack_api_url": slack.api_url,
            "database_path": database,
            "public_base_url": "https://rec.example.com",
            **overrides,
        }
    )
