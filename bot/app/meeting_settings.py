"""The settings for the meeting's side of a recording, read with the rest in bot/app/config.py:

CONSENT_MESSAGE            the notice sent to the meeting chat ({requester}, {workspace},
                           {stop_phrase} are filled in); `off` sends none
CHAT_STOP_PHRASE           typed in the meeting chat, makes the recorder leave (default
                           "stop recording"); `off` turns it off
RECORDING_RETENTION_HOURS  how long Recall keeps the media (default 168, at most ten years);
                           `forever`
ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET   a Zoom "General app" (scope user:read:token): users
                           may connect their Zoom account, so Zoom recorders join on
                           their behalf
ZOOM_OAUTH_BASE_URL, ZOOM_API_BASE_URL   Zoom's addresses (tests point them at a fake)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.model.consent import (
    DEFAULT_STOP_PHRASE,
    MAX_NOTICE,
    MAX_STOP_PHRASE,
    ConsentPolicy,
    TemplateError,
    check_template,
    is_stop_request,
)

DEFAULT_RETENTION_HOURS = 168  # Recall's default for timed retention
# Ten years: longer is `forever` in all but name, and a moment thousands of years away is past
# the last date Python (and the status message) can hold.
MAX_RETENTION_HOURS = 24 * 365 * 10
DEFAULT_ZOOM_OAUTH_BASE_URL = "https://zoom.us"
DEFAULT_ZOOM_API_BASE_URL = "https://api.zoom.us"
OFF = "off"


@dataclass(frozen=True)
class MeetingSettings:
    consent_message: str | None = None  # None: the default words
    consent_on: bool = True
    chat_stop_phrase: str | None = DEFAULT_STOP_PHRASE  # None: off
    retention_hours: int | None = DEFAULT_RETENTION_HOURS  # None: forever
    zoom_client_id: str | None = None
    zoom_client_secret: str | None = None
    zoom_oauth_base_url: str = DEFAULT_ZOOM_OAUTH_BASE_URL
    zoom_api_base_url: str = DEFAULT_ZOOM_API_BASE_URL

    @property
    def zoom_on(self) -> bool:
        return bool(self.zoom_client_id and self.zoom_client_secret)

    @property
    def consent(self) -> ConsentPolicy:
        return ConsentPolicy(
            template=self.consent_message,
            notice_on=self.consent_on,
            stop_phrase=self.chat_stop_phrase,
        )


def read_meeting_settings(
    get: Callable[[str], str | None], public_base_url: str | None, problems: list[str]
) -> MeetingSettings:
    """Every problem is added to `problems` (one ConfigError names them all)."""
    phrase = get("CHAT_STOP_PHRASE")
    stop_phrase: str | None = DEFAULT_STOP_PHRASE
    if phrase is not None:
        stop_phrase = None if phrase.lower() == OFF else " ".join(phrase.split())
        if stop_phrase is not None and len(stop_phrase) > MAX_STOP_PHRASE:
            problems.append(f"CHAT_STOP_PHRASE can be at most {MAX_STOP_PHRASE} characters")
        elif stop_phrase is not None and not is_stop_request(stop_phrase, stop_phrase):
            # Punctuation alone is read away from every chat message, so nothing would match.
            problems.append(f"CHAT_STOP_PHRASE needs a word or two (got {phrase!r}), or off")
    message = get("CONSENT_MESSAGE")
    consent_on = message is None or message.lower() != OFF
    template = message if consent_on else None
    if template is not None:
        problems += _template_problems(template, stop_phrase, public_base_url)
    zoom_id, zoom_secret = get("ZOOM_CLIENT_ID"), get("ZOOM_CLIENT_SECRET")
    if bool(zoom_id) != bool(zoom_secret):
        problems.append("set both ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET, or neither")
    elif zoom_id and not public_base_url:
        problems.append(
            "ZOOM_CLIENT_ID needs PUBLIC_BASE_URL: Zoom sends users back to it, and Recall "
            "asks it for Zoom's tokens"
        )
    urls = {
        name: get(name) or default
        for name, default in (
            ("ZOOM_OAUTH_BASE_URL", DEFAULT_ZOOM_OAUTH_BASE_URL),
            ("ZOOM_API_BASE_URL", DEFAULT_ZOOM_API_BASE_URL),
        )
    }
    for name, url in urls.items():
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"{name} must be an http(s) URL")
    return MeetingSettings(
        consent_message=template,
        consent_on=consent_on,
        chat_stop_phrase=stop_phrase,
        retention_hours=_retention(get("RECORDING_RETENTION_HOURS"), problems),
        zoom_client_id=zoom_id,
        zoom_client_secret=zoom_secret,
        zoom_oauth_base_url=urls["ZOOM_OAUTH_BASE_URL"].rstrip("/"),
        zoom_api_base_url=urls["ZOOM_API_BASE_URL"].rstrip("/"),
    )


def _template_problems(
    template: str, stop_phrase: str | None, public_base_url: str | None
) -> list[str]:
    if len(template) > MAX_NOTICE:
        return [f"CONSENT_MESSAGE can be at most {MAX_NOTICE} characters (Recall's limit)"]
    try:
        fields = check_template(template)
    except TemplateError as exc:
        return [f"CONSENT_MESSAGE {exc}"]
    if "stop_phrase" in fields and (stop_phrase is None or not public_base_url):
        why = "CHAT_STOP_PHRASE is off" if stop_phrase is None else "PUBLIC_BASE_URL is not set"
        return [
            f"CONSENT_MESSAGE mentions {{stop_phrase}}, but {why}: typing it in the meeting "
            "chat would do nothing"
        ]
    return []


def _retention(raw: str | None, problems: list[str]) -> int | None:
    if raw is None:
        return DEFAULT_RETENTION_HOURS
    if raw.lower() == "forever":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not value.is_integer() or value < 1:
        problems.append(
            f"RECORDING_RETENTION_HOURS must be a whole number of hours, at least 1, or "
            f"forever (got {raw!r})"
        )
        return DEFAULT_RETENTION_HOURS
    if value > MAX_RETENTION_HOURS:
        problems.append(
            f"RECORDING_RETENTION_HOURS can be at most {MAX_RETENTION_HOURS} (ten years); "
            f"for longer, write forever (got {raw!r})"
        )
        return DEFAULT_RETENTION_HOURS
    return int(value)
