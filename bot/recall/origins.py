"""Reading a Recall bot back into the recording it was made for, when the database is gone.

`read_origin` returns None for a bot that is not ours (every app of a Recall workspace shares
the bot list): no `app: slack-record` in its metadata, or the ids a recording cannot do without
are missing. Like bot/recall/reports.py it never raises on shape surprises.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.model import callbacks
from bot.model.rebuild import BotOrigin
from bot.model.times import parse_time

APP_NAME = "slack-record"


def read_origin(bot: dict[str, Any]) -> BotOrigin | None:
    metadata = _dict(bot.get("metadata"))
    if metadata.get("app") != APP_NAME:
        return None
    ids = {
        key: _str(metadata.get(key))
        for key in ("recording_id", "slack_team", "slack_channel", "slack_user")
    }
    bot_id = _str(bot.get("id"))
    if bot_id is None or not all(ids.values()):
        return None
    meeting = _dict(bot.get("meeting_url"))
    config = _dict(bot.get("recording_config"))
    join_at = parse_time(bot.get("join_at"))
    requested_at = parse_time(metadata.get("requested_at")) or _first_news(bot) or join_at
    if requested_at is None:
        return None
    return BotOrigin(
        recording_id=str(ids["recording_id"]),
        bot_id=bot_id,
        team_id=str(ids["slack_team"]),
        channel_id=str(ids["slack_channel"]),
        user_id=str(ids["slack_user"]),
        requested_at=requested_at,
        platform=_str(metadata.get("platform")) or _str(meeting.get("platform")) or "unknown",
        meeting_url=_str(metadata.get("meeting_url")) or "",
        meeting_key=_str(metadata.get("meeting_key")),
        enterprise_id=_str(metadata.get("slack_enterprise")),
        team_domain=_str(metadata.get("slack_domain")),
        link_token=_str(metadata.get("link_token")),
        bot_name=_str(bot.get("bot_name")),
        layout=_str(config.get("video_mixed_layout")),
        separate_videos=bool(config.get("video_separate_mp4")),
        join_at=join_at,
        **_meeting_side(bot, str(ids["recording_id"])),
    )


def _meeting_side(bot: dict[str, Any], recording_id: str) -> dict[str, Any]:
    """The consent notice, the chat and Zoom token URLs (with the recording's callback secret
    in their token) and the retention, read back from the bot's own fields."""
    config = _dict(bot.get("recording_config"))
    chat_urls = [
        url
        for endpoint in (config.get("realtime_endpoints") or [])
        if isinstance(endpoint, dict) and (url := _str(endpoint.get("url")))
        if "/recall/realtime" in url
    ]
    obf_url = _str(_dict(bot.get("zoom")).get("obf_token_url"))
    secrets = {
        secret
        for url in (*chat_urls, *([obf_url] if obf_url else []))
        if (secret := _callback_secret(url, recording_id))
    }
    retention = _dict(config.get("retention"))
    kind = _str(retention.get("type"))
    hours = retention.get("hours")
    return {
        "notice": _str(_dict(_dict(bot.get("chat")).get("on_bot_join")).get("message")),
        "chat_stop": bool(chat_urls) and len(secrets) == 1,
        "zoom_on_behalf": obf_url is not None and len(secrets) == 1,
        "callback_secret": secrets.pop() if len(secrets) == 1 else None,
        "retention": kind if kind in ("timed", "forever") else None,
        "retention_hours": hours if isinstance(hours, int) and hours > 0 else None,
    }


def _callback_secret(url: str, recording_id: str) -> str | None:
    """The secret in a URL's `token=<recording id>.<secret>`, when it names this recording."""
    token = (parse_qs(urlsplit(url).query).get("token") or [""])[0]
    if callbacks.recording_id_of(token) != recording_id:
        return None
    return token.partition(".")[2]


def _first_news(bot: dict[str, Any]) -> datetime | None:
    """Bots made before the request time was kept: the earliest status Recall reported."""
    changes = bot.get("status_changes")
    times = [
        moment
        for change in (changes if isinstance(changes, list) else [])
        if isinstance(change, dict) and (moment := parse_time(change.get("created_at")))
    ]
    return min(times, default=None)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
