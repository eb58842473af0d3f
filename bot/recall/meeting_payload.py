"""The parts of the Create Bot body that concern the people in the meeting and the media's life:
the consent notice in the meeting chat (`chat.on_bot_join`), where Recall delivers the chat
(`recording_config.realtime_endpoints`), how long Recall keeps the media
(`recording_config.retention`), and where it gets a Zoom on-behalf-of token (`zoom`).

Everything comes from what was decided for the recording when its bot was created
(bot/workflow/meeting_setup.py); URLs Recall calls back carry the recording's callback token.
"""

from __future__ import annotations

from typing import Any

from bot.model.callbacks import callback_token
from bot.model.recording import Recording

CHAT_EVENT = "participant_events.chat_message"


def recording_config_extras(recording: Recording, public_base_url: str | None) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    retention = recording.retention
    if retention.kind == "forever":
        extras["retention"] = {"type": "forever"}
    elif retention.kind == "timed" and retention.hours:
        extras["retention"] = {"type": "timed", "hours": retention.hours}
    url = _callback_url(recording, public_base_url, "/recall/realtime")
    if recording.in_meeting.chat_stop and url:
        extras["realtime_endpoints"] = [{"type": "webhook", "url": url, "events": [CHAT_EVENT]}]
    return extras


def bot_extras(recording: Recording, public_base_url: str | None) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    meeting = recording.in_meeting
    if meeting.notice_status == "sent" and meeting.notice:
        # Recall's chat message hook: sent to everyone as soon as the recorder is in.
        extras["chat"] = {"on_bot_join": {"send_to": "everyone", "message": meeting.notice}}
    url = _callback_url(recording, public_base_url, "/zoom/obf")
    if meeting.zoom_on_behalf and url:
        extras["zoom"] = {"obf_token_url": url}
    return extras


def _callback_url(recording: Recording, public_base_url: str | None, path: str) -> str | None:
    secret = recording.in_meeting.callback_secret
    if not (public_base_url and secret):
        return None
    return f"{public_base_url}{path}?token={callback_token(recording.id, secret)}"
