"""What the channel hears when a recorder fails, and how following a bot copes with trouble."""

from __future__ import annotations

import logging

import pytest

from bot.model.lifecycle import State
from tests.conftest import App

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"


def started(app: App) -> str:
    app.command(ZOOM)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    assert bot_id
    return bot_id


def failure_post(app: App) -> dict:
    """The status message, once it says there is no recording; exactly one thread reply."""
    assert len(app.thread()) == 1, app.thread()
    assert app.thread()[0].startswith("<@U0USER1> no recording of")
    return app.status()


def test_never_admitted_tells_the_channel_why_in_plain_words(app: App) -> None:
    bot_id = started(app)
    app.recall.end_without_video(bot_id, sub_code="timeout_exceeded_waiting_room")
    app.poll()

    post = failure_post(app)
    assert post["text"] == (
        "No recording of Zoom meeting 812 3456 7890 (requested by <@U0USER1>). "
        "Nobody let the bot into the meeting in time.\n"
        "Ask the host to admit the bot from the waiting room, then try again."
    )
    assert post["blocks"][0]["text"]["text"].startswith(":warning: *No recording of")
    assert app.thread() == [
        "<@U0USER1> no recording of Zoom meeting 812 3456 7890: Nobody let the bot into the "
        "meeting in time. Ask the host to admit the bot from the waiting room, then try again."
    ]
    rec = app.recording()
    assert (rec.state, rec.failure.reason, rec.failure.sub_code) == (
        State.FAILED,
        "call_ended",
        "timeout_exceeded_waiting_room",
    )


@pytest.mark.parametrize(
    ("sub_code", "words"),
    [
        ("meeting_not_found", "meeting"),
        ("zoom_web_disallowed", "Zoom"),
        ("google_meet_bot_blocked", "Google Meet"),
    ],
)
def test_fatal_errors_are_explained(app: App, sub_code: str, words: str) -> None:
    bot_id = started(app)
    app.recall.fail_bot(bot_id, sub_code=sub_code)
    app.poll()

    text = failure_post(app)["text"]
    assert words in text
    assert sub_code not in text or "reported" in text  # known codes get words, not jargon
    assert app.recording().failure.sub_code == sub_code


def test_kicked_bot_says_it_was_removed(app: App) -> None:
    bot_id = started(app)
    app.recall.push_status(bot_id, "in_call_recording")
    app.recall.end_without_video(bot_id, sub_code="bot_kicked_from_call")
    app.poll()
    assert "removed" in failure_post(app)["text"].lower()


def test_bot_done_without_video_is_a_failure_not_a_link(app: App) -> None:
    bot_id = started(app)
    app.recall.push_status(bot_id, "in_call_recording")
    app.recall.push_status(bot_id, "call_ended", "call_ended_by_host")
    app.recall.complete_recording(bot_id, video="failed")
    app.recall.push_status(bot_id, "done")
    app.poll()

    post = failure_post(app)
    assert "Watch" not in post["text"]
    assert app.recording().failure.reason == "video_failed"


def test_unknown_sub_code_is_shown_as_is(app: App) -> None:
    bot_id = started(app)
    app.recall.fail_bot(bot_id, sub_code="zoom_brand_new_problem")
    app.poll()
    assert "zoom_brand_new_problem" in failure_post(app)["text"]


def test_unknown_status_code_keeps_following_the_bot(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    bot_id = started(app)
    app.recall.push_status(bot_id, "in_call_recording")
    app.poll()
    app.recall.push_status(bot_id, "quantum_entangled")
    with caplog.at_level(logging.WARNING, logger="bot.lifecycle"):
        app.poll()
        app.poll()

    rec = app.recording()
    assert rec.state == State.RECORDING
    assert rec.recall.status == "quantum_entangled"
    assert rec.schedule.next_poll_at is not None
    assert app.thread() == []

    app.recall.run_meeting(bot_id, minutes=5)
    app.poll()
    assert app.recording().state == State.READY


def test_deadline_makes_the_bot_leave_and_says_so(app: App) -> None:
    bot_id = started(app)
    app.recall.push_status(bot_id, "in_call_recording")
    app.poll()
    app.poll(hours=6)

    assert app.recall.requests_to("POST", rf"/api/v1/bot/{bot_id}/leave_call/$")
    rec = app.recording()
    assert (rec.state, rec.failure.reason) == (State.FAILED, "deadline_exceeded")
    assert "time limit" in failure_post(app)["text"]


def test_deadline_is_configurable(make_app) -> None:
    app = make_app(recording_deadline_hours=1)
    bot_id = started(app)
    app.recall.push_status(bot_id, "in_call_recording")
    app.poll(minutes=59)
    assert app.recording().state == State.RECORDING
    app.poll(minutes=2)
    assert app.recording().state == State.FAILED


def test_bot_unknown_to_recall_is_reported_gone(app: App) -> None:
    bot_id = started(app)
    app.recall.inject("GET", rf"/api/v1/bot/{bot_id}/$", 404, times=1)
    app.poll()
    assert app.recording().failure.reason == "bot_gone"
    assert "no longer knows about this recording" in failure_post(app)["text"]


def test_rate_limited_poll_waits_what_recall_asks(app: App) -> None:
    bot_id = started(app)
    app.recall.inject("GET", rf"/api/v1/bot/{bot_id}/$", 429, headers={"Retry-After": "120"})
    app.poll()

    rec = app.recording()
    assert rec.state == State.JOINING
    wait = (rec.schedule.next_poll_at - app.clock()).total_seconds()
    assert 120 < wait <= 125
    gets = len(app.recall.requests_to("GET", rf"/api/v1/bot/{bot_id}/$"))
    app.poll(seconds=60)
    assert len(app.recall.requests_to("GET", rf"/api/v1/bot/{bot_id}/$")) == gets  # not yet


def test_recall_outage_while_following_backs_off_then_recovers(app: App) -> None:
    bot_id = started(app)
    app.recall.inject("GET", rf"/api/v1/bot/{bot_id}/$", 503, times=3)
    waits = []
    for _ in range(3):
        app.poll(minutes=5)
        rec = app.recording()
        waits.append((rec.schedule.next_poll_at - app.clock()).total_seconds())
    assert waits[0] < waits[1] < waits[2]  # exponential backoff
    assert app.recording().schedule.attempts == 3

    app.recall.run_meeting(bot_id)
    app.poll(minutes=5)
    assert app.recording().state == State.READY
    assert app.recording().schedule.attempts == 0


def test_recall_key_refused_while_following_keeps_the_recording(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    bot_id = started(app)
    app.recall.inject("GET", rf"/api/v1/bot/{bot_id}/$", 401, times=3)
    with caplog.at_level(logging.ERROR, logger="bot.workflow.context"):
        for _ in range(3):
            app.poll(minutes=5)
    assert app.recording().state == State.JOINING  # kept for when the key is fixed
    assert sum("RECALL_API_KEY" in r.getMessage() for r in caplog.records) == 1  # loud, once

    app.recall.run_meeting(bot_id)
    app.poll(minutes=5)
    assert app.recording().state == State.READY


def test_one_broken_recording_does_not_stop_the_others(app: App) -> None:
    first = started(app)
    app.command("https://meet.google.com/abc-defg-hij", hook="second")
    app.wait_idle()
    second = next(i for i in app.recall.created_bot_ids() if i != first)
    app.recall.inject("GET", rf"/api/v1/bot/{first}/$", 500, body="<html>oops</html>", times=5)
    app.recall.run_meeting(second)
    app.poll()

    states = {r.recall.bot_id: r.state for r in app.runtime.store.recordings.all()}
    assert states == {first: State.JOINING, second: State.READY}
