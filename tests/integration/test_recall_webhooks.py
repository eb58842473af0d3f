"""Recall webhooks: signed deliveries (signed with the standardwebhooks library's own helper)
for every event kind we use, and the Slack results; forged, stale, replayed, malformed and
out-of-order deliveries; and the slow sweep that catches what a lost delivery missed."""

from __future__ import annotations

import base64
import copy
import json
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from jsonschema import Draft7Validator
from standardwebhooks.webhooks import Webhook

from bot.model.lifecycle import State
from bot.slack.messages import slack_time
from tests.conftest import App
from tests.paths import DATA

SECRET = "whsec_" + base64.b64encode(b"slack-record test webhook secret!").decode()
ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
CATALOG = {
    item["name"]: item["schemas"][max(item["schemas"])]
    for item in json.loads((DATA / "webhooks.json").read_text())["data"]
    if item.get("schemas")  # a few catalog entries (slack_team.*) carry no schema
}


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app(recall_webhook_secret=SECRET, webhook_sweep_seconds=300)


def payload(
    event: str,
    bot_id: str,
    code: str | None = None,
    sub_code: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """A delivery shaped like Recall's own example for `event` (tests/data/webhooks.json)."""
    body = copy.deepcopy(CATALOG[event]["examples"][0])
    data = body["data"]
    stamp = (at or datetime.now(UTC)).isoformat()
    if event == "bot.status_change":
        data["bot_id"] = bot_id
        data["status"].update(code=code or "done", sub_code=sub_code, created_at=stamp)
    else:
        data["bot"]["id"] = bot_id
        data["data"].update(sub_code=sub_code, updated_at=stamp)
        if code:
            data["data"]["code"] = code
    errors = [e.message for e in Draft7Validator(CATALOG[event]).iter_errors(body)]
    assert errors == [], errors  # what we send is what Recall documents
    return body


def deliver(
    app: App,
    body: dict[str, Any] | bytes,
    *,
    msg_id: str | None = None,
    timestamp: datetime | None = None,
    prefix: str = "webhook",
    secret: str = SECRET,
) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    msg_id = msg_id or f"msg_{secrets.token_hex(8)}"
    when = timestamp or datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=when, data=raw.decode())
    headers = {
        f"{prefix}-id": msg_id,
        f"{prefix}-timestamp": str(int(when.timestamp())),
        f"{prefix}-signature": signature,
        "content-type": "application/json",
    }
    response = httpx.post(f"{app.url}/recall/webhook", content=raw, headers=headers)
    app.wait_idle()
    return response


def started(app: App) -> str:
    app.command(ZOOM)
    app.wait_idle()
    return app.recording().recall.bot_id


def gets(app: App, bot_id: str) -> int:
    return len(app.recall.requests_to("GET", rf"^/api/v1/bot/{bot_id}/$"))


BOT = "“slack-record (recording)”"


@pytest.mark.parametrize(
    ("event", "sub_code", "state", "shown"),
    [
        ("bot.in_waiting_room", None, State.WAITING_ROOM, "The recorder is waiting to be let in."),
        ("bot.in_call_not_recording", None, State.IN_CALL, f"{BOT} is in the meeting"),
        ("bot.recording_permission_allowed", None, State.IN_CALL, f"{BOT} is in the meeting"),
        (
            "bot.recording_permission_denied",
            "zoom_local_recording_disabled",
            State.IN_CALL,
            "isn't allowed to record",
        ),
        ("bot.in_call_recording", None, State.RECORDING, "*Recording* since"),
        ("bot.call_ended", "call_ended_by_host", State.PROCESSING, "The meeting has ended."),
    ],
)
def test_status_events_move_the_recording_without_asking_recall(
    app: App, event: str, sub_code: str | None, state: State, shown: str
) -> None:
    bot_id = started(app)
    before = gets(app, bot_id)
    response = deliver(app, payload(event, bot_id, sub_code=sub_code))
    assert response.status_code == 200 and response.json() == {"result": "ok"}
    assert app.recording().state == state
    assert shown in app.status()["text"]
    assert gets(app, bot_id) == before  # the webhook said it all


def test_joining_event_is_taken_quietly(app: App) -> None:
    bot_id = started(app)
    assert deliver(app, payload("bot.joining_call", bot_id)).status_code == 200
    assert app.recording().state == State.JOINING
    assert app.slack.calls_to("chat.update") == []  # nothing new to show


@pytest.mark.parametrize("event", ["bot.done", "recording.done", "video_mixed.done"])
def test_finishing_event_fetches_the_bot_once_and_posts_the_video(app: App, event: str) -> None:
    bot_id = started(app)
    app.recall.run_meeting(bot_id, minutes=25)
    before = gets(app, bot_id)
    deliver(app, payload(event, bot_id))
    assert gets(app, bot_id) == before + 1
    rec = app.recording()
    assert rec.state == State.READY
    assert app.thread() == [
        "<@U0USER1> your recording of Zoom meeting 812 3456 7890 is ready (25 min). "
        f"It is available until {slack_time(rec.retention.expires_at)}."
    ]


def test_video_failed_event_tells_the_channel(app: App) -> None:
    bot_id = started(app)
    app.recall.push_status(bot_id, "in_call_recording")
    app.recall.push_status(bot_id, "call_ended", "call_ended_by_host")
    app.recall.complete_recording(bot_id, video="failed")
    app.recall.push_status(bot_id, "done")
    deliver(app, payload("video_mixed.failed", bot_id))
    assert app.recording().failure.reason == "video_failed"
    assert app.thread()[0].startswith("<@U0USER1> no recording of Zoom meeting")


def test_fatal_event_tells_the_channel(app: App) -> None:
    bot_id = started(app)
    app.recall.fail_bot(bot_id, sub_code="meeting_not_found")
    deliver(app, payload("bot.fatal", bot_id, sub_code="meeting_not_found"))
    rec = app.recording()
    assert (rec.state, rec.failure.sub_code) == (State.FAILED, "meeting_not_found")
    assert len(app.thread()) == 1


def test_legacy_status_change_event_is_understood(app: App) -> None:
    bot_id = started(app)
    deliver(app, payload("bot.status_change", bot_id, code="in_waiting_room"))
    assert app.recording().state == State.WAITING_ROOM


@pytest.mark.parametrize(
    "event", ["bot.log", "transcript.done", "calendar.update", "sdk_upload.complete"]
)
def test_events_we_dont_use_are_acknowledged_and_ignored(app: App, event: str) -> None:
    bot_id = started(app)
    body = copy.deepcopy(CATALOG[event]["examples"][0])
    response = deliver(app, body)
    assert response.status_code == 200
    assert app.recording().state == State.JOINING
    assert gets(app, bot_id) == 0
    assert app.slack.calls_to("chat.update") == []


def test_unknown_event_name_is_acknowledged(app: App) -> None:
    response = deliver(app, {"event": "bot.teleported", "data": {"bot": {"id": "x"}}})
    assert response.status_code == 200


def test_other_apps_bots_are_not_ours(app: App) -> None:
    response = deliver(app, payload("bot.in_waiting_room", "00000000-0000-0000-0000-000000000000"))
    assert response.json() == {"result": "not ours"}


def test_older_svix_headers_are_accepted(app: App) -> None:
    bot_id = started(app)
    response = deliver(app, payload("bot.in_waiting_room", bot_id), prefix="svix")
    assert response.status_code == 200
    assert app.recording().state == State.WAITING_ROOM


@pytest.mark.parametrize(
    ("secret", "skew"),
    [
        pytest.param("whsec_" + base64.b64encode(b"x" * 24).decode(), timedelta(0), id="forged"),
        pytest.param(SECRET, timedelta(minutes=-6), id="stale"),
        pytest.param(SECRET, timedelta(minutes=6), id="future"),
    ],
)
def test_bad_signatures_are_refused_and_change_nothing(
    app: App, secret: str, skew: timedelta
) -> None:
    bot_id = started(app)
    updates = len(app.slack.calls)
    response = deliver(
        app,
        payload("bot.in_waiting_room", bot_id),
        secret=secret,
        timestamp=datetime.now(UTC) + skew,  # taken now, not when the tests were collected
    )
    assert response.status_code == 401
    assert app.recording().state == State.JOINING
    assert len(app.slack.calls) == updates


def test_missing_or_tampered_body_is_refused(app: App) -> None:
    bot_id = started(app)
    body = json.dumps(payload("bot.in_waiting_room", bot_id)).encode()
    assert httpx.post(f"{app.url}/recall/webhook", content=body).status_code == 401
    signed_for_other = payload("bot.in_call_recording", bot_id)
    msg_id, when = "msg_tamper", datetime.now(UTC)
    signature = Webhook(SECRET).sign(
        msg_id=msg_id, timestamp=when, data=json.dumps(signed_for_other)
    )
    response = httpx.post(
        f"{app.url}/recall/webhook",
        content=body,  # not the body that was signed
        headers={
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(when.timestamp())),
            "webhook-signature": signature,
        },
    )
    assert response.status_code == 401
    assert app.recording().state == State.JOINING


def test_signed_garbage_is_a_bad_request(app: App) -> None:
    started(app)
    assert deliver(app, b"{not json").status_code == 400
    assert app.recording().state == State.JOINING


def test_a_replayed_delivery_is_done_once(app: App) -> None:
    bot_id = started(app)
    body = payload("bot.in_waiting_room", bot_id)
    assert deliver(app, body, msg_id="msg_once").json() == {"result": "ok"}
    assert deliver(app, body, msg_id="msg_once").json() == {"result": "duplicate"}
    assert len(app.thread()) == 1  # one waiting-room ping


def test_an_older_status_never_overwrites_a_newer_one(app: App) -> None:
    bot_id = started(app)
    now = datetime.now(UTC)
    deliver(app, payload("bot.in_call_recording", bot_id, at=now))
    deliver(app, payload("bot.in_waiting_room", bot_id, at=now - timedelta(seconds=30)))
    rec = app.recording()
    assert rec.state == State.RECORDING
    assert rec.recall.status == "in_call_recording"
    assert app.thread() == []  # no stale waiting-room ping


def test_with_webhooks_polling_is_a_slow_sweep(app: App) -> None:
    bot_id = started(app)
    for _ in range(10):
        app.poll(seconds=15)  # 150 s: well inside the 300 s sweep
    assert gets(app, bot_id) == 0
    app.poll(seconds=160)
    assert gets(app, bot_id) == 1


def test_when_every_webhook_is_lost_the_sweep_still_notifies(app: App) -> None:
    bot_id = started(app)
    app.recall.run_meeting(bot_id, minutes=30)  # no delivery ever arrives
    app.poll(minutes=5, seconds=1)
    assert app.recording().state == State.READY
    assert len(app.thread()) == 1


def test_webhook_endpoint_without_a_secret_is_not_there(make_app: Callable[..., App]) -> None:
    plain = make_app()
    response = httpx.post(f"{plain.url}/recall/webhook", content=b"{}")
    assert response.status_code == 404


def test_ready_lands_within_a_second_of_the_finishing_webhook(app: App) -> None:
    bot_id = started(app)
    app.recall.run_meeting(bot_id)
    started_at = time.monotonic()
    deliver(app, payload("video_mixed.done", bot_id))
    assert app.thread() and time.monotonic() - started_at < 1.0
