"""Stop from the meeting chat: Recall delivers the meeting's chat to /recall/realtime with the
recording's own token; the stop phrase makes the recorder leave through the same path as the
Stop button, and the channel is told who asked, from the meeting."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from bot.app.meeting_settings import MeetingSettings
from bot.model.lifecycle import State
from tests.conftest import App
from tests.fakes.recall_callbacks import chat_message_payload, send_chat_message

PUBLIC = "https://rec.example.com"
MEET = "https://meet.google.com/abc-defg-hij"


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app(public_base_url=PUBLIC)


def reach(app: App) -> Callable[[str], str]:
    return lambda url: url.replace(PUBLIC, app.url, 1)


def recording_in_the_meeting(app: App) -> str:
    app.command(MEET)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.push_status(bot_id, "joining_call")
    app.recall.push_status(bot_id, "in_call_recording")
    app.recall.start_recording(bot_id)
    app.poll()
    assert app.recording().state == State.RECORDING
    return bot_id


def leave_calls(app: App, bot_id: str) -> int:
    return len(app.recall.requests_to("POST", rf"^/api/v1/bot/{bot_id}/leave_call/$"))


def test_the_stop_phrase_in_the_meeting_chat_makes_the_recorder_leave(app: App) -> None:
    bot_id = recording_in_the_meeting(app)

    [answer] = send_chat_message(app.recall, bot_id, "  Stop Recording! ", reach(app))
    assert answer.status_code == 200
    assert app.runtime.workers.wait(timeout=10)

    assert leave_calls(app, bot_id) == 1
    rec = app.recording()
    assert rec.stop.requested_by == "Grace Hopper"
    assert rec.stop.from_meeting_chat
    # The fake's bot leaves at once: the meeting has ended, and the status message says who.
    assert "stop asked by “Grace Hopper” in the meeting chat" in app.status_text()
    assert app.thread() == [
        "<@U0USER1> “Grace Hopper” asked the recorder to leave Google Meet abc-defg-hij from the "
        "meeting chat. What it recorded so far will be posted here."
    ]
    [stop] = [e for e in app.runtime.store.events.of(rec.id) if e.cause.kind == "stop"]
    assert (stop.cause.detail, stop.cause.by) == ("meeting_chat", "Grace Hopper")

    # What was recorded so far is still posted, saying who stopped it.
    app.recall.run_meeting(bot_id, minutes=12)
    app.poll()
    assert app.recording().state == State.READY
    assert "stopped by “Grace Hopper” in the meeting chat" in app.status_text()


def test_other_chat_messages_change_nothing(app: App) -> None:
    bot_id = recording_in_the_meeting(app)
    for text in ("hello all", "please don't stop recording", "stop", "<b>stop</b> recording later"):
        [answer] = send_chat_message(app.recall, bot_id, text, reach(app))
        assert answer.status_code == 200
    assert app.runtime.workers.wait(timeout=10)
    assert leave_calls(app, bot_id) == 0
    assert app.recording().stop.requested_at is None


def test_formatted_teams_messages_are_read_as_plain_words(app: App) -> None:
    bot_id = recording_in_the_meeting(app)
    formatted = "<p><strong>stop&nbsp;recording</strong></p>"
    [answer] = send_chat_message(app.recall, bot_id, formatted, reach(app))
    assert answer.json() == {"result": "stopping"}


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "nonsense",
        "{id}",
        "{id}.",
        "{id}.wrong-secret",
        "{other}.{secret}",
        "{id}.{secret}x",
    ],
)
def test_a_wrong_or_missing_token_gets_404_and_changes_nothing(app: App, token: str | None) -> None:
    bot_id = recording_in_the_meeting(app)
    rec = app.recording()
    query = ""
    if token is not None:
        value = token.format(id=rec.id, secret=rec.in_meeting.callback_secret, other="a" * 24)
        query = f"?token={value}"
    payload = chat_message_payload(bot_id, "stop recording")
    answer = httpx.post(f"{app.url}/recall/realtime{query}", json=payload, timeout=5)
    assert answer.status_code == 404
    assert app.runtime.workers.wait(timeout=10)
    assert leave_calls(app, bot_id) == 0
    assert app.recording().stop.requested_at is None


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_get_404_whatever_the_token(app: App, method: str) -> None:
    bot_id = recording_in_the_meeting(app)
    rec = app.recording()
    for query in ("", "?token=nonsense", f"?token={rec.id}.{rec.in_meeting.callback_secret}"):
        answer = httpx.request(method, f"{app.url}/recall/realtime{query}", timeout=5)
        assert answer.status_code == 404
    assert app.runtime.workers.wait(timeout=10)
    assert leave_calls(app, bot_id) == 0
    assert app.recording().stop.requested_at is None


def test_repeated_deliveries_and_second_askers_stop_it_once(app: App) -> None:
    bot_id = recording_in_the_meeting(app)
    answers = [
        send_chat_message(app.recall, bot_id, "stop recording", reach(app))[0].json()
        for _ in range(3)
    ]
    answers += [
        send_chat_message(app.recall, bot_id, "STOP RECORDING", reach(app), name="Alan")[0].json()
    ]
    assert answers[0] == {"result": "stopping"}
    assert answers[1:] == [{"result": "already stopping"}] * 3
    assert app.runtime.workers.wait(timeout=10)
    app.poll()
    assert leave_calls(app, bot_id) == 1
    assert app.recording().stop.requested_by == "Grace Hopper"
    assert len(app.thread()) == 1


def test_a_body_that_is_not_json_is_refused(app: App) -> None:
    recording_in_the_meeting(app)
    rec = app.recording()
    url = f"{app.url}/recall/realtime?token={rec.id}.{rec.in_meeting.callback_secret}"
    assert httpx.post(url, content=b"{not json", timeout=5).status_code == 400


def test_a_finished_recording_ignores_the_chat(app: App) -> None:
    bot_id = recording_in_the_meeting(app)
    app.recall.run_meeting(bot_id)
    app.poll()
    [answer] = send_chat_message(app.recall, bot_id, "stop recording", reach(app))
    assert answer.json() == {"result": "already stopping"}
    assert leave_calls(app, bot_id) == 0


def test_a_name_from_the_meeting_cannot_ping_the_channel(app: App) -> None:
    bot_id = recording_in_the_meeting(app)
    send_chat_message(app.recall, bot_id, "stop recording", reach(app), name="<!channel> *x*")
    assert app.runtime.workers.wait(timeout=10)
    assert "<!channel>" not in app.status_text()
    assert "&lt;!channel&gt;" in app.status_text()
    assert all("<!channel>" not in text for text in app.thread())


def test_custom_stop_phrase(make_app: Callable[..., App]) -> None:
    app = make_app(public_base_url=PUBLIC, meeting=MeetingSettings(chat_stop_phrase="Bot, leave"))
    bot_id = recording_in_the_meeting(app)
    assert send_chat_message(app.recall, bot_id, "stop recording", reach(app))[0].json() == {
        "result": "ignored"
    }
    assert send_chat_message(app.recall, bot_id, "bot, leave.", reach(app))[0].json() == {
        "result": "stopping"
    }
