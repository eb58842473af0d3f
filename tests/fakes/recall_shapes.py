"""Pure builders for the JSON shapes the Recall fake returns.

Shapes follow what Recall's Create Bot and Retrieve Bot return, and the Bot schema in
tests/data/openapi.json; tests/unit/fakes/test_fakes.py validates them against that schema.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

Json = dict[str, Any]

UNSUPPORTED_URL = "The meeting_url is malformed, or for an unsupported platform."

# Recall keeps media 7 days unless the retention config says otherwise.
DEFAULT_RETENTION = timedelta(days=7)

_TEAMS_KEYS = (
    "meeting_id",
    "meeting_password",
    "organizer_id",
    "tenant_id",
    "message_id",
    "thread_id",
    "business_meeting_id",
    "business_meeting_password",
)


# --- time -----------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Recall's timestamp style: ``2026-01-15T10:00:24.871000Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime | None:
    """Tolerant ISO 8601 parse (``Z`` or offset); None if unparsable. Naive means UTC."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_datetime(value: datetime | str | None, default: datetime) -> datetime:
    """Accept what test scripts pass for a moment: a datetime, an ISO string, or None."""
    if value is None:
        return default
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_iso(value)
    if parsed is None:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}")
    return parsed


# --- meeting URLs: the links Recall accepts, echoed back as an object -----------------------


def _host_is(host: str, *domains: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _zoom(path: str, query: dict[str, list[str]]) -> Json | None:
    match = re.match(r"^/(?:j|s|wc(?:/join)?)/(\d+)", path)
    if not match:
        return None
    password = query.get("pwd", [None])[0]
    return {"meeting_id": match.group(1), "meeting_password": password, "platform": "zoom"}


def _google_meet(path: str) -> Json | None:
    match = re.match(r"^/([a-z]{3}-[a-z]{4}-[a-z]{3})(?:/|$)", path)
    return {"meeting_id": match.group(1), "platform": "google_meet"} if match else None


def _teams(path: str, query: dict[str, list[str]], platform: str) -> Json:
    # Teams URLs come in several forms; Recall answers every key, null when absent.
    found: Json = dict.fromkeys(_TEAMS_KEYS)
    meetup = re.match(r"^/l/meetup-join/([^/]+)/(\d+)", path)
    short = re.match(r"^/meet/([^/?]+)", path)
    if meetup:
        found["thread_id"] = unquote(meetup.group(1))
        found["message_id"] = meetup.group(2)
        context = _teams_context(query)
        found["tenant_id"] = context.get("Tid")
        found["organizer_id"] = context.get("Oid")
    elif short:
        found["meeting_id"] = short.group(1)
        found["meeting_password"] = query.get("p", [None])[0]
    return {**found, "platform": platform}


def _teams_context(query: dict[str, list[str]]) -> dict[str, str]:
    try:
        context = json.loads(query.get("context", ["{}"])[0])
    except ValueError:
        return {}
    return context if isinstance(context, dict) else {}


def _webex(host: str, path: str, query: dict[str, list[str]]) -> Json:
    subdomain = host.removesuffix(".webex.com")
    personal = re.match(r"^/(?:meet|join)/([^/]+)", path)
    if personal:
        return {
            "meeting_subdomain": subdomain,
            "meeting_personal_room_id": personal.group(1),
            "platform": "webex",
        }
    mtid = query.get("MTID", query.get("mtid", [""]))[0]
    return {
        "meeting_subdomain": subdomain,
        "meeting_mtid": mtid,
        "meeting_path": path,
        "platform": "webex",
    }


def _goto(path: str) -> Json | None:
    digits = re.search(r"(\d{9,})", path)
    segment = path.strip("/").split("/")[-1] if path.strip("/") else ""
    meeting_id = digits.group(1) if digits else segment
    return {"meeting_id": meeting_id, "platform": "goto_meeting"} if meeting_id else None


def parse_meeting_url(url: str) -> Json | None:
    """The platform object Recall returns for ``url``, or None if Recall would answer 400."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return None
    query = parse_qs(parts.query)
    path = parts.path or "/"
    if _host_is(host, "zoom.us", "zoom.com"):
        return _zoom(path, query)
    if host == "meet.google.com":
        return _google_meet(path)
    if host == "teams.microsoft.com":
        return _teams(path, query, "microsoft_teams")
    if host == "teams.live.com":
        return _teams(path, query, "microsoft_teams_live")
    if host.endswith(".webex.com"):
        return _webex(host, path, query)
    if _host_is(host, "goto.com", "gotomeeting.com", "gotomeet.me"):
        return _goto(path)
    return None


# --- request echo with Recall's documented defaults ------------------------------------------

_ARTIFACT_KEYS = (
    "video_mixed_mp4",
    "participant_events",
    "meeting_metadata",
    "audio_mixed_raw",
    "audio_mixed_mp3",
    "video_separate_mp4",
    "audio_separate_raw",
    "audio_separate_mp3",
    "video_mixed_flv",
    "video_separate_png",
    "video_separate_h264",
)


def recording_config(given: Json | None) -> Json:
    """Echo of ``recording_config`` with Recall's defaults filled in."""
    config: Json = {
        "transcript": None,
        "realtime_endpoints": [],
        "retention": {"type": "timed", "hours": 168},
        "video_mixed_layout": "speaker_view",
        "video_mixed_mp4": {},
        "participant_events": {},
        "meeting_metadata": {},
        "video_mixed_participant_video_when_screenshare": "overlap",
        "start_recording_on": "participant_join",
        "include_bot_in_recording": {"audio": False},
        "metadata": {},
        "audio_mixed_raw": None,
        "audio_mixed_mp3": None,
        "video_separate_mp4": None,
        "audio_separate_raw": None,
        "audio_separate_mp3": None,
        "video_mixed_flv": None,
        "video_separate_png": None,
        "video_separate_h264": None,
    }
    config.update(copy.deepcopy(given or {}))
    # An enabled artifact is sent as {} and comes back as {"metadata": {}} (4.4 example).
    for key in _ARTIFACT_KEYS:
        if isinstance(config.get(key), dict):
            config[key] = {"metadata": {}, **config[key]}
    return config


def automatic_leave(given: Json | None) -> Json:
    """Echo of ``automatic_leave`` with the documented defaults."""
    leave: Json = {
        "waiting_room_timeout": 1200,
        "noone_joined_timeout": 1200,
        "everyone_left_timeout": {"timeout": 2, "activate_after": None},
        "in_call_not_recording_timeout": 3600,
        "recording_permission_denied_timeout": 30,
        "silence_detection": {"timeout": 3600, "activate_after": 1200},
        "bot_detection": {"using_participant_events": {"timeout": 600, "activate_after": 1200}},
    }
    for key, value in copy.deepcopy(given or {}).items():
        if isinstance(value, dict) and isinstance(leave.get(key), dict):
            leave[key] = {**leave[key], **value}
        else:
            leave[key] = value
    return leave


def automatic_leave_errors(given: object) -> Json:
    """DRF-style field errors for ``automatic_leave``; empty when valid."""
    if given is None:
        return {}
    if not isinstance(given, dict):
        return {"non_field_errors": ["Invalid data. Expected a dictionary."]}
    errors: Json = {}
    for key in ("waiting_room_timeout", "noone_joined_timeout"):
        value = given.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            errors[key] = ["A valid integer is required."]
        elif value < 30:
            errors[key] = ["Ensure this value is greater than or equal to 30."]
    return errors


def _string_errors(value: object, max_length: int) -> list[str]:
    if not isinstance(value, str):
        return ["Not a valid string."]
    if len(value) > max_length:
        return [f"Ensure this field has no more than {max_length} characters."]
    return []


def _metadata_errors(value: object) -> list[str]:
    if not isinstance(value, dict):
        return [f'Expected a dictionary of items but got type "{type(value).__name__}".']
    for item in value.values():
        if item is not None and (problems := _string_errors(item, 500)):
            return problems
    return []


def create_errors(body: object) -> Json:
    """Django-REST-style field errors for a Create Bot body; empty when Recall would accept it.

    Only the fields our app sends are checked; the meeting_url message is Recall's own wording.
    """
    if not isinstance(body, dict):
        kind = type(body).__name__
        return {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
    errors: Json = {}
    url = body.get("meeting_url")
    if url is None:
        errors["meeting_url"] = ["This field is required."]
    elif not isinstance(url, str):
        errors["meeting_url"] = ["Not a valid string."]
    elif parse_meeting_url(url) is None:
        errors["meeting_url"] = [UNSUPPORTED_URL]
    if body.get("bot_name") is not None and (problems := _string_errors(body["bot_name"], 100)):
        errors["bot_name"] = problems
    join_at = body.get("join_at")
    if join_at is not None and (not isinstance(join_at, str) or parse_iso(join_at) is None):
        errors["join_at"] = [
            "Datetime has wrong format. Use one of these formats instead: "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
        ]
    if body.get("metadata") is not None and (problems := _metadata_errors(body["metadata"])):
        errors["metadata"] = problems
    config = body.get("recording_config")
    if config is not None and not isinstance(config, dict):
        kind = type(config).__name__
        errors["recording_config"] = {
            "non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]
        }
    if leave_errors := automatic_leave_errors(body.get("automatic_leave")):
        errors["automatic_leave"] = leave_errors
    return errors


# --- recordings, as Retrieve Bot shows them --------------------------------------------------


def status_entry(code: str, sub_code: str | None, message: str | None, at: datetime) -> Json:
    return {"code": code, "sub_code": sub_code, "message": message, "created_at": iso(at)}


def recording_in_progress(started_at: datetime) -> Json:
    """A recording while the bot is still in the call: media not ready yet."""
    return {
        "id": str(uuid.uuid4()),
        "created_at": iso(started_at - timedelta(milliseconds=371)),
        "started_at": iso(started_at),
        "completed_at": None,
        "expires_at": None,
        "status": {"code": "processing", "sub_code": None, "updated_at": iso(started_at)},
        "metadata": {},
        "media_shortcuts": {
            "video_mixed": None,
            "transcript": None,
            "participant_events": None,
            "meeting_metadata": None,
            "audio_mixed": None,
        },
    }


def finished_recording(
    started_at: datetime,
    completed_at: datetime,
    video: str | None,
    recording_id: str | None = None,
) -> Json:
    """A completed recording whose mixed video has status ``video`` (None: no mixed video).

    ``download_url`` is left null here: the fake fills a fresh one in on every read.
    """
    if video not in ("done", "processing", "failed", "deleted", None):
        raise ValueError(f"video must be done, processing, failed, deleted or None, not {video!r}")
    updated = completed_at + timedelta(seconds=6, milliseconds=600)
    video_mixed = {
        "id": str(uuid.uuid4()),
        "created_at": iso(started_at),
        "status": {"code": video, "sub_code": None, "updated_at": iso(updated)},
        "metadata": {},
        "format": "mp4",
        "data": {"download_url": None},
    }
    return {
        "id": recording_id or str(uuid.uuid4()),
        "created_at": iso(started_at - timedelta(milliseconds=371)),
        "started_at": iso(started_at),
        "completed_at": iso(completed_at),
        "expires_at": iso(completed_at + DEFAULT_RETENTION),
        # The recording as a whole follows its video: the only media we ask for. Without one
        # the recording still finished: nothing came of it.
        "status": {"code": video or "done", "sub_code": None, "updated_at": iso(updated)},
        "metadata": {},
        "media_shortcuts": {
            "video_mixed": video_mixed if video else None,
            "transcript": None,
            "participant_events": None,
            "meeting_metadata": None,
            "audio_mixed": None,
        },
    }


def mark_deleted(recording: Json, at: datetime) -> None:
    """What Delete Bot Media leaves behind: everything ``deleted``, no link."""
    recording["status"] = {"code": "deleted", "sub_code": None, "updated_at": iso(at)}
    video = (recording.get("media_shortcuts") or {}).get("video_mixed")
    if video:
        video["status"] = {"code": "deleted", "sub_code": None, "updated_at": iso(at)}
        video["data"] = {"download_url": None}


def video_status(recording: Json | None) -> str | None:
    video = ((recording or {}).get("media_shortcuts") or {}).get("video_mixed")
    return video["status"]["code"] if video else None
