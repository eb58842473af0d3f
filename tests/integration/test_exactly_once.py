"""Nothing doubled: posts whose answer was lost (the message landed, we never heard) are found
again in Slack's history instead of being posted twice."""

from __future__ import annotations

from tests.conftest import App

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"


def top_level(app: App, channel: str = "C0CHAN1") -> list[dict]:
    return [m for m in app.slack.messages(channel) if m.get("thread_ts", m["ts"]) == m["ts"]]


def test_lost_answer_to_the_ready_notice_does_not_post_it_twice(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall.bot_id)
    # The ready reply lands in Slack, but its answer never reaches us.
    app.slack.inject("chat.postMessage", after=True)
    app.poll()
    rec = app.recording()
    assert rec.slack.notified_at is None and rec.slack.pending_post == "notice:ready"
    assert len(app.thread()) == 1

    app.poll(minutes=1)

    assert len(app.thread()) == 1
    rec = app.recording()
    assert rec.slack.notified_at is not None and rec.slack.pending_post is None
    assert app.slack.calls_to("conversations.replies")  # it looked before posting again


def test_lost_answer_to_the_status_message_does_not_post_it_twice(app: App) -> None:
    app.slack.inject("chat.postMessage", after=True)
    app.command(ZOOM)
    app.wait_idle()
    assert app.recording().slack.status_ts is None
    assert len(top_level(app)) == 1

    app.poll()

    assert len(top_level(app)) == 1
    rec = app.recording()
    assert rec.slack.status_ts == top_level(app)[0]["ts"]
    assert app.slack.calls_to("conversations.history")


def test_a_post_that_really_failed_is_posted_on_the_next_step(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall.bot_id)
    app.slack.inject("chat.postMessage", error="internal_error", status=500)  # nothing landed
    app.poll()
    assert app.thread() == []
    app.poll(minutes=1)
    assert len(app.thread()) == 1


def test_lost_answer_to_the_waiting_room_alert_is_not_repeated(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.push_status(bot_id, "in_waiting_room")
    app.slack.inject("chat.postMessage", after=True)
    app.poll()
    app.poll(minutes=1)
    app.poll(minutes=1)
    assert len(app.thread()) == 1
    assert app.recording().slack.alerts == {"waiting_room"}


def test_every_post_names_its_recording_in_metadata(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    rec = app.recording()
    app.recall.run_meeting(rec.recall.bot_id)
    app.poll()
    posts = [c.args.get("metadata") for c in app.slack.calls_to("chat.postMessage")]
    assert posts == [
        {"event_type": "slack_record", "event_payload": {"recording_id": rec.id, "post": kind}}
        for kind in ("status", "notice:ready")
    ]
