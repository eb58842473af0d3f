"""Installing slack-record in many workspaces: Slack's OAuth flow, run by Bolt.

    GET /slack/install          "Add to Slack" (Bolt renders it; sets a state cookie)
    GET /slack/oauth_redirect   Slack sends the installer back here; Bolt swaps the code
                                for a bot token (oauth.v2.access) and saves the installation

Installations live in the same SQLite file, in slack-sdk's own SQLite installation store. The
OAuth `state` (which stops a forged callback) is signed with SLACK_STATE_SECRET and also
recorded, so each one works once and only for 10 minutes.
"""

from __future__ import annotations

import logging
from pathlib import Path

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

log = logging.getLogger(__name__)

# The bot scopes slack-record asks for; manifest.yml must list exactly these (a test checks).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:join",
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
    "users:read",
    "links.embed:write",
)


def installation_store(database: Path, client_id: str) -> SQLite3InstallationStore:
    # It creates its tables (slack_installations, slack_bots) on first use.
    return SQLite3InstallationStore(database=str(database), client_id=client_id)


def oauth_settings(
    *,
    client_id: str,
    client_secret: str,
    public_base_url: str | None,
    installations: SQLite3InstallationStore,
    states: OAuthStateStore,
) -> OAuthSettings:
    return OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installations,
        state_store=states,
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        redirect_uri=f"{public_base_url}/slack/oauth_redirect" if public_base_url else None,
    )
