"""The Create Bot request for a recording, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from bot.model.recording import Recording
from bot.recall.meeting_payload import bot_extras, recording_config_extras
from bot.recall.transcripts import bot_transcript_config

# Platforms cap the waiting-room wait themselves; asking for more is pointless.
WAITING_ROOM_CAPS = {"google_meet": 600, "microsoft_teams": 1800, "microsoft_teams_live": 1800}


@dataclass(frozen=True)
class BotDefaults:
    """Workspace-wide defaults from the environment; /record options override some."""

    bot_name: str = "slack-record (recording)"
    layout: str = "speaker_view"
    waiting_room_timeout: int = 600
    noone_joined_timeout: int = 900
    everyone_left_timeout: int = 60
    max_recording_seconds: int = 4 * 3600
    public_base_url: str | None = None  # where Recall calls back (chat messages, Zoom tokens)
    transcript_provider: str = "meeting_captions"  # TRANSCRIPT_PROVIDER


def bot_payload(recording: Recording, defaults: BotDefaults) -> dict[str, Any]:
    layout = recording.request.layout or defaults.layout
    config: dict[str, Any] = {"video_mixed_mp4": {}, "video_mixed_layout": layout}
    if recording.request.separate_videos:
        config["video_separate_mp4"] = {}
    config.update(recording_config_extras(recording, defaults.public_base_url))
    if transcript := bot_transcript_config(defaults.transcript_provider):
        config["transcript"] = transcript
    payload: dict[str, Any] = {
        "meeting_url": recording.request.meeting_url,
        "bot_name": recording.request.bot_name or defaults.bot_name,
        "recording_config": config,
        "automatic_leave": {
            "waiting_room_timeout": min(
                defaults.waiting_room_timeout,
                WAITING_ROOM_CAPS.get(recording.request.platform, defaults.waiting_room_timeout),
            ),
            "noone_joined_timeout": defaults.noone_joined_timeout,
            "everyone_left_timeout": {"timeout": defaults.everyone_left_timeout},
            "in_call_recording_timeout": defaults.max_recording_seconds,
        },
        # Ties the bot back to us; values must be strings (Recall's rule).
        "metadata": {
            "app": "slack-record",
            "recording_id": recording.id,
            "slack_team": recording.request.team_id,
            "slack_channel": recording.request.channel_id,
            "slack_user": recording.request.user_id,
            **rebuild_metadata(recording),
        },
    }
    payload.update(bot_extras(recording, defaults.public_base_url))
    if recording.request.join_at:
        payload["join_at"] = recording.request.join_at.astimezone(UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
    else:
        # A join time already past asks for a bot now, as none does (Recall's "What happens
        # when the bot's join_at is in the past?"); it gives every bot of ours a join time,
        # which is what List Bots' `join_at_after` filters on when a rebuild looks for them.
        payload["join_at"] = recording.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return payload


# Recall keeps at most this many characters per metadata value.
METADATA_VALUE_LIMIT = 500


def rebuild_metadata(recording: Recording) -> dict[str, str]:
    """What a rebuild needs beyond the ids above, should the database be lost
    (bot/workflow/recovery.py reads it back): when it was asked for, the durable link's token,
    the meeting's identity, and the workspace's Grid org and domain. Recall shows metadata to
    whoever holds the API key or receives the workspace's webhooks, who can fetch the video
    from Recall anyway; the meeting link goes without its query (passcodes), which a bot that
    already exists never needs again."""
    request = recording.request
    values = {
        "requested_at": recording.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "link_token": recording.sharing.token,
        "platform": request.platform,
        "meeting_key": request.meeting_key,
        "meeting_url": request.meeting_url.split("?", 1)[0].split("#", 1)[0],
        "slack_enterprise": request.enterprise_id,
        "slack_domain": request.team_domain,
    }
    return {key: value[:METADATA_VALUE_LIMIT] for key, value in values.items() if value}
