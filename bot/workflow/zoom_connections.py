"""Connecting a Slack user's Zoom account, and minting the on-behalf-of (OBF) tokens Zoom has
required since March 2, 2026 of recorders joining meetings hosted outside the app's own Zoom
account. The token is only good while that user is in the meeting, and Zoom removes the
recorder when they leave.

    /record connect zoom          → connect_link(asker): PUBLIC_BASE_URL/zoom/connect?token=…
                                    (single-use, 10 minutes, tied to that Slack user)
    GET /zoom/connect?token=…     → start(token): a state tied to the same user, and Zoom's
                                    authorize URL to redirect to
    GET /zoom/oauth_redirect      → finish(state, code): the code exchanged, the tokens kept
    GET /zoom/obf?token=…         → on_behalf_token(token): for Recall, just before joining
    /record disconnect zoom       → disconnect(team, user): the tokens deleted and revoked

Tokens are refreshed when they expire (Zoom replaces the refresh token each time, so one user's
refreshes take turns), never logged, and deleted when Zoom refuses them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.model import callbacks
from bot.model.zoom_tokens import ZoomTokens
from bot.store.recordings import Recordings
from bot.store.zoom_accounts import ZoomAccounts
from bot.store.zoom_handshakes import Asker, ZoomHandshakes
from bot.zoom.api import ZoomApi
from bot.zoom.errors import ZoomCredentialsRefused, ZoomError, ZoomRefused
from bot.zoom.oauth import ZoomOAuth

log = logging.getLogger(__name__)

CONNECT_PATH = "/zoom/connect"
REDIRECT_PATH = "/zoom/oauth_redirect"


class ConnectProblem(Exception):
    """Connecting did not work; `status` for the page, the message in plain words."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ZoomSetup:
    oauth: ZoomOAuth
    api: ZoomApi
    public_base_url: str


class ZoomConnections:
    def __init__(
        self,
        setup: ZoomSetup,
        accounts: ZoomAccounts,
        handshakes: ZoomHandshakes,
        recordings: Recordings,
        clock: Callable[[], datetime],
    ):
        self._oauth = setup.oauth
        self._api = setup.api
        self._base = setup.public_base_url
        self._accounts = accounts
        self._handshakes = handshakes
        self._recordings = recordings
        self._clock = clock
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def connected(self, team_id: str, user_id: str) -> bool:
        return self._accounts.connected(team_id, user_id)

    def connect_link(self, asker: Asker) -> str:
        nonce = self._handshakes.issue("link", asker, self._clock())
        return f"{self._base}{CONNECT_PATH}?token={nonce}"

    def start(self, link_token: str) -> str | None:
        """Zoom's authorize URL for the user the link was given to; None for a link that is
        unknown, used or expired."""
        now = self._clock()
        asker = self._handshakes.take("link", link_token, now) if link_token else None
        if asker is None:
            return None
        state = self._handshakes.issue("state", asker, now)
        return self._oauth.authorize_url(self._base + REDIRECT_PATH, state)

    def finish(self, state: str, code: str) -> Asker:
        """Keep the tokens Zoom gives for `code`; whose they are. ConnectProblem otherwise."""
        now = self._clock()
        asker = self._handshakes.take("state", state, now) if state else None
        if asker is None:
            raise ConnectProblem(
                400,
                "This sign-in has expired or was already used. Type /record connect zoom "
                "in Slack for a new link.",
            )
        if not code:
            raise ConnectProblem(400, "Zoom sent no authorization. Try /record connect zoom again.")
        try:
            tokens = self._oauth.exchange(code, self._base + REDIRECT_PATH)
        except ZoomRefused as exc:
            log.info("Zoom refused an authorization code (%s)", type(exc).__name__)
            raise ConnectProblem(
                400, "Zoom did not accept this sign-in. Try /record connect zoom again."
            ) from exc
        except ZoomCredentialsRefused as exc:
            log.error("%s: check ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET", exc)
            raise ConnectProblem(
                502,
                "This app's Zoom connection is not set up correctly. Please tell whoever runs it.",
            ) from exc
        except ZoomError as exc:
            log.warning("connecting a Zoom account failed (%s)", exc)
            raise ConnectProblem(
                503,
                "Zoom could not be reached just now. Try /record connect zoom again in a minute.",
            ) from exc
        self._accounts.save(asker.team_id, asker.user_id, tokens, now)
        log.info("Zoom account connected for %s in %s", asker.user_id, asker.team_id)
        return asker

    def disconnect(self, team_id: str, user_id: str) -> bool:
        """Forget the user's tokens and ask Zoom to revoke them; False if none were kept."""
        with self._lock(team_id, user_id):
            tokens = self._accounts.forget(team_id, user_id)
        if tokens is None:
            return False
        try:
            self._oauth.revoke(tokens.access_token)
        except ZoomError as exc:  # forgotten here either way; Zoom's copy expires on its own
            log.info("revoking a Zoom token failed (%s)", type(exc).__name__)
        log.info("Zoom account disconnected for %s in %s", user_id, team_id)
        return True

    def on_behalf_token(self, token: str) -> str | None:
        """A fresh OBF token for the recording the callback token names, minted with its
        requester's Zoom account; None when there can be none (Recall is then answered 404)."""
        recording_id = callbacks.recording_id_of(token)
        rec = self._recordings.get(recording_id) if recording_id else None
        if rec is None or not callbacks.matches(token, rec.id, rec.in_meeting.callback_secret):
            return None
        if not rec.in_meeting.zoom_on_behalf or rec.state.is_final:
            return None
        team_id, user_id = rec.request.team_id, rec.request.user_id
        with self._lock(team_id, user_id):
            minted = self._mint(team_id, user_id)
        if minted is not None:
            log.info("recording %s: Zoom on-behalf-of token handed to Recall", rec.id)
        return minted

    def _mint(self, team_id: str, user_id: str) -> str | None:
        tokens = self._accounts.get(team_id, user_id)
        if tokens is not None and tokens.stale(self._clock()):
            tokens = self._refresh(team_id, user_id, tokens)
        for attempt in range(2):
            if tokens is None:
                return None
            try:
                return self._api.on_behalf_token(tokens.access_token)
            except ZoomRefused:
                # Expired or revoked early: one refresh, then one more try.
                tokens = self._refresh(team_id, user_id, tokens) if attempt == 0 else None
            except ZoomError as exc:
                log.warning("Zoom would not mint an on-behalf-of token (%s)", exc)
                return None
        self._accounts.forget(team_id, user_id)
        log.warning(
            "Zoom refused %s's tokens in %s even after a refresh; forgotten", user_id, team_id
        )
        return None

    def _refresh(self, team_id: str, user_id: str, tokens: ZoomTokens) -> ZoomTokens | None:
        try:
            fresh = self._oauth.refresh(tokens.refresh_token)
        except ZoomRefused:
            if self._accounts.forget_if_unchanged(team_id, user_id, tokens.refresh_token):
                log.warning(
                    "Zoom refused %s's tokens in %s (the app was removed in Zoom, or they "
                    "expired); forgotten until they connect again",
                    user_id,
                    team_id,
                )
            return None
        except ZoomCredentialsRefused as exc:
            log.error("%s: check ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET", exc)
            return None
        except ZoomError as exc:
            log.warning("refreshing a Zoom token failed (%s)", exc)
            return None
        self._accounts.save(team_id, user_id, fresh, self._clock())
        return fresh

    def _lock(self, team_id: str, user_id: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault((team_id, user_id), threading.Lock())
