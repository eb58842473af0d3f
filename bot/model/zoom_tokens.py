"""A connected Zoom account's OAuth tokens, as Zoom gives them and as we keep them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Refresh a little before Zoom's expiry, so a token is never sent in its last seconds.
REFRESH_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class ZoomTokens:
    access_token: str
    refresh_token: str
    expires_at: datetime  # of the access token (Zoom's last about an hour)
    scope: str | None = None

    def stale(self, now: datetime) -> bool:
        """The access token has expired, or is about to: refresh it before use."""
        return now >= self.expires_at - REFRESH_MARGIN

    def __repr__(self) -> str:
        # Never shows the tokens, even in a traceback's locals or a debugging print.
        return f"ZoomTokens(expires_at={self.expires_at!r}, scope={self.scope!r})"
