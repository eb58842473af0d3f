"""How `Settings` become the parts' own configuration: which Slack tokens post where and how
Bolt authorizes requests, the recorder's policy, and the Zoom connections (when configured).
bot/app/runtime.py builds the long-lived objects from these."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from bot.app.config import Settings
from bot.app.slack_app import SlackConnection
from bot.model.consent import MeetingPolicy
from bot.recall.payload import BotDefaults
from bot.slack.clients import Installations, OneWorkspace, SlackClients, background_client
from bot.slack.install import installation_store, oauth_settings
from bot.store import Store
from bot.store.oauth_states import SignedStateStore
from bot.workflow.context import RecorderPolicy
from bot.workflow.zoom_connections import ZoomConnections, ZoomSetup
from bot.zoom.api import ZoomApi
from bot.zoom.oauth import ZoomOAuth


def connect_to_slack(
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


def recorder_policy(settings: Settings) -> RecorderPolicy:
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
            public_base_url=settings.public_base_url,
            transcript_provider=settings.transcript_provider,
        ),
        meeting=MeetingPolicy(
            consent=settings.meeting.consent,
            retention_hours=settings.meeting.retention_hours,
            can_hear_chat=bool(settings.public_base_url),
            zoom_on_behalf=settings.meeting.zoom_on,
        ),
    )


def zoom_connections(
    settings: Settings, store: Store, http: httpx.Client | None, clock: Callable[[], datetime]
) -> ZoomConnections | None:
    """Connected Zoom accounts, when the app has Zoom credentials."""
    meeting = settings.meeting
    if http is None or not (meeting.zoom_client_id and meeting.zoom_client_secret):
        return None
    oauth = ZoomOAuth(
        http,
        client_id=meeting.zoom_client_id,
        client_secret=meeting.zoom_client_secret,
        base_url=meeting.zoom_oauth_base_url,
        clock=clock,
    )
    setup = ZoomSetup(
        oauth, ZoomApi(http, meeting.zoom_api_base_url), settings.public_base_url or ""
    )
    return ZoomConnections(
        setup, store.zoom_accounts, store.zoom_handshakes, store.recordings, clock
    )
