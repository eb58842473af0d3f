"""Wiring: build every long-lived object from `Settings`, start and stop the background work.

Nothing here runs at import. The web app calls `start()` once, in its lifespan startup
(bot/web/app.py); `stop()` runs at its shutdown (SIGTERM on deploy).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.app.config import METRICS_TOKEN_WEAK, Settings
from bot.app.metrics import Metrics
from bot.app.scheduler import Scheduler
from bot.app.settings_wiring import connect_to_slack, recorder_policy, zoom_connections
from bot.app.slack_app import build_slack_app
from bot.model.times import utcnow
from bot.recall.client import DEFAULT_TIMEOUT, RecallClient, make_http_client
from bot.recall.downloads import MediaDownloads
from bot.recall.rate_budget import RateBudget
from bot.recall.webhooks import WebhookVerifier
from bot.slack.directory import SlackDirectory
from bot.slack.posting import SlackNotifier
from bot.slack.status_message import LinkStyle
from bot.store import Store
from bot.workflow.context import StepContext
from bot.workflow.controls import Controls
from bot.workflow.expiry import make_expired_due
from bot.workflow.housekeeping import forget_what_no_longer_matters
from bot.workflow.intake import Intake
from bot.workflow.media_links import MediaLinks
from bot.workflow.meeting_chat import MeetingChat
from bot.workflow.polling import PollJob
from bot.workflow.recovery import Recovery, RecoveryReport, default_days
from bot.workflow.slack_sync import SlackSync
from bot.workflow.steps import Steps
from bot.workflow.survey import Survey
from bot.workflow.transcript_search import TranscriptSearch
from bot.workflow.transcripts import TranscriptWork
from bot.workflow.webhook_intake import WebhookIntake
from bot.workflow.workers import Workers
from bot.zoom.http import make_http_client as make_zoom_http_client
from handlers.services import Services

log = logging.getLogger(__name__)

# SIGTERM to exit: running steps get this long to finish, well within the 30 s a Procfile host
# allows before SIGKILL.
STOP_TIMEOUT = 8.0
# A rebuild at start that Recall cut short is tried again after this long.
RECOVERY_RETRY_SECONDS = 300.0


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
        # On the app's clock, so a test's simulated minutes refill it like real ones.
        budget = RateBudget(
            settings.recall_rate_share, clock=lambda: clock().timestamp(), sleep=sleep
        )
        self.metrics = Metrics(self.store, budget)
        self.recall = RecallClient(
            make_http_client(
                settings.recall_api_base_url,
                settings.recall_api_key,
                recall_transport,
                recall_timeout,
            ),
            budget,
            on_call=self.metrics.recall_call,
        )
        self.clients, connection = connect_to_slack(settings, self.store, clock)
        self.notifier = SlackNotifier(self.clients, on_post=self.metrics.slack_post)
        self.users = SlackDirectory(self.clients)
        self.workers = Workers()
        policy = recorder_policy(settings)
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
                slack=SlackSync(
                    self.store, self.notifier, links, on_ready_notice=self.metrics.ready_notice
                ),
                users=self.users,
                policy=policy,
                sleep=sleep,
                zoom_accounts=self.store.zoom_accounts,
                transcripts=self.transcript_work,
            ),
            self.workers,
            clock,
        )
        self.transcripts = self.store.transcripts
        self.search = TranscriptSearch(self.store, links, clock)
        self.survey = Survey(self.recall, self.store.recordings) if policy.survey else None
        self.intake = Intake(self.store.recordings, policy, clock)
        self.controls = Controls(self.store.recordings, self.steps.soon, self.users, clock)
        self.media = MediaLinks(self.store.recordings, self.recall, clock, self.steps.soon)
        self.events = self.store.events
        self.webhooks = (
            WebhookIntake(
                WebhookVerifier(settings.recall_webhook_secret),
                self.store.recordings,
                self.store.webhook_deliveries,
                self.steps.soon,
                clock,
                on_delivery=self.metrics.webhook_delivery,
                transcripts=self.transcript_work,
            )
            if settings.recall_webhook_secret
            else None
        )
        self.meeting_chat = MeetingChat(
            self.store.recordings, settings.meeting.chat_stop_phrase, self.steps.soon, clock
        )
        self.zoom_http = make_zoom_http_client() if settings.meeting.zoom_on else None
        self.zoom = zoom_connections(settings, self.store, self.zoom_http, clock)
        self._stopping = threading.Event()
        self.recovery = Recovery(
            self.recall,
            self.store,
            policy,
            clock,
            sleep,
            should_stop=self._stopping.is_set,
            transcripts=self.transcript_work,
        )
        self.poll_job = PollJob(self.steps, self.survey, clock)
        self.scheduler = Scheduler(
            poll=self.poll_job,
            poll_interval=policy.poll_interval,
            heartbeat=lambda: self.store.recordings.extend_held_leases(clock() + policy.lease),
            lease=policy.lease,
            housekeeping=lambda: forget_what_no_longer_matters(self.store, clock()),
            expiry=lambda: make_expired_due(self.store.recordings, self.steps.soon, clock()),
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

    @property
    def metrics_token(self) -> str | None:
        return self.settings.metrics_token

    def metrics_text(self, accept: str = "") -> tuple[bytes, str]:
        return self.metrics.exposition(accept)

    def command_answered(self, seconds: float) -> None:
        self.metrics.command_answered(seconds)

    def webhook_refused(self) -> None:
        self.metrics.webhook_delivery("refused")

    @property
    def recovery_days(self) -> float:
        return default_days(self.settings.meeting.retention_hours)

    def recover(self, days: float | None = None) -> RecoveryReport:
        """Rebuild the recordings of the last `days` days (default: the retention period)
        from Recall and Slack."""
        report = self.recovery.run(days or self.recovery_days)
        self.metrics.recordings_rebuilt(len(report.rebuilt))
        return report

    def _recover_at_start(self) -> None:
        """Until Recall has been read to the end: an outage at start must not leave the
        rebuild half done (what came back before it is kept; the next run adds the rest)."""
        while self.recover().trouble is not None:
            if self._stopping.wait(RECOVERY_RETRY_SECONDS):
                return

    def _listener_services(self, app: App) -> Services:
        self.listener_services = Services(
            intake=self.intake,
            work_on_soon=self.steps.soon,
            controls=self.controls,
            workspaces=self.store.workspaces,
            installations=app.installation_store,
            clock=self.clock,
            zoom=self.zoom,
            search=self.search,
        )
        return self.listener_services

    def start(self) -> None:
        """Apply migrations, then start the poller; it first resumes whatever is open."""
        self.store.migrate()
        if self.store.recoveries.rebuild_owed():
            # A new database, or a lost one (a host whose disk does not survive restarts), or
            # a rebuild cut short: what Recall and Slack know comes back, in the background.
            log.warning(
                "%s: rebuilding the recordings of the last %g days from Recall and Slack",
                "the database is new or was lost"
                if self.store.recoveries.nothing_yet()
                else "no rebuild from Recall has finished on this database yet",
                self.recovery_days,
            )
            if self.settings.slack_mode == "oauth":
                log.warning(OAUTH_NOT_REBUILT)
            self.workers.submit(self._recover_at_start, "rebuilding recordings from Recall")
        if self.settings.metrics_token_weak:
            log.warning(METRICS_TOKEN_WEAK)
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
        self._stopping.set()  # a rebuild in progress stops between two pages
        if self.socket_mode is not None:
            self.socket_mode.close()
        self.scheduler.shutdown()
        finished = self.poll_job.stop(timeout * 0.6)
        log.info("poller stopped" if finished else "poller stopped; a step was left running")
        self.workers.shutdown()
        self.workers.wait(max(0.0, deadline - time.monotonic()))
        self.recall.close()
        if self.zoom_http is not None:
            self.zoom_http.close()
        self.downloads.close()


OAUTH_NOT_REBUILT = (
    "Not rebuilt: the app's installations in Slack workspaces (OAuth mode) live only in the "
    "database. Each workspace must install the app again at /slack/install; until then nothing "
    "is posted there (recordings are followed, and their links work). Keep DATABASE_PATH on a "
    "persistent disk in this mode."
)

SLACK_MODES = {
    "http": "one workspace, HTTP",
    "socket": "one workspace, Socket Mode",
    "oauth": "installable in many workspaces",
}
