"""What can go wrong talking to Zoom, as one exception tree (every non-2xx answer or network
failure of bot/zoom/oauth.py and bot/zoom/api.py becomes one of these):

    ZoomError
     ├── ZoomUnavailable          network error, timeout, 5xx, 429: try again later
     ├── ZoomCredentialsRefused   Zoom refused ZOOM_CLIENT_ID/ZOOM_CLIENT_SECRET: an operator
     │                            must fix them
     ├── ZoomRefused              Zoom no longer accepts this user's grant or token (revoked,
     │                            expired, a used code): refresh, or forget the tokens
     └── ZoomRejected             any other refusal; `.detail` is Zoom's own words
"""

from __future__ import annotations


class ZoomError(Exception):
    """Base of every error the Zoom clients raise; the message never holds a token."""


class ZoomUnavailable(ZoomError):
    """Zoom could not be reached, or answered 5xx or 429: the same request may work later."""


class ZoomCredentialsRefused(ZoomError):
    """The app's client id or secret was refused (`invalid_client`)."""


class ZoomRefused(ZoomError):
    """The user's authorization code, refresh token or access token is not (or no longer)
    good: the user disconnected the app in Zoom, the token expired, or a code was used."""


class ZoomRejected(ZoomError):
    """Zoom refused the request for another reason; `detail` says which, in Zoom's words."""

    def __init__(self, status: int, detail: str):
        super().__init__(f"Zoom refused the request ({status}): {detail}")
        self.status = status
        self.detail = detail
