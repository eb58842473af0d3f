"""What the status message says about the meeting's side, rendered without Slack."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.model.lifecycle import State
from bot.model.recording import (
    InMeeting,
    MeetingRequest,
    RecallProgress,
    Recording,
    Retention,
    StopRequest,
)
from bot.slack.status_message import fingerprint, render

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
RECORDING = Recording(
    id="abc123",
    state=State.RECORDING,
    request=MeetingRequest("T1", "C1", "U1", "https://zoom.us/j/81234567890", "zoom"),
    created_at=NOW,
    updated_at=NOW,
    deadline_at=NOW + timedelta(hours=6),
    recall=RecallProgress(bot_id="bot-1", started_at=NOW - timedelta(minutes=3)),
    in_meeting=InMeeting(notice="Hello <everyone>", notice_status="sent", chat_stop=True),
)


def shown(rec: Recording, now: datetime = NOW) -> str:
    return json.dumps(render(rec, now).blocks, ensure_ascii=False)


def test_stopping_from_the_meeting_chat_names_the_participant_not_a_slack_user() -> None:
    stopped = replace(
        RECORDING,
        stop=StopRequest(requested_by="Grace <b>", requested_at=NOW, source="meeting_chat"),
    )
    text = shown(stopped)
    assert "Stopping (asked by “Grace &lt;b&gt;” in the meeting chat)…" in text
    assert "<@Grace" not in text
    assert "Anyone in the meeting can type" not in text  # already stopping


def test_the_notice_sent_is_shown_escaped() -> None:
    text = shown(RECORDING)
    assert "the recorder told everyone in the meeting chat: “Hello &lt;everyone&gt;”" in text
    assert "Anyone in the meeting can type the stop phrase in its chat" in text


def test_the_meeting_side_is_not_shown_once_finished() -> None:
    assert "meeting chat" not in shown(replace(RECORDING, state=State.PROCESSING))


def test_an_expired_recording_is_told_once_the_moment_passes() -> None:
    ready = replace(
        RECORDING,
        state=State.READY,
        retention=Retention("timed", 24, expires_at=NOW + timedelta(hours=24)),
    )
    before, after = NOW + timedelta(hours=23), NOW + timedelta(hours=24)
    assert fingerprint(ready, before) != fingerprint(ready, after)
    assert fingerprint(ready, after) == fingerprint(ready, after + timedelta(days=3))
    assert "has expired" not in shown(ready, before)
    message = render(ready, after)
    assert message.text.startswith("The recording of Zoom meeting 812 3456 7890 has expired")
    assert "as this app keeps recordings for 1 day." in message.text
