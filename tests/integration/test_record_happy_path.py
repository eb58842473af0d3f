"""`/record <link>` from the slash command to the video link in the channel."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30WriteValidator
from referencing import Registry, Resource

from bot.model.lifecycle import State
from tests.conftest import App
from tests.paths import DATA

ZOOM = "https://us02web.zoom.us/j/81234567890?pwd=s3cr3tPass"
SPEC = json.loads((DATA / "openapi.json").read_text())


def create_bot_validator() -> OAS30WriteValidator:
    """Recall's own schema for the Create Bot request body (tests/data/openapi.json)."""
    schema = SPEC["paths"]["/api/v1/bot/"]["post"]["requestBody"]["content"]["application/json"]
    registry = Registry().with_resource("", Resource.opaque(SPEC))
    return OAS30WriteValidator(
        {**schema["schema"], "components": SPEC["components"]}, registry=registry
    )


def watch_button(message: dict[str, Any]) -> dict[str, Any]:
    [button] = [b["accessory"] for b in message["blocks"] if "accessory" in b]
    return button


def test_record_acks_at_once_and_announces_in_the_channel(app: App) -> None:
    response = app.command(ZOOM)

    assert response.status_code == 200
    assert response.json() == {
        "response_type": "ephemeral",
        "text": "Sending a recorder to your Zoom meeting. "
        "I'll post the video in this channel when the meeting ends.",
    }
    app.wait_idle()
    status = app.status()
    assert status["text"] == (
        "<@U0USER1> asked to record a Zoom meeting. "
        "A recorder (“slack-record (recording)”) is joining."
    )
    assert "Zoom meeting 812 3456 7890 · requested by <@U0USER1>" in app.status_text()
    assert "s3cr3tPass" not in json.dumps(status)  # the passcode stays private
    assert app.recording().state == State.JOINING


def test_create_bot_request_is_what_recall_documents(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()

    [create] = app.recall.requests_to("POST", r"^/api/v1/bot/$")
    assert create.headers["authorization"] == f"Token {app.recall.api_key}"
    assert create.headers["idempotency-key"]
    assert create.json["meeting_url"] == ZOOM
    assert create.json["recording_config"] == {
        "video_mixed_mp4": {},
        "video_mixed_layout": "speaker_view",
        "retention": {"type": "timed", "hours": 168},  # RECORDING_RETENTION_HOURS' default
        # TRANSCRIPT_PROVIDER's default: the platform's own captions.
        "transcript": {"provider": {"meeting_captions": {}}},
    }
    assert create.json["chat"]["on_bot_join"]["send_to"] == "everyone"  # the consent notice
    assert create.json["metadata"]["slack_channel"] == "C0CHAN1"
    errors = [e.message for e in create_bot_validator().iter_errors(create.json)]
    assert errors == []


def test_finished_meeting_is_posted_with_video_link_requester_and_duration(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.run_meeting(bot_id, minutes=42)

    app.poll()

    status = app.status()
    assert status["text"].startswith(
        "Recording ready: Zoom meeting 812 3456 7890, requested by <@U0USER1>, ran 42 min."
    )
    shown = app.status_text()
    assert "*Recording ready:* Zoom meeting 812 3456 7890" in shown
    assert "Requested by <@U0USER1> · ran 42 min" in shown
    button = watch_button(status)
    assert button["text"]["text"] == "Watch recording"
    assert button["url"].startswith(f"{app.recall.base_url}/media/{bot_id}.mp4?")
    assert "X-Amz-Signature=" in button["url"]
    # The edit notifies nobody; the thread reply (also sent to the channel) does, and says
    # until when the video is kept (RECORDING_RETENTION_HOURS' default, 7 days).
    rec = app.recording()
    until = rec.retention.expires_at
    assert until == rec.recall.ended_at + timedelta(days=7)
    assert app.thread() == [
        "<@U0USER1> your recording of Zoom meeting 812 3456 7890 is ready (42 min). "
        f"It is available until <!date^{int(until.timestamp())}^{{date_short_pretty}} {{time}}"
        f"|{until:%Y-%m-%d %H:%M} UTC>."
    ]
    [reply] = [c.args for c in app.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert reply["reply_broadcast"] is True
    assert rec.state == State.READY
    assert rec.slack.notified_at is not None
    assert rec.schedule.next_poll_at is None  # nothing left to do; the poller never reads it again


def test_video_link_in_the_message_actually_downloads(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall.bot_id, minutes=3)
    app.poll()

    video = httpx.get(watch_button(app.status())["url"])
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"


def test_status_message_follows_the_recording_in_place(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    shown = []
    for code in ("joining_call", "in_waiting_room", "in_call_not_recording", "in_call_recording"):
        app.recall.push_status(bot_id, code)
        app.poll()
        shown.append((app.recording().state, app.status()["text"]))
    bot = "“slack-record (recording)”"
    assert shown[:3] == [
        (
            State.JOINING,
            f"<@U0USER1> asked to record a Zoom meeting. A recorder ({bot}) is joining.",
        ),
        (State.WAITING_ROOM, f"The recorder is waiting to be let in. Ask the host to admit {bot}."),
        (State.IN_CALL, f"{bot} is in the meeting; recording starts shortly."),
    ]
    assert shown[3][0] == State.RECORDING
    assert shown[3][1].startswith("*Recording* since <!date^")
    app.recall.push_status(bot_id, "call_ended", "call_ended_by_host")
    app.poll()
    assert app.status()["text"] == "The meeting has ended. The video is being prepared…"

    app.recall.complete_recording(bot_id, video="processing")
    app.recall.push_status(bot_id, "done")
    app.poll()
    assert app.recording().state == State.PROCESSING  # done, but no video yet

    app.recall.complete_recording(bot_id, video="done")
    app.poll()
    assert app.recording().state == State.READY
    assert app.status()["text"].startswith("Recording ready")
    # One message, edited each time; thread replies only for moments that matter.
    assert len(app.posts()) == 1 + len(app.thread())
    waiting, ready = app.thread()
    assert waiting.startswith("<@U0USER1> the recorder is waiting to be let into")
    assert ready.startswith("<@U0USER1> your recording of Zoom meeting 812 3456 7890 is ready")


def test_waiting_room_notifies_the_requester_once(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.push_status(bot_id, "in_waiting_room")
    app.poll()
    app.poll()
    app.poll()
    assert app.thread() == [
        "<@U0USER1> the recorder is waiting to be let into Zoom meeting 812 3456 7890. "
        "Ask the host to admit “slack-record (recording)”."
    ]


def test_recording_time_is_shown_and_refreshed_sparingly(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.push_status(bot_id, "in_call_recording")
    app.poll()
    updates_before = len(app.slack.calls_to("chat.update"))
    for _ in range(40):  # ten minutes of polling every 15 s
        app.poll()
    assert "10+ min so far" in app.status()["text"]
    assert len(app.slack.calls_to("chat.update")) - updates_before == 2  # at 5 and 10 min


def test_ready_is_announced_once_however_often_the_poller_runs(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall.bot_id)
    for _ in range(4):
        app.poll()
    assert len(app.thread()) == 1
    assert len(app.posts()) == 2  # the status message and its one thread reply


@pytest.mark.parametrize(
    ("link", "platform"),
    [
        ("https://meet.google.com/abc-defg-hij", "Google Meet"),
        (
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%7d",
            "Microsoft Teams",
        ),
        ("https://teams.live.com/meet/9381234567890?p=abcDEF", "Microsoft Teams"),
        ("https://acme.webex.com/meet/jane", "Webex"),
        ("https://meet.goto.com/123456789", "GoTo Meeting"),
        ("<https://acme.zoom.us/j/81234567890?pwd=x|Join Zoom Meeting>", "Zoom"),
    ],
)
def test_every_platform_gets_a_recorder(app: App, link: str, platform: str) -> None:
    response = app.command(link)
    assert response.json()["text"].startswith(f"Sending a recorder to your {platform} meeting.")
    app.wait_idle()
    assert len(app.recall.created_bot_ids()) == 1
    assert app.status()["text"].startswith(f"<@U0USER1> asked to record a {platform} meeting.")
