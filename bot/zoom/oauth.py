"""Zoom's OAuth 2.0 authorization-code flow for a "General app" (scope `user:read:token`):

    authorize_url(redirect_uri, state)   where the user's browser goes to approve the app
    exchange(code, redirect_uri)         the code Zoom sends back → tokens
    refresh(refresh_token)               new tokens; Zoom also replaces the refresh token
    revoke(token)                        the user disconnected: tell Zoom
    check_credentials()                  does Zoom accept ZOOM_CLIENT_ID/ZOOM_CLIENT_SECRET?

Each is one form POST to `ZOOM_OAUTH_BASE_URL/oauth/...` with the client id and secret as HTTP
Basic authentication, as Zoom's OAuth documentation describes; the answers are RFC 6749 JSON.
Plain httpx, on our own clock (a token's expiry is counted from `expires_in` with the app's
clock, which tests move) and with our own exception tree (bot/zoom/errors.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from bot.model.zoom_tokens import ZoomTokens
from bot.zoom.errors import (
    ZoomCredentialsRefused,
    ZoomError,
    ZoomRefused,
    ZoomUnavailable,
)
from bot.zoom.http import error_words, json_object, passing_trouble, rejected, send

SCOPE = "user:read:token"  # what minting OBF tokens needs, and all this app asks for
# What an RFC 6749 refusal of the user's grant (rather than of the app) says.
_GRANT_REFUSED = frozenset({"invalid_grant", "invalid_request", "access_denied"})


class ZoomOAuth:
    def __init__(
        self,
        http: httpx.Client,
        *,
        client_id: str,
        client_secret: str,
        base_url: str,
        clock: Callable[[], datetime],
    ):
        self._http = http
        self._auth = httpx.BasicAuth(client_id, client_secret)
        self._client_id = client_id
        self._base = base_url.rstrip("/")
        self._clock = clock

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )
        return f"{self._base}/oauth/authorize?{query}"

    def exchange(self, code: str, redirect_uri: str) -> ZoomTokens:
        return self._tokens(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )

    def refresh(self, refresh_token: str) -> ZoomTokens:
        return self._tokens({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, token: str) -> None:
        response = send(
            self._http, "POST", f"{self._base}/oauth/revoke", data={"token": token}, auth=self._auth
        )
        if not response.is_success:
            raise self._error(response)

    def check_credentials(self) -> None:
        """Raises ZoomCredentialsRefused if Zoom refuses the app's id and secret.

        Asks to refresh a token that does not exist: Zoom checks the client first (401
        `invalid_client` when it is wrong) and only then refuses the grant, so the answer
        says whether the credentials work without touching anyone's tokens."""
        try:
            self.refresh("slack-record-check")
        except ZoomRefused:
            return  # the client was accepted; only the made-up token was not

    def _tokens(self, form: dict[str, str]) -> ZoomTokens:
        now = self._clock()
        response = send(self._http, "POST", f"{self._base}/oauth/token", data=form, auth=self._auth)
        if not response.is_success:
            raise self._error(response)
        return _read_tokens(json_object(response), now)

    def _error(self, response: httpx.Response) -> ZoomError:
        trouble = passing_trouble(response)
        if trouble is not None:
            return trouble
        code, words = error_words(response)
        if code == "invalid_client" or response.status_code == 401:
            return ZoomCredentialsRefused(f"Zoom refused the app's credentials ({words})")
        if code in _GRANT_REFUSED or response.status_code == 400:
            return ZoomRefused(f"Zoom refused the grant ({code or response.status_code}): {words}")
        return rejected(response)


def _read_tokens(body: dict[str, Any], now: datetime) -> ZoomTokens:
    access, refresh = body.get("access_token"), body.get("refresh_token")
    if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
        raise ZoomUnavailable("Zoom's token answer had no tokens")
    lifetime = body.get("expires_in")
    seconds = lifetime if isinstance(lifetime, int) and 0 < lifetime < 86400 * 30 else 3600
    scope = body.get("scope") if isinstance(body.get("scope"), str) else None
    return ZoomTokens(access, refresh, now + timedelta(seconds=seconds), scope)
