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
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import httpx
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.bot_request import BotDefaults
from bot.config import Settings
from bot.controls import Controls
from bot.media_links import MediaLinks
from bot.notifier import SlackNotifier, background_client
from bot.poller import Poller
from bot.rate_budget import RateBudget
from bot.recall import DEFAULT_TIMEOUT, RecallClient, make_http_client
from bot.recall_webhooks import WebhookIntake
from bot.recorder import Recorder, RecorderPolicy, utcnow
from bot.slack_app import SlackConnection, build_slack_app
from bot.slack_clients import Installations, OneWorkspace, SlackClients
from bot.slack_directory import SlackDirectory
from bot.slack_install import SignedStateStore, installation_store, oauth_settings
from bot.slack_sync import SlackSync
from bot.status_message import LinkStyle
from bot.store import Store

log = logging.getLogger(__name__)

# Threads that create Recall bots right after a /record (the poller is the safety net).
RECORDING_WORKERS = 8
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
        self.workers = ThreadPoolExecutor(
            max_workers=RECORDING_WORKERS, thread_name_prefix="recording"
        )
        interval = timedelta(seconds=settings.poll_interval_seconds)
        self.recorder = Recorder(
            self.store,
            self.recall,
            SlackSync(
                self.store,
                self.notifier,
                LinkStyle(settings.public_base_url, embed=settings.video_embed),
            ),
            self.users,
            RecorderPolicy(
                poll_interval=interval,
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
                ),
            ),
            executor=self.workers,
            clock=clock,
            sleep=sleep,
        )
        self.controls = Controls(self.store, self.recorder, self.users, clock)
        self.media = MediaLinks(self.store, self.recall, clock)
        self.webhooks = (
            WebhookIntake(self.store, self.recorder, settings.recall_webhook_secret, clock)
            if settings.recall_webhook_secret
            else None
        )
        self.poller = Poller(self.recorder, interval, clock)
        self.slack_app = build_slack_app(
            connection=connection,
            recorder=self.recorder,
            controls=self.controls,
            store=self.store,
            clock=clock,
        )
        self.socket_mode: SocketModeHandler | None = None
        self._stopping = threading.Event()
        self._heartbeat = threading.Thread(
            target=self._renew_leases, args=(clock,), name="lease-heartbeat", daemon=True
        )

    def _renew_leases(self, clock: Callable[[], datetime]) -> None:
        """While we hold recordings (a step, or a batch waiting its turn), keep their leases."""
        lease = self.recorder.policy.lease
        while not self._stopping.wait(lease.total_seconds() / 3):
            try:
                self.store.extend_held_leases(clock() + lease)
            except sqlite3.Error:
                log.exception("could not renew leases; they will run out and be retried")

    def start(self) -> None:
        """Apply migrations, then start the poller; it first resumes whatever is open."""
        self.store.migrate()
        if not self.settings.public_base_url:
            log.warning(
                "PUBLIC_BASE_URL is not set: recordings are posted with Recall's own link, "
                "which stops working after about 5 hours"
            )
        self.poller.start()
        self._heartbeat.start()
        if self.settings.slack_mode == "socket":
            self._connect_socket_mode()
        log.info(
            "slack-record ready (%s): %d open recording(s)",
            SLACK_MODES[self.settings.slack_mode],
            self.store.count_open(),
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
            open_recordings: int | None = self.store.count_open()
        except sqlite3.Error:
            log.exception("health check: database unavailable")
            open_recordings = None
        database_ok = open_recordings is not None
        body = {
            "status": "ok" if database_ok else "error",
            "database": "ok" if database_ok else "unavailable",
            "scheduler": "running" if self.poller.running else "stopped",
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
        self._stopping.set()
        self.poller.shutdown(timeout=timeout * 0.6)
        self.workers.shutdown(wait=False, cancel_futures=True)
        self.recorder.wait_for_background(max(0.0, deadline - time.monotonic()))
        self.recall.close()


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
        states=SignedStateStore(settings.slack_state_secret or "", store, clock),
    )
    return Installations(installations, settings.slack_api_url), SlackConnection(
        api_url=settings.slack_api_url, signing_secret=settings.slack_signing_secret, oauth=oauth
    )
