"""Stop from the meeting chat: Recall delivers each chat message the recorder can read to
`POST PUBLIC_BASE_URL/recall/realtime?token=<the recording's callback token>` (a real-time
webhook endpoint, `participant_events.chat_message`; Recall's "Receiving Chat Messages"):

    {"event": "participant_events.chat_message",
     "data": {"data": {"participant": {"name": ..., ...}, "data": {"text": ..., "to": ...}},
              "bot": {"id": ..., "metadata": {...}}, ...}}

A message that is the stop phrase is a stop request, exactly like the Stop button: recorded on
the recording (saying it came from the meeting chat, and who typed it) and carried out by its
next step under its claim. Everything else is acknowledged and ignored; chat text is never kept
or logged.

    404  no such recording, or not its token: nothing changes
    400  not JSON
    200  anything else, once or many times: only the first stop request counts
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.model import callbacks
from bot.model.consent import is_stop_request, participant_name
from bot.model.recording import Recording
from bot.store.recordings import Recordings

log = logging.getLogger(__name__)

CHAT_MESSAGE = "participant_events.chat_message"


class MeetingChat:
    def __init__(
        self,
        recordings: Recordings,
        stop_phrase: str | None,
        work_on_soon: Callable[[str], None],
        clock: Callable[[], datetime],
    ):
        self._recordings = recordings
        self._stop_phrase = stop_phrase
        self._work_on_soon = work_on_soon
        self._clock = clock

    def receive(self, token: str | None, body: bytes) -> tuple[int, str]:
        """Handle one delivery; the HTTP status and a short word for the sender."""
        rec = self._recording(token)
        if rec is None:
            return 404, "not found"
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            return 400, "not JSON"
        message = _chat_message(payload)
        if message is None or not rec.in_meeting.chat_stop or self._stop_phrase is None:
            return 200, "ignored"
        text, name = message
        if not is_stop_request(text, self._stop_phrase):
            return 200, "ignored"
        who = participant_name(name) or "a participant"
        stopped = self._recordings.request_stop(rec.id, who, self._clock(), "meeting_chat")
        if stopped is None:
            return 200, "already stopping"
        log.info("recording %s: a participant asked to stop from the meeting chat", rec.id)
        self._work_on_soon(rec.id)
        return 200, "stopping"

    def _recording(self, token: str | None) -> Recording | None:
        recording_id = callbacks.recording_id_of(token or "")
        rec = self._recordings.get(recording_id) if recording_id else None
        if rec is None or not callbacks.matches(
            token or "", rec.id, rec.in_meeting.callback_secret
        ):
            return None
        return rec


def _chat_message(payload: Any) -> tuple[str, Any] | None:
    """(text, the sender's name) of a chat-message delivery; None for anything else."""
    if not isinstance(payload, dict) or payload.get("event") != CHAT_MESSAGE:
        return None
    outer = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    event = outer.get("data") if isinstance(outer.get("data"), dict) else {}
    message = event.get("data") if isinstance(event.get("data"), dict) else {}
    participant = event.get("participant") if isinstance(event.get("participant"), dict) else {}
    text = message.get("text")
    if not isinstance(text, str):
        return None
    return text, participant.get("name")
