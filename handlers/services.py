"""What the listeners need from the app, handed to them in Bolt's `context` by a middleware
(bot/app/slack_app.py), so each listener is a plain module-level function that a test can call
with a context of its own, no HTTP needed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import BoltContext
from slack_sdk.oauth.installation_store import InstallationStore

from bot.store.workspaces import Workspaces
from bot.workflow.controls import Controls
from bot.workflow.intake import Intake
from bot.workflow.transcript_search import TranscriptSearch
from bot.workflow.zoom_connections import ZoomConnections

CONTEXT_KEY = "services"


@dataclass(frozen=True)
class Services:
    intake: Intake
    work_on_soon: Callable[[str, bool], None]  # (recording id, just requested)
    controls: Controls
    workspaces: Workspaces
    installations: InstallationStore | None  # many workspaces only
    clock: Callable[[], datetime]
    zoom: ZoomConnections | None = None  # Zoom accounts can be connected (ZOOM_CLIENT_ID)
    search: TranscriptSearch | None = None  # `/record search`

    def __deepcopy__(self, memo: dict[int, Any]) -> Services:
        # Bolt deep-copies the context for lazy listeners; these are the app's long-lived
        # services (threads, database connections), shared, never copied.
        return self


def services(context: BoltContext) -> Services:
    return context[CONTEXT_KEY]
