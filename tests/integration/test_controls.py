"""Stop, cancel and list, from buttons and commands; and who may stop a recording."""

from __future__ import annotations

import pytest

from bot.model.lifecycle import State
from tests.conftest import App

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
MEET = "https://meet.google.com/abc-defg-hij"


def recording_started(app: App, link: str = ZOOM) -> str:
    app.command(link)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.push_status(bot_id, "in_call_recording")
    app.poll()
    return bot_id


def leave_calls(app: App, bot_id: str) -> int:
    return len(app.recall.requests_to("POST", rf"/api/v1/bot/{bot_id}/leave_call/$"))


def test_requester_stops_with_the_button_and_still_gets_the_video(app: App) -> None:
    bot_id = recording_started(app)

    response = app.press("stop_recording")
    assert response.status_code == 200 and response.text == ""  # acknowledged at once
    assert app.wait_for_reply("press") == (
        "Stopping the recorder in Zoom meeting 812 3456 7890. "
        "What it recorded so far will be posted here."
    )
    app.wait_idle()
    assert leave_calls(app, bot_id) == 1
    # Recall confirms at once that the bot left; the status message moves on.
    assert app.status()["text"] == "The meeting has ended. The video is being prepared…"
    assert "stop asked by <@U0USER1>" in app.status_text()
    assert "stop_recording" not in app.status_text()  # no second Stop button

    app.recall.complete_recording(bot_id)
    app.recall.push_status(bot_id, "done")
    app.poll()
    assert app.recording().state == State.READY
    assert "stopped by <@U0USER1>" in app.status_text()
    assert app.thread()[-1].startswith("<@U0USER1> your recording of Zoom meeting")


def test_a_stranger_cannot_stop_someone_elses_recording(app: App) -> None:
    app.slack.add_user("U0STRANGER", "mallory")
    bot_id = recording_started(app)

    app.press("stop_recording", user_id="U0STRANGER")
    assert app.wait_for_reply("press") == (
        "Only <@U0USER1>, who asked for this recording, or a workspace admin can stop it."
    )
    app.wait_idle()
    assert leave_calls(app, bot_id) == 0
    assert app.recording().stop.requested_by is None


@pytest.mark.parametrize("role", [{"is_admin": True}, {"is_owner": True}])
def test_a_workspace_admin_can_stop_anyones_recording(app: App, role: dict) -> None:
    app.slack.add_user("U0ADMIN", "grace", **role)
    bot_id = recording_started(app)

    app.press("stop_recording", user_id="U0ADMIN")
    assert app.wait_for_reply("press").startswith("Stopping the recorder")
    app.wait_idle()
    assert leave_calls(app, bot_id) == 1
    assert app.recording().stop.requested_by == "U0ADMIN"


def test_pressing_stop_twice_asks_recall_once(app: App) -> None:
    bot_id = recording_started(app)
    app.press("stop_recording", hook="first")
    app.press("stop_recording", hook="second")
    assert app.wait_for_reply("second") == "That recorder is already being stopped."
    app.wait_idle()
    assert leave_calls(app, bot_id) == 1


def test_stopping_a_finished_recording_says_so(app: App) -> None:
    bot_id = recording_started(app)
    app.recall.run_meeting(bot_id)
    app.poll()
    app.press("stop_recording")
    assert app.wait_for_reply("press") == "That recording has already finished."
    assert leave_calls(app, bot_id) == 0


def test_record_stop_without_a_link_stops_this_channels_recording(app: App) -> None:
    bot_id = recording_started(app)
    response = app.command("stop", hook="stop")
    assert response.status_code == 200
    assert app.wait_for_reply("stop").startswith("Stopping the recorder in Zoom meeting")
    app.wait_idle()
    assert leave_calls(app, bot_id) == 1


def test_record_stop_with_a_link_finds_the_meeting_in_any_channel(app: App) -> None:
    bot_id = recording_started(app)
    app.command(
        f"stop {ZOOM.replace('zoom.us', 'us02web.zoom.us')}", channel_id="C0OTHER", hook="stop"
    )
    assert app.wait_for_reply("stop").startswith("Stopping the recorder in Zoom meeting")
    app.wait_idle()
    assert leave_calls(app, bot_id) == 1


def test_record_stop_with_nothing_running(app: App) -> None:
    app.command("stop", hook="stop")
    assert app.wait_for_reply("stop") == "Nothing is being recorded from this channel right now."
    app.command(f"stop {MEET}", hook="stop2")
    assert app.wait_for_reply("stop2") == "Nothing is recording Google Meet abc-defg-hij right now."


def test_record_stop_asks_which_when_several_run_here(app: App) -> None:
    app.command(ZOOM, hook="a")
    app.command(MEET, hook="b")
    app.wait_idle()
    app.command("stop", hook="stop")
    answer = app.wait_for_reply("stop")
    assert answer.startswith("Several recordings are running here; say which:")
    assert "Zoom meeting 812 3456 7890" in answer and "Google Meet abc-defg-hij" in answer
    assert app.recall.requests_to("POST", r"leave_call") == []


def test_cancel_a_scheduled_recorder(app: App) -> None:
    app.command(f'{ZOOM} --at "in 2h"')
    app.wait_idle()
    rec = app.recording()
    assert rec.state == State.SCHEDULED
    assert "cancel_recording" in app.status_text()

    app.press("cancel_recording")
    assert app.wait_for_reply("press") == "Cancelling the recorder for Zoom meeting 812 3456 7890."
    app.wait_idle()
    assert app.recall.requests_to("DELETE", rf"/api/v1/bot/{rec.recall.bot_id}/$")
    rec = app.recording()
    assert (rec.state, rec.schedule.next_poll_at) == (State.CANCELLED, None)
    assert app.status()["text"] == (
        ":no_entry_sign: The recording of Zoom meeting 812 3456 7890 was cancelled by <@U0USER1>."
    )
    assert app.thread() == []  # the person who cancelled knows; nobody else needs a ping


def test_cancel_after_the_scheduled_bot_set_off_makes_it_leave(app: App) -> None:
    app.command(f'{ZOOM} --at "in 2h"')
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.push_status(bot_id, "joining_call")  # Recall now refuses DELETE with 405
    app.press("cancel_recording")
    app.wait_for_reply("press")
    app.wait_idle()
    assert leave_calls(app, bot_id) == 1


def test_stop_while_waiting_for_a_free_recorder_cancels_the_request(app: App) -> None:
    app.recall.inject("POST", r"^/api/v1/bot/$", 507, times=100)
    app.command(ZOOM)
    app.wait_idle()
    app.command("stop", hook="stop")
    assert app.wait_for_reply("stop") == "Cancelling the recorder for Zoom meeting 812 3456 7890."
    app.wait_idle()
    creates = len(app.recall.requests_to("POST", r"^/api/v1/bot/$"))
    app.poll(minutes=1)
    assert app.recording().state == State.CANCELLED
    assert len(app.recall.requests_to("POST", r"^/api/v1/bot/$")) == creates


def test_list_shows_running_and_recent_recordings_privately(app: App) -> None:
    done = recording_started(app, MEET)
    app.recall.run_meeting(done, minutes=12)
    app.poll()
    app.command(ZOOM, hook="z")
    app.wait_idle()

    response = app.command("list", team_domain="acme")
    listing = response.json()
    assert listing["response_type"] == "ephemeral"
    running, recent = listing["text"].split("*Recent*")
    assert running.startswith("*Running*\n• <https://acme.slack.com/archives/C0CHAN1/p")
    assert "|Zoom meeting 812 3456 7890>: joining · asked by <@U0USER1>" in running
    assert "|Google Meet abc-defg-hij>: ready, ran 12 min · asked by <@U0USER1>" in recent


def test_list_in_an_empty_channel(app: App) -> None:
    text = app.command("list").json()["text"]
    assert text.startswith("No recordings in this channel in the last 7 days.")
