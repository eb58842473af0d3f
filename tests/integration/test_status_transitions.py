"""Each transition, driven through the Recall fake, and the exact chat.update calls and thread
replies the Slack fake received for it."""

from __future__ import annotations

from bot.slack.messages import slack_time
from tests.conftest import App

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
BOT = "“slack-record (recording)”"


def started(app: App) -> str:
    app.command(ZOOM)
    app.wait_idle()
    return app.recording().recall.bot_id


def updates(app: App) -> list[str]:
    return [call.args["text"] for call in app.slack.calls_to("chat.update")]


def test_every_edit_and_every_ping_of_a_full_meeting(app: App) -> None:
    bot_id = started(app)
    for code, sub_code in [
        ("joining_call", None),
        ("in_waiting_room", None),
        ("in_call_not_recording", None),
        ("recording_permission_allowed", None),
        ("in_call_recording", None),
        ("call_ended", "call_ended_by_host"),
    ]:
        app.recall.push_status(bot_id, code, sub_code)
        app.poll()
    app.recall.run_meeting(bot_id, minutes=37)
    app.poll()

    recording_line = updates(app)[2]
    assert recording_line.startswith("*Recording* since <!date^")
    assert updates(app) == [
        f"The recorder is waiting to be let in. Ask the host to admit {BOT}.",
        f"{BOT} is in the meeting; recording starts shortly.",
        recording_line,
        "The meeting has ended. The video is being prepared…",
        updates(app)[4],
    ]
    assert updates(app)[4].startswith(
        "Recording ready: Zoom meeting 812 3456 7890, requested by <@U0USER1>, ran 37 min. Watch: "
    )
    assert app.thread() == [
        f"<@U0USER1> the recorder is waiting to be let into Zoom meeting 812 3456 7890. "
        f"Ask the host to admit {BOT}.",
        "<@U0USER1> your recording of Zoom meeting 812 3456 7890 is ready (37 min). "
        f"It is available until {slack_time(app.recording().retention.expires_at)}.",
    ]
    # Every edit went to the one status message.
    status = app.recording()
    assert {(c.args["channel"], c.args["ts"]) for c in app.slack.calls_to("chat.update")} == {
        (status.slack.status_channel, status.slack.status_ts)
    }


def test_recording_permission_denied_says_what_the_host_must_do(app: App) -> None:
    bot_id = started(app)
    app.recall.push_status(bot_id, "in_call_not_recording")
    app.recall.push_status(bot_id, "recording_permission_denied", "zoom_local_recording_disabled")
    app.poll()
    app.poll()

    [edit] = updates(app)
    assert edit.startswith("The recorder is in the meeting but isn't allowed to record. ")
    assert "local recording" in edit.lower()
    [ping] = app.thread()
    assert ping.startswith(
        "<@U0USER1> the recorder is in Zoom meeting 812 3456 7890 but can't record yet: "
    )
    assert "local recording" in ping.lower()


def test_fatal_error_edits_the_message_and_pings_once(app: App) -> None:
    bot_id = started(app)
    app.recall.fail_bot(bot_id, sub_code="meeting_password_incorrect")
    app.poll()
    app.poll()

    [edit] = updates(app)
    assert edit.startswith("No recording of Zoom meeting 812 3456 7890 (requested by <@U0USER1>). ")
    assert "passcode" in edit.lower() or "password" in edit.lower()
    [ping] = app.thread()
    assert ping.startswith("<@U0USER1> no recording of Zoom meeting 812 3456 7890: ")


def test_stop_shows_stopping_until_recall_confirms(app: App) -> None:
    bot_id = started(app)
    app.recall.push_status(bot_id, "in_call_recording")
    app.poll()
    # Recall accepts the leave request but has not reported the bot leaving yet.
    app.recall.inject("POST", rf"/api/v1/bot/{bot_id}/leave_call/$", 200, json={"id": bot_id})
    app.press("stop_recording")
    app.wait_for_reply("press")
    app.wait_idle()

    assert updates(app)[-1].endswith("Stopping (asked by <@U0USER1>)…")
    assert "stop_recording" not in app.status_text()


def test_status_message_that_was_deleted_is_posted_again(app: App) -> None:
    bot_id = started(app)
    app.slack.inject("chat.update", error="message_not_found")
    app.recall.push_status(bot_id, "in_waiting_room")
    app.poll()

    messages = app.slack.messages("C0CHAN1")
    top_level = [m for m in messages if m.get("thread_ts", m["ts"]) == m["ts"]]
    assert len(top_level) == 2  # the lost one, and its replacement
    assert app.recording().slack.status_ts == top_level[-1]["ts"]
    assert top_level[-1]["text"].startswith("The recorder is waiting to be let in.")
