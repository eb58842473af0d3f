"""`slack-record check`'s Zoom line, when ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET are set: does
Zoom accept them? (bot/zoom/oauth.py asks without touching anyone's tokens.)"""

from __future__ import annotations

from typing import NamedTuple

from bot.app.config import Settings
from bot.model.times import utcnow
from bot.zoom.errors import ZoomCredentialsRefused, ZoomError
from bot.zoom.http import make_http_client
from bot.zoom.oauth import ZoomOAuth


class ZoomFinding(NamedTuple):
    ok: bool
    words: str


def check_zoom(settings: Settings) -> ZoomFinding | None:
    meeting = settings.meeting
    if not (meeting.zoom_client_id and meeting.zoom_client_secret):
        return None
    http = make_http_client()
    oauth = ZoomOAuth(
        http,
        client_id=meeting.zoom_client_id,
        client_secret=meeting.zoom_client_secret,
        base_url=meeting.zoom_oauth_base_url,
        clock=utcnow,
    )
    try:
        oauth.check_credentials()
    except ZoomCredentialsRefused:
        return ZoomFinding(
            False,
            "Zoom refused ZOOM_CLIENT_ID/ZOOM_CLIENT_SECRET: copy them again from the Zoom "
            "app's App Credentials page",
        )
    except ZoomError as exc:
        return ZoomFinding(False, f"could not check with {meeting.zoom_oauth_base_url} ({exc})")
    finally:
        http.close()
    redirect = f"{settings.public_base_url}/zoom/oauth_redirect"
    return ZoomFinding(
        True,
        f"client credentials accepted; users connect with /record connect zoom (add {redirect} "
        "as the Zoom app's OAuth redirect URL)",
    )
