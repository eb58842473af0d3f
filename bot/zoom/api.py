"""Zoom's REST API, the one call this app makes: an on-behalf-of (OBF) token for the user whose
access token it is (Zoom's "Join external meetings as a bot (OBF)"):

    GET ZOOM_API_BASE_URL/v2/users/me/token?type=onbehalf
    Authorization: Bearer <the user's access token>          →  {"token": "..."}

The token is short-lived and single-use: one is minted each time Recall asks, just before the
recorder joins. A 401 means the access token is no longer good (expired or revoked): the caller
refreshes it once and asks again.
"""

from __future__ import annotations

import httpx

from bot.zoom.errors import ZoomRefused, ZoomUnavailable
from bot.zoom.http import json_object, passing_trouble, rejected, send


class ZoomApi:
    def __init__(self, http: httpx.Client, base_url: str):
        self._http = http
        self._base = base_url.rstrip("/")

    def on_behalf_token(self, access_token: str) -> str:
        response = send(
            self._http,
            "GET",
            f"{self._base}/v2/users/me/token",
            params={"type": "onbehalf"},
            headers={"Authorization": f"Bearer {access_token}"},
        )
        if response.status_code == 401:
            raise ZoomRefused("Zoom no longer accepts this user's access token")
        if not response.is_success:
            raise passing_trouble(response) or rejected(response)
        token = json_object(response).get("token")
        if not isinstance(token, str) or not token:
            raise ZoomUnavailable("Zoom's answer held no token")
        return token
