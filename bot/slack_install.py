"""Installing slack-record in many workspaces: Slack's OAuth flow, run by Bolt.

    GET /slack/install          "Add to Slack" (Bolt renders it; sets a state cookie)
    GET /slack/oauth_redirect   Slack sends the installer back here; Bolt swaps the code
                                for a bot token (oauth.v2.access) and saves the installation

Installations live in the same SQLite file, in slack-sdk's own SQLite installation store. The
OAuth `state` (which stops a forged callback) is signed with SLACK_STATE_SECRET and also
recorded, so each one works once and only for 10 minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from bot.recording import ts
from bot.store import Store

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
STATE_LIFETIME = timedelta(minutes=10)


class SignedStateStore(OAuthStateStore):
    """OAuth states that are signed (HMAC-SHA256 with our secret) and single-use."""

    def __init__(self, secret: str, store: Store, clock: Callable[[], datetime]):
        self._key = secret.encode()
        self._store = store
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: object, **kwargs: object) -> str:
        nonce = secrets.token_urlsafe(16)
        self._store.write(
            "INSERT INTO oauth_states (nonce, expires_at) VALUES (?, ?)",
            [nonce, ts(self._clock() + STATE_LIFETIME)],
        )
        return f"{nonce}.{self._sign(nonce)}"

    def consume(self, state: str) -> bool:
        nonce, _, signature = state.partition(".")
        # As bytes: a state (or cookie) can carry any character, and comparing non-ASCII text
        # raises instead of answering "no".
        expected = self._sign(nonce).encode()
        if not nonce or not hmac.compare_digest(signature.encode(errors="replace"), expected):
            return False
        # Deleting it is what makes it single-use; it must also still be fresh.
        deleted = self._store.write(
            "DELETE FROM oauth_states WHERE nonce = ? AND expires_at > ?",
            [nonce, ts(self._clock())],
        )
        return deleted == 1

    def _sign(self, nonce: str) -> str:
        digest = hmac.new(self._key, nonce.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def installation_store(database: Path, client_id: str) -> SQLite3InstallationStore:
    # It creates its tables (slack_installations, slack_bots) on first use.
    return SQLite3InstallationStore(database=str(database), client_id=client_id)


def oauth_settings(
    *,
    client_id: str,
    client_secret: str,
    public_base_url: str | None,
    installations: SQLite3InstallationStore,
    states: SignedStateStore,
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
