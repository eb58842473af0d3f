"""OAuth states for Slack's install flow: signed, single-use, short-lived (the table
`oauth_states`). slack-sdk's state-store interface, kept in our database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk.oauth.state_store import OAuthStateStore

from bot.store.database import Database
from bot.store.timestamps import ts

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)


class OAuthStates:
    """The table: each state's nonce and when it expires."""

    def __init__(self, database: Database):
        self._database = database

    def add(self, nonce: str, expires_at: datetime) -> None:
        self._database.write(
            "INSERT INTO oauth_states (nonce, expires_at) VALUES (?, ?)", [nonce, ts(expires_at)]
        )

    def take(self, nonce: str, now: datetime) -> bool:
        """Use a state up: True if it existed and was still fresh. Deleting it is what makes
        it single-use."""
        deleted = self._database.write(
            "DELETE FROM oauth_states WHERE nonce = ? AND expires_at > ?", [nonce, ts(now)]
        )
        return deleted == 1

    def forget_expired(self, now: datetime) -> int:
        """States nobody came back with (abandoned installs) are useless once expired."""
        return self._database.write("DELETE FROM oauth_states WHERE expires_at <= ?", [ts(now)])


class SignedStateStore(OAuthStateStore):
    """slack-sdk's state store for Bolt's OAuth flow: states signed (HMAC-SHA256 with
    SLACK_STATE_SECRET) and single-use."""

    def __init__(self, secret: str, states: OAuthStates, clock: Callable[[], datetime]):
        self._key = secret.encode()
        self._states = states
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: object, **kwargs: object) -> str:
        nonce = secrets.token_urlsafe(16)
        self._states.add(nonce, self._clock() + STATE_LIFETIME)
        return f"{nonce}.{self._sign(nonce)}"

    def consume(self, state: str) -> bool:
        nonce, _, signature = state.partition(".")
        # As bytes: a state (or cookie) can carry any character, and comparing non-ASCII text
        # raises instead of answering "no".
        expected = self._sign(nonce).encode()
        if not nonce or not hmac.compare_digest(signature.encode(errors="replace"), expected):
            return False
        return self._states.take(nonce, self._clock())

    def _sign(self, nonce: str) -> str:
        digest = hmac.new(self._key, nonce.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
