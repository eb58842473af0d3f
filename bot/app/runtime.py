"""Wiring: build every long-lived object from `Settings`, start and stop the background work.

Nothing here runs at import. The web app calls `start()` once, in its lifespan startup
(bot/web/app.py); `stop()` runs at its shutdown (SIGTERM on deploy).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.app.config import Settings
from bot.app.scheduler import Scheduler
from bot.app.slack_app import SlackConnection, build_slack_app
from bot.model.times import utcnow
from bot.recall.client import DEFAULT_TIMEOUT, RecallClient, make_http_client
from bot.recall.downloads import MediaDownloads
from bot.recall.payload import BotDefaults
from bot.recall.rate_budget import RateBudget
from bot.recall.webhooks import WebhookVerifier
from bot.slack.clients import Installations, OneWorkspace, SlackClients, background_client
from bot.slack.directory import SlackDirectory
from bot.slack.install import installation_store, oauth_settings
from bot.slack.posting import SlackNotifier
from bot.slack.status_message import LinkStyle
from bot.store import Store
from bot.store.oauth_states import SignedStateStore
from bot.workflow.context import RecorderPolicy, StepContext
from bot.workflow.controls import Controls
from bot.workflow.housekeeping import forget_what_no_longer_matters
from bot.workflow.intake import Intake
from bot.workflow.media_links import MediaLinks
from bot.workflow.polling import PollJob
from bot.workflow.slack_sync import SlackSync
from bot.workflow.steps import Steps
from bot.workflow.survey import Survey
from bot.workflow.transcript_search import TranscriptSearch
from bot.workflow.transcripts import TranscriptWork
from bot.workflow.webhook_intake import WebhookIntake
from bot.workflow.workers import Workers
from handlers.services import Services

log = logging.getLogger(__name__)

# SIGTERM to exit: running steps get this long to finish, well within the 30 s a Procfile host
# allows before SIGKILL.
STOP_TIMEOUT = 8.0


class Runtime:
    def __init__(
        self,
        settings: Settings,
        *,
        recall_transport: httpx.BaseTransport | None = None,
        recall_timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self.clock = clock
        self.store = Store(settings.database_path)
        self.recall = RecallClient(
            make_http_client(
                settings.recall_api_base_url,
                settings.recall_api_key,
                recall_transport,
                recall_timeout,
            ),
            # On the app's clock, so a test's simulated minutes refill it like real ones.
            RateBudget(settings.recall_rate_share, clock=lambda: clock().timestamp(), sleep=sleep),
        )
        self.clients, connection = _connect_to_slack(settings, self.store, clock)
        self.notifier = SlackNotifier(self.clients)
        self.users = SlackDirectory(self.clients)
        self.workers = Workers()
        policy = _policy(settings)
        links = LinkStyle(settings.public_base_url, embed=settings.video_embed)
        self.downloads = MediaDownloads()
        self.transcript_work = TranscriptWork(
            store=self.store,
            recall=self.recall,
            downloads=self.downloads,
            provider=settings.transcript_provider,
            workers=self.workers,
            work_on_soon=lambda recording_id: self.steps.soon(recording_id),
            clock=clock,
        )
        self.steps = Steps(
            StepContext(
                recordings=self.store.recordings,
                recall=self.recall,
                slack=SlackSync(self.store, self.notifier, links),
                users=self.users,
                policy=policy,
                sleep=sleep,
                transcripts=self.transcript_work,
            ),
            self.workers,
            clock,
        )
        self.transcripts = self.store.transcripts
        self.search = TranscriptSearch(self.store, links)
        self.survey = Survey(self.recall, self.store.recordings) if policy.survey else None
        self.intake = Intake(self.store.recordings, policy, clock)
        self.controls = Controls(self.store.recordings, self.steps.soon, self.users, clock)
        self.media = MediaLinks(self.store.recordings, self.recall, clock)
        self.events = self.store.events
        self.webhooks = (
            WebhookIntake(
                WebhookVerifier(settings.recall_webhook_secret),
                self.store.recordings,
                self.store.webhook_deliveries,
                self.steps.soon,
                clock,
                self.transcript_work,
            )
            if settings.recall_webhook_secret
            else None
        )
        self.poll_job = PollJob(self.steps, self.survey, clock)
        self.scheduler = Scheduler(
            poll=self.poll_job,
            poll_interval=policy.poll_interval,
            heartbeat=lambda: self.store.recordings.extend_held_leases(clock() + policy.lease),
            lease=policy.lease,
            housekeeping=lambda: forget_what_no_longer_matters(self.store, clock()),
            transcripts=self.transcript_work.follow_due,
            after_each_run=self.store.close,
            clock=clock,
        )
        self.slack_app = build_slack_app(
            connection=connection, services=self._listener_services, store=self.store, clock=clock
        )
        self.socket_mode: SocketModeHandler | None = None

    @property
    def slack_over_http(self) -> bool:
        return self.settings.slack_mode != "socket"

    @property
    def signing_secret(self) -> str | None:
        return self.settings.slack_signing_secret

    def _listener_services(self, app: App) -> Services:
        self.listener_services = Services(
            intake=self.intake,
            work_on_soon=self.steps.soon,
            controls=self.controls,
            workspaces=self.store.workspaces,
            installations=app.installation_store,
            clock=self.clock,
            search=self.search,
        )
        return self.listener_services

    def start(self) -> None:
        """Apply migrations, then start the poller; it first resumes whatever is open."""
        self.store.migrate()
        if not self.settings.public_base_url:
            log.warning(
                "PUBLIC_BASE_URL is not set: recordings are posted with Recall's own link, "
                "which stops working after about 5 hours"
            )
        self.scheduler.start()
        if self.settings.slack_mode == "socket":
            self._connect_socket_mode()
        log.info(
            "slack-record ready (%s): %d open recording(s)",
            SLACK_MODES[self.settings.slack_mode],
            self.store.recordings.count_open(),
        )

    def _connect_socket_mode(self) -> None:
        """Slack's requests come over a WebSocket the app opens: no public URL needed."""
        self.socket_mode = SocketModeHandler(
            self.slack_app,
            self.settings.slack_app_token,
            web_client=WebClient(base_url=self.settings.slack_api_url, timeout=10),
        )
        try:
            self.socket_mode.connect()
        except Exception as exc:  # the client keeps retrying by itself once it has a URL
            log.error("Socket Mode: could not connect to Slack yet (%s)", type(exc).__name__)

    def health(self) -> tuple[dict[str, Any], bool]:
        """What `GET /healthz` shows, and whether all is well (the database answers)."""
        try:
            open_recordings: int | None = self.store.recordings.count_open()
        except sqlite3.Error:
            log.exception("health check: database unavailable")
            open_recordings = None
        database_ok = open_recordings is not None
        body = {
            "status": "ok" if database_ok else "error",
            "database": "ok" if database_ok else "unavailable",
            "scheduler": "running" if self.scheduler.running else "stopped",
            "open_recordings": open_recordings,
        }
        return body, database_ok

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop taking background work; let running steps finish within `timeout` seconds.

        Work that was queued but not started is dropped: its row is still due in SQLite and
        the next start picks it up. A step still running at the end keeps its lease until it
        expires, then another process (or the next start) resumes it.
        """
        deadline = time.monotonic() + timeout
        if self.socket_mode is not None:
            self.socket_mode.close()
        self.scheduler.shutdown()
        finished = self.poll_job.stop(timeout * 0.6)
        log.info("poller stopped" if finished else "poller stopped; a step was left running")
        self.workers.shutdown()
        self.workers.wait(max(0.0, deadline - time.monotonic()))
        self.recall.close()
        self.downloads.close()


SLACK_MODES = {
    "http": "one workspace, HTTP",
    "socket": "one workspace, Socket Mode",
    "oauth": "installable in many workspaces",
}


def _connect_to_slack(
    settings: Settings, store: Store, clock: Callable[[], datetime]
) -> tuple[SlackClients, SlackConnection]:
    """Which tokens post for which workspace, and how Bolt authorizes Slack's requests."""
    if settings.slack_mode != "oauth":
        token = settings.slack_bot_token or ""
        clients = OneWorkspace(background_client(token, settings.slack_api_url))
        return clients, SlackConnection(
            api_url=settings.slack_api_url,
            signing_secret=settings.slack_signing_secret,
            bot_token=token,
        )
    installations = installation_store(settings.database_path, settings.slack_client_id or "")
    oauth = oauth_settings(
        client_id=settings.slack_client_id or "",
        client_secret=settings.slack_client_secret or "",
        public_base_url=settings.public_base_url,
        installations=installations,
        states=SignedStateStore(settings.slack_state_secret or "", store.oauth_states, clock),
    )
    return Installations(installations, settings.slack_api_url), SlackConnection(
        api_url=settings.slack_api_url, signing_secret=settings.slack_signing_secret, oauth=oauth
    )


def _policy(settings: Settings) -> RecorderPolicy:
    return RecorderPolicy(
        poll_interval=timedelta(seconds=settings.poll_interval_seconds),
        deadline=timedelta(hours=settings.recording_deadline_hours),
        recall_region=settings.recall_region,
        sweep_interval=(
            timedelta(seconds=settings.webhook_sweep_seconds)
            if settings.recall_webhook_secret
            else None
        ),
        bot=BotDefaults(
            bot_name=settings.bot_name,
            layout=settings.default_layout,
            waiting_room_timeout=settings.waiting_room_timeout_seconds,
            noone_joined_timeout=settings.noone_joined_timeout_seconds,
            everyone_left_timeout=settings.everyone_left_timeout_seconds,
            max_recording_seconds=settings.max_recording_minutes * 60,
            transcript_provider=settings.transcript_provider,
        ),
    )
