"""The people in the meeting are told who records them and how to object: the consent notice in
the meeting chat (Recall's `chat.on_bot_join`), the stop phrase's real-time endpoint, the
retention on every bot, and the status message saying what was sent. Every Create Bot body is
checked against Recall's own OpenAPI schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.app.meeting_settings import MeetingSettings
from tests.conftest import App
from tests.integration.test_record_happy_path import create_bot_validator

PUBLIC = "https://rec.example.com"
ZOOM = "https://us02web.zoom.us/j/81234567890?pwd=s3cr3t"
MEET = "https://meet.google.com/abc-defg-hij"
TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%7d"
WEBEX = "https://acme.webex.com/meet/jane"
GOTO = "https://meet.goto.com/123456789"


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app(public_base_url=PUBLIC)


def create_body(app: App) -> dict[str, Any]:
    [create] = app.recall.requests_to("POST", r"^/api/v1/bot/$")
    errors = [e.message for e in create_bot_validator().iter_errors(create.json)]
    assert errors == []  # what Recall's own schema accepts
    assert isinstance(create.json, dict)
    return create.json


def record(app: App, link: str, *options: str) -> dict[str, Any]:
    app.command(" ".join((link, *options)))
    app.wait_idle()
    return create_body(app)


def test_zoom_recorder_tells_everyone_who_asked_from_where_and_how_to_object(app: App) -> None:
    body = record(app, ZOOM)

    notice = body["chat"]["on_bot_join"]
    assert notice["send_to"] == "everyone"
    assert notice["message"] == (
        "This meeting is being recorded by slack-record. ada asked for the recording in "
        "acme.slack.com, where the video will be shared. If you do not want to be recorded, say "
        'so, or type "stop recording" in this chat and the recorder will leave.'
    )
    [endpoint] = body["recording_config"]["realtime_endpoints"]
    assert endpoint["type"] == "webhook"
    assert endpoint["events"] == ["participant_events.chat_message"]
    rec = app.recording()
    assert endpoint["url"] == (
        f"{PUBLIC}/recall/realtime?token={rec.id}.{rec.in_meeting.callback_secret}"
    )
    assert body["recording_config"]["retention"] == {"type": "timed", "hours": 168}
    assert "zoom" not in body  # nobody connected a Zoom account, and Zoom is not set up

    shown = app.status_text()
    assert "On joining, the recorder told everyone in the meeting chat" in shown
    assert "ada asked for the recording in acme.slack.com" in shown
    assert "Anyone in the meeting can type the stop phrase in its chat" in shown


@pytest.mark.parametrize(
    ("link", "chat"),
    [(ZOOM, True), (MEET, True), (TEAMS, True), (WEBEX, False), (GOTO, False)],
    ids=["zoom", "google_meet", "teams", "webex", "goto"],
)
@pytest.mark.parametrize("options", [(), ("--separate",), ("--at", "in 30m")])
def test_every_platform_and_option_sends_what_recall_documents(
    app: App, link: str, chat: bool, options: tuple[str, ...]
) -> None:
    body = record(app, link, *options)
    assert body["recording_config"]["retention"] == {"type": "timed", "hours": 168}
    # Recall's "Sending Chat Messages": Webex and GoTo Meeting bots cannot chat at all.
    assert ("chat" in body) is chat
    assert ("realtime_endpoints" in body["recording_config"]) is chat
    if link == MEET:
        assert len(body["chat"]["on_bot_join"]["message"]) <= 500  # Google Meet's limit


@pytest.mark.parametrize(("link", "label"), [(WEBEX, "Webex"), (GOTO, "GoTo Meeting")])
def test_platforms_without_bot_chat_are_told_to_the_requester(
    app: App, link: str, label: str
) -> None:
    record(app, link)
    assert (
        f"{label} doesn't let the recorder write in the meeting chat, so tell the people in the "
        "meeting yourself that it records." in app.status_text()
    )
    assert app.recording().in_meeting.notice_status == "no_chat"


def test_teams_notice_says_teams_may_hide_it(app: App) -> None:
    record(app, TEAMS)
    assert "(Teams shows it only if the meeting lets guests chat)" in app.status_text()


def test_consent_message_fills_in_its_placeholders(make_app: Callable[..., App]) -> None:
    app = make_app(
        public_base_url=PUBLIC,
        meeting=MeetingSettings(
            consent_message="Recorded for {requester} ({workspace}). Type {stop_phrase} to end.",
            chat_stop_phrase="halt",
        ),
    )
    body = record(app, ZOOM)
    assert body["chat"]["on_bot_join"]["message"] == (
        "Recorded for ada (acme.slack.com). Type halt to end."
    )


def test_consent_message_off_sends_no_notice_but_the_stop_phrase_still_works(
    make_app: Callable[..., App],
) -> None:
    app = make_app(public_base_url=PUBLIC, meeting=MeetingSettings(consent_on=False))
    body = record(app, ZOOM)
    assert "chat" not in body
    assert body["recording_config"]["realtime_endpoints"]
    assert "The recorder sends no notice to the meeting chat (turned off" in app.status_text()


def test_without_a_public_address_nobody_is_told_of_a_stop_phrase_that_cannot_work(
    make_app: Callable[..., App],
) -> None:
    app = make_app()  # no PUBLIC_BASE_URL: Recall has nowhere to deliver the chat
    body = record(app, ZOOM)
    assert "realtime_endpoints" not in body["recording_config"]
    message = body["chat"]["on_bot_join"]["message"]
    assert "stop recording" not in message
    assert "ask ada to stop it" in message


def test_chat_stop_phrase_off(make_app: Callable[..., App]) -> None:
    app = make_app(public_base_url=PUBLIC, meeting=MeetingSettings(chat_stop_phrase=None))
    body = record(app, MEET)
    assert "realtime_endpoints" not in body["recording_config"]
    assert "say so and ask ada to stop it" in body["chat"]["on_bot_join"]["message"]


def test_retention_forever(make_app: Callable[..., App]) -> None:
    app = make_app(public_base_url=PUBLIC, meeting=MeetingSettings(retention_hours=None))
    body = record(app, ZOOM)
    assert body["recording_config"]["retention"] == {"type": "forever"}


def test_the_notice_is_decided_once_and_kept_however_often_the_create_is_retried(
    app: App,
) -> None:
    app.recall.inject("POST", r"^/api/v1/bot/$", 507)  # no free recorder: tried again later
    app.command(ZOOM)
    app.wait_idle()
    first = app.recording().in_meeting
    app.poll(seconds=40)
    [failed, created] = app.recall.requests_to("POST", r"^/api/v1/bot/$")
    assert isinstance(failed.json, dict) and isinstance(created.json, dict)
    assert failed.json["chat"] == created.json["chat"]
    assert json.dumps(failed.json["recording_config"]) == json.dumps(
        created.json["recording_config"]
    )
    assert app.recording().in_meeting == first
