"""SQLite: the database file, one repository per table, and the migrations that shape them."""

from __future__ import annotations

from pathlib import Path

from bot.store.database import Database
from bot.store.oauth_states import OAuthStates
from bot.store.recording_events import RecordingEvents
from bot.store.recordings import Recordings
from bot.store.recoveries import Recoveries
from bot.store.slack_requests import SlackRequests
from bot.store.transcript_lines import TranscriptLines
from bot.store.transcripts import Transcripts
from bot.store.webhook_deliveries import WebhookDeliveries
from bot.store.workspaces import Workspaces
from bot.store.zoom_accounts import ZoomAccounts
from bot.store.zoom_handshakes import ZoomHandshakes


class Store:
    """The database and its tables, one repository each."""

    def __init__(self, path: Path | str):
        self.database = Database(path)
        self.recordings = Recordings(self.database)
        self.events = RecordingEvents(self.database)
        self.workspaces = Workspaces(self.database)
        self.webhook_deliveries = WebhookDeliveries(self.database)
        self.slack_requests = SlackRequests(self.database)
        self.oauth_states = OAuthStates(self.database)
        self.zoom_accounts = ZoomAccounts(self.database)
        self.zoom_handshakes = ZoomHandshakes(self.database)
        self.recoveries = Recoveries(self.database)
        self.transcripts = Transcripts(self.database, TranscriptLines(self.database))

    @property
    def path(self) -> Path:
        return self.database.path

    def migrate(self) -> None:
        self.database.migrate()

    def close(self) -> None:
        """Close this thread's connection."""
        self.database.close()
